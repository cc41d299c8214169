"""The desk's registers: visitors, phone messages, parcels, key custody, lost and found.

Every change validates, writes in one transaction, and tells whoever must know through the
outbox. A hand-over that can only happen once (a parcel collected, a key out or back, an item
claimed) is claimed with a row lock or a conditional UPDATE, so doing it twice is refused."""

import secrets
import unicodedata
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frontdesk import batches, policy
from frontdesk.desk.models import (
    KeyDeposit,
    KeyMovement,
    LostItem,
    Parcel,
    PhoneMessage,
    Visitor,
)
from frontdesk.models import Department, Notification, Property, Resident, Role, Unit, User
from frontdesk.outbox import (
    UnitMessage,
    listed,
    notification_enqueue,
    notifications_read_about,
    staff_notify,
    unit_notify,
    units_notify,
    user_notify,
)


def unit_check(prop: Property, unit: Unit | None) -> None:
    """A record of the desk names a unit of its own property (the passes' services too)."""
    if unit is not None and unit.building.property_id != prop.pk:
        raise ValidationError(_("The unit belongs to another property."))


# --- visitors -----------------------------------------------------------------------------------


def visitor_register(
    *,
    property: Property,
    by: User,
    name: str,
    purpose: str,
    unit: Unit | None = None,
    visiting: str = "",
    id_type: str = "",
    id_last4: str = "",
    phone: str = "",
) -> Visitor:
    """A visitor walks in: registered as arrived now. Only the document's last four
    characters are kept."""
    policy.require(by, "visitor.write", property)
    unit_check(property, unit)
    if not name.strip() or not purpose.strip():
        raise ValidationError(_("Give the visitor's name and the purpose of the visit."))
    if unit is None and not visiting.strip():
        raise ValidationError(_("Say whom the visitor is visiting: a unit or a company."))
    _check_last4(id_type, id_last4)
    now = timezone.now()
    return Visitor.objects.create(
        property=property,
        name=name.strip(),
        phone=phone.strip(),
        unit=unit,
        visiting=visiting.strip(),
        purpose=purpose.strip(),
        id_type=id_type,
        id_last4=id_last4.strip().upper(),
        arrived_at=now,
        registered_by=by,
        created_at=now,
    )


def _check_last4(id_type: str, id_last4: str) -> None:
    value = id_last4.strip()
    if value and (len(value) != 4 or not value.isalnum()):
        raise ValidationError(
            _("Only the last four characters of the document, letters or digits.")
        )
    if value and not id_type:
        raise ValidationError(_("Choose the kind of document."))


def visitor_announce(
    *, resident: Resident, unit: Unit, name: str, expected_on: date, purpose: str, by: User
) -> Visitor:
    """A resident tells the desk a visitor is coming on a day: it shows on that day's list."""
    policy.require_self_or(by, "visitor.write", resident)
    if not resident.units.filter(pk=unit.pk).exists():
        raise ValidationError(_("Announce visitors for your own unit only."))
    if expected_on < resident.property.today():
        raise ValidationError(_("The visit cannot be in the past."))
    if not name.strip():
        raise ValidationError(_("Give the visitor's name."))
    return Visitor.objects.create(
        property=resident.property,
        name=name.strip(),
        unit=unit,
        purpose=purpose.strip() or _("Visiting"),
        expected_on=expected_on,
        announced_by=resident,
        created_at=timezone.now(),
    )


def visitor_arrive(*, visitor: Visitor, by: User, id_type: str = "", id_last4: str = "") -> Visitor:
    """An announced visitor arrives at the desk."""
    policy.require(by, "visitor.write", visitor.property)
    _check_last4(id_type, id_last4)
    now = timezone.now()
    claimed = Visitor.objects.filter(pk=visitor.pk, arrived_at__isnull=True).update(
        arrived_at=now, registered_by=by, id_type=id_type, id_last4=id_last4.strip().upper()
    )
    if not claimed:
        raise ValidationError(_("%(name)s has already arrived.") % {"name": visitor.name})
    visitor.refresh_from_db()
    return visitor


def visitor_leave(*, visitor: Visitor, by: User) -> Visitor:
    policy.require(by, "visitor.write", visitor.property)
    claimed = Visitor.objects.filter(
        pk=visitor.pk, arrived_at__isnull=False, left_at__isnull=True
    ).update(left_at=timezone.now())
    if not claimed:
        raise ValidationError(
            _("%(name)s is not in the building: nothing to sign out.") % {"name": visitor.name}
        )
    visitor.refresh_from_db()
    return visitor


