"""Read side of the desk's goods release passes and decoration applications. Everything is
scoped through the policy (another property's object is simply not found) and every
page's rows come in a fixed number of queries, whatever their number."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from frontdesk import policy
from frontdesk.desk.models import (
    DecorationApplication,
    RectificationNotice,
    ReleasePass,
)
from frontdesk.desk.registers_queries import day_bounds
from frontdesk.models import Property, Resident, Unit, User

CLOSED_DECORATIONS = 30

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
