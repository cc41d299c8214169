"""A repair payment is recorded once per idempotency key, as a fee payment is: the desk's form
sent twice (a double click, the back button) or an API call repeated records one payment and
answers with it; the same key for another order, amount or method is refused; two processes
sending the same key at once on PostgreSQL record it once."""

import multiprocessing
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse

from tests.clock import at
from tests.factories import PriceItemFactory, repair_received
from tickets.models import RepairEvent, RepairPayment
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REUSED = "This payment key was already used for another order, amount or method"


def at_the_desk():
    return at(NOW)


@pytest.fixture
def owing(sunshine, clerk, engineer, engineering):
    """A way to make a finished chargeable repair on which 35.00 yuan is owed."""
    tap = PriceItemFactory(property=sunshine, name="更换水龙头", price=Decimal("35.00"))

    def make():
        order = repair_received(sunshine, by=clerk, chargeable=True)
        repairs.repair_quote(order=order, by=clerk, lines=[LineInput(tap, Decimal("1"))])
        repairs.repair_agree(order=order, by=clerk, via="phone")
        repairs.repair_dispatch(order=order, by=clerk, department=engineering, engineer=engineer)
        repairs.repair_accept(order=order, by=engineer)
        return repairs.repair_complete(
            order=order,
            by=engineer,
            cause="阀芯老化",
            work_done="更换水龙头",
            used=[LineInput(tap, Decimal("1"))],
        )

    return make


def paid_events(order) -> int:
    return order.events.filter(kind=RepairEvent.Kind.PAID).count()


def detail_url(order) -> str:
    return reverse("repair_detail", args=[order.pk])


def pay_url(order) -> str:
    return reverse("repair_pay", args=[order.pk])


def form_key(client, order) -> str:
    """The idempotency key of the payment form the order page shows now."""
    page = client.get(detail_url(order)).content.decode()
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)[1]


def pay_api(client, order, **body):
    return client.post(
        reverse("repair-pay", args=[order.pk]),
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


# --- the desk's page ----------------------------------------------------------------------------


def test_the_pay_form_sent_twice_records_one_payment_and_shows_the_same_page(desk, owing):
    with at_the_desk():
        order = owing()
        key = form_key(desk, order)
        form = {"amount": "35.00", "method": "cash", "idempotency_key": key}
        first = desk.post(pay_url(order), form)
        again = desk.post(pay_url(order), form)  # the double click
        shown = desk.get(again["Location"]).content.decode()

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == detail_url(order)
    payment = RepairPayment.objects.get(order=order)
    assert (payment.amount, payment.idempotency_key, payment.received_at) == (
        Decimal("35.00"),
        key,
        NOW,
    )
    assert paid_events(order) == 1
    assert repairs.amount_due(order) == 0
    assert "Payment recorded." in shown


def test_the_back_button_resending_a_part_payment_records_it_once(desk, owing):
    with at_the_desk():
        order = owing()
        first_key = form_key(desk, order)
        part = {"amount": "10.00", "method": "cash"}
        desk.post(pay_url(order), {**part, "idempotency_key": first_key})
        second_key = form_key(desk, order)  # the page after the redirect: a new form
        desk.post(pay_url(order), {**part, "idempotency_key": second_key})
        resent = desk.post(pay_url(order), {**part, "idempotency_key": first_key})

    assert second_key != first_key
    assert resent.status_code == 302
    assert sorted(order.payments.values_list("idempotency_key", flat=True)) == sorted(
        [first_key, second_key]
    )
    assert paid_events(order) == 2
    assert repairs.amount_due(order) == Decimal("15.00")


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", REUSED), ("zh-hans", "此幂等键已用于另一笔付款（订单、金额或付款方式不同）")],
)
@pytest.mark.parametrize("changed", [{"amount": "20.00"}, {"method": "wechat", "reference": "WX1"}])
def test_the_same_form_key_for_another_payment_is_refused_in_the_desks_language(
    desk, owing, language, message, changed
):
    with at_the_desk():
        order = owing()
        form = {"amount": "10.00", "method": "cash", "idempotency_key": form_key(desk, order)}
        desk.post(pay_url(order), form)
        desk.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        refused = desk.post(pay_url(order), {**form, **changed})

    assert refused.status_code == 400
    assert message in refused.content.decode()
    assert list(order.payments.values_list("amount", "method")) == [(Decimal("10.00"), "cash")]
    assert paid_events(order) == 1


# --- the API ------------------------------------------------------------------------------------


def test_the_api_sent_the_same_key_twice_records_one_payment_and_answers_with_it(
    client, clerk, owing
):
    client.force_login(clerk)
    with at_the_desk():
        order = owing()
        body = {"amount": "35.00", "method": "wechat", "reference": "WX42", "idempotency_key": "k1"}
        first = pay_api(client, order, **body)
        again = pay_api(client, order, **body)

    assert first.status_code == again.status_code == 200, again.json()
    assert again.json()["payment"] == first.json()["payment"]
    payment = RepairPayment.objects.get(order=order)
    assert first.json()["payment"]["id"] == payment.pk
    assert (payment.idempotency_key, payment.reference) == ("k1", "WX42")
    assert [e["kind"] for e in again.json()["events"]].count("paid") == 1
    assert repairs.amount_due(order) == 0


