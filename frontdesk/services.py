"""Every state change of the core records. Views, the API, admin and tasks call these."""

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontdesk import holidays, policy
from frontdesk.models import (
    DailySequence,
    Holiday,
    HolidayYear,
    Notification,
    PortalInvite,
    Property,
    Resident,
    ResidentEvent,
    ResidentPhone,
    SweepRun,
    Unit,
    User,
    archive_prefix,
)
from frontdesk.outbox import notification_enqueue

logger = logging.getLogger(__name__)

INVITE_VALID_FOR = timedelta(days=14)
INVITE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


@dataclass(frozen=True)
class PhoneInput:
    number: str
    label: str = ""
    answered_by: str = ""
    relation: str = ""


def digits_of(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def sequence_next(*, property: Property, series: str, day: date, limit: int) -> int:
    """Next number of a daily series. Must run inside the caller's transaction.

    The counter row is bumped with one UPDATE, which holds its row lock until commit, so two
    processes numbering the same day are serialised and never share a number; a rolled-back
    transaction gives its number back.
    """
    counter = DailySequence.objects.filter(property=property, series=series, day=day)
    try:
        with transaction.atomic():
            DailySequence.objects.get_or_create(property=property, series=series, day=day)
    except IntegrityError:
        pass  # another transaction created the counter first; the UPDATE below waits for it
    counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    if last > limit:
        raise ValidationError(
            _("No numbers left for %(day)s (%(limit)s per day).")
            % {"day": day.isoformat(), "limit": limit}
        )
    return last


def archive_number_allocate(*, property: Property, day: date) -> str:
    """Next YYMMDDNNN for a move-in day: the date and the day's 3-digit sequence."""
    last = sequence_next(property=property, series="archive", day=day, limit=999)
    return f"{archive_prefix(day)}{last:03d}"


def _check_units(property: Property, units: Iterable[Unit]) -> list[Unit]:
    units = list(units)
    if not units:
        raise ValidationError(_("Choose at least one unit."))
    if any(unit.building.property_id != property.pk for unit in units):
        raise ValidationError(_("A unit belongs to another property."))
    return units


def _replace_phones(resident: Resident, phones: Iterable[PhoneInput]) -> None:
    phones = [p for p in phones if p.number.strip()]
    if not phones:
        raise ValidationError(_("Enter at least one phone number."))
    resident.phones.all().delete()
    rows = [
        ResidentPhone(
            resident=resident,
            number=p.number.strip(),
            digits=digits_of(p.number),
            label=p.label,
            answered_by=p.answered_by,
            relation=p.relation,
        )
        for p in phones
    ]
    for row in rows:
        row.full_clean(exclude=["resident", "digits"])
    ResidentPhone.objects.bulk_create(rows)


def _resident_save(resident, by, units, phones, event_kind) -> None:
    """Validate and write the resident with units and phones, and record the event."""
    resident.full_clean(exclude=["units", "user"])
    resident.save()
    resident.units.set(units)
    _replace_phones(resident, phones)
    ResidentEvent.objects.create(resident=resident, by=by, at=timezone.now(), kind=event_kind)


def resident_create(
    *,
    property: Property,
    by: User,
    units: Iterable[Unit],
    phones: Iterable[PhoneInput],
    **fields,
) -> Resident:
    """Register a resident of the property with an archive number from their move-in day."""
    units = _check_units(property, units)
    with transaction.atomic():
        resident = Resident(property=property, **fields)
        resident.archive_number = archive_number_allocate(
            property=property, day=resident.move_in_date
        )
        _resident_save(resident, by, units, phones, ResidentEvent.Kind.CREATED)
    return resident


def resident_update(
    *,
    resident: Resident,
    by: User,
    units: Iterable[Unit],
    phones: Iterable[PhoneInput],
    **fields,
) -> Resident:
    """Change a resident's details. The archive number never changes."""
    units = _check_units(resident.property, units)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(resident, name, value)
        _resident_save(resident, by, units, phones, ResidentEvent.Kind.UPDATED)
    return resident


def portal_invite_issue(
    *, resident: Resident, by: User, send_by: str | None = None
) -> tuple[PortalInvite, str]:
    """Issue an activation code for the resident portal; earlier unused codes stop working.

    `send_by` is None for a printed slip, or a Notification channel ("sms", "email").
    Returns the invite and the plain code, which is shown once and stored only hashed.
    """
    if send_by == Notification.Channel.EMAIL and not resident.email:
        raise ValidationError(_("This resident has no email address."))
    phone = resident.phones.first()
    if send_by == Notification.Channel.SMS and phone is None:
        raise ValidationError(_("This resident has no phone number."))
    now = timezone.now()
    code = "".join(secrets.choice(INVITE_CODE_ALPHABET) for _ in range(8))
    with transaction.atomic():
        resident.invites.filter(used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        invite = PortalInvite.objects.create(
            resident=resident,
            code_hash=make_password(code),
            issued_by=by,
            issued_at=now,
            expires_at=now + INVITE_VALID_FOR,
        )
        ResidentEvent.objects.create(
            resident=resident, by=by, at=now, kind=ResidentEvent.Kind.INVITE_ISSUED
        )
        if send_by:
            _invite_notify(
                resident=resident, invite=invite, code=code, send_by=send_by, phone=phone
            )
    return invite, code


def _invite_notify(*, resident, invite, code, send_by, phone) -> None:
    """The code in the resident's own language where the interface has it."""
    language = resident.preferred_language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        notification_enqueue(
            property=resident.property,
            channel=send_by,
            subject=_("Your resident portal activation code"),
            body=_(
                "%(property)s: your activation code is %(code)s, valid until %(until)s. "
                "Open the resident portal, choose 'Activate account' and enter it with "
                "your phone number."
            )
            % {
                "property": resident.property.name,
                "code": code,
                "until": timezone.localtime(invite.expires_at, resident.property.zone).date(),
            },
            address=resident.email if send_by == Notification.Channel.EMAIL else phone.number,
            recipient_resident=resident,
        )


def portal_account_activate(*, phone: str, code: str, password: str) -> User:
    """Turn a valid activation code into a portal login: the phone number and a password.

    The phone must be one of the resident's numbers. A resident who already has an account
    gets their password reset instead, so a lost password is solved at the desk.
    """
    phone_digits = digits_of(phone)
    code = code.strip().upper()
    now = timezone.now()
    invites = PortalInvite.objects.select_related("resident").filter(
        resident__phones__digits=phone_digits,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    invite = next((i for i in invites if check_password(code, i.code_hash)), None)
    if not phone_digits or invite is None:
        raise ValidationError(_("This phone number and activation code do not match."))
    resident = invite.resident
    with transaction.atomic():
        user = resident.user or User.objects.filter(username=phone_digits).first()
        if user is not None and user.memberships.exists():
            raise ValidationError(_("This phone number belongs to a staff account."))
        if user is None:
            user = User(username=phone_digits, first_name=resident.name, email=resident.email)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        Resident.objects.filter(pk=resident.pk).update(user=user)
        PortalInvite.objects.filter(pk=invite.pk).update(used_at=now)
        ResidentEvent.objects.create(
            resident=resident, by=user, at=now, kind=ResidentEvent.Kind.ACCOUNT_ACTIVATED
        )
    return user


def property_holidays_prefill(*, property: Property, year: int) -> int:
    """Copy a year's statutory holidays and make-up days from the library into the property.

    Returns how many days were added; days the supervisor already entered are kept.
    Raises ValidationError when the library does not know the year yet.
    """
    days = holidays.statutory_calendar(year)
    if days is None:
        raise ValidationError(
            _("The built-in holiday list does not cover %(year)s yet; enter its holidays by hand.")
            % {"year": year}
        )
    with transaction.atomic():
        existing = set(property.holidays.filter(day__year=year).values_list("day", flat=True))
        rows = [
            Holiday(property=property, day=day, is_workday=is_workday, name=name)
            for day, is_workday, name in days
            if day not in existing
        ]
        Holiday.objects.bulk_create(rows)
        HolidayYear.objects.get_or_create(property=property, year=year)
    return len(rows)


def sweep_mark(*, name: str, started_at: datetime, result: dict) -> None:
    """Record that a periodic job ran, for the stale-beat warning and /health/."""
    SweepRun.objects.update_or_create(
        name=name,
        defaults={
            "last_started_at": started_at,
            "last_finished_at": timezone.now(),
            "last_result": result,
        },
    )


def holiday_set(*, property: Property, by: User, day: date, is_workday: bool, name: str) -> Holiday:
    """Enter (or correct) one day of the property's holiday list, as the supervisor does when
    the State Council announces next year's arrangement."""
    policy.require(by, "holiday.edit", property)
    if is_workday and day.weekday() < 5:
        raise ValidationError(
            _("%(day)s is a weekday; only a Saturday or Sunday can be a make-up working day.")
            % {"day": day.isoformat()}
        )
    holiday, _created = Holiday.objects.update_or_create(
        property=property, day=day, defaults={"is_workday": is_workday, "name": name}
    )
    return holiday


def holiday_remove(*, holiday: Holiday, by: User) -> None:
    policy.require(by, "holiday.edit", holiday)
    holiday.delete()


def holiday_year_confirm(*, property: Property, year: int, by: User) -> None:
    """The supervisor says the year's list is complete: the clock stops warning about it."""
    policy.require(by, "holiday.edit", property)
    HolidayYear.objects.get_or_create(property=property, year=year)


# What may refuse a move-out. Billing, above the core, registers "nothing is still owed" in
# its AppConfig.ready(); a guard raises ValidationError to refuse, inside the move-out's
# transaction with the resident locked.
_move_out_guards: list[Callable[[Resident], None]] = []


def move_out_guard_register(guard: Callable[[Resident], None]) -> None:
    if guard not in _move_out_guards:
        _move_out_guards.append(guard)


def resident_move_out(*, resident: Resident, by: User, on: date) -> Resident:
    """Record the move-out (退租/搬迁) on the day given; refused by a registered guard (the
    units still owe something: seed 003)."""
    if not policy.allows(by, "resident.move_out", resident):
        raise ValidationError(_("Only the desk can record a move-out."))
    if resident.moved_out_on is not None:
        raise ValidationError(_("%(name)s has already moved out.") % {"name": resident.name})
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        for guard in _move_out_guards:
            guard(resident)
        resident.moved_out_on = on
        resident.save(update_fields=["moved_out_on"])
        ResidentEvent.objects.create(
            resident=resident,
            by=by,
            kind=ResidentEvent.Kind.MOVED_OUT,
            at=timezone.now(),
            note=_("Moved out on %(day)s") % {"day": on.isoformat()},
        )
    return resident
