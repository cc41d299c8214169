"""The repair order's life: every step a service call with its timeline event; illegal
transitions refused with a clear message and no change."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.clock import at
from tests.factories import (
    PriceItemFactory,
    ResidentFactory,
    repair_completed,
    repair_received,
)
from tests.helpers import kinds
from tickets.models import RepairEvent, RepairLine, RepairOrder
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

State = RepairOrder.State


def test_order_numbers_are_the_local_day_and_a_daily_sequence(sunshine, clerk):
    with at(datetime(2026, 11, 24, 16, 30, tzinfo=UTC)):
        first = repair_received(sunshine, by=clerk)  # 00:30 on the 25th in Shanghai
        second = repair_received(sunshine, by=clerk)

    assert (first.number, second.number) == ("BX2611250001", "BX2611250002")
    assert first.state == State.RECEIVED
    assert kinds(first) == [RepairEvent.Kind.RECEIVED]


def test_chargeable_repair_is_quoted_agreed_dispatched_done_paid_and_closed(
    sunshine, clerk, engineer, engineering
):
    tap = PriceItemFactory(property=sunshine, name="更换水龙头", price=Decimal("35.00"))
    order = repair_received(sunshine, by=clerk, chargeable=True)

    order = repairs.repair_quote(order=order, by=clerk, lines=[LineInput(tap, Decimal("2"))])
    assert order.state == State.AWAITING_AGREEMENT
    order = repairs.repair_agree(order=order, by=clerk, via="phone")
    assert order.agreed_total == Decimal("70.00")
    order = repairs.repair_dispatch(order=order, by=clerk, department=engineering)
    order = repairs.repair_accept(order=order, by=engineer)
    assert order.engineer == engineer and order.accepted_at is not None
    order = repairs.repair_record_materials(
        order=order, by=engineer, materials="业主自购水龙头", inspection="合格"
    )
    order = repairs.repair_complete(
        order=order,
        by=engineer,
        cause="老化",
        work_done="更换",
        used=[LineInput(tap, Decimal("1"))],
    )
    order = repairs.repair_sign_off(order=order, by=clerk, via="phone", signed_name="林晓峰")
    assert repairs.amount_due(order) == Decimal("35.00")
    repairs.repair_pay(order=order, by=clerk, amount=Decimal("35"), method="cash")
    order = repairs.repair_close(order=order, by=clerk)

    assert order.state == State.CLOSED
    assert kinds(order) == [
        "received",
        "quoted",
        "agreed",
        "dispatched",
        "accepted",
        "materials",
        "completed",
        "signed_off",
        "paid",
        "closed",
    ]
    assert order.callbacks.get().status == "open"
    assert order.lines.get(stage=RepairLine.Stage.USED).amount == Decimal("35.00")


@pytest.mark.parametrize(
    ("arrange", "act", "message"),
    [
        (
            lambda o, c, e, d: None,
            lambda o, c, e, d: repairs.repair_accept(order=o, by=e),
            "cannot be accepted now",
        ),
        (
            lambda o, c, e, d: None,
            lambda o, c, e, d: repairs.repair_close(order=o, by=c),
            "cannot be closed now",
        ),
        (
            lambda o, c, e, d: repairs.repair_cancel(order=o, by=c, reason="业主取消"),
            lambda o, c, e, d: repairs.repair_dispatch(order=o, by=c, department=d),
            "cannot be dispatched now",
        ),
        (
            lambda o, c, e, d: None,
            lambda o, c, e, d: repairs.repair_cancel(order=o, by=c, reason=" "),
            "reason for cancelling",
        ),
        (
            lambda o, c, e, d: None,
            lambda o, c, e, d: repairs.repair_reopen(order=o, by=c, reason="x"),
            "cannot be reopened now",
        ),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    sunshine, clerk, engineer, engineering, arrange, act, message
):
    order = repair_received(sunshine, by=clerk)
    arrange(order, clerk, engineer, engineering)
    before = RepairOrder.objects.get(pk=order.pk)

    with pytest.raises(ValidationError, match=message):
        act(RepairOrder.objects.get(pk=order.pk), clerk, engineer, engineering)

    after = RepairOrder.objects.get(pk=order.pk)
    assert after.state == before.state
    assert after.events.count() == before.events.count()


def test_chargeable_order_is_not_dispatched_before_the_resident_agrees(
    sunshine, clerk, engineering
):
    tap = PriceItemFactory(property=sunshine)
    unquoted = repair_received(sunshine, by=clerk, chargeable=True)
    quoted = repair_received(sunshine, by=clerk, chargeable=True)
    repairs.repair_quote(order=quoted, by=clerk, lines=[LineInput(tap, Decimal("1"))])

    with pytest.raises(ValidationError, match="not agreed"):
        repairs.repair_dispatch(order=unquoted, by=clerk, department=engineering)
    with pytest.raises(ValidationError, match="Awaiting agreement: it cannot be dispatched"):
        repairs.repair_dispatch(order=quoted, by=clerk, department=engineering)

    assert not RepairOrder.objects.filter(state=State.DISPATCHED).exists()


def test_no_dispatch_without_an_appointment(sunshine, clerk, engineering):
    order = repair_received(sunshine, by=clerk, appointment_start=None, appointment_end=None)

    with pytest.raises(ValidationError, match="no visit without an appointment"):
        repairs.repair_dispatch(order=order, by=clerk, department=engineering)

    assert RepairOrder.objects.get(pk=order.pk).state == State.RECEIVED


def test_public_area_repairs_are_never_charged(sunshine, clerk):
    with pytest.raises(ValidationError, match="never charged"):
        repair_received(
            sunshine, by=clerk, is_public_area=True, location="3号楼大堂", chargeable=True
        )
    order = repair_received(sunshine, by=clerk, is_public_area=True, location="3号楼大堂")
    tap = PriceItemFactory(property=sunshine)

    with pytest.raises(ValidationError, match="never charged"):
        repairs.repair_quote(order=order, by=clerk, lines=[LineInput(tap, Decimal("1"))])

    assert not RepairOrder.objects.filter(chargeable=True).exists()


def test_a_unit_of_another_property_is_refused(sunshine, elsewhere, clerk):
    foreign = ResidentFactory(property=elsewhere)

    with pytest.raises(ValidationError, match="another property"):
        repair_received(sunshine, by=clerk, unit=foreign.units.first())

    assert not RepairOrder.objects.exists()


def test_payment_never_exceeds_what_is_owed(sunshine, clerk, engineer):
    order = repair_completed(sunshine, clerk=clerk, engineer=engineer)

    with pytest.raises(ValidationError, match="Only 0.00 yuan is owed"):
        repairs.repair_pay(order=order, by=clerk, amount=Decimal("10"), method="cash")

    assert not order.payments.exists()


def test_another_engineer_cannot_accept_an_assigned_order(sunshine, clerk, engineer, engineering):
    from tests.conftest import staff_at

    other = staff_at(sunshine, "engineer", username="other-eng")
    order = repair_received(sunshine, by=clerk)
    order = repairs.repair_dispatch(
        order=order, by=clerk, department=engineering, engineer=engineer
    )

    with pytest.raises(ValidationError, match="another engineer"):
        repairs.repair_accept(order=order, by=other)


def test_money_rounds_half_up_to_the_cent():
    assert repairs.money(Decimal("0.125")) == Decimal("0.13")
    assert repairs.money(Decimal("2.675")) == Decimal("2.68")
    assert repairs.money(Decimal("1.004")) == Decimal("1.00")


def test_reopening_cancels_the_open_callback(sunshine, clerk, engineer):
    order = repair_completed(sunshine, clerk=clerk, engineer=engineer)

    order = repairs.repair_reopen(order=order, by=clerk, reason="又漏水了")

    assert order.state == State.REOPENED
    assert order.callbacks.get().status == "cancelled"
