"""What every repair service shares: the states each step accepts, its refusals, the row
lock and the timeline event."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from frontdesk import batches
from frontdesk.models import User
from tickets.models import RepairEvent, RepairOrder

State = RepairOrder.State

# Which states each transition may start from. Anything else is refused with a message.
CANCELLABLE = {
    State.RECEIVED,
    State.AWAITING_AGREEMENT,
    State.DISPATCHED,
    State.ACCEPTED,
    State.REOPENED,
}
DISPATCHABLE = {State.RECEIVED, State.REOPENED}
QUOTABLE = {State.RECEIVED, State.AWAITING_AGREEMENT, State.REOPENED}
REOPENABLE = {State.COMPLETED, State.CLOSED}


# One whole sentence per refused action: a sentence built from a translated verb does not
# translate well.
REFUSALS = {
    "quote": gettext_lazy("Order %(number)s is %(state)s: it cannot be quoted now."),
    "agree": gettext_lazy("Order %(number)s is %(state)s: there is no quote to agree to."),
    "dispatch": gettext_lazy("Order %(number)s is %(state)s: it cannot be dispatched now."),
    "accept": gettext_lazy("Order %(number)s is %(state)s: it cannot be accepted now."),
    "change": gettext_lazy("Order %(number)s is %(state)s: it cannot be changed now."),
    "complete": gettext_lazy("Order %(number)s is %(state)s: it cannot be completed now."),
    "sign_off": gettext_lazy("Order %(number)s is %(state)s: it cannot be signed off now."),
    "pay": gettext_lazy("Order %(number)s is %(state)s: no payment can be taken now."),
    "close": gettext_lazy("Order %(number)s is %(state)s: it cannot be closed now."),
    "cancel": gettext_lazy("Order %(number)s is %(state)s: it cannot be cancelled now."),
    "reopen": gettext_lazy("Order %(number)s is %(state)s: it cannot be reopened now."),
}


def refuse(order: RepairOrder, allowed: set, action: str) -> None:
    if order.state not in allowed:
        raise ValidationError(
            REFUSALS[action] % {"number": order.number, "state": order.get_state_display()}
        )


def event(
    order: RepairOrder, by: User | None, kind: str, note: str = "", at: datetime | None = None
) -> RepairEvent:
    """One row of the order's timeline, at `at` (a call's or a sweep's moment) or now."""
    return RepairEvent.objects.create(
        order=order, by=by, at=at or timezone.now(), kind=kind, state=order.state, note=note
    )


def events_for(rows: QuerySet, *, through: str, kind: str, note: str, at: datetime) -> int:
    """A timeline row for the order each of `rows` names through the field `through`, with the
    order's state, written by the database in one INSERT … SELECT: the sweep's batch."""
    return batches.insert_from(
        RepairEvent,
        rows,
        order=F(through),
        at=Value(at, output_field=DateTimeField()),
        kind=Value(kind),
        state=F(f"{through}__state"),
        note=Value(note),
    )


def locked(order: RepairOrder) -> RepairOrder:
    """Re-read the order under a row lock: two clerks acting at once are serialised."""
    return RepairOrder.objects.select_for_update().get(pk=order.pk)
