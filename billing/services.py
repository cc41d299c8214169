"""Every change to fees and money. Money in, money out and every correction is a row; nothing
is updated away or deleted. Amounts are rounded by frontdesk.money.money (四舍五入 to the cent).

- notices_generate: one month's fee notices for a property, in batches with a fixed number of
  queries each; idempotent (the database allows one notice per unit and period) and resumable.
- payment_take: a payment at the desk, applied to notices under row locks, recorded once per
  idempotency key; what is not owed stays as the unit's credit.
- adjustment_request / adjustment_decide: voids and refunds, carried out on a supervisor's
  approval, leaving the payment and its reversal both visible.
- dunning_advance: the sweep's dunning, one stage at a time, each stage once per notice.
- resident_move_out: refused while the resident's units owe anything."""

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import (
    Allocation,
    BillingRun,
    Charge,
    DunningAction,
    DunningStage,
    FeeItem,
    FeeNotice,
    FeeNoticeLine,
    MeterReading,
    Payment,
    PaymentAdjustment,
    PriceStandard,
    Subscription,
)
from billing.queries import MONEY_FIELD
from frontdesk import clock, policy
from frontdesk.models import (
    Notification,
    Property,
    Resident,
    ResidentEvent,
    ResidentPhone,
    Unit,
    User,
)
from frontdesk.money import ZERO, money
from frontdesk.outbox import staff_notify, unit_notify
from frontdesk.services import sequence_next

BATCH_SIZE = 500


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# --- generation ---------------------------------------------------------------------------------


def prices_in_force(property: Property, period: date) -> dict[int, Decimal]:
    """Each active fee item's price on the period's first day (the latest standard that
    applies by then). One query."""
    prices: dict[int, Decimal] = {}
    for item_id, price in (
        PriceStandard.objects.filter(
            fee_item__property=property, fee_item__active=True, effective_from__lte=period
        )
        .order_by("fee_item_id", "-effective_from")
        .values_list("fee_item_id", "price")
    ):
        prices.setdefault(item_id, price)
    return prices


@dataclass
class Batch:
    """What one batch of units is billed for, read in a fixed number of queries."""

    units: list[Unit]
    billed: set[int]
    subscriptions: dict[int, list[Subscription]]
    readings: dict[int, list[MeterReading]]
    charges: dict[int, list[Charge]]
    repairs: dict[int, list]
    arrears: dict[int, Decimal]


