"""Callbacks: scheduled from their triggers, worked through by the desk, swept by beat.

The deadline lives on the row (due_at). The sweep claims rows with conditional UPDATEs, so
running it twice, or in two beats at once, changes nothing the second time."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdesk import policy
from frontdesk.models import Property, User
from frontdesk.outbox import staff_notify
from visits.follow_ups import follow_up_for
from visits.models import CallAttempt, Callback

FLAG_AFTER_FAILED_CALLS = 3
LOW_SCORE = 2  # a satisfaction of 2 or less reopens the order
REMIND_BEFORE = timedelta(hours=1)
# Callbacks that ask whether the problem is solved and how satisfied the resident is.
SATISFACTION_KINDS = {Callback.Kind.REPAIR, Callback.Kind.COMPLAINT}


def callback_schedule(
    *,
    property: Property,
    kind: str,
    created_at: datetime,
    due_at: datetime,
    question: str = "",
    next_try_at: datetime | None = None,
    **record,
) -> Callback:
    """Every callback is scheduled here, whatever set it off: `record` names what it follows
    (repair=, complaint=, fee_notice=, parent=). Runs in the trigger's transaction; the
    database allows one open callback per trigger. It can be called from the moment it is
    created, unless `next_try_at` says later (a reply promised for a time)."""
    return Callback.objects.create(
        property=property,
        kind=kind,
        question=question,
        created_at=created_at,
        due_at=due_at,
        next_try_at=next_try_at or created_at,
        **record,
    )


def callbacks_cancel(*, kind: str, reason: str, **record) -> int:
    """The record's open callbacks of a kind are no longer owed (a reopened repair)."""
    return Callback.objects.filter(kind=kind, status=Callback.Status.OPEN, **record).update(
        status=Callback.Status.CANCELLED, close_reason=reason
    )


def timing(done_at: datetime, due_at: datetime) -> str:
    """The one on-time rule: done by the deadline is on time."""
    return Callback.Timing.ON_TIME if done_at <= due_at else Callback.Timing.LATE


def _finish(callback: Callback, *, by: User, at: datetime) -> None:
    callback.status = Callback.Status.DONE
    callback.done_at, callback.done_by = at, by
    callback.timing = timing(at, callback.due_at)
    callback.save()


def callbacks_close(*, kind: str, by: User, at: datetime, **record) -> int:
    """What the callback was for was done another way (a complaint's reply given at the
    desk): its open callbacks of that kind are done, on time or late by the one rule."""
    open_ones = Callback.objects.select_for_update(of=("self",)).filter(
        kind=kind, status=Callback.Status.OPEN, **record
    )
    closed = 0
    for callback in open_ones:
        _finish(callback, by=by, at=at)
        closed += 1
    return closed


def _locked(callback: Callback) -> Callback:
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("repair", "complaint")
        .get(pk=callback.pk)
    )
    if callback.status != Callback.Status.OPEN:
        raise ValidationError(_("This callback is already finished."))
    return callback


def callback_record_unreached(
    *,
    callback: Callback,
    by: User,
    answered_by: str = "",
    relation: str = "",
    best_time: str = "",
    retry_at: datetime | None = None,
) -> CallAttempt:
    """Nobody (or somebody else) answered: note who, re-plan the call inside its window, and
    after the third failed call flag it to the supervisor."""
    policy.require(by, "callback.work", callback)
    now = timezone.now()
    with transaction.atomic():
        callback = _locked(callback)
        if retry_at is None:
            retry_at = min(now + timedelta(hours=2), max(callback.due_at, now))
        if retry_at < now:
            raise ValidationError(_("The next try must be in the future."))
        if callback.due_at > now and retry_at > callback.due_at:
            raise ValidationError(
                _("Plan the next try before the deadline, %(due)s.")
                % {"due": _local(callback.due_at, callback)}
            )
        attempt = CallAttempt.objects.create(
            callback=callback,
            property_id=callback.property_id,
            at=now,
            by=by,
            reached=False,
            answered_by=answered_by,
            relation=relation,
            best_time=best_time,
            retry_at=retry_at,
        )
        callback.attempts += 1
        callback.next_try_at = retry_at
        if callback.attempts >= FLAG_AFTER_FAILED_CALLS and callback.flagged_at is None:
            callback.flagged_at = now
            staff_notify(
                property=callback.property,
                roles=policy.roles_with("callback.overdue.notice"),
                subject=_("Callback: %(n)d calls without reaching the resident")
                % {"n": callback.attempts},
                body=_what(callback),
                link=reverse("callback_flagged"),
                about=callback,
            )
        callback.save()
        follow_up_for(callback).noted(
            callback, by=by, note=_("Not reached (call %(n)d)") % {"n": callback.attempts}, at=now
        )
    return attempt


