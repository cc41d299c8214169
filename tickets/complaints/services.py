"""Every state change of a complaint (投诉), following seed 003's procedure: receive → service
order to the department → fix (inside the fix window when it hurts the complainant directly)
→ reply within three days (in writing for a letter) → satisfaction callback until satisfied →
corrective action report → summary and archive.

Each function validates, writes in one transaction, appends one timeline event and queues its
notifications (outbox) and callbacks in that transaction. The deadlines are computed once, by
the business clock, and stored on the rows the sweep reads."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdesk import clock, policy
from frontdesk.models import Department, Property, Resident, Unit, User
from frontdesk.outbox import staff_notify, user_notify
from frontdesk.services import sequence_next
from tickets.complaints.escalations import escalate
from tickets.complaints.records import (
    AFTER_RESOLUTION,
    DISPATCHABLE,
    OPEN,
    RESOLVABLE,
    Kind,
    State,
    event,
    link,
    local_time,
    locked,
    refuse,
)
from tickets.models import (
    Complaint,
    CorrectiveAction,
    Escalation,
    WrittenReply,
)
from visits.models import Callback
from visits.services import callback_schedule, callbacks_close


def complaint_number_allocate(*, property: Property, now: datetime) -> str:
    """TS + local date + 4-digit daily sequence: "TS2611240003"."""
    day = property.today(now)
    last = sequence_next(property=property, series="complaint", day=day, limit=9999)
    return f"TS{day:%y%m%d}{last:04d}"


def _check_department(department: Department | None, prop: Property) -> None:
    if department is not None and department.property_id != prop.pk:
        raise ValidationError(_("The department belongs to another property."))


def complaint_receive(
    *,
    property: Property,
    by: User,
    channel: str,
    category: str,
    description: str,
    kind: str = Complaint.Kind.COMPLAINT,
    resident: Resident | None = None,
    unit: Unit | None = None,
    complainant_name: str = "",
    complainant_company: str = "",
    contact_phone: str = "",
    happened_at: datetime | None = None,
    direct_impact: bool = False,
    temperament: str = "",
    answered_on_spot: bool = False,
    owner: User | None = None,
    department: Department | None = None,
    service_order: str = "",
) -> Complaint:
    """Record a complaint (or suggestion) from any channel. A direct-impact complaint starts
    the fix window and the same-day ladder; one not answered on the spot gets a reply due by
    the three-day rule, tracked in the callback queue. A complaint taken face to face at the
    lobby is handed to a customer-service assistant, who owns it from then on. Naming the
    department sends the service order at once."""
    now = timezone.now()
    if not description.strip():
        raise ValidationError(_("Describe what the complaint is about."))
    _check_choices(kind=kind, channel=channel, category=category, temperament=temperament)
    if channel == Complaint.Channel.ONLINE and resident is not None:
        policy.require_self_or(by, "complaint.take", resident)  # the complainant online
    else:
        policy.require(by, "complaint.take", property)
    complainant_name, complainant_company = _complainant(
        property, resident, complainant_name, complainant_company
    )
    if unit is not None and unit.building.property_id != property.pk:
        raise ValidationError(_("The unit belongs to another property."))
    if happened_at is not None and happened_at > now:
        raise ValidationError(_("The problem cannot have happened in the future."))
    if answered_on_spot and channel in {Complaint.Channel.LETTER, Complaint.Channel.ONLINE}:
        raise ValidationError(
            _("A letter or an online complaint cannot be answered on the spot: reply to it.")
        )
    _check_department(department, property)
    owner = _follower(by, property, channel, owner)
    direct = direct_impact and kind == Complaint.Kind.COMPLAINT
    with transaction.atomic():
        complaint = Complaint.objects.create(
            property=property,
            number=complaint_number_allocate(property=property, now=now),
            kind=kind,
            channel=channel,
            resident=resident,
            unit=unit,
            complainant_name=complainant_name.strip(),
            complainant_company=complainant_company.strip(),
            contact_phone=contact_phone.strip(),
            happened_at=happened_at,
            description=description.strip(),
            category=category,
            direct_impact=direct,
            temperament=temperament,
            answered_on_spot=answered_on_spot,
            state=State.RECEIVED,
            owner=owner,
            received_at=now,
            received_by=by,
            fix_due_at=(
                clock.deadline_after_hours(now, property.direct_fix_minutes / 60)
                if direct
                else None
            ),
            day_ends_at=clock.end_of_local_day(now, property.zone) if direct else None,
        )
        event(complaint, by, Kind.RECEIVED, complaint.get_channel_display())
        if answered_on_spot:
            _answered_on_spot(complaint, by, now)
        else:
            _schedule_reply(complaint)
        _tell_who_follows(complaint, by)
        if department is not None:
            _dispatch(complaint, by, department, service_order)
    return complaint


def _check_choices(*, kind: str, channel: str, category: str, temperament: str) -> None:
    if kind not in Complaint.Kind.values:
        raise ValidationError(_("Choose whether it is a complaint or a suggestion."))
    if channel not in Complaint.Channel.values:
        raise ValidationError(_("Choose how the complaint came in."))
    if category not in Complaint.Category.values:
        raise ValidationError(_("Choose the category of the complaint."))
    if temperament and temperament not in Complaint.Temperament.values:
        raise ValidationError(_("Choose the complainant's temperament."))


def _complainant(
    property: Property, resident: Resident | None, name: str, company: str
) -> tuple[str, str]:
    """Who complains: as given, else the resident's name and company."""
    if resident is not None:
        if resident.property_id != property.pk:
            raise ValidationError(_("The resident belongs to another property."))
        name, company = name.strip() or resident.name, company.strip() or resident.company
    if not name.strip():
        raise ValidationError(_("Give the complainant's name."))
    return name, company


