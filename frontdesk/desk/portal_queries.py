"""Read side of the resident portal's day with the desk: my units and resident records, the
visitors I announced, the passes of my units, the messages the desk took for me and my
decoration applications. Another resident's record is simply not found."""

from datetime import date

from django.db.models import Prefetch, QuerySet

from frontdesk import policy
from frontdesk.desk.models import (
    DecorationApplication,
    PhoneMessage,
    RectificationNotice,
    ReleasePass,
    Visitor,
)
from frontdesk.models import Resident, Unit, User

PORTAL_RECENT = 10

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
