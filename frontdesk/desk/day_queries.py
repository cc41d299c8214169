"""Read side of the desk's release passes, decoration applications, shift handover and daily
ledger, and of the resident portal's "my day at the desk" page. Everything is scoped through
the access module (another property's object is simply not found) and every page's rows come
in a fixed number of queries, whatever their number."""

from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from frontdesk import policy
from frontdesk.desk.models import (
    DailyLedger,
    DecorationApplication,
    PhoneMessage,
    RectificationNotice,
    ReleasePass,
    ShiftHandover,
    Visitor,
)
from frontdesk.desk.queries import day_bounds, desk_properties, property_units  # noqa: F401
from frontdesk.models import Property, Resident, Unit, User

LATEST_HANDOVERS = 10
LEDGER_DAYS = 14
CLOSED_DECORATIONS = 30
PORTAL_RECENT = 10

# What day_counts() returns, in the order the desk reads it, with its label.
COUNT_LABELS = [
    ("visitors_arrived", _("Visitors registered")),
    ("visitors_left", _("Visitors signed out")),
    ("messages_taken", _("Phone messages taken")),
    ("parcels_registered", _("Parcels registered")),
    ("parcels_collected", _("Parcels collected")),
    ("parcels_waiting", _("Parcels still waiting")),
    ("keys_out", _("Keys handed out")),
    ("keys_returned", _("Keys returned")),
    ("repairs_received", _("Repairs received")),
    ("complaints_received", _("Complaints received")),
    ("callbacks_done", _("Callbacks done")),
    ("payments", _("Payments taken")),
    ("payments_total", _("Payments total (yuan)")),
]


def count_rows(counts: dict) -> list[tuple[str, object]]:
    """The counts as (label, value) rows: the known ones in order, then any others by name."""
    known = dict(COUNT_LABELS)
    rows = [(label, counts[key]) for key, label in COUNT_LABELS if key in counts]
    rows += [(key, value) for key, value in sorted(counts.items()) if key not in known]
    return rows


# --- which property the desk's page is for ------------------------------------------------------


def staff_properties(user: User) -> list[Property]:
    """Where the user works in any role (reading is open to every staff role there)."""
    return list(policy.properties_for(user).order_by("name", "pk"))


def unit_by_label(prop: Property, text: str) -> Unit | None:
    """The unit the desk says as "building-unit" ("2-1503"), at that property; one query."""
    text = "".join(text.split())
    if "-" not in text:
        return None
    match = Q(pk__in=[])
    for i, char in enumerate(text):
        if char == "-" and 0 < i < len(text) - 1:
            match |= Q(building__number=text[:i], number=text[i + 1 :])
    return (
        Unit.objects.filter(match, building__property=prop)
        .select_related("building")
        .order_by("pk")
        .first()
    )


def current_residents() -> QuerySet[Resident]:
    return Resident.objects.filter(moved_out_on__isnull=True).order_by("name", "pk")


# --- goods release passes -----------------------------------------------------------------------


def passes_for(user: User) -> QuerySet[ReleasePass]:
    return policy.desk_records(user, ReleasePass, "pass.read")


def pass_for_action(user: User, pk: int) -> ReleasePass:
    """A pass of one of the user's properties; raises DoesNotExist otherwise."""
    return passes_for(user).select_related("property", "unit__building").get(pk=pk)


def passes_board(prop: Property, today: date) -> dict[str, list[ReleasePass]]:
    """The passes waiting for the resident and approved (all of them), refused and released
    today; each unit with its current residents (``unit.current_residents``). Two queries."""
    start, end = day_bounds(prop, today)
    State = ReleasePass.State
    rows = list(
        ReleasePass.objects.filter(property=prop)
        .filter(
            Q(state__in=[State.REQUESTED, State.APPROVED])
            | Q(state=State.REFUSED, decided_at__gte=start, decided_at__lt=end)
            | Q(state=State.RELEASED, released_at__gte=start, released_at__lt=end)
        )
        .select_related("unit__building", "requested_by", "approved_by", "released_by")
        .prefetch_related(
            Prefetch("unit__residents", queryset=current_residents(), to_attr="current_residents")
        )
        .order_by("requested_at", "pk")
    )
    board = {state: [] for state in State.values}
    for row in rows:
        board[row.state].append(row)
    return board


# --- decoration ---------------------------------------------------------------------------------

OPEN_DECORATION = [
    DecorationApplication.State.APPLIED,
    DecorationApplication.State.REVIEWED,
    DecorationApplication.State.PERMITTED,
    DecorationApplication.State.RECTIFYING,
]
CLOSED_DECORATION = [DecorationApplication.State.FINISHED, DecorationApplication.State.REJECTED]


def decorations_for(user: User) -> QuerySet[DecorationApplication]:
    return policy.desk_records(user, DecorationApplication, "decoration.read")


def decoration_board(prop: Property) -> list[tuple[str, str, list[DecorationApplication]]]:
    """(state, label, applications) for each state: the open ones all, oldest first; the
    finished and rejected ones, the latest few. Two queries."""
    related = ("unit__building", "resident")
    open_rows = list(
        DecorationApplication.objects.filter(property=prop, state__in=OPEN_DECORATION)
        .select_related(*related)
        .order_by("applied_at", "pk")
    )
    closed_rows = list(
        DecorationApplication.objects.filter(property=prop, state__in=CLOSED_DECORATION)
        .select_related(*related)
        .order_by("-applied_at", "-pk")[:CLOSED_DECORATIONS]
    )
    labels = dict(DecorationApplication.State.choices)
    return [
        (state, labels[state], [a for a in open_rows + closed_rows if a.state == state])
        for state in OPEN_DECORATION + CLOSED_DECORATION
    ]


