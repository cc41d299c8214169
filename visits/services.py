"""Callbacks: scheduled from their triggers, worked through by the desk, swept by beat.

The deadline lives on the row (due_at). The sweep claims due rows a batch at a time, locked
and stamped, so running it twice, or in two beats at once, changes nothing the second time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontdesk import batches, policy
from frontdesk.models import Property, User
from frontdesk.outbox import Listing, UserMessage, staff_notify, users_notify
from visits.follow_ups import follow_up_for, follow_ups_for
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


def callbacks_schedule(
    *, property: Property, kind: str, created_at: datetime, due_at: datetime, records: list[dict]
) -> list[Callback]:
    """callback_schedule for many records at once (a sweep's batch), in one INSERT: each of
    `records` names what its callback follows and may hold its question."""
    return Callback.objects.bulk_create(
        Callback(
            property=property,
            kind=kind,
            created_at=created_at,
            due_at=due_at,
            next_try_at=created_at,
            **record,
        )
        for record in records
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


# Rows a batch claims: a few thousand keep the statements short and the memory flat.
SWEEP_BATCH = 5000


@dataclass
class Swept:
    """What a sweep's notice says of one callback it took; the order's or complaint's number
    is looked up for the few callbacks a notice names (_named_all)."""

    pk: int
    property_id: int
    kind: str
    due_at: datetime
    repair_id: int | None
    complaint_id: int | None
    fee_notice_id: int | None
    question: str
    repair_number: str | None = None
    complaint_number: str | None = None

    @property
    def name(self) -> str:
        repair = self.repair_number if self.repair_id else None
        return _name(self.kind, repair, self.complaint_number, self.question)


SWEPT_FIELDS = (
    "pk", "property_id", "kind", "due_at", "repair_id", "complaint_id", "fee_notice_id",
    "question",
)  # fmt: skip
ORDER = ("due_at", "pk")


def _claimed(due: QuerySet[Callback], *, size: int, **stamp) -> list[Swept]:
    """A batch of `due` claimed and stamped (frontdesk.batches.claim_rows), as Swept."""
    rows = batches.claim_rows(due, order_by=ORDER, size=size, fields=SWEPT_FIELDS, **stamp)
    return [Swept(*row) for row in rows]


def callbacks_mark_overdue(*, now: datetime, batch_size: int = SWEEP_BATCH) -> int:
    """Every open callback whose window has passed turns overdue exactly once, however often,
    however late and in however many beats at once the sweep runs. A batch at a time: claimed
    with one locking SELECT and one UPDATE, what it causes on the records' timelines written by
    one INSERT … SELECT per kind of record; then each supervisor of a property gets one notice
    listing what turned overdue there. One transaction, so a sweep that fails or is killed
    half-way leaves nothing, and the next one does all of it once."""
    due = Callback.objects.filter(
        status=Callback.Status.OPEN, overdue_at__isnull=True, due_at__lte=now
    )
    listings: dict[int, Listing] = {}
    with transaction.atomic():
        while batch := _claimed(due, size=batch_size, overdue_at=now):
            for follow_up, callbacks in follow_ups_for(batch):
                follow_up.overdue(batches.taken(Callback, callbacks), now=now)
            _list(batch, listings)
        _tell(
            listings, "callback.overdue.notice", _overdue_subject, reverse("callback_flagged"), now
        )
    return sum(listing.count for listing in listings.values())


def callbacks_remind_due_soon(*, now: datetime, batch_size: int = SWEEP_BATCH) -> int:
    """Once per callback due within the hour: each clerk of its property is told, in one
    notice per sweep listing them."""
    due_soon = Callback.objects.filter(
        status=Callback.Status.OPEN,
        reminded_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + REMIND_BEFORE,
    )
    listings: dict[int, Listing] = {}
    with transaction.atomic():
        while batch := _claimed(due_soon, size=batch_size, reminded_at=now):
            _list(batch, listings)
        _tell(listings, "callback.work", _due_soon_subject, reverse("callback_queue"), now)
    return sum(listing.count for listing in listings.values())


def _list(batch: list[Swept], listings: dict[int, Listing]) -> None:
    for swept in batch:
        listings.setdefault(swept.property_id, Listing()).add(swept)


def _named_all(listings: dict[int, Listing]) -> None:
    """The numbers of the orders and complaints the notices name, in one query."""
    listed = {swept.pk: swept for listing in listings.values() for swept in listing.first}
    numbers = Callback.objects.filter(pk__in=list(listed)).values_list(
        "pk", "repair__number", "complaint__number"
    )
    for pk, repair, complaint in numbers:
        listed[pk].repair_number, listed[pk].complaint_number = repair, complaint


def _tell(listings: dict[int, Listing], capability: str, subject, link: str, now: datetime) -> None:
    """One notice per person holding the capability at each property, listing its callbacks
    with their deadlines in the property's time: three queries and one INSERT for all the
    properties."""
    if not listings:
        return
    _named_all(listings)
    properties = Property.objects.in_bulk(list(listings))
    people = policy.staff_with_roles_at(listings, policy.roles_with(capability))
    messages = []
    for property_id, listing in listings.items():
        prop = properties[property_id]

        def line(swept: Swept, prop: Property = prop) -> str:
            return _("%(what)s: due %(due)s") % {
                "what": swept.name,
                "due": _local_in(swept.due_at, prop),
            }

        title, body = subject(listing), listing.body(line)
        about = Callback(pk=listing.only.pk) if listing.only else None
        messages += [
            UserMessage(property_id, user, title, body, link, about=about)
            for user in people.get(property_id, [])
        ]
    users_notify(messages, at=now)


def _named(swept: Swept) -> str:
    return swept.name


# A notice about one callback reads as it always has; one about several counts them.
def _overdue_subject(listing: Listing) -> str:
    if listing.count == 1:
        return _("Callback overdue: %(what)s") % {"what": listing.named(_named)}
    return ngettext(
        "%(count)d callback overdue: %(what)s",
        "%(count)d callbacks overdue: %(what)s",
        listing.count,
    ) % {"count": listing.count, "what": listing.named(_named)}


def _due_soon_subject(listing: Listing) -> str:
    if listing.count == 1:
        return _("Callback due within the hour: %(what)s") % {"what": listing.named(_named)}
    return ngettext(
        "%(count)d callback due within the hour: %(what)s",
        "%(count)d callbacks due within the hour: %(what)s",
        listing.count,
    ) % {"count": listing.count, "what": listing.named(_named)}


def _what(callback: Callback) -> str:
    """How a notice names the callback: the order or complaint number, or the question."""
    repair = callback.repair.number if callback.repair_id else None
    complaint = callback.complaint.number if callback.complaint_id else None
    return _name(callback.kind, repair, complaint, callback.question)


def _name(kind: str, repair: str | None, complaint: str | None, question: str) -> str:
    if kind == Callback.Kind.COMPLAINT_REPLY:
        return _("reply to complaint %(number)s") % {"number": complaint}
    if kind == Callback.Kind.COMPLAINT:
        return _("complaint %(number)s") % {"number": complaint}
    if kind == Callback.Kind.REPLY or repair is None:
        return question[:60]
    return repair


def _local(when: datetime, callback: Callback) -> str:
    return _local_in(when, callback.property)


def _local_in(when: datetime, prop: Property) -> str:
    return timezone.localtime(when, prop.zone).strftime("%Y-%m-%d %H:%M")
