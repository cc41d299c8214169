"""The front desk's repair order page, its actions and refusals, and the printed four-copy form."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import staff_at
from tests.factories import DepartmentFactory, PriceItemFactory, repair_completed, repair_received
from tests.helpers import kinds, text
from tickets.models import RepairOrder, RepairPayment, RepairPhoto
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

State = RepairOrder.State


@pytest.fixture
def tap(sunshine):
    return PriceItemFactory(property=sunshine, name="更换水龙头", price=Decimal("35.00"))


# --- the order page ----------------------------------------------------------------------------


def _finished_chargeable(property, *, clerk, engineer, department, item, lines, payments, photos):
    order = repair_received(property, by=clerk, chargeable=True)
    repairs.repair_quote(order=order, by=clerk, lines=[LineInput(item, Decimal("1"))] * lines)
    repairs.repair_agree(order=order, by=clerk, via="phone")
    repairs.repair_dispatch(order=order, by=clerk, department=department, engineer=engineer)
    repairs.repair_accept(order=order, by=engineer)
    repairs.repair_complete(
        order=order,
        by=engineer,
        cause="老化",
        work_done="更换",
        used=[LineInput(item, Decimal("2"))] * lines,
    )
    repairs.repair_sign_off(order=order, by=clerk, via="phone", signed_name="林晓峰")
    for _n in range(payments):
        repairs.repair_pay(order=order, by=clerk, amount=Decimal("1"), method="cash")
    for n in range(photos):
        RepairPhoto.objects.create(
            order=order,
            image=f"repairs/2026/11/p{n}.jpg",
            width=800,
            height=600,
            uploaded_at=order.received_at,
        )
    return order


def test_order_page_runs_a_fixed_number_of_queries_whatever_it_holds(
    desk, sunshine, clerk, engineer, engineering, tap
):
    kwargs = {"clerk": clerk, "engineer": engineer, "department": engineering, "item": tap}
    small = _finished_chargeable(sunshine, lines=1, payments=1, photos=1, **kwargs)
    big = _finished_chargeable(sunshine, lines=4, payments=3, photos=3, **kwargs)

    with CaptureQueriesContext(connection) as one:
        small_page = desk.get(reverse("repair_detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        big_page = desk.get(reverse("repair_detail", args=[big.pk]))

    assert small_page.status_code == big_page.status_code == 200
    assert len(one.captured_queries) == len(many.captured_queries)
    assert big_page.context["due"] == Decimal("277.00")  # 4 × 2 × 35 − 3
    assert text(big_page).count(f"/repairs/{big.pk}/photos/") == 6  # link + thumbnail each


def test_order_page_shows_fields_lines_payments_callback_timeline_and_actions(
    desk, sunshine, clerk, engineer, engineering, tap
):
    order = _finished_chargeable(
        sunshine,
        clerk=clerk,
        engineer=engineer,
        department=engineering,
        item=tap,
        lines=1,
        payments=1,
        photos=0,
    )

    response = desk.get(reverse("repair_detail", args=[order.pk]))

    page = text(response)
    for expected in (order.number, "厨房水龙头漏水", "更换水龙头", "70.00", "69.00", "林晓峰"):
        assert expected in page
    assert "Repair callback" in page and "Open" in page
    assert "Request received" in page and "Payment recorded" in page
    assert response.context["allowed"] == {"pay", "reopen"}  # signed off, 69 still owed
    assert reverse("repair_pay", args=[order.pk]) in page
    assert reverse("repair_close", args=[order.pk]) not in page


def _quote_post(item, quantity="2"):
    return {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-price_item": str(item.pk),
        "lines-0-quantity": quantity,
        "lines-1-price_item": "",
        "lines-1-quantity": "",
    }


def _post(client, name, order, data=None):
    return client.post(reverse(name, args=[order.pk]), data or {})


def test_every_desk_action_changes_the_state_and_adds_a_timeline_event(
    desk, sunshine, clerk, engineer, engineering, tap
):
    order = repair_received(sunshine, by=clerk, chargeable=True)

    def step(name, data, state, kind):
        response = _post(desk, name, order, data)
        assert response.status_code == 302, text(response)
        order.refresh_from_db()
        assert order.state == state
        assert kinds(order)[-1] == kind

    step("repair_quote", _quote_post(tap), State.AWAITING_AGREEMENT, "quoted")
    assert order.lines.get().amount == Decimal("70.00")
    step("repair_agree", {"via": "desk"}, State.RECEIVED, "agreed")
    assert (order.agreed_via, order.agreed_total) == ("desk", Decimal("70.00"))
    step(
        "repair_dispatch",
        {"department": engineering.pk, "engineer": engineer.pk},
        State.DISPATCHED,
        "dispatched",
    )
    assert order.engineer == engineer
    repairs.repair_accept(order=order, by=engineer)
    repairs.repair_complete(
        order=order, by=engineer, cause="老化", work_done="更换", used=[LineInput(tap, 1)]
    )
    step("repair_sign_off", {"signed_name": "林晓峰"}, State.COMPLETED, "signed_off")
    assert (order.signed_name, order.signed_via) == ("林晓峰", "phone")
    step(
        "repair_pay",
        {"amount": "35.00", "method": "wechat", "reference": "WX123"},
        State.COMPLETED,
        "paid",
    )
    assert RepairPayment.objects.get(order=order).reference == "WX123"
    step("repair_close", {"note": "归档"}, State.CLOSED, "closed")
    step("repair_reopen", {"reopen-reason": "又漏水了"}, State.REOPENED, "reopened")
    step("repair_cancel", {"cancel-reason": "业主自行处理"}, State.CANCELLED, "cancelled")
    assert order.cancel_reason == "业主自行处理"


def test_dispatch_sets_the_appointment_when_none_was_agreed_at_intake(
    desk, sunshine, clerk, engineering
):
    order = repair_received(sunshine, by=clerk, appointment_start=None, appointment_end=None)
    page = text(desk.get(reverse("repair_detail", args=[order.pk])))
    assert 'type="datetime-local"' in page

    response = _post(
        desk,
        "repair_dispatch",
        order,
        {
            "department": engineering.pk,
            "appointment_start": "2026-11-26T14:00",
            "appointment_end": "2026-11-26T16:00",
        },
    )

    order.refresh_from_db()
    assert response.status_code == 302
    assert order.state == State.DISPATCHED and order.engineer is None
    assert order.appointment_start == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def test_dispatching_a_chargeable_order_before_agreement_is_refused_and_changes_nothing(
    desk, sunshine, clerk, engineering
):
    order = repair_received(sunshine, by=clerk, chargeable=True)

    response = _post(desk, "repair_dispatch", order, {"department": engineering.pk})

    assert response.status_code == 400
    assert "The resident has not agreed to the price yet." in text(response)
    order.refresh_from_db()
    assert order.state == State.RECEIVED and order.department is None
    assert kinds(order) == ["received"]


def test_paying_more_than_is_due_is_refused_and_records_nothing(
    desk, sunshine, clerk, engineer, engineering, tap
):
    order = _finished_chargeable(
        sunshine,
        clerk=clerk,
        engineer=engineer,
        department=engineering,
        item=tap,
        lines=1,
        payments=0,
        photos=0,
    )
    events = kinds(order)

    response = _post(desk, "repair_pay", order, {"amount": "100", "method": "cash"})

    assert response.status_code == 400
    # (the service's amount is not quantized on SQLite: "70" there, "70.00" on PostgreSQL)
    assert re.search(r"Only 70(\.00)? yuan is owed on this order\.", text(response))
    assert not order.payments.exists()
    assert kinds(order) == events


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("repair_cancel", {"cancel-reason": ""}, "Give the reason for cancelling."),
        ("repair_agree", {"via": "phone"}, "there is no quote to agree to"),
        ("repair_close", {}, "it cannot be closed now"),
    ],
)
def test_refused_actions_show_the_message_and_leave_the_order_alone(
    desk, sunshine, clerk, name, data, message
):
    order = repair_received(sunshine, by=clerk)

    response = _post(desk, name, order, data)

    assert response.status_code == 400
    assert message in text(response)
    order.refresh_from_db()
    assert order.state == State.RECEIVED
    assert kinds(order) == ["received"]


def test_a_quote_without_items_gets_the_services_message(desk, sunshine, clerk, tap):
    order = repair_received(sunshine, by=clerk, chargeable=True)
    data = _quote_post(tap) | {"lines-0-price_item": "", "lines-0-quantity": ""}

    response = _post(desk, "repair_quote", order, data)

    assert response.status_code == 400
    assert "Add at least one item from the price list." in text(response)
    assert kinds(order) == ["received"]


def test_an_engineer_cannot_act_from_the_desk_page(client, sunshine, clerk, engineer):
    order = repair_received(sunshine, by=clerk)
    client.force_login(engineer)

    response = _post(client, "repair_cancel", order, {"cancel-reason": "不修了"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.state == State.RECEIVED


ORDER_URLS = [
    ("get", "repair_detail"),
    ("get", "repair_print"),
    ("post", "repair_quote"),
    ("post", "repair_agree"),
    ("post", "repair_dispatch"),
    ("post", "repair_cancel"),
    ("post", "repair_reopen"),
    ("post", "repair_pay"),
    ("post", "repair_sign_off"),
    ("post", "repair_close"),
]


@pytest.mark.parametrize(("method", "name"), ORDER_URLS)
def test_another_propertys_order_is_not_found_on_every_url(desk, elsewhere, method, name):
    order = repair_received(elsewhere, by=staff_at(elsewhere), chargeable=True)
    department = DepartmentFactory(property=elsewhere)

    response = getattr(desk, method)(
        reverse(name, args=[order.pk]),
        {"department": department.pk, "cancel-reason": "x", "via": "phone"},
    )

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == State.RECEIVED
    assert kinds(order) == ["received"]


# --- the printed form --------------------------------------------------------------------------


def test_print_page_has_four_a4_copies_with_the_number_and_the_sign_off(
    desk, sunshine, clerk, engineer, engineering
):
    order = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    repairs.repair_sign_off(order=order, by=clerk, via="phone", signed_name="林晓峰")

    response = desk.get(reverse("repair_print", args=[order.pk]))

    page = text(response)
    assert response.status_code == 200
    assert page.count('<section class="copy">') == 4
    assert "size: A4" in page and "page-break-after" in page
    for label in ("Front desk copy", "Engineering copy", "Finance copy", "Archive copy"):
        assert label in page
    assert page.count(order.number) >= 4
    assert page.count("阀芯老化") == 4 and page.count("林晓峰") == 4
