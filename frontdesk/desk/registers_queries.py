"""Read side of the desk's own day: visitors, phone messages, parcels, keys, lost and found.

Every query is scoped to the desk's properties (another property's row is simply not found)
and fetches what its page shows in a fixed number of queries, whatever the number of rows."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from frontdesk import clock, policy
from frontdesk.desk.models import KeyDeposit, KeyMovement, LostItem, Parcel, PhoneMessage, Visitor
from frontdesk.desk.registers_services import messages_unread_too_long
from frontdesk.models import Department, Membership, Property, Resident, Role, Unit, User

MY_MESSAGES_LIMIT = 100
LIST_LIMIT = 200  # a day's list longer than this is cut (and says so)
RECENTLY_CLAIMED_DAYS = 30


def desk_properties(user: User) -> list[Property]:
    """The properties whose desk the user works, by name."""
    return list(policy.properties_with(user, "visitor.read").order_by("name"))


def day_bounds(prop: Property, day: date) -> tuple[datetime, datetime]:
    """The property's local day as a half-open interval."""
    return clock.local_day_bounds(day, prop.zone)


def property_units(prop: Property) -> QuerySet[Unit]:
    """The property's units for a select, labelled "building-unit" without a query each."""
    return (
        Unit.objects.filter(building__property=prop)
        .select_related("building")
        .order_by("building__number", "number")
    )


def _scoped(model, user: User, capability: str):
    return policy.desk_records(user, model, capability).select_related("property")


# --- visitors -------------------------------------------------------------------------------------


@dataclass
class VisitorDay:
    day: date
    expected: list[Visitor]  # announced for today, not arrived yet
    inside: list[Visitor]  # arrived, not left (whatever day they came)
    left: list[Visitor]  # left today


def visitor_day(prop: Property, now: datetime) -> VisitorDay:
    today = prop.today(now)
    start, end = day_bounds(prop, today)
    rows = Visitor.objects.filter(property=prop).select_related(
        "unit__building", "announced_by", "registered_by"
    )
    return VisitorDay(
        day=today,
        expected=list(
            rows.filter(expected_on=today, arrived_at__isnull=True).order_by("name", "pk")
        ),
        inside=list(
            rows.filter(arrived_at__isnull=False, left_at__isnull=True).order_by("arrived_at", "pk")
        ),
        left=list(rows.filter(left_at__gte=start, left_at__lt=end).order_by("-left_at", "-pk")),
    )


def visitor_for(user: User, pk: int) -> Visitor:
    """Raises Visitor.DoesNotExist for another property's visitor."""
    return _scoped(Visitor, user, "visitor.read").get(pk=pk)


# --- phone messages ---------------------------------------------------------------------------------


def _message_rows(qs: QuerySet[PhoneMessage]) -> QuerySet[PhoneMessage]:
    return qs.select_related(
        "property", "for_resident", "for_user", "for_department", "taken_by", "read_by"
    ).prefetch_related(
        Prefetch("for_resident__units", queryset=Unit.objects.select_related("building"))
    )


def unread_messages(prop: Property) -> list[PhoneMessage]:
    """Messages not read yet, oldest first."""
    qs = PhoneMessage.objects.filter(property=prop, read_at__isnull=True)
    return list(_message_rows(qs).order_by("taken_at", "pk")[:LIST_LIMIT])


def messages_overdue(prop: Property, now: datetime) -> list[PhoneMessage]:
    """Unread longer than the property allows: the supervisor's list, oldest first."""
    return list(_message_rows(messages_unread_too_long(prop, now)).order_by("taken_at", "pk"))


def my_messages(user: User) -> list[PhoneMessage]:
    """Messages for the person or one of their departments (at that department's property),
    unread first, then newest first."""
    departments = Membership.objects.filter(user=user, department__isnull=False).values(
        "department_id"
    )
    qs = PhoneMessage.objects.filter(Q(for_user=user) | Q(for_department_id__in=departments))
    return list(
        _message_rows(qs).order_by(F("read_at").asc(nulls_first=True), "-taken_at", "-pk")[
            :MY_MESSAGES_LIMIT
        ]
    )


def message_for(user: User, pk: int) -> PhoneMessage:
    """A message the user may read (the desk's, or one for them); DoesNotExist otherwise."""
    return _message_rows(policy.messages_for(user)).get(pk=pk)


