"""What a callback does to the record it follows up. Callbacks sit below repairs, complaints
and billing: they know a callback is about a repair, a complaint or a fee notice, not what
that record does when the call is made, missed or late. The package owning the record
registers a FollowUp for it in its AppConfig.ready(); a record with none registered is only
called about."""

from datetime import datetime

from django.db.models import QuerySet

from frontdesk.models import User
from visits.models import CallAttempt, Callback


class FollowUp:
    """The hooks, each run inside the callback service's transaction. The defaults do
    nothing: a package overrides what its record needs."""

    def check_reached(self, callback: Callback, *, comments: str) -> None:
        """Before a reached call is recorded: raise ValidationError to refuse it."""

    def reached(
        self,
        callback: Callback,
        *,
        by: User,
        attempt: CallAttempt,
        satisfied: bool,
        summary: str,
    ) -> None:
        """The resident answered; `satisfied` is solved with a good score."""

    def noted(self, callback: Callback, *, by: User | None, note: str, at: datetime) -> None:
        """A call that did not reach the resident, for the record's timeline."""

    def closed_missed(self, callback: Callback, *, by: User, reason: str, at: datetime) -> None:
        """A supervisor ended the callback without the call."""

    def overdue(self, callbacks: QuerySet[Callback], *, now: datetime) -> None:
        """The callbacks' windows passed without the call (the sweep, once per callback, a
        batch at a time): write what they cause in a statement or two for the whole batch,
        never a query per callback."""


# The record a callback follows, by the field naming it: a promised reply (kind "reply")
# carries the repair or complaint of the call it came from, and follows that.
RECORD_FIELDS = ("complaint", "repair", "fee_notice")
_registered: dict[str, FollowUp] = {}
_NOTHING = FollowUp()


def register(record_field: str, follow_up: FollowUp) -> None:
    if record_field not in RECORD_FIELDS:
        raise ValueError(f"A callback follows one of {RECORD_FIELDS}, not {record_field!r}")
    _registered[record_field] = follow_up


def follow_ups_for(callbacks) -> list[tuple[FollowUp, list[int]]]:
    """The ids of a batch's callbacks (anything with the callback's `pk` and `<field>_id`s)
    grouped by the FollowUp registered for the record they follow."""
    grouped: dict[FollowUp, list[int]] = {}
    for callback in callbacks:
        grouped.setdefault(follow_up_for(callback), []).append(callback.pk)
    return [(follow_up, ids) for follow_up, ids in grouped.items() if follow_up is not _NOTHING]


def follow_up_for(callback: Callback) -> FollowUp:
    for field in RECORD_FIELDS:
        if getattr(callback, f"{field}_id") is not None:
            return _registered.get(field, _NOTHING)
    return _NOTHING