def decoration_detail(user: User, pk: int) -> DecorationApplication:
    """One application with its rectification notices; raises DoesNotExist for what the user
    may not see."""
    return (
        decorations_for(user)
        .select_related("property", "unit__building", "resident", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "rectifications",
                queryset=RectificationNotice.objects.select_related("issued_by").order_by(
                    "issued_at", "pk"
                ),
            ),
            "resident__phones",
        )
        .get(pk=pk)
    )


def resident_at(prop: Property, pk: int) -> Resident | None:
    """A resident of the property, with their units; None if not found there."""
    return (
        Resident.objects.filter(property=prop, pk=pk)
        .prefetch_related(Prefetch("units", queryset=Unit.objects.select_related("building")))
        .first()
    )


def unit_residents(unit: Unit) -> list[Resident]:
    return list(current_residents().filter(units=unit))


def property_residents(prop: Property) -> QuerySet[Resident]:
    """What a desk form validates a posted resident against: any of the property's residents
    (the services say whether they belong to the unit)."""
    return Resident.objects.filter(property=prop)


# --- handover and ledger ------------------------------------------------------------------------


def _handovers() -> QuerySet[ShiftHandover]:
    return ShiftHandover.objects.select_related("handed_over_by", "taken_over_by")


def handovers_latest(prop: Property) -> list[ShiftHandover]:
    return list(
        _handovers().filter(property=prop).order_by("-handed_over_at", "-pk")[:LATEST_HANDOVERS]
    )


def handovers_of_day(prop: Property, day: date) -> list[ShiftHandover]:
    return list(_handovers().filter(property=prop, day=day).order_by("handed_over_at", "pk"))


def handover_for_action(user: User, pk: int) -> ShiftHandover:
    """A handover of a property where the user works the desk; raises DoesNotExist otherwise."""
    return (
        policy.desk_records(user, ShiftHandover, "handover.write")
        .select_related("property")
        .get(pk=pk)
    )


def ledger_of(prop: Property, day: date) -> DailyLedger | None:
    return DailyLedger.objects.filter(property=prop, day=day).select_related("signed_by").first()


def ledger_marks(prop: Property, today: date) -> list[tuple[date, DailyLedger | None]]:
    """The last fourteen days, newest first, each with its signed ledger or None. One query."""
    first = today - timedelta(days=LEDGER_DAYS - 1)
    signed = {
        ledger.day: ledger
        for ledger in DailyLedger.objects.filter(
            property=prop, day__gte=first, day__lte=today
        ).select_related("signed_by")
    }
    days = [today - timedelta(days=n) for n in range(LEDGER_DAYS)]
    return [(day, signed.get(day)) for day in days]


# --- the resident portal ------------------------------------------------------------------------


def my_residents(user: User) -> list[Resident]:
    return list(Resident.objects.filter(user=user).select_related("property").order_by("pk"))


def my_units(user: User) -> QuerySet[Unit]:
    return policy.units_for(user).select_related("building__property").order_by("pk")


def my_resident_for_unit(user: User, unit_id: int) -> Resident | None:
    """My resident record that holds this unit (the one who approves or applies for it)."""
    return (
        Resident.objects.filter(user=user, units=unit_id)
        .select_related("property")
        .order_by("pk")
        .first()
    )


def my_passes(user: User) -> QuerySet[ReleasePass]:
    """Passes of my units (another resident's unit: not found)."""
    return ReleasePass.objects.filter(unit__in=policy.current_units(user))


def my_pending_passes(user: User) -> list[ReleasePass]:
    return list(
        my_passes(user)
        .filter(state=ReleasePass.State.REQUESTED)
        .select_related("unit__building")
        .order_by("requested_at", "pk")
    )


def my_decided_passes(user: User) -> list[ReleasePass]:
    return list(
        my_passes(user)
        .exclude(state=ReleasePass.State.REQUESTED)
        .select_related("unit__building", "approved_by")
        .order_by("-requested_at", "-pk")[:PORTAL_RECENT]
    )


def my_messages(user: User) -> QuerySet[PhoneMessage]:
    return PhoneMessage.objects.filter(for_resident__user=user)


def my_unread_messages(user: User) -> list[PhoneMessage]:
    return list(my_messages(user).filter(read_at__isnull=True).order_by("taken_at", "pk"))


def my_announced_visitors(user: User, today: date) -> list[Visitor]:
    return list(
        Visitor.objects.filter(announced_by__user=user, expected_on__gte=today)
        .select_related("unit__building")
        .order_by("expected_on", "pk")
    )


def my_decorations(user: User) -> list[DecorationApplication]:
    return list(
        DecorationApplication.objects.filter(resident__user=user)
        .select_related("unit__building")
        .prefetch_related(
            Prefetch(
                "rectifications",
                queryset=RectificationNotice.objects.filter(resolved_at=None).order_by(
                    "deadline", "pk"
                ),
                to_attr="open_rectifications",
            )
        )
        .order_by("-applied_at", "-pk")
    )
