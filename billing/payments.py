"""Money in and money out at the desk: payments applied to notices, the unit's credit, and
voids and refunds. Money in, money out and every correction is a row; nothing is updated away
or deleted. Amounts are rounded by frontdesk.money.money (四舍五入 to the cent). The notices'
paid totals change through billing.notices.notice_paid_add, their one writer.

- payment_take: a payment at the desk, applied to notices under row locks, recorded once per
  idempotency key; what is not owed stays as the unit's credit.
- credit_apply: the unit's credit applied to its open notices; unit_credit and units_owed say
  what the unit has in hand and owes.
- adjustment_request / adjustment_decide: voids and refunds, carried out on a supervisor's
  approval, leaving the payment and its reversal both visible."""

import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Allocation, FeeNotice, Payment, PaymentAdjustment
from billing.notices import notice_paid_add
from billing.queries import MONEY_FIELD
from frontdesk import policy
from frontdesk.models import Property, Resident, Unit, User
from frontdesk.money import ZERO, money
from frontdesk.outbox import staff_notify
from frontdesk.services import sequence_next


def receipt_number_allocate(*, property: Property, now: datetime) -> str:
    """SJ + local date + 4-digit daily sequence: "SJ2611240012"."""
    day = property.today(now)
    last = sequence_next(property=property, series="receipt", day=day, limit=9999)
    return f"SJ{day:%y%m%d}{last:04d}"


def _apply(payment: Payment, notices: list[FeeNotice], amount: Decimal, now: datetime) -> Decimal:
    """Apply up to ``amount`` to the (locked) notices, oldest first; returns what is left."""
    left = amount
    for notice in notices:
        share = min(left, notice.total - notice.paid)
        if share <= 0:
            continue
        Allocation.objects.create(payment=payment, notice=notice, amount=share, at=now)
        notice_paid_add(notice, share)
        left -= share
    return left


def payment_take(
    *,
    unit: Unit,
    by: User,
    notices: list[FeeNotice],
    method: str,
    amount: Decimal,
    received: Decimal | None = None,
    reference: str = "",
    idempotency_key: str = "",
    resident: Resident | None = None,
) -> Payment:
    """Take a payment for a unit and apply it to the chosen notices, oldest first. Cash is
    said aloud: total due, received, change. A double submission (same idempotency key)
    returns the payment already recorded. Two clerks paying the same notice at once are
    serialised by the notice row locks: the second finds less (or nothing) owed, and the
    rest of the money stays on the unit as credit, never as an over-credited notice."""
    key = idempotency_key.strip() or uuid.uuid4().hex
    prop = unit.building.property
    if not policy.allows(by, "payment.take", prop):
        raise ValidationError(_("Only the desk or finance can take a payment."))
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.unit_id != unit.pk:
            raise ValidationError(_("This payment form was already used for another unit."))
        return existing
    amount = money(amount)
    received = _received(method, amount, received, reference)
    if any(n.unit_id != unit.pk for n in notices):
        raise ValidationError(_("A payment covers notices of one unit only."))
    if resident is not None and resident.property_id != prop.pk:
        raise ValidationError(_("The resident belongs to another property."))
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = list(
                FeeNotice.objects.select_for_update()
                .filter(pk__in=[n.pk for n in notices])
                .order_by("period", "pk")
            )
            total_due = sum((n.total - n.paid for n in locked), ZERO)
            payment = Payment.objects.create(
                property=prop,
                unit=unit,
                resident=resident,
                number=receipt_number_allocate(property=prop, now=now),
                method=method,
                reference=reference.strip(),
                total_due=total_due,
                amount=amount,
                received=received,
                change=received - amount,
                idempotency_key=key,
                received_by=by,
                received_at=now,
            )
            _apply(payment, locked, amount, now)
    except IntegrityError:
        # The same form submitted twice at once: the first one won; show it.
        existing = Payment.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    return payment


def _received(method: str, amount: Decimal, received: Decimal | None, reference: str) -> Decimal:
    """What was handed over: the cash counted (at least the amount), or the amount itself for
    a payment with a transaction reference."""
    if method not in Payment.Method.values:
        raise ValidationError(_("Choose how the payment is made."))
    if amount <= 0:
        raise ValidationError(_("The amount paid must be more than zero."))
    if method != Payment.Method.CASH:
        if not reference.strip():
            raise ValidationError(_("Enter the transaction reference of the payment."))
        return amount
    if received is None:
        raise ValidationError(_("Enter the cash received."))
    received = money(received)
    if received < amount:
        raise ValidationError(
            _("The cash received (%(received)s) is less than the amount paid (%(amount)s).")
            % {"received": received, "amount": amount}
        )
    return received


def credit_apply(*, unit: Unit, by: User) -> Decimal:
    """Apply the unit's credit (money paid before and not owed then) to its open notices,
    oldest first, as allocations of the payments that brought it. Returns what was applied."""
    prop = unit.building.property
    if not policy.allows(by, "payment.take", prop):
        raise ValidationError(_("Only the desk or finance can apply credit."))
    now = timezone.now()
    applied = ZERO
    with transaction.atomic():
        # Lock first, then sum: PostgreSQL refuses FOR UPDATE on a grouped query.
        payments = list(
            Payment.objects.select_for_update()
            .filter(unit=unit, voided=False)
            .order_by("received_at", "pk")
        )
        applied_by_payment = dict(
            Allocation.objects.filter(payment__in=payments)
            .values("payment_id")
            .annotate(s=Sum("amount"))
            .values_list("payment_id", "s")
        )
        notices = list(
            FeeNotice.objects.select_for_update()
            .filter(unit=unit, settled=False)
            .order_by("period", "pk")
        )
        for payment in payments:
            left = payment.amount - payment.refunded - applied_by_payment.get(payment.pk, ZERO)
            if left > 0 and notices:
                applied += left - _apply(payment, notices, left, now)
                notices = [n for n in notices if not n.settled]
    if applied <= 0:
        raise ValidationError(_("There is no credit to apply, or nothing is owed."))
    return applied