def test_the_api_refuses_a_key_already_used_for_another_order_or_amount(client, clerk, owing):
    client.force_login(clerk)
    with at_the_desk():
        order, other = owing(), owing()
        pay_api(client, order, amount="10.00", method="cash", idempotency_key="k1")
        other_amount = pay_api(client, order, amount="11.00", method="cash", idempotency_key="k1")
        other_order = pay_api(client, other, amount="10.00", method="cash", idempotency_key="k1")

    for refused in (other_amount, other_order):
        assert refused.status_code == 400
        assert refused.json()["idempotency_key"][0].startswith(REUSED)
    assert RepairPayment.objects.get().order == order
    assert paid_events(order) == 1 and paid_events(other) == 0


# --- the unique key: the last guard when the order lock cannot serialise ------------------------


def key_not_seen_yet(monkeypatch):
    """The next look for the key finds nothing, as when another process records the same key
    between the look and the insert: the unique key then decides."""
    look = repairs._paid_before
    looks = []

    def late(*args):
        looks.append(args)
        return None if len(looks) == 1 else look(*args)

    monkeypatch.setattr(repairs, "_paid_before", late)


def test_a_key_recorded_just_before_the_insert_returns_that_payment(clerk, owing, monkeypatch):
    with at_the_desk():
        order = owing()
        first = repairs.repair_pay(
            order=order, by=clerk, amount=Decimal("10"), method="cash", idempotency_key="k1"
        )
        key_not_seen_yet(monkeypatch)
        again = repairs.repair_pay(
            order=order, by=clerk, amount=Decimal("10"), method="cash", idempotency_key="k1"
        )

    assert again == first
    assert RepairPayment.objects.count() == 1
    assert paid_events(order) == 1  # the loser's event went with its savepoint


def test_a_key_recorded_just_before_for_another_order_is_refused(clerk, owing, monkeypatch):
    with at_the_desk():
        order, other = owing(), owing()
        repairs.repair_pay(
            order=order, by=clerk, amount=Decimal("10"), method="cash", idempotency_key="k1"
        )
        key_not_seen_yet(monkeypatch)
        with pytest.raises(ValidationError) as refused:
            repairs.repair_pay(
                order=other, by=clerk, amount=Decimal("10"), method="cash", idempotency_key="k1"
            )

    assert refused.value.message_dict["idempotency_key"][0].startswith(REUSED)
    assert not other.payments.exists() and paid_events(other) == 0


# --- two processes at once, on PostgreSQL -------------------------------------------------------

ROUNDS = 5


def send_the_same_payment(barrier, results, order_ids, user_id, via):
    connections.close_all()  # never share the parent's socket
    from django.test import Client

    from frontdesk.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(pk=user_id))
    answers = []
    for order_id in order_ids:
        key = f"same-{order_id}"
        barrier.wait(timeout=30)  # both press "record the payment" together
        with at(NOW):
            if via == "page":
                response = client.post(
                    reverse("repair_pay", args=[order_id]),
                    {"amount": "35.00", "method": "cash", "idempotency_key": key},
                )
                answers.append((order_id, response.status_code, response.get("Location")))
            else:
                response = client.post(
                    reverse("repair-pay", args=[order_id]),
                    {"amount": "35.00", "method": "cash", "idempotency_key": key},
                    content_type="application/json",
                )
                paid = response.json().get("payment") or {}
                answers.append((order_id, response.status_code, paid.get("id")))
    connections.close_all()
    results.put(answers)


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.django_db(transaction=True)
def test_two_processes_sending_the_same_key_at_once_record_one_payment(postgres, clerk, owing, via):
    with at_the_desk():
        orders = [owing() for _ in range(ROUNDS)]
    connections.close_all()

    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    order_ids = [o.pk for o in orders]
    workers = [
        ctx.Process(target=send_the_same_payment, args=(barrier, results, order_ids, clerk.pk, via))
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    answers = results.get(timeout=120) + results.get(timeout=120)
    for w in workers:
        w.join(timeout=30)

    assert [w.exitcode for w in workers] == [0, 0]
    for order in orders:
        mine = [answer[1:] for answer in answers if answer[0] == order.pk]
        payment = RepairPayment.objects.get(order=order)  # exactly one
        expected = (302, detail_url(order)) if via == "page" else (200, payment.pk)
        assert mine == [expected, expected]
        assert (payment.amount, payment.idempotency_key) == (Decimal("35.00"), f"same-{order.pk}")
        assert sum(p.amount for p in order.payments.all()) == Decimal("35.00")
        assert paid_events(order) == 1
        assert repairs.amount_due(order) == 0