@dataclass
class Recipients:
    residents: list[Resident]
    staff: list[User]
    departments: list[Department]


def message_recipients(prop: Property) -> Recipients:
    """Whom a message can be left for: current residents (with their units), the property's
    active staff, and its departments."""
    residents = (
        Resident.objects.filter(property=prop, moved_out_on__isnull=True)
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.select_related("building").order_by("pk"))
        )
        .order_by("name", "pk")
    )
    return Recipients(
        residents=list(residents),
        staff=list(
            policy.staff_with_roles(prop.pk, set(Role.values)).order_by("first_name", "username")
        ),
        departments=list(prop.departments.order_by("name")),
    )


# --- parcels ---------------------------------------------------------------------------------------


@dataclass
class ParcelRow:
    parcel: Parcel
    days: int  # whole days waiting
    reminder_due: bool  # waiting longer than the property's reminder time


def waiting_parcels(prop: Property, now: datetime) -> list[ParcelRow]:
    """Parcels not collected yet, oldest first."""
    limit = timedelta(days=prop.parcel_reminder_days)
    rows = (
        Parcel.objects.filter(property=prop, collected_at__isnull=True)
        .select_related("unit__building")
        .order_by("received_at", "pk")[:LIST_LIMIT]
    )
    return [
        ParcelRow(
            parcel=p,
            days=max(0, (now - p.received_at).days),
            # The same rule as the reminder the sweep sends (parcels_remind).
            reminder_due=p.received_at <= now - limit,
        )
        for p in rows
    ]


def collected_parcels(prop: Property, day: date) -> list[Parcel]:
    start, end = day_bounds(prop, day)
    return list(
        Parcel.objects.filter(property=prop, collected_at__gte=start, collected_at__lt=end)
        .select_related("unit__building", "handed_over_by")
        .order_by("-collected_at", "-pk")
    )


def parcel_for(user: User, pk: int) -> Parcel:
    """Raises Parcel.DoesNotExist for another property's parcel."""
    return _scoped(Parcel, user, "parcel.read").select_related("unit__building").get(pk=pk)


# --- keys ------------------------------------------------------------------------------------------


def keys_held(prop: Property) -> list[KeyDeposit]:
    """Keys in custody by tag; for a key that is out, who took it and when (from its last
    movement, in the same query)."""
    last_out = KeyMovement.objects.filter(key=OuterRef("pk"), kind=KeyMovement.Kind.OUT).order_by(
        "-at", "-pk"
    )
    return list(
        KeyDeposit.objects.filter(property=prop, withdrawn_at__isnull=True)
        .select_related("unit__building")
        .annotate(
            out_to=Subquery(last_out.values("person")[:1]),
            out_at=Subquery(last_out.values("at")[:1]),
        )
        .order_by("label", "pk")
    )


def key_for(user: User, pk: int) -> KeyDeposit:
    """The key with its movements (oldest first). Raises DoesNotExist for another property's."""
    return (
        _scoped(KeyDeposit, user, "key.read")
        .select_related("unit__building")
        .prefetch_related(
            Prefetch("movements", queryset=KeyMovement.objects.select_related("by").order_by("at"))
        )
        .get(pk=pk)
    )


def key_movement_for(user: User, key_pk: int, pk: int) -> KeyMovement:
    return KeyMovement.objects.get(
        key__property__in=policy.properties_with(user, "key.read"), key_id=key_pk, pk=pk
    )


# --- lost and found -----------------------------------------------------------------------------------


def unclaimed_items(prop: Property) -> list[LostItem]:
    return list(
        LostItem.objects.filter(property=prop, claimed_at__isnull=True)
        .select_related("registered_by")
        .order_by("-found_at", "-pk")[:LIST_LIMIT]
    )


def recently_claimed(prop: Property, now: datetime) -> list[LostItem]:
    since = now - timedelta(days=RECENTLY_CLAIMED_DAYS)
    return list(
        LostItem.objects.filter(property=prop, claimed_at__gte=since)
        .select_related("handed_by")
        .order_by("-claimed_at", "-pk")[:50]
    )


def lost_item_for(user: User, pk: int) -> LostItem:
    return _scoped(LostItem, user, "lost_item.read").get(pk=pk)