# --- phone messages ---------------------------------------------------------------------------------


def message_take(
    *,
    property: Property,
    by: User,
    caller_name: str,
    text: str,
    caller_phone: str = "",
    for_resident: Resident | None = None,
    for_user: User | None = None,
    for_department: Department | None = None,
) -> PhoneMessage:
    """Take a message for one recipient and tell them through the outbox."""
    policy.require(by, "message.write", property)
    if sum(x is not None for x in (for_resident, for_user, for_department)) != 1:
        raise ValidationError(_("Leave the message for one person or one department."))
    if not caller_name.strip() or not text.strip():
        raise ValidationError(_("Write down who called and the message."))
    if for_resident is not None and for_resident.property_id != property.pk:
        raise ValidationError(_("The resident belongs to another property."))
    if for_department is not None and for_department.property_id != property.pk:
        raise ValidationError(_("The department belongs to another property."))
    if for_user is not None and not policy.works_at(for_user, property.pk):
        raise ValidationError(_("That person does not work at this property."))
    with transaction.atomic():
        message = PhoneMessage.objects.create(
            property=property,
            caller_name=caller_name.strip(),
            caller_phone=caller_phone.strip(),
            text=text.strip(),
            for_resident=for_resident,
            for_user=for_user,
            for_department=for_department,
            taken_by=by,
            taken_at=timezone.now(),
        )
        subject = _("Message from %(caller)s") % {"caller": message.caller_name}
        body = message.text
        link = reverse("desk_message", args=[message.pk])  # (a resident's: their portal page)
        if for_user is not None:
            user_notify(
                property=property,
                user=for_user,
                subject=subject,
                body=body,
                link=link,
                about=message,
            )
        elif for_department is not None:
            staff_notify(
                property=property,
                roles=set(Role.values),
                department_id=for_department.pk,
                subject=subject,
                body=body,
                link=link,
                about=message,
            )
        else:
            if for_resident.user_id:
                notification_enqueue(
                    property=property,
                    channel=Notification.Channel.IN_APP,
                    recipient_user=for_resident.user,
                    recipient_resident=for_resident,
                    subject=subject,
                    body=body,
                    link=reverse("portal_day") + "#messages",
                    about=message,
                )
            phone = for_resident.phones.first()
            if phone is not None:
                notification_enqueue(
                    property=property,
                    channel=Notification.Channel.SMS,
                    address=phone.digits,
                    recipient_resident=for_resident,
                    subject=f"{subject}: {body}"[:300],
                    about=message,
                    body="",
                )
    return message


def may_read_message(user: User, message: PhoneMessage) -> bool:
    """Marking read is the recipient's; the desk marks a message for a resident read when it
    passed it on (a resident without a portal account)."""
    to_resident = message.for_user_id is None and message.for_department_id is None
    if to_resident and policy.allows(user, "message.write", message):
        return True
    return policy.CAPABILITIES["message.read"].rule(user, message)


def message_mark_read(*, message: PhoneMessage, by: User) -> PhoneMessage:
    """The recipient (or, for a resident without a portal account, the desk that passed it
    on) marks the message read."""
    if not may_read_message(by, message):
        raise ValidationError(_("Only the person the message is for can mark it read."))
    now = timezone.now()
    claimed = PhoneMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
        read_at=now, read_by=by
    )
    if not claimed:
        raise ValidationError(_("This message has already been read."))
    # The notice that announced it is read too: the header's count should not linger.
    notifications_read_about(user=by, about=message, at=now)
    message.refresh_from_db()
    return message


def messages_unread_too_long(property: Property, now: datetime):
    """Unread messages older than the property's limit: shown to the supervisor."""
    limit = now - timedelta(minutes=property.message_read_minutes)
    return PhoneMessage.objects.filter(property=property, read_at__isnull=True, taken_at__lte=limit)


# --- parcels ---------------------------------------------------------------------------------------


