"""What a complaint's callbacks do to it, registered with the callbacks in
TicketsConfig.ready(): the reply given on a call is the complaint's reply; the satisfaction
callback's outcome concludes the round or reopens the complaint; calls, closings and missed
windows go on the complaint's timeline (written by the complaints' services)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, Value, When
from django.utils.translation import gettext as _

from frontdesk.models import User
from tickets.complaints import records, services
from tickets.models import ComplaintEvent
from visits.follow_ups import FollowUp
from visits.models import CallAttempt, Callback

Kind = ComplaintEvent.Kind


class ComplaintFollowUp(FollowUp):
    def check_reached(self, callback: Callback, *, comments: str) -> None:
        if callback.kind != Callback.Kind.COMPLAINT_REPLY:
            return
        if callback.complaint.is_letter:
            raise ValidationError(
                _("A letter complaint is answered in writing: issue the written reply.")
            )
        if not comments.strip():
            raise ValidationError(_("Write down what was said."))

    def reached(
        self, callback: Callback, *, by: User, attempt: CallAttempt, satisfied: bool, summary: str
    ) -> None:
        if callback.kind == Callback.Kind.COMPLAINT:
            # Satisfied concludes the round; otherwise the complaint is reopened, and its
            # next resolution schedules the next callback.
            services.complaint_callback_outcome(
                complaint=callback.complaint, by=by, satisfied=satisfied, note=summary
            )
        elif callback.kind == Callback.Kind.COMPLAINT_REPLY:
            services.reply_by_call(complaint=callback.complaint, by=by, text=attempt.comments)

    def noted(self, callback: Callback, *, by: User | None, note: str, at: datetime) -> None:
        services.complaint_callback_noted(complaint=callback.complaint, by=by, note=note, at=at)

    def closed_missed(self, callback: Callback, *, by: User, reason: str, at: datetime) -> None:
        note = _("Callback closed without reaching: %(reason)s") % {"reason": reason}
        services.complaint_callback_noted(complaint=callback.complaint, by=by, note=note, at=at)
        if callback.kind == Callback.Kind.COMPLAINT:
            services.complaint_callback_closed(complaint=callback.complaint, by=by, reason=reason)

    def overdue(self, callbacks: QuerySet[Callback], *, now: datetime) -> None:
        late_reply = When(kind=Callback.Kind.COMPLAINT_REPLY, then=Value(Kind.REPLY_OVERDUE))
        records.events_for(
            callbacks,
            through="complaint",
            kind=Case(late_reply, default=Value(Kind.CALLBACK_OVERDUE)),
            note=_("The callback window has passed"),
            at=now,
        )
