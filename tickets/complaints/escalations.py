"""The escalation ladder (seed 003): a complaint not fixed inside its fix window goes to the
department manager; one still unsolved when its local day ends, to the project manager.
The sweep climbs it; the person escalated to acknowledges."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontdesk import batches, policy
from frontdesk.models import User
from frontdesk.outbox import Listing, UserMessage, staff_notify, users_notify
from tickets.complaints.records import OPEN, Kind, event, events_for, locked
from tickets.models import Complaint, Escalation


def escalate(complaint: Complaint, level: str, reason: str, *, now: datetime) -> Escalation | None:
    """One step up, at most once per level (the database refuses a second): an event on the
    timeline and a notice to whoever holds that role for the property (for the department
    manager: the responsible department's, or every department manager if it has none).
    Both the escalation and its event are stamped `now`."""
    if Escalation.objects.filter(complaint=complaint, level=level).exists():
        return None
    escalation = Escalation.objects.create(complaint=complaint, level=level, reason=reason, at=now)
    event(
        complaint,
        None,
        Kind.ESCALATED,
        f"{escalation.get_level_display()}: {escalation.get_reason_display()}",
        at=now,
    )
    message = {
        "property": complaint.property,
        "roles": policy.ESCALATION_ADDRESSEES[level],
        "subject": _("Complaint %(number)s escalated to you: %(reason)s")
        % {"number": complaint.number, "reason": escalation.get_reason_display()},
        "body": complaint.description[:300],
        "link": reverse("complaint_escalations"),
        "about": complaint,
    }
    told = 0
    if level == Escalation.Level.DEPARTMENT_MANAGER and complaint.department_id:
        told = staff_notify(department_id=complaint.department_id, **message)
    if not told:
        staff_notify(**message)
    return escalation


def escalation_acknowledge(*, escalation: Escalation, by: User) -> Escalation:
    """The person escalated to says they have it."""
    complaint = escalation.complaint
    policy.require(by, "escalation.acknowledge", escalation)
    with transaction.atomic():
        complaint = locked(complaint)  # the timeline event shows its current state
        claimed = Escalation.objects.filter(pk=escalation.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by
        )
        if not claimed:
            raise ValidationError(_("This escalation has already been acknowledged."))
        escalation.refresh_from_db()
        event(complaint, by, Kind.ACKNOWLEDGED, escalation.get_level_display())
    return escalation


# Complaints a batch of the ladder takes at once.
SWEEP_BATCH = 2000
LADDER = (
    ("fix_due_at", Escalation.Level.DEPARTMENT_MANAGER, Escalation.Reason.FIX_WINDOW),
    ("day_ends_at", Escalation.Level.PROJECT_MANAGER, Escalation.Reason.END_OF_DAY),
)


def complaints_escalate(*, now: datetime, batch_size: int = SWEEP_BATCH) -> dict:
    """The sweep's ladder: fix window passed unfixed → department manager; local day ended
    unsolved → project manager. A batch at a time: the due complaints are locked (a sweep
    running at the same time takes others), their escalations and timeline events written
    together; then each person escalated to gets one notice listing their complaints. One
    transaction, so however often (or concurrently) the sweep runs, each step happens once."""
    result = {}
    with transaction.atomic():
        for field, level, reason in LADDER:
            listings: dict[tuple[int, int], Listing] = {}
            already = Escalation.objects.filter(complaint=OuterRef("pk"), level=level)
            due = Complaint.objects.filter(
                **{f"{field}__lte": now}, resolved_at__isnull=True, state__in=OPEN
            ).exclude(Exists(already))
            escalated = 0
            while ids := batches.claim(due, order_by=(field, "pk"), size=batch_size):
                complaints = _unescalated(ids, level)
                _escalate_all(complaints, level, reason, now=now, listings=listings)
                escalated += len(complaints)
            _tell(listings, reason, now=now)
            result[f"complaints_escalated_{level}"] = escalated
    return result


def _unescalated(ids: list[int], level: str) -> list[Complaint]:
    """The locked complaints still without an escalation at the level: one that a sweep
    committed after this one's claim began is left out, not escalated twice."""
    taken = Escalation.objects.filter(complaint_id__in=ids, level=level).values("complaint_id")
    return list(
        Complaint.objects.filter(pk__in=ids)
        .exclude(pk__in=taken)
        .only("property_id", "department_id", "number", "description", "state")
        .order_by("pk")
    )


def _escalate_all(complaints, level, reason, *, now: datetime, listings: dict) -> None:
    """escalate() for a batch: the escalations and their events in one INSERT each; each
    complaint added to the listing of everyone it goes to."""
    Escalation.objects.bulk_create(
        Escalation(complaint=complaint, level=level, reason=reason, at=now)
        for complaint in complaints
    )
    note = f"{Escalation.Level(level).label}: {Escalation.Reason(reason).label}"
    events_for(
        Complaint.objects.filter(pk__in=[complaint.pk for complaint in complaints]),
        kind=Kind.ESCALATED,
        note=note,
        at=now,
    )
    by_property: dict[int, list] = {}
    for membership in policy.memberships_with_roles(
        {complaint.property_id for complaint in complaints}, policy.ESCALATION_ADDRESSEES[level]
    ):
        by_property.setdefault(membership.property_id, []).append(membership)
    for complaint in complaints:
        here = by_property.get(complaint.property_id, [])
        if level == Escalation.Level.DEPARTMENT_MANAGER and complaint.department_id:
            # The responsible department's managers, or every department manager if it has none.
            here = [m for m in here if m.department_id == complaint.department_id] or here
        for user in dict.fromkeys(m.user for m in here):
            listings.setdefault((complaint.property_id, user), Listing()).add(complaint)


def _tell(listings: dict, reason: str, *, now: datetime) -> None:
    """One notice per person escalated to, naming their complaints."""
    reason_text = Escalation.Reason(reason).label
    messages = []
    for (property_id, user), listing in listings.items():
        one = listing.only
        if one:
            subject = _("Complaint %(number)s escalated to you: %(reason)s") % {
                "number": one.number,
                "reason": reason_text,
            }
        else:
            subject = ngettext(
                "%(count)d complaint escalated to you: %(number)s",
                "%(count)d complaints escalated to you: %(number)s",
                listing.count,
            ) % {"count": listing.count, "number": listing.named(_number)}
        body = one.description[:300] if one else listing.body(_line)
        link = reverse("complaint_escalations")
        messages.append(UserMessage(property_id, user, subject, body, link, about=one))
    users_notify(messages, at=now)


def _number(complaint: Complaint) -> str:
    return complaint.number


def _line(complaint: Complaint) -> str:
    return f"{complaint.number}: {complaint.description[:80]}"