def parcel_register(
    *,
    property: Property,
    by: User,
    unit: Unit,
    carrier: str,
    shelf: str,
    tracking_number: str = "",
    recipient_name: str = "",
) -> Parcel:
    """Register a parcel, give it a 6-digit pickup code and tell the unit's residents."""
    policy.require(by, "parcel.write", property)
    unit_check(property, unit)
    if not carrier.strip() or not shelf.strip():
        raise ValidationError(_("Give the carrier and the shelf the parcel is on."))
    with transaction.atomic():
        parcel = Parcel.objects.create(
            property=property,
            unit=unit,
            carrier=carrier.strip(),
            tracking_number=tracking_number.strip(),
            shelf=shelf.strip(),
            recipient_name=recipient_name.strip(),
            pickup_code=f"{secrets.randbelow(10**6):06d}",
            received_at=timezone.now(),
            registered_by=by,
        )
        unit_notify(
            property,
            unit,
            lambda: (
                _("A parcel (%(carrier)s) is waiting at the service centre. Pickup code %(code)s.")
                % {"carrier": parcel.carrier, "code": parcel.pickup_code}
            ),
            link=reverse("portal"),
            about=parcel,
        )
    return parcel


def parcel_hand_over(
    *,
    parcel: Parcel,
    by: User,
    collected_by_name: str,
    code: str = "",
    signature: UploadedFile | None = None,
) -> Parcel:
    """Hand the parcel over against its pickup code or a signature; only once."""
    policy.require(by, "parcel.write", parcel.property)
    if not collected_by_name.strip():
        raise ValidationError(_("Write down who collected the parcel."))
    if not code.strip() and signature is None:
        raise ValidationError(_("Ask for the pickup code or a signature."))
    with transaction.atomic():
        locked = Parcel.objects.select_for_update().get(pk=parcel.pk)
        if locked.collected_at is not None:
            raise ValidationError(
                _("This parcel was already handed over, on %(when)s, to %(name)s.")
                % {
                    "when": timezone.localtime(locked.collected_at, locked.property.zone).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "name": locked.collected_by_name,
                }
            )
        # Full-width digits from a Chinese input method count as the digits they show.
        typed = unicodedata.normalize("NFKC", code).strip()
        if typed and not (typed.isascii() and secrets.compare_digest(typed, locked.pickup_code)):
            raise ValidationError(_("The pickup code does not match."))
        locked.collected_at = timezone.now()
        locked.collected_by_name = collected_by_name.strip()
        locked.collected_with = "code" if typed else "signature"
        if signature is not None:
            locked.signature = signature
        locked.handed_over_by = by
        locked.save()
    return locked


def parcels_remind(*, now: datetime, batch_size: int = 2000) -> int:
    """Once per parcel: a reminder to the unit when it waits longer than the property allows;
    a unit with several waiting is told once, naming them all. A batch at a time, claimed in
    one statement; one transaction, so a sweep that fails half-way leaves nothing behind.
    Which properties have a parcel to remind of is asked once for all of them, so a minute
    with nothing to do costs the same however many properties there are."""
    reminded = 0
    with transaction.atomic():
        properties = list(Property.objects.all())
        waiting = Parcel.objects.filter(collected_at__isnull=True, reminded_at__isnull=True)
        waited = {prop.pk: now - timedelta(days=prop.parcel_reminder_days) for prop in properties}
        pending = set(_waited_too_long(waiting, waited).values_list("property_id", flat=True))
        for prop in (prop for prop in properties if prop.pk in pending):
            due = waiting.filter(property=prop, received_at__lte=waited[prop.pk])
            order = ("unit_id", "received_at", "pk")
            while ids := batches.claim(due, order_by=order, size=batch_size, reminded_at=now):
                by_unit: dict[int, list[Parcel]] = {}
                for parcel in Parcel.objects.filter(pk__in=ids).order_by(*order):
                    by_unit.setdefault(parcel.unit_id, []).append(parcel)
                messages = {unit_id: _parcels_waiting(p) for unit_id, p in by_unit.items()}
                units_notify(property=prop, messages=messages, at=now)
                reminded += len(ids)
    return reminded


def _waited_too_long(waiting, received_by: dict[int, datetime]):
    """The parcels of `waiting` received by their property's cut-off: one condition per
    distinct cut-off, not one per property."""
    properties: dict[datetime, list[int]] = {}
    for property_id, cutoff in received_by.items():
        properties.setdefault(cutoff, []).append(property_id)
    match = Q(pk__in=[])
    for cutoff, ids in properties.items():
        match |= Q(property_id__in=ids, received_at__lte=cutoff)
    return waiting.filter(match).order_by().distinct()


