"""The fees API's payments: taken by the desk and finance only, once per key; who reads them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Allocation, FeeNotice, Payment
from billing.payments import unit_credit
from tests.billing.conftest import D, ids, make_notice, pay
from tests.conftest import staff_at
from tests.factories import ResidentFactory

PAYMENTS = "payment-list"


@pytest.fixture
def lin_fields(units):
    return {"unit": units["2-1503"]}


@pytest.fixture
def lin_account():
    """An account with no name."""
    return {"username": "lin", "first_name": ""}


# --- payments: taking one ----------------------------------------------------------------------------


def payment_body(for_unit, paid_notices, **overrides):
    body = {
        "unit": for_unit.pk,
        "notices": [n.pk for n in paid_notices],
        "method": "cash",
        "amount": "620.00",
        "received": "700.00",
        "idempotency_key": "form-7f3a",
    }
    body.update(overrides)
    return body


def post_payment(client, body):
    return client.post(
        reverse(PAYMENTS), body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_desk_takes_a_cash_payment_applied_oldest_first(clerk_client, clerk, units, notices):
    response = post_payment(
        clerk_client, payment_body(units["2-1503"], [notices["nov"], notices["oct"]])
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    payment = Payment.objects.get()
    assert body["id"] == payment.pk and body["number"] == payment.number
    assert payment.number.startswith("SJ")
    assert (body["total_due"], body["amount"], body["received"], body["change"]) == (
        "620.00",
        "620.00",
        "700.00",
        "80.00",
    )
    assert (body["method"], body["unit_label"], payment.received_by) == ("cash", "2-1503", clerk)
    assert [(a["notice_number"], a["amount"]) for a in body["allocations"]] == [
        ("202610-2-1503", "300.00"),
        ("202611-2-1503", "320.00"),
    ]
    notices["oct"].refresh_from_db()
    notices["nov"].refresh_from_db()
    assert notices["oct"].settled and notices["nov"].settled


def test_the_same_idempotency_key_returns_the_same_payment_with_200(clerk_client, units, notices):
    body = payment_body(units["2-1503"], [notices["oct"]], amount="300.00", received="300.00")

    first = post_payment(clerk_client, body)
    again = post_payment(clerk_client, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    notices["oct"].refresh_from_db()
    assert notices["oct"].paid == D("300.00")


def test_a_key_used_for_another_unit_is_refused(clerk_client, units, notices):
    post_payment(clerk_client, payment_body(units["2-1503"], [notices["oct"]], amount="300.00"))

    response = post_payment(
        clerk_client, payment_body(units["2-1504"], [notices["neighbour"]], amount="280.00")
    )

    assert response.status_code == 400
    assert response.json() == {
        "idempotency_key": ["This key was already used for another payment."]
    }
    assert Payment.objects.count() == 1
    notices["neighbour"].refresh_from_db()
    assert notices["neighbour"].paid == 0


def test_what_is_not_owed_stays_as_credit(clerk_client, units, notices):
    response = post_payment(
        clerk_client,
        payment_body(
            units["2-1503"], [notices["oct"]], method="wechat", amount="350.00", reference="WX-88"
        ),
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["received"], body["change"], body["reference"]) == ("350.00", "0.00", "WX-88")
    assert [a["amount"] for a in body["allocations"]] == ["300.00"]
    assert unit_credit(units["2-1503"]) == D("50.00")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"method": "wechat", "reference": ""}, "detail", "Enter the transaction reference"),
        ({"received": "100.00"}, "detail", "is less than the amount paid"),
        ({"received": None}, "detail", "Enter the cash received."),
        ({"amount": "0"}, "detail", "must be more than zero"),
        ({"amount": "1.234"}, "amount", "decimal places"),
        ({"method": "cheque"}, "method", "not a valid choice"),
        ({"unit": 999999}, "unit", "Not found."),
        ({"notices": [999999]}, "notices", "Not found: 999999."),
    ],
)
def test_bad_payments_are_refused_with_the_reason_and_change_nothing(
    clerk_client, units, notices, change, field, message
):
    response = post_payment(clerk_client, payment_body(units["2-1503"], [notices["oct"]], **change))

    assert response.status_code == 400
    assert message in " ".join(str(m) for m in response.json()[field])
    assert not Payment.objects.exists()
    assert not FeeNotice.objects.filter(paid__gt=0).exists()


def test_a_notice_of_another_unit_is_refused_by_the_service(clerk_client, units, notices):
    response = post_payment(
        clerk_client, payment_body(units["2-1503"], [notices["oct"], notices["neighbour"]])
    )

    assert response.status_code == 400
    assert response.json() == {"detail": ["A payment covers notices of one unit only."]}
    assert not Payment.objects.exists()


def test_another_propertys_unit_or_notice_is_not_found(clerk_client, there, units, notices):
    foreign_unit = post_payment(
        clerk_client, payment_body(there, [notices["there"]], amount="500.00")
    )
    foreign_notice = post_payment(
        clerk_client, payment_body(units["2-1503"], [notices["there"]], amount="500.00")
    )

    assert foreign_unit.status_code == 400 and foreign_unit.json() == {"unit": ["Not found."]}
    assert foreign_notice.status_code == 400
    assert foreign_notice.json() == {"notices": [f"Not found: {notices['there'].pk}."]}
    assert not Payment.objects.exists()


def test_a_resident_never_creates_a_payment(client, lin, units, notices):
    client.force_login(lin.user)

    response = post_payment(client, payment_body(units["2-1503"], [notices["oct"]]))

    assert response.status_code == 403
    assert not Payment.objects.exists()


@pytest.mark.parametrize("role", ["engineer", "department_manager"])
def test_only_cashiers_take_payments(client, sunshine, units, notices, role):
    client.force_login(staff_at(sunshine, role, username=role))

    response = post_payment(client, payment_body(units["2-1503"], [notices["oct"]]))

    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_finance_at_the_property_takes_payments(client, sunshine, units, notices):
    client.force_login(staff_at(sunshine, "finance", username="finance"))

    response = post_payment(
        client, payment_body(units["2-1503"], [notices["oct"]], amount="300.00")
    )

    assert response.status_code == 201
    assert Payment.objects.get().amount == D("300.00")


def test_a_cashier_elsewhere_is_not_a_cashier_here(client, sunshine, elsewhere, units, notices):
    user = staff_at(sunshine, "engineer", username="both")
    staff_at(elsewhere, "finance", username="both")
    client.force_login(user)

    response = post_payment(client, payment_body(units["2-1503"], [notices["oct"]]))

    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_the_payer_must_live_in_the_unit(clerk_client, sunshine, lin, units, notices):
    other = ResidentFactory(property=sunshine, unit=units["2-1504"])

    refused = post_payment(
        clerk_client, payment_body(units["2-1503"], [notices["oct"]], resident=other.pk)
    )
    taken = post_payment(
        clerk_client, payment_body(units["2-1503"], [notices["oct"]], resident=lin.pk)
    )

    assert refused.status_code == 400 and refused.json() == {"resident": ["Not found."]}
    assert taken.status_code == 201 and taken.json()["resident"] == lin.pk


# --- payments: reading them --------------------------------------------------------------------------


@pytest.fixture
def payments(clerk, elsewhere, units, there, notices):
    cashier_there = staff_at(elsewhere, "clerk", username="there")
    return {
        "lin": pay(units["2-1503"], clerk, [notices["oct"]], "300.00", received="400.00"),
        "neighbour": pay(units["2-1504"], clerk, [notices["neighbour"]], "280.00"),
        "there": pay(there, cashier_there, [notices["there"]], "500.00"),
    }


def test_staff_list_their_propertys_payments(clerk_client, payments):
    assert ids(clerk_client.get(reverse(PAYMENTS))) == [
        payments["neighbour"].pk,
        payments["lin"].pk,
    ]
    assert ids(clerk_client.get(reverse(PAYMENTS), {"number": payments["lin"].number})) == [
        payments["lin"].pk
    ]
    foreign = clerk_client.get(reverse("payment-detail", args=[payments["there"].pk]))
    assert foreign.status_code == 404


def test_a_resident_reads_their_own_payments_and_receipts(client, lin, payments):
    client.force_login(lin.user)

    listed = ids(client.get(reverse(PAYMENTS)))
    own = client.get(reverse("payment-detail", args=[payments["lin"].pk])).json()
    neighbours = client.get(reverse("payment-detail", args=[payments["neighbour"].pk]))

    assert listed == [payments["lin"].pk]
    assert (own["total_due"], own["received"], own["change"]) == ("300.00", "400.00", "100.00")
    assert [a["notice_number"] for a in own["allocations"]] == ["202610-2-1503"]
    assert neighbours.status_code == 404


def test_the_payment_list_and_detail_run_a_fixed_number_of_queries(
    clerk_client, clerk, units, django_assert_num_queries
):
    first = make_notice(units["2-1503"], date(2026, 1, 1), "100.00")
    small = pay(units["2-1503"], clerk, [first], "100.00")
    clerk_client.get(reverse(PAYMENTS))
    with CaptureQueriesContext(connection) as listed_one:
        assert len(ids(clerk_client.get(reverse(PAYMENTS)))) == 1
    with CaptureQueriesContext(connection) as detail_one:
        clerk_client.get(reverse("payment-detail", args=[small.pk]))
    many = [make_notice(units["2-1504"], date(2026, m, 1), "10.00") for m in range(1, 6)]
    big = pay(units["2-1504"], clerk, many, "50.00")
    for _ in range(3):
        pay(units["3-0101"], clerk, [], "5.00")

    with django_assert_num_queries(len(listed_one.captured_queries)):
        assert len(ids(clerk_client.get(reverse(PAYMENTS)))) == 5
    with django_assert_num_queries(len(detail_one.captured_queries)):
        body = clerk_client.get(reverse("payment-detail", args=[big.pk])).json()
    assert len(body["allocations"]) == 5
