"""Billing as services: a month's notices (lines, prices in force, idempotent, bounded queries
per batch), payments applied under locks (once per idempotency key, cash said aloud, credit),
voids and refunds on a supervisor's approval, the collection rate by hand, dunning stages once
each, and move-out refused while anything is owed."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from billing import queries
from billing.dunning import dunning_advance
from billing.models import (
    Allocation,
    BillingRun,
    Charge,
    DunningStage,
    FeeItem,
    FeeNotice,
    FeeNoticeLine,
    MeterReading,
    Payment,
    PriceStandard,
    Subscription,
)
from billing.notices import billing_due, notices_generate
from billing.payments import (
    adjustment_decide,
    adjustment_request,
    credit_apply,
    payment_take,
    unit_credit,
)
from frontdesk.models import Notification
from frontdesk.services import resident_move_out
from tests.clock import at
from tests.conftest import staff_at, wait_for
from tests.factories import (
    BuildingFactory,
    PriceItemFactory,
    ResidentFactory,
    UnitFactory,
    repair_received,
)
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput
from visits.models import Callback

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)
T = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 09:00 on the billing day in Shanghai
D = Decimal


@pytest.fixture
def fees(sunshine):
    """The property's price standards: management fee per m² (raised in December), parking
    rent, water by the ton, paid services."""
    management = FeeItem.objects.create(property=sunshine, name="物业管理费", basis="area")
    PriceStandard.objects.create(
        fee_item=management, price=D("2.50"), effective_from=date(2026, 1, 1)
    )
    PriceStandard.objects.create(fee_item=management, price=D("2.80"), effective_from=DEC)
    parking = FeeItem.objects.create(property=sunshine, name="车位租金", basis="fixed")
    PriceStandard.objects.create(fee_item=parking, price=D("300"), effective_from=date(2026, 1, 1))
    water = FeeItem.objects.create(property=sunshine, name="水费", basis="metered")
    PriceStandard.objects.create(fee_item=water, price=D("4.10"), effective_from=date(2026, 1, 1))
    service = FeeItem.objects.create(property=sunshine, name="有偿服务", basis="service")
    return {"management": management, "parking": parking, "water": water, "service": service}


@pytest.fixture
def building(sunshine):
    return BuildingFactory(property=sunshine, number="2")


@pytest.fixture
def billed_unit(sunshine, building, fees, clerk):
    """Unit 2-1503 (89.37 m²), a parking space, a water reading, a paid service."""
    unit = UnitFactory(building=building, number="1503", area_m2=D("89.37"))
    Subscription.objects.create(
        unit=unit, fee_item=fees["parking"], note="B-017", starts=date(2026, 1, 1)
    )
    MeterReading.objects.create(
        unit=unit,
        fee_item=fees["water"],
        period=NOV,
        previous=D("120.5"),
        current=D("135.0"),
        read_at=T,
        entered_by=clerk,
    )
    Charge.objects.create(
        property=sunshine,
        unit=unit,
        fee_item=fees["service"],
        description="清洗油烟机",
        amount=D("50.00"),
        created_at=T,
        created_by=clerk,
    )
    return unit


def generate(prop, period=NOV, when=T, **kwargs):
    with at(when):
        return notices_generate(property=prop, period=period, **kwargs)


# --- generation ---------------------------------------------------------------------------------


def test_a_months_notice_has_every_fee_at_the_price_in_force(sunshine, billed_unit, building):
    UnitFactory(building=building, number="0101", area_m2=D("0"))  # nothing to bill
    run = generate(sunshine)

    notice = FeeNotice.objects.get(unit=billed_unit)
    lines = {line.description.split(":")[0]: line.amount for line in notice.lines.all()}
    # 89.37 m² × 2.50 = 223.425 → 223.43 (half up); water 14.5 t × 4.10 = 59.45.
    assert lines == {
        "物业管理费": D("223.43"),
        "车位租金 B-017": D("300.00"),
        "水费": D("59.45"),
        "清洗油烟机": D("50.00"),
    }
    assert notice.total == D("632.88")
    assert notice.number == "202611-2-1503" and notice.period == NOV
    assert notice.due_date == date(2026, 11, 16)  # 15 days to pay
    assert (run.made, run.skipped, run.total) == (1, 1, D("632.88"))
    assert run.finished_at is not None


def test_running_it_again_makes_no_second_notice(sunshine, billed_unit):
    generate(sunshine)
    again = generate(sunshine, when=T + timedelta(hours=1))
    assert FeeNotice.objects.count() == 1
    assert (again.made, again.skipped) == (1, 0)  # the period holds one notice
    with pytest.raises(IntegrityError), transaction.atomic():
        notice = FeeNotice.objects.get()
        notice.pk = None
        notice.number = "other"
        notice.save()


def test_the_next_month_shows_the_arrears_and_the_new_price(sunshine, billed_unit, fees, clerk):
    generate(sunshine)
    MeterReading.objects.create(
        unit=billed_unit,
        fee_item=fees["water"],
        period=DEC,
        previous=D("135.0"),
        current=D("140.0"),
        read_at=T,
        entered_by=clerk,
    )
    generate(sunshine, DEC, T + timedelta(days=30))
    december = FeeNotice.objects.get(period=DEC)
    assert december.arrears_before == D("632.88")
    amounts = sorted(line.amount for line in december.lines.all())
    # 89.37 × 2.80 = 250.236 → 250.24; the service was billed once, in November.
    assert amounts == [D("20.50"), D("250.24"), D("300.00")]


def test_a_chargeable_repair_still_owing_is_billed_once(
    sunshine, billed_unit, clerk, engineer, engineering
):
    tap = PriceItemFactory(property=sunshine, price=D("35.00"))
    resident = ResidentFactory(property=sunshine, unit=billed_unit)
    order = repair_received(
        sunshine, by=clerk, resident=resident, unit=billed_unit, chargeable=True
    )
    quote = [LineInput(price_item=tap, quantity=D(1))]
    order = repairs.repair_quote(order=order, by=clerk, lines=quote)
    order = repairs.repair_agree(order=order, by=clerk, via="desk")
    order = repairs.repair_dispatch(
        order=order, by=clerk, department=engineering, engineer=engineer
    )
    order = repairs.repair_accept(order=order, by=engineer)
    order = repairs.repair_complete(
        order=order, by=engineer, cause="阀芯老化", work_done="更换", used=quote
    )
    assert repairs.amount_due(order) == D("35.00")
    generate(sunshine)
    line = FeeNotice.objects.get().lines.get(repair=order)
    assert line.amount == D("35.00")
    assert repairs.amount_due(order) == D("0.00")  # paid on the notice, not at the desk
    generate(sunshine, DEC, T + timedelta(days=30))
    assert FeeNotice.objects.get(period=DEC).lines.filter(repair=order).count() == 0


def test_residents_are_told_through_the_outbox(sunshine, billed_unit):
    resident = ResidentFactory(
        property=sunshine, unit=billed_unit, phones=["13812345678"], email="lin@example.com"
    )
    generate(sunshine)
    notes = Notification.objects.filter(recipient_resident=resident)
    assert sorted(notes.values_list("channel", "address")) == [
        ("email", "lin@example.com"),
        ("sms", "13812345678"),
    ]
    assert "632.88" in notes.first().subject


def _units(building, count, start=0):
    for i in range(start, start + count):
        unit = UnitFactory(building=building, number=f"{i:04d}", area_m2=D("80"))
        ResidentFactory(property=building.property, unit=unit, phones=[f"1390000{i:04d}"])


def test_each_batch_takes_the_same_number_of_queries(sunshine, fees, building):
    def queries_for(units_total):
        FeeNoticeLine.objects.all().delete()  # (test only: nothing is deleted otherwise)
        FeeNotice.objects.all().delete()
        BillingRun.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            run = generate(sunshine, batch_size=5)
        assert run.made == units_total
        return len(captured.captured_queries)

    _units(building, 5)
    one_batch = queries_for(5)
    _units(building, 5, start=5)
    two_batches = queries_for(10)
    _units(building, 10, start=10)
    four_batches = queries_for(20)
    per_batch = two_batches - one_batch
    assert per_batch <= 15
    assert four_batches - two_batches == 2 * per_batch


@pytest.mark.django_db(transaction=True)
def test_twenty_thousand_units_in_one_celery_job(broker, sunshine, fees):
    """The month's job on a real worker: 20,000 units in batches; run twice, no second notice."""
    from celery.contrib.testing.worker import start_worker

    from billing.tasks import notices_generate_task
    from frontdesk.celery import app
    from frontdesk.models import Building, Unit

    buildings = Building.objects.bulk_create(
        Building(property=sunshine, number=str(n)) for n in range(1, 21)
    )
    Unit.objects.bulk_create(
        Unit(building=b, floor=f, number=f"{f:02d}{n:02d}", area_m2=D("88.50"))
        for b in buildings
        for f in range(1, 51)
        for n in range(1, 21)
    )

    def finished_after(moment):
        return BillingRun.objects.filter(finished_at__gt=moment).exists()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        notices_generate_task.delay(sunshine.pk, NOV.isoformat())
        assert wait_for(lambda: finished_after(datetime.min.replace(tzinfo=UTC)), seconds=300)
        first = BillingRun.objects.get()
        notices_generate_task.delay(sunshine.pk, NOV.isoformat())
        assert wait_for(lambda: finished_after(first.finished_at), seconds=300)

    run = BillingRun.objects.get()
    assert (first.made, first.skipped) == (20000, 0)
    assert FeeNotice.objects.count() == 20000  # the second run made none
    assert (run.made, run.skipped) == (20000, 0)
    assert run.total == D("4425000.00")  # 20,000 × 88.50 m² × 2.50


