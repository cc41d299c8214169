"""Read side of complaints for the desk's and departments' pages: already scoped by the access
module, with what each page shows fetched in a fixed number of queries."""

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from frontdesk import policy
from frontdesk.models import User
from tickets.complaints.records import OPEN
from tickets.models import Complaint, ComplaintEvent, Escalation
from visits.models import Callback

RECENT_LIMIT = 50
RESIDENT_CARD_LIMIT = 20
# Who is shown the escalations page: those who watch the ladder, and those it climbs to.


def complaint_detail(user: User, pk: int) -> Complaint:
    """One complaint with everything its page shows; raises DoesNotExist for what the user may
    not see (another property's complaint)."""
    return (
        policy.complaints_for(user)
        .select_related(
            "property",
            "resident",
            "unit__building",
            "owner",
            "department",
            "received_by",
            "replied_by",
            "written_reply__drafted_by",
            "written_reply__issued_by",
            "corrective_action__filed_by",
        )
        .prefetch_related(
            Prefetch("escalations", queryset=Escalation.objects.select_related("acknowledged_by")),
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("by")),
            Prefetch("callbacks", queryset=Callback.objects.order_by("created_at", "id")),
        )
        .get(pk=pk)
    )


def one_to_one(complaint: Complaint, name: str):
    """The written reply or corrective report fetched with the complaint, or None."""
    try:
        return getattr(complaint, name)
    except Complaint._meta.get_field(name).related_model.DoesNotExist:
        return None


def _open_first(qs: QuerySet) -> QuerySet:
    return qs.select_related("property", "department", "unit__building", "owner")


def department_open(user: User) -> list[Complaint]:
    """The department's complaints still waiting for a fix, the most pressing first: by the
    fix clock (those without one after), then the oldest."""
    qs = policy.complaints_for_department(user).filter(state__in=OPEN)
    return list(
        _open_first(qs)
        .annotate(
            no_clock=Case(
                When(fix_due_at__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("no_clock", "fix_due_at", "received_at", "id")
    )


def department_recent(user: User, limit: int = RECENT_LIMIT) -> list[Complaint]:
    """The department's fixed complaints, newest first."""
    qs = policy.complaints_for_department(user).exclude(state__in=OPEN)
    return list(_open_first(qs).order_by("-received_at", "-id")[:limit])


def _unacknowledged() -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(acknowledged_at__isnull=True)
        .select_related("complaint__property", "complaint__department", "complaint__owner")
        .order_by("at", "id")
    )


def escalations_waiting(user: User) -> list[Escalation]:
    """Every unacknowledged escalation of the properties the user supervises, oldest first."""
    properties = policy.properties_with(user, "escalation.waiting")
    return list(_unacknowledged().filter(complaint__property__in=properties))


def escalations_to_me(user: User) -> list[Escalation]:
    """The unacknowledged escalations addressed to the user: to a project manager, those of
    their properties; to a department manager, those of their department (or, with no
    department named on either side, every one of that property)."""
    return list(_unacknowledged().filter(policy.addressed_to(user)))


def may_see_escalations(user: User) -> bool:
    return policy.properties_with(user, "escalation.read").exists()


def escalation_for(user: User, pk: int) -> Escalation:
    """One escalation of a complaint the user may see; raises DoesNotExist otherwise."""
    return Escalation.objects.select_related("complaint__property").get(
        pk=pk, complaint__in=policy.complaints_for(user)
    )


def resident_complaints(resident) -> QuerySet[Complaint]:
    """The complaints the resident made, newest first, for their card. One query."""
    return Complaint.objects.filter(resident=resident, property_id=resident.property_id).order_by(
        "-received_at", "-id"
    )[:RESIDENT_CARD_LIMIT]
