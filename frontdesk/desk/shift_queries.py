"""Read side of the shift handover and the daily ledger: the day's counts as the desk reads
them, the latest handovers and the signed ledgers of the last two weeks."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontdesk import policy
from frontdesk.desk.models import (
    DailyLedger,
    ShiftHandover,
)
from frontdesk.models import Property, User

LATEST_HANDOVERS = 10
LEDGER_DAYS = 14

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