def _follower(by: User, property: Property, channel: str, owner: User | None) -> User | None:
    """Who follows the complaint: the one named, or the assistant who took it at the lobby."""
    if channel == Complaint.Channel.WALK_IN and owner is None:
        if not policy.allows(by, "complaint.own", property):
            raise ValidationError(
                _("Hand a complaint taken at the lobby desk to a customer-service assistant.")
            )
        owner = by
    if owner is not None and not policy.allows(owner, "complaint.own", property):
        raise ValidationError(
            _("The complaint must be followed by a customer-service assistant of this property.")
        )
    return owner


def _answered_on_spot(complaint: Complaint, by: User, now: datetime) -> None:
    via = (
        Complaint.ReplyVia.PHONE
        if complaint.channel == Complaint.Channel.PHONE
        else Complaint.ReplyVia.VISIT
    )
    complaint.replied_at, complaint.replied_by, complaint.reply_via = now, by, via
    complaint.reply_text = _("Answered on the spot.")
    complaint.save(update_fields=["replied_at", "replied_by", "reply_via", "reply_text"])


def _tell_who_follows(complaint: Complaint, by: User) -> None:
    """The assistant handed the complaint, or (one made online) the desk's assistants."""
    owner = complaint.owner
    if owner is not None and owner != by:
        event(complaint, by, Kind.HANDED_OVER, owner.get_full_name() or owner.username)
        user_notify(
            property=complaint.property,
            user=owner,
            subject=_("Complaint %(number)s is yours to follow") % {"number": complaint.number},
            body=complaint.description[:200],
            link=link(complaint),
            about=complaint,
        )
    elif owner is None and by.pk and not policy.is_staff_member(by):
        subject = (
            _("Online suggestion %(number)s")
            if complaint.kind == Complaint.Kind.SUGGESTION
            else _("Online complaint %(number)s")
        )
        staff_notify(
            property=complaint.property,
            roles=policy.roles_with("complaint.own"),
            subject=subject % {"number": complaint.number},
            body=complaint.description[:200],
            link=link(complaint),
            about=complaint,
        )


def _schedule_reply(complaint: Complaint) -> None:
    """The three-day reply (business clock, the property's rest days), in the callback queue."""
    prop = complaint.property
    due = clock.deadline_after_days(
        complaint.received_at, prop.complaint_reply_days, tz=prop.zone, rest_days=prop.rest_days()
    )
    complaint.reply_due_at = due
    complaint.save(update_fields=["reply_due_at"])
    callback_schedule(
        property=prop,
        kind=Callback.Kind.COMPLAINT_REPLY,
        complaint=complaint,
        question=complaint.description[:200],
        created_at=complaint.received_at,
        due_at=due,
    )