def test_the_sweep_queues_the_month_once_on_the_billing_day(sunshine):
    sunshine.billing_day = 5
    sunshine.save()
    assert billing_due(now=datetime(2026, 11, 4, 15, 0, tzinfo=UTC)) == []  # 23:00 4th
    due = datetime(2026, 11, 4, 16, 0, tzinfo=UTC)  # 00:00 on the 5th in Shanghai
    assert billing_due(now=due) == [(sunshine.pk, NOV)]
    assert billing_due(now=due + timedelta(minutes=1)) == []
    # A run that stopped part-way is queued again after 15 minutes.
    assert billing_due(now=due + timedelta(minutes=20)) == [(sunshine.pk, NOV)]


# --- payments ---------------------------------------------------------------------------------------


@pytest.fixture
def owed(sunshine, billed_unit):
    generate(sunshine)
    return FeeNotice.objects.get(unit=billed_unit)


def pay(notice, by, amount, *, method="cash", received=None, key="", notices=None, **kwargs):
    return payment_take(
        unit=notice.unit,
        by=by,
        notices=notices if notices is not None else [notice],
        method=method,
        amount=D(amount),
        received=D(received) if received is not None else None,
        idempotency_key=key,
        **kwargs,
    )


def test_cash_is_said_aloud_total_received_change(owed, clerk):
    payment = pay(owed, clerk, "632.88", received="700")
    assert (payment.total_due, payment.amount, payment.received, payment.change) == (
        D("632.88"),
        D("632.88"),
        D("700.00"),
        D("67.12"),
    )
    assert re.fullmatch(r"SJ\d{10}", payment.number)
    owed.refresh_from_db()
    assert owed.paid == D("632.88") and owed.settled


