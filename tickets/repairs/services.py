"""Every state change of a repair order. Each validates, writes in one transaction, appends
one timeline event, and queues its follow-ups (callbacks, notifications) in that transaction."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk import clock, policy
from frontdesk.models import Department, Property, Resident, Unit, User
from frontdesk.money import money
from frontdesk.outbox import staff_notify, user_notify
from frontdesk.services import sequence_next
from frontdesk.uploads import VerifiedImage
from tickets.models import (
    PriceItem,
    RepairEvent,
    RepairLine,
    RepairOrder,
    RepairPayment,
    RepairPhoto,
)
from tickets.repairs.records import (
    CANCELLABLE,
    DISPATCHABLE,
    QUOTABLE,
    REOPENABLE,
    State,
    event,
    locked,
    refuse,
)
from visits.models import Callback
from visits.services import callback_schedule, callbacks_cancel


@dataclass(frozen=True)
class LineInput:
    price_item: PriceItem
    quantity: Decimal


def repair_number_allocate(*, property: Property, now: datetime) -> str:
    """BX + local date + 4-digit daily sequence: "BX2611240007"."""
    day = property.today(now)
    last = sequence_next(property=property, series="repair", day=day, limit=9999)
    return f"BX{day:%y%m%d}{last:04d}"


def repair_receive(
    *,
    property: Property,
    by: User,
    channel: str,
    category: str,
    description: str,
    resident: Resident | None = None,
    unit: Unit | None = None,
    is_public_area: bool = False,
    location: str = "",
    contact_phone: str = "",
    urgency: str = RepairOrder.Urgency.NORMAL,
    preferred_times: str = "",
    address_confirmed: bool = False,
    appointment_start: datetime | None = None,
    appointment_end: datetime | None = None,
    chargeable: bool = False,
) -> RepairOrder:
    """Take a repair request (desk or portal). An in-unit repair names the resident's unit;
    a public-area repair names the place and is never charged."""
    if resident is not None:
        policy.require_self_or(by, "repair.take", resident)  # the resident online, or the desk
    else:
        policy.require(by, "repair.take", property)
    if not description.strip():
        raise ValidationError(_("Describe what is broken."))
    if resident is not None and resident.property_id != property.pk:
        raise ValidationError(_("The resident belongs to another property."))
    if is_public_area:
        if chargeable:
            raise ValidationError(_("A public-area repair is never charged to a resident."))
        if not location.strip():
            raise ValidationError(_("Say where in the public area the fault is."))
    else:
        if unit is None:
            raise ValidationError(_("Choose the unit the repair is in."))
        if unit.building.property_id != property.pk:
            raise ValidationError(_("The unit belongs to another property."))
    _check_appointment(appointment_start, appointment_end)
    now = timezone.now()
    with transaction.atomic():
        order = RepairOrder.objects.create(
            property=property,
            number=repair_number_allocate(property=property, now=now),
            resident=resident,
            unit=None if is_public_area else unit,
            is_public_area=is_public_area,
            location=location.strip(),
            contact_phone=contact_phone.strip(),
            channel=channel,
            category=category,
            urgency=urgency,
            description=description.strip(),
            preferred_times=preferred_times.strip(),
            address_confirmed=address_confirmed,
            appointment_start=appointment_start,
            appointment_end=appointment_end,
            chargeable=chargeable,
            state=State.RECEIVED,
            received_at=now,
            created_by=by,
        )
        event(order, by, RepairEvent.Kind.RECEIVED, order.get_channel_display())
    return order


def repair_receive_with_photos(*, photos: list[VerifiedImage], **fields) -> RepairOrder:
    """`repair_receive` and the RepairPhoto rows of its verified photos in one transaction:
    all are saved, or none (files already written are removed when the transaction fails)."""
    written: list[RepairPhoto] = []
    try:
        with transaction.atomic():
            order = repair_receive(**fields)
            now = timezone.now()
            for photo in photos:
                written.append(
                    RepairPhoto.objects.create(
                        order=order,
                        image=photo,
                        width=photo.width,
                        height=photo.height,
                        uploaded_at=now,
                    )
                )
    except BaseException:
        for row in written:
            row.image.delete(save=False)
        raise
    return order


def _check_appointment(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise ValidationError(_("Give both the start and the end of the appointment window."))
    if start is not None and end <= start:
        raise ValidationError(_("The appointment must end after it starts."))


def repair_quote(*, order: RepairOrder, by: User, lines: list[LineInput]) -> RepairOrder:
    """Price a chargeable repair from the property's price list; the resident must agree
    before it is dispatched."""
    policy.require(by, "repair.take", order)
    if order.is_public_area:
        raise ValidationError(_("A public-area repair is never charged to a resident."))
    if not lines:
        raise ValidationError(_("Add at least one item from the price list."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, QUOTABLE, "quote")
        order.lines.filter(stage=RepairLine.Stage.QUOTED).delete()
        total = _write_lines(order, lines, RepairLine.Stage.QUOTED)
        order.chargeable = True
        order.agreed_at, order.agreed_via, order.agreed_total = None, "", None
        order.state = State.AWAITING_AGREEMENT
        order.save()
        event(order, by, RepairEvent.Kind.QUOTED, _("Total %(total)s yuan") % {"total": total})
    return order


def _write_lines(order: RepairOrder, lines: list[LineInput], stage: str) -> Decimal:
    rows = []
    for line in lines:
        item = line.price_item
        if item.property_id != order.property_id or not item.active:
            raise ValidationError(
                _("%(item)s is not on this property's price list.") % {"item": item.name}
            )
        quantity = Decimal(line.quantity)
        if quantity <= 0:
            raise ValidationError(_("Quantities must be more than zero."))
        rows.append(
            RepairLine(
                order=order,
                stage=stage,
                price_item=item,
                name=item.name,
                unit=item.unit,
                unit_price=item.price,
                quantity=quantity,
                amount=money(item.price * quantity),
            )
        )
    RepairLine.objects.bulk_create(rows)
    return sum((r.amount for r in rows), Decimal("0.00"))


def repair_agree(*, order: RepairOrder, by: User, via: str) -> RepairOrder:
    """Record the resident's agreement to the quote (at the desk, by phone, in the portal)."""
    policy.require(by, "repair.agree", order)
    if via not in RepairOrder.AgreedVia.values:
        raise ValidationError(_("Say how the resident agreed."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, {State.AWAITING_AGREEMENT}, "agree")
        order.agreed_at = timezone.now()
        order.agreed_via = via
        order.agreed_total = order_total(order, RepairLine.Stage.QUOTED)
        order.state = State.RECEIVED
        order.save()
        event(order, by, RepairEvent.Kind.AGREED, order.get_agreed_via_display())
    return order


def order_total(order: RepairOrder, stage: str) -> Decimal:
    total = order.lines.filter(stage=stage).aggregate(total=Sum("amount"))["total"]
    return money(total or Decimal("0.00"))


def repair_dispatch(
    *,
    order: RepairOrder,
    by: User,
    department: Department,
    engineer: User | None = None,
    appointment_start: datetime | None = None,
    appointment_end: datetime | None = None,
) -> RepairOrder:
    """Send the order to a department (and optionally one engineer) for an agreed time.
    Never without an appointment; a chargeable repair only once the resident agreed."""
    policy.require(by, "repair.take", order)
    if department.property_id != order.property_id:
        raise ValidationError(_("The department belongs to another property."))
    if (
        engineer is not None
        and not policy.staff_holding(order.property_id, "repair.work")
        .filter(pk=engineer.pk)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s is not an engineer at this property.")
            % {"name": engineer.get_full_name() or engineer.username}
        )
    with transaction.atomic():
        order = locked(order)
        refuse(order, DISPATCHABLE, "dispatch")
        if order.chargeable and order.agreed_at is None:
            raise ValidationError(_("The resident has not agreed to the price yet."))
        if appointment_start is not None or appointment_end is not None:
            _check_appointment(appointment_start, appointment_end)
            order.appointment_start, order.appointment_end = appointment_start, appointment_end
        if order.appointment_start is None:
            raise ValidationError(
                _("Agree an appointment with the resident first: no visit without an appointment.")
            )
        order.department, order.engineer = department, engineer
        order.state = State.DISPATCHED
        order.dispatched_at = timezone.now()
        order.accepted_at = None
        order.save()
        who = engineer.get_full_name() or engineer.username if engineer else department.name
        event(order, by, RepairEvent.Kind.DISPATCHED, who)
        message = {
            "subject": _("Repair %(number)s dispatched") % {"number": order.number},
            "body": f"{order.place}: {order.description}",
            "link": reverse("repair_detail", args=[order.pk]),
            "about": order,
        }
        if engineer is not None:
            user_notify(property=order.property, user=engineer, **message)
        else:  # the department's engineers pick it up from their list
            staff_notify(
                property=order.property,
                roles=policy.roles_with("repair.work"),
                department_id=department.pk,
                **message,
            )
    return order


def repair_accept(*, order: RepairOrder, by: User) -> RepairOrder:
    """The engineer takes the order; the acceptance time is recorded (接单时间)."""
    with transaction.atomic():
        order = locked(order)
        refuse(order, {State.DISPATCHED}, "accept")
        if order.engineer_id not in (None, by.pk):
            raise ValidationError(_("This order is assigned to another engineer."))
        policy.require(by, "repair.work", order)
        order.engineer = by
        order.state = State.ACCEPTED
        order.accepted_at = timezone.now()
        order.save()
        event(order, by, RepairEvent.Kind.ACCEPTED)
    return order


def repair_record_materials(
    *, order: RepairOrder, by: User, materials: str, inspection: str
) -> RepairOrder:
    """Materials the resident supplied, and what the engineer found when inspecting them."""
    policy.require(by, "repair.work", order)
    if not materials.strip() or not inspection.strip():
        raise ValidationError(_("Say what the resident supplied and what the inspection found."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, {State.ACCEPTED}, "change")
        order.resident_materials, order.materials_inspection = materials.strip(), inspection.strip()
        order.save()
        event(order, by, RepairEvent.Kind.MATERIALS, inspection.strip())
    return order


def repair_complete(
    *,
    order: RepairOrder,
    by: User,
    cause: str,
    work_done: str,
    advice: str = "",
    used: list[LineInput] | None = None,
) -> RepairOrder:
    """The engineer finishes: cause, what was done, advice, and the fee items actually used.
    Schedules the 72-hour callback in the same transaction."""
    policy.require(by, "repair.work", order)
    if not cause.strip() or not work_done.strip():
        raise ValidationError(_("Record the cause and what was done."))
    used = used or []
    if used and not order.chargeable:
        raise ValidationError(_("This repair is free: no fee items can be charged."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, {State.ACCEPTED}, "complete")
        if order.engineer_id != by.pk:
            raise ValidationError(_("Only the engineer who accepted the order completes it."))
        order.lines.filter(stage=RepairLine.Stage.USED).delete()
        _write_lines(order, used, RepairLine.Stage.USED)
        order.cause, order.work_done, order.advice = (
            cause.strip(),
            work_done.strip(),
            advice.strip(),
        )
        order.state = State.COMPLETED
        order.completed_at = timezone.now()
        order.signed_name, order.signed_at, order.signed_via = "", None, ""
        order.signature = ""  # a reopened order is signed off anew
        order.save()
        event(order, by, RepairEvent.Kind.COMPLETED, order.work_done)
        # Due 72 elapsed hours (the property's window) after completion.
        callback_schedule(
            property=order.property,
            kind=Callback.Kind.REPAIR,
            repair=order,
            created_at=order.completed_at,
            due_at=clock.deadline_after_hours(
                order.completed_at, order.property.repair_callback_hours
            ),
        )
    return order


def repair_sign_off(
    *, order: RepairOrder, by: User, via: str, signed_name: str, signature=None
) -> RepairOrder:
    """The resident confirms the repair works: on site (typed name and drawn signature), in
    the portal, or by phone to the clerk."""
    policy.require(by, "repair.sign_off", order)
    if not signed_name.strip():
        raise ValidationError(_("Type the name of the person confirming."))
    if via == RepairOrder.SignOff.ON_SITE and signature is None:
        raise ValidationError(_("Draw the signature."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, {State.COMPLETED}, "sign_off")
        if order.signed_at is not None:
            raise ValidationError(_("This repair is already signed off."))
        order.signed_name, order.signed_via = signed_name.strip(), via
        order.signed_at = timezone.now()
        if signature is not None:
            order.signature.save(signature.name, signature, save=False)
        order.save()
        event(
            order,
            by,
            RepairEvent.Kind.SIGNED_OFF,
            f"{order.get_signed_via_display()}: {order.signed_name}",
        )
    return order


def _nothing_billed(_order: RepairOrder) -> Decimal:
    return Decimal("0.00")


# What fee notices have billed of an order. Billing sits above repairs (it bills them) and
# registers its reader in its AppConfig.ready().
_billed_on_notices: list[Callable[[RepairOrder], Decimal]] = [_nothing_billed]


def billed_on_notices_register(reader: Callable[[RepairOrder], Decimal]) -> None:
    _billed_on_notices[:] = [reader]


def amount_due(order: RepairOrder) -> Decimal:
    """What the resident still owes at the desk: the used lines, less what was paid, less
    what went onto a fee notice (billed there, it is paid there)."""
    paid = order.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    billed = _billed_on_notices[0](order)
    return money(order_total(order, RepairLine.Stage.USED) - paid - billed)


def repair_callback_noted(*, order: RepairOrder, by: User | None, note: str, at: datetime) -> None:
    """A call about the order on its timeline, made or closed without it (a missed window is
    the sweep's, records.events_for)."""
    event(order, by, RepairEvent.Kind.CALLBACK, note, at=at)


def repair_callback_outcome(
    *, order: RepairOrder, by: User, satisfied: bool, summary: str, comments: str, at: datetime
) -> None:
    """What the 72-hour callback found (in the callback's transaction): not solved or a low
    score reopens the order; a satisfied resident's signed, paid order closes."""
    repair_callback_noted(order=order, by=by, note=summary, at=at)
    if not satisfied:
        repair_reopen(order=order, by=by, reason=comments or summary)
        return
    order.refresh_from_db()
    if order.state == State.COMPLETED and order.signed_at is not None and amount_due(order) <= 0:
        repair_close(order=order, by=by, note=_("Satisfied on the callback"))


KEY_REUSED = gettext_lazy(
    "This payment key was already used for another order, amount or method: reload the page "
    "(or send a new key) to record a new payment."
)


def _paid_before(
    key: str, order: RepairOrder, amount: Decimal, method: str
) -> RepairPayment | None:
    """The payment already recorded under this key, or None. The same key with another
    order, amount or method is not the same payment sent again: it is refused."""
    payment = RepairPayment.objects.filter(idempotency_key=key).first()
    asked = (order.pk, amount, method)
    if payment is not None and (payment.order_id, payment.amount, payment.method) != asked:
        raise ValidationError({"idempotency_key": [KEY_REUSED]})
    return payment


def repair_pay(
    *,
    order: RepairOrder,
    by: User,
    amount: Decimal,
    method: str,
    reference: str = "",
    idempotency_key: str = "",
) -> RepairPayment:
    """Record a payment of the fee items actually used. Never more than is owed. A double
    submission (same idempotency key) returns the payment already recorded: the order's row
    lock serialises two at once, and the unique key catches any that slip past it."""
    policy.require(by, "repair.pay", order)
    key = idempotency_key.strip() or uuid.uuid4().hex
    amount = money(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    if method != RepairPayment.Method.CASH and not reference.strip():
        raise ValidationError(_("Enter the payment reference."))
    try:
        with transaction.atomic():
            order = locked(order)
            existing = _paid_before(key, order, amount, method)
            if existing is not None:
                return existing
            refuse(order, {State.COMPLETED, State.CLOSED}, "pay")
            due = amount_due(order)
            if amount > due:
                raise ValidationError(_("Only %(due)s yuan is owed on this order.") % {"due": due})
            payment = RepairPayment.objects.create(
                order=order,
                amount=amount,
                method=method,
                reference=reference.strip(),
                idempotency_key=key,
                received_by=by,
                received_at=timezone.now(),
            )
            event(
                order,
                by,
                RepairEvent.Kind.PAID,
                f"{amount} {payment.get_method_display()} {payment.reference}".strip(),
            )
    except IntegrityError:
        # The same key sent at once for another order (which the order lock cannot serialise).
        existing = _paid_before(key, order, amount, method)
        if existing is None:
            raise
        return existing
    return payment


def repair_close(*, order: RepairOrder, by: User, note: str = "") -> RepairOrder:
    """Archive a finished order: signed off and nothing owed."""
    policy.require(by, "repair.take", order)
    with transaction.atomic():
        order = locked(order)
        refuse(order, {State.COMPLETED}, "close")
        if order.signed_at is None:
            raise ValidationError(_("The resident has not signed the repair off yet."))
        due = amount_due(order)
        if due > 0:
            raise ValidationError(_("%(due)s yuan is still owed.") % {"due": due})
        order.state = State.CLOSED
        order.closed_at = timezone.now()
        order.save()
        event(order, by, RepairEvent.Kind.CLOSED, note)
    return order


def repair_cancel(*, order: RepairOrder, by: User, reason: str) -> RepairOrder:
    policy.require(by, "repair.take", order)
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, CANCELLABLE, "cancel")
        order.state = State.CANCELLED
        order.cancel_reason = reason.strip()
        order.save()
        event(order, by, RepairEvent.Kind.CANCELLED, order.cancel_reason)
    return order


def repair_reopen(*, order: RepairOrder, by: User | None, reason: str) -> RepairOrder:
    """The problem is back (or the callback found it unsolved): the order goes back to the
    desk for dispatch, its open callback is cancelled, and the department is told. `by`
    None: the callback found it unsolved."""
    if by is not None:
        policy.require(by, "repair.take", order)
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening."))
    with transaction.atomic():
        order = locked(order)
        refuse(order, REOPENABLE, "reopen")
        order.state = State.REOPENED
        order.closed_at = None
        order.save()
        event(order, by, RepairEvent.Kind.REOPENED, reason.strip())
        callbacks_cancel(repair=order, kind=Callback.Kind.REPAIR, reason=reason.strip())
        if order.department_id:
            staff_notify(
                property=order.property,
                roles=policy.roles_with("repair.reopen.notice"),
                department_id=order.department_id,
                subject=_("Repair %(number)s reopened") % {"number": order.number},
                body=reason.strip(),
                link=reverse("repair_detail", args=[order.pk]),
                about=order,
            )
    return order
