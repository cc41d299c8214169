"""The month's fee notices and every change to a notice row. Amounts are rounded by
frontdesk.money.money (四舍五入 to the cent).

- notices_generate: one month's fee notices for a property, in batches with a fixed number of
  queries each; idempotent (the database allows one notice per unit and period) and resumable;
  announced to the residents through the outbox.
- billing_due: the sweep claims each property's month once its billing day has come.
- openings_create: the opening balances (期初欠费) of an import, one notice each.
- notice_paid_add and dunning_steps_claim: what payments (billing.payments) and dunning
  (billing.dunning) change on a notice, written here."""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    BillingRun,
    Charge,
    FeeItem,
    FeeNotice,
    FeeNoticeLine,
    MeterReading,
    PriceStandard,
    Subscription,
)
from billing.queries import MONEY_FIELD
from frontdesk import batches
from frontdesk.models import Property, Unit
from frontdesk.money import ZERO, money
from frontdesk.outbox import UnitMessage, units_notify
from tickets.models import RepairLine, RepairOrder, RepairPayment

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
    issued_day = property.today(now)
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
    """Tell the residents of the batch's units, through the outbox, each in their language
    (frontdesk.outbox.units_notify: three queries per batch)."""

    def message(notice: FeeNotice) -> UnitMessage:
        def subject() -> str:
            return _(
                "%(property)s fee notice for %(month)s: unit %(unit)s owes %(total)s yuan, "
                "due %(due)s."
            ) % {
                "property": property.name,
                "month": f"{notice.period:%Y-%m}",
                "unit": notice.unit.label,
                "total": notice.total,
                "due": notice.due_date.isoformat(),
            }

        link = reverse("portal_notice", args=[notice.pk])
        return UnitMessage(subject=subject, link=link, about=notice)

    units_notify(property=property, messages={n.unit_id: message(n) for n in notices}, at=now)


def billing_due(*, now: datetime) -> list[tuple[int, date]]:
    """Properties whose billing day has come this month (local time) and whose month has no
    run yet, or a run that stopped part-way more than 15 minutes ago: claimed here, so the
    sweep queues each month's job once. Returns (property id, period) to queue. The runs are
    read for every property at once, so a minute with nothing to queue costs three queries
    however many properties there are."""
    periods: dict[int, date] = {}
    for prop in Property.objects.only("pk", "time_zone", "billing_day"):
        today = prop.today(now)
        if today.day >= prop.billing_day:
            periods[prop.pk] = first_of_month(today)
    if not periods:
        return []
    runs = BillingRun.objects.filter(
        property_id__in=list(periods), period__in=set(periods.values())
    ).values_list("pk", "property_id", "period")
    started = {(property_id, period): pk for pk, property_id, period in runs}
    claimed = []
    for property_id, period in periods.items():
        if (property_id, period) in started:
            continue
        try:
            with transaction.atomic():
                BillingRun.objects.create(property_id=property_id, period=period, started_at=now)
            claimed.append((property_id, period))
        except IntegrityError:
            pass  # another sweep claimed it a moment ago
    stale = BillingRun.objects.filter(
        pk__in=[
            pk for (property_id, period), pk in started.items() if periods[property_id] == period
        ],
        finished_at__isnull=True,
        started_at__lt=now - timedelta(minutes=15),
    )
    restarted = batches.claim_rows(
        stale, order_by=("pk",), size=len(started) or 1, fields=("pk", "property_id", "period"),
        started_at=now,
    )  # fmt: skip
    claimed += [(property_id, period) for _pk, property_id, period in restarted]
    return claimed


# --- opening balances ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningBalance:
    """A unit's debt brought over from the previous system (a row of an import)."""

    row: int
    unit: Unit
    amount: Decimal
    as_of: date
    note: str

    @property
    def number(self) -> str:
        return opening_number(self.unit, self.as_of)


def opening_number(unit: Unit, as_of: date) -> str:
    return f"OB-{unit.label}-{as_of:%Y%m%d}"


def openings_create(
    *, property: Property, openings: Iterable[OpeningBalance], now: datetime
) -> int:
    """One fee notice (kind "opening") with one line per opening balance, in the caller's
    transaction. Returns how many were made."""
    notices = [
        FeeNotice(
            property=property,
            unit=o.unit,
            kind=FeeNotice.Kind.OPENING,
            period=o.as_of,
            number=o.number,
            issued_at=now,
            due_date=o.as_of,
            total=o.amount,
            note=o.note,
        )
        for o in openings
    ]
    FeeNotice.objects.bulk_create(notices, batch_size=500)
    FeeNoticeLine.objects.bulk_create(
        [
            FeeNoticeLine(
                notice=notice,
                description=_("Opening balance"),
                quantity=Decimal(1),
                unit_price=notice.total,
                amount=notice.total,
            )
            for notice in notices
        ],
        batch_size=500,
    )
    return len(notices)


# --- what payments and dunning change on a notice -----------------------------------------------


def notice_paid_add(notice: FeeNotice, amount: Decimal) -> None:
    """Add ``amount`` (negative for a reversal) to what the locked notice has been paid."""
    notice.paid += amount
    notice.settled = notice.paid >= notice.total
    notice.save(update_fields=["paid", "settled"])


def dunning_steps_claim(due: QuerySet[FeeNotice], *, step: int, size: int) -> list[int]:
    """Move up to ``size`` notices of ``due`` to dunning ``step`` and return their ids
    (frontdesk.batches.claim: two sweeps at once take different notices, each once)."""
    return batches.claim(due, order_by=("unit_id", "due_date", "pk"), size=size, dunning_step=step)