def _group(rows, key: str) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _read_batch(property: Property, period: date, after_id: int, size: int) -> Batch:
    from tickets.models import RepairLine, RepairOrder, RepairPayment

    units = list(
        Unit.objects.filter(building__property=property, pk__gt=after_id)
        .select_related("building")
        .order_by("pk")[:size]
    )
    ids = [u.pk for u in units]
    month_end = last_of_month(period)
    billed = set(
        FeeNotice.objects.filter(
            unit_id__in=ids, period=period, kind=FeeNotice.Kind.MONTHLY
        ).values_list("unit_id", flat=True)
    )
    subscriptions = (
        Subscription.objects.filter(unit_id__in=ids, fee_item__active=True, starts__lte=month_end)
        .filter(Q(ends__isnull=True) | Q(ends__gte=period))
        .select_related("fee_item")
    )
    readings = MeterReading.objects.filter(unit_id__in=ids, period=period).select_related(
        "fee_item"
    )
    charges = Charge.objects.filter(unit_id__in=ids, line__isnull=True).select_related("fee_item")
    # A chargeable repair still owing and not billed yet goes on the notice.
    used = (
        RepairLine.objects.filter(order=OuterRef("pk"), stage=RepairLine.Stage.USED)
        .values("order")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    paid = (
        RepairPayment.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    repairs = (
        RepairOrder.objects.filter(
            unit_id__in=ids,
            chargeable=True,
            state__in=[RepairOrder.State.COMPLETED, RepairOrder.State.CLOSED],
        )
        .exclude(Exists(FeeNoticeLine.objects.filter(repair=OuterRef("pk"))))
        .annotate(
            used_total=Coalesce(Subquery(used), Value(ZERO), output_field=MONEY_FIELD),
            paid_total=Coalesce(Subquery(paid), Value(ZERO), output_field=MONEY_FIELD),
        )
        .filter(used_total__gt=F("paid_total"))
    )
    arrears = dict(
        FeeNotice.objects.filter(unit_id__in=ids, settled=False)
        .values("unit_id")
        .annotate(owed=Sum(F("total") - F("paid"), output_field=MONEY_FIELD))
        .values_list("unit_id", "owed")
    )
    return Batch(
        units=units,
        billed=billed,
        subscriptions=_group(subscriptions, "unit_id"),
        readings=_group(readings, "unit_id"),
        charges=_group(charges, "unit_id"),
        repairs=_group(repairs, "unit_id"),
        arrears=arrears,
    )


def _lines_for(unit: Unit, batch: Batch, area_items, prices) -> list[FeeNoticeLine]:
    lines = []
    for item in area_items:
        if item.pk in prices and unit.area_m2 > 0:
            price = prices[item.pk]
            lines.append(
                FeeNoticeLine(
                    fee_item=item,
                    description=item.name,
                    quantity=unit.area_m2,
                    unit_price=price,
                    amount=money(unit.area_m2 * price),
                )
            )
    for sub in batch.subscriptions.get(unit.pk, []):
        if sub.fee_item_id in prices:
            price = prices[sub.fee_item_id]
            lines.append(
                FeeNoticeLine(
                    fee_item=sub.fee_item,
                    description=f"{sub.fee_item.name} {sub.note}".strip(),
                    quantity=sub.quantity,
                    unit_price=price,
                    amount=money(sub.quantity * price),
                )
            )
    for reading in batch.readings.get(unit.pk, []):
        if reading.fee_item_id in prices and reading.usage > 0:
            price = prices[reading.fee_item_id]
            lines.append(
                FeeNoticeLine(
                    fee_item=reading.fee_item,
                    description=_("%(item)s: %(previous)s → %(current)s")
                    % {
                        "item": reading.fee_item.name,
                        "previous": reading.previous,
                        "current": reading.current,
                    },
                    quantity=reading.usage,
                    unit_price=price,
                    amount=money(reading.usage * price),
                )
            )
    for charge in batch.charges.get(unit.pk, []):
        lines.append(
            FeeNoticeLine(
                fee_item=charge.fee_item,
                description=charge.description,
                quantity=Decimal(1),
                unit_price=charge.amount,
                amount=charge.amount,
                charge=charge,
            )
        )
    for order in batch.repairs.get(unit.pk, []):
        owed = money(order.used_total - order.paid_total)
        lines.append(
            FeeNoticeLine(
                description=_("Paid repair %(number)s") % {"number": order.number},
                quantity=Decimal(1),
                unit_price=owed,
                amount=owed,
                repair=order,
            )
        )
    return [line for line in lines if line.amount > 0]


def notices_generate(
    *, property: Property, period: date, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> BillingRun:
    """Make the period's fee notices for every unit of the property, a batch of units per
    transaction, each batch in a fixed number of queries. A unit that already has its notice
    is skipped, so running it again (or resuming after a crash) makes no second notice."""
    now = now or timezone.now()
    period = first_of_month(period)
    run, _created = BillingRun.objects.get_or_create(
        property=property, period=period, defaults={"started_at": now}
    )
    prices = prices_in_force(property, period)
    area_items = list(
        FeeItem.objects.filter(property=property, active=True, basis=FeeItem.Basis.AREA)
    )
    issued_day = timezone.localtime(now, property.zone).date()
    due = issued_day + timedelta(days=property.payment_due_days)
    after_id = 0
    while True:
        with transaction.atomic():
            # The run's row lock serialises two runs of the same month (a retried task next to
            # a slow one): the second reads the batch after the first committed it, and skips.
            BillingRun.objects.select_for_update().get(pk=run.pk)
            batch = _read_batch(property, period, after_id, batch_size)
            if not batch.units:
                break
            after_id = batch.units[-1].pk
            notices, lines_of = [], []
            for unit in batch.units:
                if unit.pk in batch.billed:
                    continue
                lines = _lines_for(unit, batch, area_items, prices)
                if not lines:
                    continue
                notices.append(
                    FeeNotice(
                        property=property,
                        unit=unit,
                        period=period,
                        number=f"{period:%Y%m}-{unit.label}",
                        issued_at=now,
                        due_date=due,
                        total=sum((line.amount for line in lines), ZERO),
                        arrears_before=money(batch.arrears.get(unit.pk, ZERO)),
                    )
                )
                lines_of.append(lines)
            FeeNotice.objects.bulk_create(notices)
            all_lines = []
            for notice, lines in zip(notices, lines_of, strict=True):
                for line in lines:
                    line.notice = notice
                    all_lines.append(line)
            FeeNoticeLine.objects.bulk_create(all_lines)
            _announce(property, notices, now)
        if len(batch.units) < batch_size:
            break
    # What the period holds, counted once at the end: right after a resumed or repeated run too.
    made = FeeNotice.objects.filter(property=property, period=period, kind=FeeNotice.Kind.MONTHLY)
    summary = made.aggregate(count=Count("pk"), total=Sum("total"))
    units = Unit.objects.filter(building__property=property).count()
    BillingRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        made=summary["count"],
        skipped=units - summary["count"],
        total=summary["total"] or ZERO,
    )
    run.refresh_from_db()
    return run


def _announce(property: Property, notices: list[FeeNotice], now: datetime) -> None:
    """Tell the residents of the batch's units, through the outbox, in their language: an
    SMS, an email where they have an address, and a notice in the portal. Three queries per
    batch; each row's delivery is queued after commit (the sweep catches what is missed)."""
    from frontdesk.outbox import notification_deliver_task, publish_after_commit

    by_unit = {n.unit_id: n for n in notices}
    memberships = Resident.units.through.objects.filter(
        unit_id__in=list(by_unit), resident__moved_out_on__isnull=True
    ).select_related("resident")
    residents = [(m.resident, by_unit[m.unit_id]) for m in memberships]
    phones: dict[int, str] = {}
    for resident_id, digits in (
        ResidentPhone.objects.filter(resident_id__in=[r.pk for r, _n in residents])
        .order_by("pk")
        .values_list("resident_id", "digits")
    ):
        phones.setdefault(resident_id, digits)
    rows = []
    for resident, notice in residents:
        language = (
            resident.preferred_language if resident.preferred_language != "other" else "zh-hans"
        )
        with translation.override(language):
            subject = _(
                "%(property)s fee notice for %(month)s: unit %(unit)s owes %(total)s yuan, "
                "due %(due)s."
            ) % {
                "property": property.name,
                "month": f"{notice.period:%Y-%m}",
                "unit": notice.unit.label,
                "total": notice.total,
                "due": notice.due_date.isoformat(),
            }
        common = {
            "property": property,
            "recipient_resident": resident,
            "subject": subject,
            "body": "",
            "created_at": now,
            "link": f"/portal/fees/notices/{notice.pk}/",
        }
        if resident.pk in phones:
            rows.append(
                Notification(
                    channel=Notification.Channel.SMS, address=phones[resident.pk], **common
                )
            )
        if resident.email:
            rows.append(
                Notification(channel=Notification.Channel.EMAIL, address=resident.email, **common)
            )
        if resident.user_id:
            rows.append(
                Notification(
                    channel=Notification.Channel.IN_APP,
                    recipient_user_id=resident.user_id,
                    **common,
                )
            )
    for note in Notification.objects.bulk_create(rows):
        publish_after_commit(notification_deliver_task, note.pk)


def billing_due(*, now: datetime) -> list[tuple[int, date]]:
    """Properties whose billing day has come this month (local time) and whose month has no
    run yet, or a run that stopped part-way more than 15 minutes ago: claimed here, so the
    sweep queues each month's job once. Returns (property id, period) to queue."""
    claimed = []
    for prop in Property.objects.all():
        today = timezone.localtime(now, prop.zone).date()
        if today.day < prop.billing_day:
            continue
        period = first_of_month(today)
        try:
            with transaction.atomic():
                BillingRun.objects.create(property=prop, period=period, started_at=now)
            claimed.append((prop.pk, period))
            continue
        except IntegrityError:
            pass
        stale = BillingRun.objects.filter(
            property=prop,
            period=period,
            finished_at__isnull=True,
            started_at__lt=now - timedelta(minutes=15),
        ).update(started_at=now)
        if stale:
            claimed.append((prop.pk, period))
    return claimed


# --- payments -----------------------------------------------------------------------------------


def receipt_number_allocate(*, property: Property, now: datetime) -> str:
    """SJ + local date + 4-digit daily sequence: "SJ2611240012"."""
    day = timezone.localtime(now, property.zone).date()
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
        notice.paid += share
        notice.settled = notice.paid >= notice.total
        notice.save(update_fields=["paid", "settled"])
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


# --- voids and refunds ----------------------------------------------------------------------------


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
            link="/billing/approvals/",
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
        notice.paid -= share
        notice.settled = notice.paid >= notice.total
        notice.save(update_fields=["paid", "settled"])
        to_take -= share
    if adjustment.kind == PaymentAdjustment.Kind.VOID:
        payment.voided = True
    else:
        payment.refunded += adjustment.amount
    payment.save(update_fields=["voided", "refunded"])


# --- dunning -------------------------------------------------------------------------------------


def dunning_advance(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Move each overdue notice through its property's dunning stages, one stage per notice
    and step, however often the sweep runs: the step is claimed with a conditional UPDATE."""
    taken = 0
    for stage in DunningStage.objects.select_related("property").order_by("property_id", "step"):
        prop = stage.property
        today = timezone.localtime(now, prop.zone).date()
        due = FeeNotice.objects.filter(
            property=prop,
            settled=False,
            dunning_step=stage.step - 1,
            due_date__lte=today - timedelta(days=stage.days_overdue),
        )
        while ids := list(due.order_by("due_date", "pk").values_list("pk", flat=True)[:batch_size]):
            done = 0
            for pk in ids:
                with transaction.atomic():
                    if not due.filter(pk=pk).update(dunning_step=stage.step):
                        continue
                    notice = FeeNotice.objects.select_related("unit__building").get(pk=pk)
                    _dun(notice, stage, now)
                    done += 1
            taken += done
            if len(ids) < batch_size or not done:
                break
    return taken


def _dun(notice: FeeNotice, stage: DunningStage, now: datetime) -> None:
    from visits.models import Callback  # visits builds on billing: import when used

    owed = notice.total - notice.paid
    DunningAction.objects.create(
        notice=notice, step=stage.step, kind=stage.kind, at=now, outstanding=owed
    )
    prop = stage.property
    if stage.kind == DunningStage.Kind.REMINDER:
        subject = _("Reminder: fee notice %(number)s is overdue, %(owed)s yuan outstanding") % {
            "number": notice.number,
            "owed": owed,
        }
        unit_notify(prop, notice.unit, subject, link="/portal/fees/")
    elif stage.kind == DunningStage.Kind.PHONE:
        due = clock.deadline_after_days(now, 1, tz=prop.zone, rest_days=prop.rest_days())
        Callback.objects.create(
            property=prop,
            kind=Callback.Kind.DUNNING,
            fee_notice=notice,
            question=_("Fee notice %(number)s: %(owed)s yuan overdue")
            % {"number": notice.number, "owed": owed},
            created_at=now,
            due_at=due,
            next_try_at=now,
        )
    # A formal letter is printed from the dunning list; the action row is its record.


# --- move-out --------------------------------------------------------------------------------------


def resident_move_out(*, resident: Resident, by: User, on: date) -> Resident:
    """Move-out (退租/搬迁) is refused while the resident's units owe anything (seed 003)."""
    if not policy.allows(by, "resident.move_out", resident):
        raise ValidationError(_("Only the desk can record a move-out."))
    if resident.moved_out_on is not None:
        raise ValidationError(_("%(name)s has already moved out.") % {"name": resident.name})
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        units = list(resident.units.all())
        owed = units_owed(units)
        if owed > 0:
            count = FeeNotice.objects.filter(unit__in=units, settled=False).count()
            raise ValidationError(
                ngettext(
                    "Move-out refused: %(owed)s yuan is still owed on %(count)d fee notice. "
                    "Take the payment first.",
                    "Move-out refused: %(owed)s yuan is still owed on %(count)d fee notices. "
                    "Take the payment first.",
                    count,
                )
                % {"owed": owed, "count": count}
            )
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