def _parcels_waiting(parcels: list[Parcel]) -> UnitMessage:
    def subject() -> str:
        values = {
            "count": len(parcels),
            "carrier": listed(dict.fromkeys(parcel.carrier for parcel in parcels)),
            "code": listed(parcel.pickup_code for parcel in parcels),
        }
        if len(parcels) == 1:
            return (
                _("Reminder: your parcel (%(carrier)s) is still waiting. Code %(code)s.") % values
            )
        return (
            ngettext(
                "Reminder: %(count)d parcel (%(carrier)s) is still waiting. Codes %(code)s.",
                "Reminder: %(count)d parcels (%(carrier)s) are still waiting. Codes %(code)s.",
                len(parcels),
            )
            % values
        )

    return UnitMessage(
        subject=subject, link=reverse("portal"), about=parcels[0] if len(parcels) == 1 else None
    )


# --- keys -------------------------------------------------------------------------------------------


def key_deposit(
    *,
    property: Property,
    by: User,
    unit: Unit,
    label: str,
    description: str,
    deposited_by: str,
    authorised: str,
) -> KeyDeposit:
    policy.require(by, "key.write", property)
    unit_check(property, unit)
    if not (label.strip() and description.strip() and deposited_by.strip() and authorised.strip()):
        raise ValidationError(
            _("Give the tag, the keys, who deposited them and who may collect them.")
        )
    try:
        with transaction.atomic():
            return KeyDeposit.objects.create(
                property=property,
                unit=unit,
                label=label.strip(),
                description=description.strip(),
                deposited_by=deposited_by.strip(),
                authorised=authorised.strip(),
                deposited_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("Tag %(label)s is already on another key.") % {"label": label.strip()}
        ) from None


def _key_move(
    key: KeyDeposit, by: User, kind: str, person: str, signed_name: str, signature
) -> KeyMovement:
    policy.require(by, "key.write", key.property)
    if not person.strip() or not signed_name.strip():
        raise ValidationError(_("Write down who takes or brings the key, and have them sign."))
    with transaction.atomic():
        locked = KeyDeposit.objects.select_for_update().get(pk=key.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError(_("This key is no longer in custody."))
        if kind == KeyMovement.Kind.OUT and locked.is_out:
            raise ValidationError(_("Key %(label)s is already out.") % {"label": locked.label})
        if kind == KeyMovement.Kind.IN and not locked.is_out:
            raise ValidationError(
                _("Key %(label)s is not out: it cannot be returned.") % {"label": locked.label}
            )
        locked.is_out = kind == KeyMovement.Kind.OUT
        locked.save(update_fields=["is_out"])
        movement = KeyMovement(
            key=locked,
            kind=kind,
            at=timezone.now(),
            person=person.strip(),
            signed_name=signed_name.strip(),
            by=by,
        )
        if signature is not None:
            movement.signature = signature
        movement.save()
    return movement


def key_hand_out(
    *, key: KeyDeposit, by: User, person: str, signed_name: str, signature=None
) -> KeyMovement:
    """Give the key to someone the owner authorised; they sign for it."""
    return _key_move(key, by, KeyMovement.Kind.OUT, person, signed_name, signature)


def key_return(
    *, key: KeyDeposit, by: User, person: str, signed_name: str, signature=None
) -> KeyMovement:
    return _key_move(key, by, KeyMovement.Kind.IN, person, signed_name, signature)


# --- lost and found ---------------------------------------------------------------------------------


def lost_item_register(
    *,
    property: Property,
    by: User,
    description: str,
    found_where: str,
    found_by: str,
    stored_where: str,
    found_at: datetime | None = None,
) -> LostItem:
    policy.require(by, "lost_item.write", property)
    if not (description.strip() and found_where.strip() and stored_where.strip()):
        raise ValidationError(_("Say what was found, where, and where it is kept."))
    return LostItem.objects.create(
        property=property,
        description=description.strip(),
        found_where=found_where.strip(),
        found_by=found_by.strip(),
        stored_where=stored_where.strip(),
        found_at=found_at or timezone.now(),
        registered_by=by,
    )


def lost_item_claim(
    *, item: LostItem, by: User, claimed_by: str, claimant_id_last4: str = ""
) -> LostItem:
    policy.require(by, "lost_item.write", item.property)
    if not claimed_by.strip():
        raise ValidationError(_("Write down who claimed the item."))
    _check_last4("other", claimant_id_last4)
    claimed = LostItem.objects.filter(pk=item.pk, claimed_at__isnull=True).update(
        claimed_at=timezone.now(),
        claimed_by=claimed_by.strip(),
        claimant_id_last4=claimant_id_last4.strip().upper(),
        handed_by=by,
    )
    if not claimed:
        raise ValidationError(_("This item has already been claimed."))
    item.refresh_from_db()
    return item