def _check_scores(callback: Callback, solved, satisfaction, scores) -> None:
    """A satisfaction callback asks both questions; every score is 1 to 5."""
    if callback.kind in SATISFACTION_KINDS:
        if solved is None:
            raise ValidationError(_("Ask whether the problem is solved."))
        if satisfaction is None:
            raise ValidationError(_("Record the satisfaction, from 1 to 5."))
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError(_("Record the satisfaction, from 1 to 5."))
    for score in scores:
        if score is not None and not 1 <= score <= 5:
            raise ValidationError(_("Scores go from 1 to 5."))


def _check_promise(question: str, reply_due_at: datetime | None, now: datetime) -> None:
    """A question the clerk could not answer gets a promised reply time, in the future."""
    if question.strip() and reply_due_at is None:
        raise ValidationError(_("Promise a time for the reply to the question."))
    if reply_due_at is not None and (reply_due_at <= now or not question.strip()):
        raise ValidationError(_("A promised reply needs the question and a time in the future."))


def callback_record_reached(
    *,
    callback: Callback,
    by: User,
    solved: bool | None,
    satisfaction: int | None,
    attitude: int | None = None,
    waiting: int | None = None,
    price: int | None = None,
    comments: str = "",
    data_confirmed: bool = False,
    data_corrections: str = "",
    question: str = "",
    reply_due_at: datetime | None = None,
) -> CallAttempt:
    """The resident answered. A repair callback asks whether the problem is solved and how
    satisfied they are; "not solved" or a low score reopens the order and tells the
    department; a satisfied resident's signed, paid order closes. A question the clerk could
    not answer becomes its own follow-up, due when the reply was promised."""
    policy.require(by, "callback.work", callback)
    now = timezone.now()
    _check_scores(callback, solved, satisfaction, (attitude, waiting, price))
    _check_promise(question, reply_due_at, now)
    follow_up = follow_up_for(callback)
    follow_up.check_reached(callback, comments=comments)
    with transaction.atomic():
        callback = _locked(callback)
        attempt = CallAttempt.objects.create(
            callback=callback,
            property_id=callback.property_id,
            at=now,
            by=by,
            reached=True,
            solved=solved,
            satisfaction=satisfaction,
            attitude=attitude,
            waiting=waiting,
            price=price,
            comments=comments.strip(),
            data_confirmed=data_confirmed,
            data_corrections=data_corrections.strip(),
            question=question.strip(),
            reply_due_at=reply_due_at,
        )
        callback.attempts += 1
        _finish(callback, by=by, at=now)
        if question.strip():
            callback_schedule(
                property=callback.property,
                kind=Callback.Kind.REPLY,
                parent=callback,
                repair=callback.repair,
                complaint=callback.complaint,
                question=question.strip(),
                created_at=now,
                due_at=reply_due_at,
                next_try_at=reply_due_at,
            )
        follow_up.reached(
            callback,
            by=by,
            attempt=attempt,
            satisfied=_satisfied(attempt),
            summary=_summary(attempt),
        )
    return attempt


def _satisfied(attempt: CallAttempt) -> bool:
    return bool(attempt.solved) and attempt.satisfaction > LOW_SCORE