def unit_credit(unit: Unit) -> Decimal:
    """Money paid for the unit and not applied to any notice (nor refunded)."""
    paid = Payment.objects.filter(unit=unit, voided=False).aggregate(
        s=Coalesce(Sum(F("amount") - F("refunded")), Value(ZERO), output_field=MONEY_FIELD)
    )["s"]
    applied = Allocation.objects.filter(payment__unit=unit, payment__voided=False).aggregate(
        s=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_FIELD)
    )["s"]
    return money(paid - applied)


def units_owed(units) -> Decimal:
    return money(
        FeeNotice.objects.filter(unit__in=units, settled=False).aggregate(
            s=Coalesce(Sum(F("total") - F("paid")), Value(ZERO), output_field=MONEY_FIELD)
        )["s"]
    )


# --- voids and refunds ------------------------------------------------------------------------


def adjustment_request(
    *, payment: Payment, by: User, kind: str, reason: str, amount: Decimal | None = None
) -> PaymentAdjustment:
    """Ask for a void (the whole payment) or a refund (part of it): a supervisor decides."""
    if not policy.allows(by, "payment.take", payment):
        raise ValidationError(_("Only the desk or finance can ask for a void or a refund."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the void or refund."))
    if kind not in PaymentAdjustment.Kind.values:
        raise ValidationError(_("Choose a void or a refund."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.voided:
            raise ValidationError(_("Receipt %(number)s is void.") % {"number": payment.number})
        if kind == PaymentAdjustment.Kind.VOID:
            if payment.refunded > 0:
                raise ValidationError(_("A payment partly refunded cannot be voided."))
            amount = payment.amount
        else:
            amount = money(amount or 0)
            if amount <= 0 or amount > payment.amount - payment.refunded:
                raise ValidationError(
                    _("A refund is more than zero and at most %(left)s.")
                    % {"left": payment.amount - payment.refunded}
                )
        if payment.adjustments.filter(status=PaymentAdjustment.Status.PENDING).exists():
            raise ValidationError(_("This receipt already has a request waiting for approval."))
        adjustment = PaymentAdjustment.objects.create(
            payment=payment,
            kind=kind,
            amount=amount,
            reason=reason.strip(),
            requested_by=by,
            requested_at=timezone.now(),
        )
        staff_notify(
            property=payment.property,
            roles=policy.roles_with("payment.approve"),
            subject=_("%(kind)s of receipt %(number)s waits for your approval")
            % {"kind": adjustment.get_kind_display(), "number": payment.number},
            body=adjustment.reason,
            link=reverse("billing_approvals"),
            about=adjustment,
        )
    return adjustment


def adjustment_decide(
    *, adjustment: PaymentAdjustment, by: User, approve: bool, note: str = ""
) -> PaymentAdjustment:
    """A supervisor approves (the reversal is carried out) or rejects (with a note)."""
    if not policy.allows(by, "payment.approve", adjustment.payment):
        raise ValidationError(_("Only a supervisor can approve a void or a refund."))
    if adjustment.requested_by_id == by.pk:
        raise ValidationError(_("Another supervisor must approve your own request."))
    if not approve and not note.strip():
        raise ValidationError(_("Say why the request is rejected."))
    now = timezone.now()
    with transaction.atomic():
        adjustment = PaymentAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if adjustment.status != PaymentAdjustment.Status.PENDING:
            raise ValidationError(_("This request has already been decided."))
        adjustment.decided_by, adjustment.decided_at = by, now
        adjustment.decision_note = note.strip()
        adjustment.status = (
            PaymentAdjustment.Status.APPROVED if approve else PaymentAdjustment.Status.REJECTED
        )
        adjustment.save()
        if approve:
            _reverse(adjustment, now)
    return adjustment


def _reverse(adjustment: PaymentAdjustment, now: datetime) -> None:
    """Take the money back off the notices: credit first, then the newest allocations."""
    payment = Payment.objects.select_for_update().get(pk=adjustment.payment_id)
    applied_by_notice: dict[int, Decimal] = {}
    for notice_id, amount in payment.allocations.values_list("notice_id", "amount"):
        applied_by_notice[notice_id] = applied_by_notice.get(notice_id, ZERO) + amount
    applied = sum(applied_by_notice.values(), ZERO)
    credit = payment.amount - payment.refunded - applied
    to_take = adjustment.amount - min(credit, adjustment.amount)
    notices = FeeNotice.objects.select_for_update().filter(pk__in=list(applied_by_notice))
    for notice in sorted(notices, key=lambda n: (n.period, n.pk), reverse=True):
        share = min(to_take, applied_by_notice[notice.pk])
        if share <= 0:
            continue
        Allocation.objects.create(payment=payment, notice=notice, amount=-share, at=now)
        notice_paid_add(notice, -share)
        to_take -= share
    if adjustment.kind == PaymentAdjustment.Kind.VOID:
        payment.voided = True
    else:
        payment.refunded += adjustment.amount
    payment.save(update_fields=["voided", "refunded"])
