"""What a repair's callbacks do to it, registered with the callbacks in TicketsConfig.ready():
the 72-hour callback's outcome reopens or closes the order; every call, a closing without
the call, and a missed window go on the order's timeline (written by the repairs' services)."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from frontdesk.models import User
from tickets.models import RepairEvent
from tickets.repairs import records, services
from visits.follow_ups import FollowUp
from visits.models import CallAttempt, Callback


class RepairFollowUp(FollowUp):
    def reached(
        self, callback: Callback, *, by: User, attempt: CallAttempt, satisfied: bool, summary: str
    ) -> None:
        if callback.kind == Callback.Kind.REPAIR:
            services.repair_callback_outcome(
                order=callback.repair,
                by=by,
                satisfied=satisfied,
                summary=summary,
                comments=attempt.comments,
                at=attempt.at,
            )

    def noted(self, callback: Callback, *, by: User | None, note: str, at: datetime) -> None:
        services.repair_callback_noted(order=callback.repair, by=by, note=note, at=at)

    def closed_missed(self, callback: Callback, *, by: User, reason: str, at: datetime) -> None:
        note = _("Callback closed without reaching: %(reason)s") % {"reason": reason}
        services.repair_callback_noted(order=callback.repair, by=by, note=note, at=at)

    def overdue(self, callbacks: QuerySet[Callback], *, now: datetime) -> None:
        records.events_for(
            callbacks,
            through="repair",
            kind=RepairEvent.Kind.CALLBACK_OVERDUE,
            note=_("The callback window has passed"),
            at=now,
        )