def test_a_partial_payment_and_then_the_rest(owed, clerk):
    pay(owed, clerk, "300", received="300")
    owed.refresh_from_db()
    assert (owed.paid, owed.settled) == (D("300.00"), False)
    pay(owed, clerk, "332.88", method="wechat", reference="4200001234")
    owed.refresh_from_db()
    assert owed.settled and owed.allocations.count() == 2


def test_one_payment_covers_several_notices_oldest_first(sunshine, owed, clerk):
    generate(sunshine, DEC, T + timedelta(days=30))
    december = FeeNotice.objects.get(period=DEC)
    payment = pay(owed, clerk, "700", received="700", notices=[december, owed])
    owed.refresh_from_db()
    december.refresh_from_db()
    assert owed.settled
    assert december.paid == D("700.00") - D("632.88")
    assert payment.total_due == owed.total + december.total


def test_money_beyond_what_is_owed_stays_as_credit(owed, clerk):
    pay(owed, clerk, "1000", received="1000")
    owed.refresh_from_db()
    assert owed.paid == owed.total
    assert unit_credit(owed.unit) == D("367.12")


def test_a_double_submission_is_recorded_once(owed, clerk):
    first = pay(owed, clerk, "100", received="100", key="form-123")
    second = pay(owed, clerk, "100", received="100", key="form-123")
    assert first.pk == second.pk
    assert Payment.objects.count() == 1
    owed.refresh_from_db()
    assert owed.paid == D("100.00")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": "-5", "received": "10"}, "more than zero"),
        ({"amount": "0", "received": "10"}, "more than zero"),
        ({"amount": "632.88", "received": "600"}, "less than the amount paid"),
        ({"amount": "632.88"}, "cash received"),
        ({"amount": "100", "method": "alipay"}, "transaction reference"),
        ({"amount": "100", "method": "bitcoin"}, "how the payment is made"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(owed, clerk, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        pay(owed, clerk, **kwargs)
    owed.refresh_from_db()
    assert owed.paid == 0 and not Payment.objects.exists() and not Allocation.objects.exists()


def test_a_payment_covers_one_units_notices_only(sunshine, owed, clerk, building, fees):
    other = UnitFactory(building=building, number="0909", area_m2=D("50"))
    generate(sunshine, DEC, T + timedelta(days=30))
    theirs = FeeNotice.objects.get(unit=other)
    with pytest.raises(ValidationError, match="one unit"):
        pay(owed, clerk, "100", received="100", notices=[owed, theirs])
    assert not Payment.objects.exists()


# --- voids and refunds -------------------------------------------------------------------------------


def test_a_void_needs_a_supervisors_approval_and_leaves_both_records(owed, clerk, supervisor):
    payment = pay(owed, clerk, "632.88", received="632.88")
    with pytest.raises(ValidationError, match="reason"):
        adjustment_request(payment=payment, by=clerk, kind="void", reason=" ")
    request = adjustment_request(payment=payment, by=clerk, kind="void", reason="收错户")
    assert Notification.objects.filter(recipient_user=supervisor, subject__contains=payment.number)
    with pytest.raises(ValidationError, match="supervisor"):
        adjustment_decide(adjustment=request, by=clerk, approve=True)
    owed.refresh_from_db()
    assert owed.settled  # nothing happens before the approval

    adjustment_decide(adjustment=request, by=supervisor, approve=True)
    owed.refresh_from_db()
    payment.refresh_from_db()
    assert payment.voided and owed.paid == 0 and not owed.settled
    assert sorted(owed.allocations.values_list("amount", flat=True)) == [D("-632.88"), D("632.88")]


def test_a_refund_takes_credit_first_then_the_notice(owed, clerk, supervisor):
    payment = pay(owed, clerk, "700", received="700")  # 67.12 credit
    with pytest.raises(ValidationError, match="at most"):
        adjustment_request(payment=payment, by=clerk, kind="refund", reason="多收", amount=D("800"))
    request = adjustment_request(
        payment=payment, by=clerk, kind="refund", reason="多收", amount=D("100")
    )
    with pytest.raises(ValidationError, match="waiting"):
        adjustment_request(payment=payment, by=clerk, kind="void", reason="again")
    adjustment_decide(adjustment=request, by=supervisor, approve=True)
    owed.refresh_from_db()
    assert owed.paid == D("632.88") - D("32.88")
    assert unit_credit(owed.unit) == D("0.00")


def test_a_rejection_needs_a_note_and_changes_nothing(owed, clerk, supervisor):
    payment = pay(owed, clerk, "632.88", received="632.88")
    request = adjustment_request(payment=payment, by=clerk, kind="void", reason="x")
    with pytest.raises(ValidationError, match="why"):
        adjustment_decide(adjustment=request, by=supervisor, approve=False)
    adjustment_decide(adjustment=request, by=supervisor, approve=False, note="收款无误")
    payment.refresh_from_db()
    assert not payment.voided and payment.adjustments.get().status == "rejected"


# --- the collection rate -----------------------------------------------------------------------------


def test_the_collection_rate_of_a_month_equals_the_figure_by_hand(sunshine, fees, building, clerk):
    a = UnitFactory(building=building, number="0101", area_m2=D("100"))  # 250.00
    b = UnitFactory(building=building, number="0102", area_m2=D("60"))  # 150.00
    other = BuildingFactory(property=sunshine, number="3")
    c = UnitFactory(building=other, number="0101", area_m2=D("40"))  # 100.00
    generate(sunshine)
    notice = {n.unit_id: n for n in FeeNotice.objects.all()}
    pay(notice[a.pk], clerk, "250", received="250")
    pay(notice[b.pk], clerk, "50", received="50")
    pay(notice[c.pk], clerk, "500", received="500")  # 400.00 of it is credit

    # By hand: billed 250 + 150 + 100 = 500; collected for these notices 250 + 50 + 100 = 400.
    rate = queries.collection_rate(FeeNotice.objects.all(), NOV, NOV)
    assert (rate.billed, rate.collected, rate.rate) == (D("500.00"), D("400.00"), D("0.8000"))
    assert not rate.meets_target and rate.target == D("0.95")
    by_building = {
        row["key"]: row["rate"].rate
        for row in queries.collection_rate_by(FeeNotice.objects.all(), NOV, NOV, "unit__building")
    }
    assert by_building == {building.pk: D("0.7500"), other.pk: D("1.0000")}


# --- dunning ----------------------------------------------------------------------------------------


def test_dunning_takes_each_stage_once(sunshine, owed, clerk):
    DunningStage.objects.create(property=sunshine, step=1, kind="reminder", days_overdue=1)
    DunningStage.objects.create(property=sunshine, step=2, kind="phone", days_overdue=7)
    DunningStage.objects.create(property=sunshine, step=3, kind="letter", days_overdue=30)
    resident = ResidentFactory(property=sunshine, unit=owed.unit, phones=["13812345678"])
    # Due 16 November (local); the reminder goes out from the 17th.
    assert dunning_advance(now=datetime(2026, 11, 16, 12, 0, tzinfo=UTC)) == 0
    for hour in (0, 1, 5):
        dunning_advance(now=datetime(2026, 11, 17, hour, 0, tzinfo=UTC))
    assert list(owed.dunning.values_list("step", "kind")) == [(1, "reminder")]
    assert Notification.objects.filter(recipient_resident=resident, channel="sms").count() == 1

    for day in (23, 24, 25):
        dunning_advance(now=datetime(2026, 11, day, 2, 0, tzinfo=UTC))
    call = Callback.objects.get(kind="dunning")
    assert call.fee_notice == owed and "632.88" in call.question

    pay(owed, clerk, "632.88", received="632.88")
    dunning_advance(now=datetime(2026, 12, 31, 2, 0, tzinfo=UTC))
    assert owed.dunning.count() == 2  # settled: no formal letter


# --- move-out -----------------------------------------------------------------------------------------


def test_move_out_is_refused_while_anything_is_owed(sunshine, owed, clerk):
    resident = ResidentFactory(property=sunshine, unit=owed.unit)
    with pytest.raises(ValidationError, match="632.88 yuan is still owed on 1 fee notice\\."):
        resident_move_out(resident=resident, by=clerk, on=date(2026, 11, 30))
    resident.refresh_from_db()
    assert resident.moved_out_on is None

    pay(owed, clerk, "632.88", received="632.88")
    resident_move_out(resident=resident, by=clerk, on=date(2026, 11, 30))
    resident.refresh_from_db()
    assert resident.moved_out_on == date(2026, 11, 30)
    assert resident.events.filter(kind="moved_out").exists()


def test_only_the_desk_records_a_move_out(sunshine, billed_unit):
    resident = ResidentFactory(property=sunshine, unit=billed_unit)
    engineer = staff_at(sunshine, "engineer")
    with pytest.raises(ValidationError, match="desk"):
        resident_move_out(resident=resident, by=engineer, on=date(2026, 11, 30))


def test_nobody_approves_their_own_request(owed, clerk, supervisor):
    payment = pay(owed, clerk, "632.88", received="632.88")
    request = adjustment_request(payment=payment, by=supervisor, kind="void", reason="x")
    with pytest.raises(ValidationError, match="Another supervisor"):
        adjustment_decide(adjustment=request, by=supervisor, approve=True)
    payment.refresh_from_db()
    assert not payment.voided


def test_only_the_desk_or_finance_take_payments(sunshine, owed):
    engineer = staff_at(sunshine, "engineer")
    with pytest.raises(ValidationError, match="desk or finance"):
        pay(owed, engineer, "100", received="100")
    assert not Payment.objects.exists()


def test_a_used_form_key_is_not_a_payment_for_another_unit(sunshine, owed, clerk, building):
    pay(owed, clerk, "100", received="100", key="form-1")
    other = UnitFactory(building=building, number="0808", area_m2=D("10"))
    with pytest.raises(ValidationError, match="another unit"):
        payment_take(
            unit=other,
            by=clerk,
            notices=[],
            method="cash",
            amount=D("5"),
            received=D("5"),
            idempotency_key="form-1",
        )
    assert Payment.objects.count() == 1


def test_credit_pays_the_next_notice_when_applied(sunshine, owed, clerk):
    pay(owed, clerk, "1000", received="1000")  # 367.12 beyond the November notice
    generate(sunshine, DEC, T + timedelta(days=30))
    december = FeeNotice.objects.get(period=DEC)
    applied = credit_apply(unit=owed.unit, by=clerk)
    december.refresh_from_db()
    assert applied == min(D("367.12"), december.total) == december.paid
    assert unit_credit(owed.unit) == D("367.12") - applied
    with pytest.raises(ValidationError, match="no credit"):
        credit_apply(unit=owed.unit, by=clerk)