def complaint_dispatch(
    *, complaint: Complaint, by: User, department: Department, service_order: str = ""
) -> Complaint:
    """Send (or re-send to another department) the service order, logged in the register."""
    policy.require(by, "complaint.dispatch", complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        refuse(complaint, DISPATCHABLE, "dispatch")
        _check_department(department, complaint.property)
        _dispatch(complaint, by, department, service_order)
    return complaint


def _dispatch(complaint: Complaint, by: User, department: Department, service_order: str) -> None:
    complaint.department = department
    complaint.service_order = service_order.strip() or complaint.description
    complaint.dispatched_at = timezone.now()
    if complaint.state == State.RECEIVED:
        complaint.state = State.DISPATCHED
    complaint.save()
    event(complaint, by, Kind.DISPATCHED, f"{department.name}: {complaint.service_order}")
    staff_notify(
        property=complaint.property,
        roles=policy.STAFF,
        department_id=department.pk,
        subject=_("Service order for complaint %(number)s") % {"number": complaint.number},
        body=complaint.service_order[:300],
        link=link(complaint),
        about=complaint,
    )


def complaint_expect(*, complaint: Complaint, by: User, expected_fix_at: datetime) -> Complaint:
    """It cannot be fixed at once: the time told to the complainant is recorded."""
    policy.require(by, "complaint.dispatch", complaint)
    if expected_fix_at <= timezone.now():
        raise ValidationError(_("The expected fix time must be in the future."))
    with transaction.atomic():
        complaint = locked(complaint)
        refuse(complaint, OPEN, "expect")
        complaint.expected_fix_at = expected_fix_at
        complaint.save(update_fields=["expected_fix_at"])
        event(complaint, by, Kind.EXPECTED, local_time(expected_fix_at, complaint.property))
    return complaint


def complaint_record_action(*, complaint: Complaint, by: User, note: str) -> Complaint:
    """The department says what it did so far (the fix itself is recorded by resolving)."""
    if not note.strip():
        raise ValidationError(_("Say what was done."))
    with transaction.atomic():
        complaint = locked(complaint)
        policy.require(by, "complaint.resolve", complaint)  # on the row as it is now
        refuse(complaint, RESOLVABLE, "action")
        event(complaint, by, Kind.ACTION, note.strip())
    return complaint


def complaint_cannot_solve(*, complaint: Complaint, by: User, reason: str) -> Complaint:
    """A department manager says the department cannot solve it: straight to the project
    manager (once, like every step of the ladder)."""
    if not reason.strip():
        raise ValidationError(_("Say why the department cannot solve it."))
    with transaction.atomic():
        complaint = locked(complaint)
        policy.require(by, "complaint.cannot_solve", complaint)  # on the row as it is now
        refuse(complaint, RESOLVABLE, "cannot_solve")
        complaint.cannot_solve_at = timezone.now()
        complaint.save(update_fields=["cannot_solve_at"])
        event(complaint, by, Kind.CANNOT_SOLVE, reason.strip())
        escalate(
            complaint,
            Escalation.Level.PROJECT_MANAGER,
            Escalation.Reason.CANNOT_SOLVE,
            now=complaint.cannot_solve_at,
        )
    return complaint


def complaint_resolve(*, complaint: Complaint, by: User, resolution: str) -> Complaint:
    """The department fixed it. The satisfaction callback is due within three days (business
    clock) and joins the desk's callback queue; the assistant following it is told."""
    if not resolution.strip():
        raise ValidationError(_("Say how the complaint was handled and the result."))
    with transaction.atomic():
        complaint = locked(complaint)
        policy.require(by, "complaint.resolve", complaint)  # on the row as it is now
        refuse(complaint, RESOLVABLE, "resolve")
        now = timezone.now()
        complaint.state = State.RESOLVED
        complaint.resolved_at = now
        if complaint.first_resolved_at is None:
            complaint.first_resolved_at = now
            if complaint.direct_impact:
                complaint.fixed_in_window = now <= complaint.fix_due_at
        complaint.resolution = resolution.strip()
        complaint.save()
        event(complaint, by, Kind.RESOLVED, complaint.resolution)
        _schedule_callback(complaint)
        if complaint.owner_id and complaint.owner_id != by.pk:
            user_notify(
                property=complaint.property,
                user=complaint.owner,
                subject=_("Complaint %(number)s resolved: call the complainant back")
                % {"number": complaint.number},
                body=complaint.resolution[:200],
                link=link(complaint),
                about=complaint,
            )
    return complaint


def _schedule_callback(complaint: Complaint) -> None:
    prop = complaint.property
    due = clock.deadline_after_days(
        complaint.resolved_at,
        prop.complaint_callback_days,
        tz=prop.zone,
        rest_days=prop.rest_days(),
    )
    callback_schedule(
        property=prop,
        kind=Callback.Kind.COMPLAINT,
        complaint=complaint,
        created_at=complaint.resolved_at,
        due_at=due,
    )


def complaint_reply(*, complaint: Complaint, by: User, via: str, text: str) -> Complaint:
    """The reply promised within three days: who gave it, how, and what was said. A letter
    complaint is answered by issuing its written reply instead."""
    policy.require(by, "complaint.reply", complaint)
    if via not in Complaint.ReplyVia.values or via == Complaint.ReplyVia.LETTER:
        raise ValidationError(_("Choose how the reply was given."))
    if not text.strip():
        raise ValidationError(_("Write down what was said."))
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.is_letter:
            raise ValidationError(
                _("A letter complaint is answered in writing: issue the written reply.")
            )
        _record_reply(complaint, by, via, text.strip())
    return complaint


def reply_by_call(*, complaint: Complaint, by: User, text: str) -> Complaint:
    """The reply was given on a call from the callback queue (in the callback's transaction)."""
    complaint = locked(complaint)
    _record_reply(complaint, by, Complaint.ReplyVia.PHONE, text.strip())
    return complaint


def _record_reply(complaint: Complaint, by: User, via: str, text: str) -> None:
    refuse(complaint, set(State.values) - {State.ARCHIVED}, "reply")
    if complaint.replied_at is not None:
        raise ValidationError(
            _("Complaint %(number)s has already had its reply.") % {"number": complaint.number}
        )
    now = timezone.now()
    complaint.replied_at, complaint.replied_by = now, by
    complaint.reply_via, complaint.reply_text = via, text
    complaint.save(update_fields=["replied_at", "replied_by", "reply_via", "reply_text"])
    callbacks_close(complaint=complaint, kind=Callback.Kind.COMPLAINT_REPLY, by=by, at=now)
    kind = Kind.LETTER_ISSUED if via == Complaint.ReplyVia.LETTER else Kind.REPLIED
    event(complaint, by, kind, text[:500])


def written_reply_draft(*, complaint: Complaint, by: User, body: str) -> WrittenReply:
    """Create or re-edit the letter; an issued letter is kept as it was sent."""
    policy.require(by, "complaint.reply", complaint)
    if not body.strip():
        raise ValidationError(_("The letter is empty."))
    with transaction.atomic():
        complaint = locked(complaint)
        refuse(complaint, set(State.values) - {State.ARCHIVED}, "letter")
        letter = WrittenReply.objects.select_for_update().filter(complaint=complaint).first()
        if letter is not None and letter.issued_at is not None:
            raise ValidationError(_("This letter has been issued: it can no longer be changed."))
        if letter is None:
            letter = WrittenReply(complaint=complaint)
        letter.body = body.strip()
        letter.drafted_at, letter.drafted_by = timezone.now(), by
        letter.save()
    return letter


def written_reply_issue(*, complaint: Complaint, by: User) -> WrittenReply:
    """Issue the letter as drafted. For a letter complaint this is its reply."""
    policy.require(by, "complaint.reply", complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        refuse(complaint, set(State.values) - {State.ARCHIVED}, "letter")
        letter = WrittenReply.objects.select_for_update().filter(complaint=complaint).first()
        if letter is None:
            raise ValidationError(_("Draft the letter before issuing it."))
        if letter.issued_at is not None:
            raise ValidationError(_("This letter has already been issued."))
        letter.issued_at, letter.issued_by = timezone.now(), by
        letter.save(update_fields=["issued_at", "issued_by"])
        if complaint.replied_at is None:
            _record_reply(complaint, by, Complaint.ReplyVia.LETTER, letter.body)
        else:
            event(complaint, by, Kind.LETTER_ISSUED, letter.body[:500])
    return letter


def complaint_callback_outcome(
    *, complaint: Complaint, by: User | None, satisfied: bool, note: str
) -> Complaint:
    """What the satisfaction callback found (called by the callback service, in its
    transaction). Satisfied: the callback round is concluded. Not satisfied: reopened and back
    to the department; the next resolution schedules the next callback."""
    complaint = locked(complaint)
    if satisfied:
        complaint.state = State.CONFIRMED
        complaint.confirmed_at = timezone.now()
        complaint.save(update_fields=["state", "confirmed_at"])
        event(complaint, by, Kind.CONFIRMED, note)
        return complaint
    return _reopen(complaint, by, note)


def complaint_callback_noted(
    *, complaint: Complaint, by: User | None, note: str, at: datetime, kind: str = Kind.CALLBACK
) -> None:
    """A callback about the complaint on its timeline: a call made or missed, or a window
    passed (kind REPLY_OVERDUE or CALLBACK_OVERDUE)."""
    event(complaint, by, kind, note, at=at)


def complaint_callback_closed(*, complaint: Complaint, by: User, reason: str) -> Complaint:
    """A supervisor ended the callbacks with a reason: the round is concluded as it stands."""
    complaint = locked(complaint)
    if complaint.state == State.RESOLVED:
        complaint.state = State.CONFIRMED
        complaint.confirmed_at = timezone.now()
        complaint.save(update_fields=["state", "confirmed_at"])
    event(
        complaint,
        by,
        Kind.CONFIRMED,
        _("Closed by the supervisor: %(reason)s") % {"reason": reason},
    )
    return complaint


def _reopen(complaint: Complaint, by: User | None, note: str) -> Complaint:
    now = timezone.now()
    prop = complaint.property
    complaint.state = State.REOPENED
    complaint.resolved_at = None
    if complaint.direct_impact:
        # A new fix round gets its own window; each ladder step still happens at most once.
        complaint.fix_due_at = clock.deadline_after_hours(now, prop.direct_fix_minutes / 60)
        complaint.day_ends_at = clock.end_of_local_day(now, prop.zone)
    complaint.save()
    event(complaint, by, Kind.REOPENED, note)
    message = {
        "property": prop,
        "subject": _("Complaint %(number)s reopened: the complainant is not satisfied")
        % {"number": complaint.number},
        "body": note[:300],
        "link": link(complaint),
        "about": complaint,
    }
    if complaint.department_id:
        staff_notify(roles=policy.STAFF, department_id=complaint.department_id, **message)
    if complaint.owner_id:
        user_notify(user=complaint.owner, **message)
    return complaint


def complaint_file_corrective(
    *,
    complaint: Complaint,
    by: User,
    cause: str,
    correction: str,
    prevention: str,
    owner: str,
    due_date: date,
) -> CorrectiveAction:
    """The responsible department's corrective / preventive action report, once resolved."""
    fields = {"cause": cause, "correction": correction, "prevention": prevention, "owner": owner}
    if any(not value.strip() for value in fields.values()):
        raise ValidationError(_("Fill in the cause, the correction, the prevention and the owner."))
    with transaction.atomic():
        complaint = locked(complaint)
        policy.require(by, "complaint.corrective", complaint)  # on the row as it is now
        refuse(complaint, AFTER_RESOLUTION, "corrective")
        if CorrectiveAction.objects.filter(complaint=complaint).exists():
            raise ValidationError(_("The corrective action report has already been filed."))
        report = CorrectiveAction.objects.create(
            complaint=complaint,
            due_date=due_date,
            filed_at=timezone.now(),
            filed_by=by,
            **{name: value.strip() for name, value in fields.items()},
        )
        event(complaint, by, Kind.CORRECTIVE, report.correction[:300])
    return report


def complaint_archive(
    *, complaint: Complaint, by: User, cause: str, lessons: str, changes: str
) -> Complaint:
    """The summary closes the loop. Only once the complainant was called back, the reply was
    given (in writing for a letter) and the corrective action report is filed."""
    policy.require(by, "complaint.archive", complaint)
    if not (cause.strip() and lessons.strip() and changes.strip()):
        raise ValidationError(_("Write what caused it, what was learned and what changes."))
    with transaction.atomic():
        complaint = locked(complaint)
        refuse(complaint, {State.CONFIRMED}, "archive")
        if not CorrectiveAction.objects.filter(complaint=complaint).exists():
            raise ValidationError(
                _("File the corrective action report before archiving the complaint.")
            )
        if complaint.replied_at is None:
            raise ValidationError(_("Give the complainant the reply before archiving."))
        complaint.state = State.ARCHIVED
        complaint.archived_at = timezone.now()
        complaint.summary_cause = cause.strip()
        complaint.summary_lessons = lessons.strip()
        complaint.summary_changes = changes.strip()
        complaint.save()
        event(complaint, by, Kind.ARCHIVED)
    return complaint