def _summary(attempt: CallAttempt) -> str:
    summary = _("Reached: solved %(solved)s, satisfaction %(score)s") % {
        "solved": _("yes") if attempt.solved else _("no"),
        "score": attempt.satisfaction,
    }
    return f"{summary}: {attempt.comments}" if attempt.comments else summary


def callback_close_missed(*, callback: Callback, by: User, reason: str) -> Callback:
    """A supervisor ends a callback that could not be made (the resident is unreachable)."""
    if not policy.allows(by, "callback.supervise", callback):
        raise ValidationError(_("Only a supervisor can close a callback without the call."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for closing the callback."))
    with transaction.atomic():
        callback = _locked(callback)
        callback.status = Callback.Status.DONE
        callback.done_at, callback.done_by = timezone.now(), by
        callback.timing = Callback.Timing.MISSED
        callback.close_reason = reason.strip()
        callback.save()
        follow_up_for(callback).closed_missed(
            callback, by=by, reason=reason.strip(), at=callback.done_at
        )
    return callback


def callbacks_mark_overdue(*, now: datetime, batch_size: int = 500) -> int:
    """Every open callback whose window has passed turns overdue exactly once, with one
    notice to the property's supervisors, however often (or however late) the sweep runs."""
    marked = 0
    while True:
        ids = list(
            Callback.objects.filter(
                status=Callback.Status.OPEN, overdue_at__isnull=True, due_at__lte=now
            )
            .order_by("due_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        for pk in ids:
            with transaction.atomic():
                claimed = Callback.objects.filter(
                    pk=pk, status=Callback.Status.OPEN, overdue_at__isnull=True
                ).update(overdue_at=now)
                if claimed == 1:
                    _notify_overdue(
                        Callback.objects.select_related("property", "repair", "complaint").get(
                            pk=pk
                        ),
                        now=now,
                    )
                    marked += 1
        if len(ids) < batch_size:
            return marked


def _notify_overdue(callback: Callback, *, now: datetime) -> None:
    what = _what(callback)
    follow_up_for(callback).overdue(callback, now=now)
    staff_notify(
        property=callback.property,
        roles=policy.roles_with("callback.overdue.notice"),
        subject=_("Callback overdue: %(what)s") % {"what": what},
        body=_("Due %(due)s, not made.") % {"due": _local(callback.due_at, callback)},
        link=reverse("callback_flagged"),
        about=callback,
    )


def callbacks_remind_due_soon(*, now: datetime, batch_size: int = 500) -> int:
    """A notice to the desk's clerks for each callback due within the hour, once."""
    due_soon = Callback.objects.filter(
        status=Callback.Status.OPEN,
        reminded_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + REMIND_BEFORE,
    )
    reminded = 0
    while ids := list(due_soon.order_by("due_at").values_list("pk", flat=True)[:batch_size]):
        for pk in ids:
            with transaction.atomic():
                # The claim re-checks everything: a callback finished meanwhile is skipped.
                if due_soon.filter(pk=pk).update(reminded_at=now):
                    callback = Callback.objects.select_related(
                        "property", "repair", "complaint"
                    ).get(pk=pk)
                    staff_notify(
                        property=callback.property,
                        roles=policy.roles_with("callback.work"),
                        subject=_("Callback due within the hour: %(what)s")
                        % {"what": _what(callback)},
                        body="",
                        link=reverse("callback_queue"),
                        about=callback,
                    )
                    reminded += 1
    return reminded


def _what(callback: Callback) -> str:
    """How a notice names the callback: the order or complaint number, or the question."""
    if callback.kind == Callback.Kind.COMPLAINT_REPLY:
        return _("reply to complaint %(number)s") % {"number": callback.complaint.number}
    if callback.kind == Callback.Kind.COMPLAINT:
        return _("complaint %(number)s") % {"number": callback.complaint.number}
    if callback.kind == Callback.Kind.REPLY or callback.repair_id is None:
        return callback.question[:60]
    return callback.repair.number


def _local(when: datetime, callback: Callback) -> str:
    return timezone.localtime(when, callback.property.zone).strftime("%Y-%m-%d %H:%M")
