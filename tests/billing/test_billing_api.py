"""The fees API: notices and payments scoped to what the caller may see (another property's is
404), payments taken only by the desk and finance at the unit's property, once per
idempotency key; the collection rate with its breakdown; fixed query counts; a valid schema."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Allocation, FeeNotice, FeeNoticeLine, Payment
from billing.payments import payment_take, unit_credit
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

D = Decimal
T = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
NOTICES, PAYMENTS, RATE = "fee-notice-list", "payment-list", "collection-rate-list"


def make_notice(unit, period, total, *, lines=1, kind="monthly", number=None, due=None):
    notice = FeeNotice.objects.create(
        property=unit.building.property,
        unit=unit,
        kind=kind,
        period=period,
        number=number or f"{period:%Y%m}-{unit.label}",
        issued_at=T,
        due_date=due or period.replace(day=16),
        total=D(total),
        arrears_before=D("0"),
    )
    share = D(total) / lines
    for i in range(lines):
        FeeNoticeLine.objects.create(
            notice=notice,
            description=f"物业管理费 {i}",
            quantity=1,
            unit_price=share,
            amount=share,
        )
    return notice


def pay(unit, by, notices, amount, *, method="cash", received=None, key=""):
    return payment_take(
        unit=unit,
        by=by,
        notices=notices,
        method=method,
        amount=D(amount),
        received=D(received if received is not None else amount),
        reference="" if method == "cash" else "WX-1",
        idempotency_key=key,
    )


@pytest.fixture
def units(sunshine):
    two = BuildingFactory(property=sunshine, number="2")
    three = BuildingFactory(property=sunshine, number="3")
    return {
        "2-1503": UnitFactory(building=two, number="1503"),
        "2-1504": UnitFactory(building=two, number="1504"),
        "3-0101": UnitFactory(building=three, number="0101"),
    }


@pytest.fixture
def there(elsewhere):
    return UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0901")


@pytest.fixture
def lin_fields(units):
    return {"unit": units["2-1503"]}


@pytest.fixture
def lin_account():
    """An account with no name."""
    return {"username": "lin", "first_name": ""}


@pytest.fixture
def notices(units, there):
    return {
        "oct": make_notice(units["2-1503"], date(2026, 10, 1), "300.00", lines=2),
        "nov": make_notice(units["2-1503"], date(2026, 11, 1), "320.00"),
        "neighbour": make_notice(units["2-1504"], date(2026, 11, 1), "280.00"),
        "opening": make_notice(
            units["3-0101"],
            date(2026, 9, 30),
            "1000.00",
            kind="opening",
            number="OB-3-0101-20260930",
            due=date(2026, 9, 30),
        ),
        "there": make_notice(there, date(2026, 11, 1), "500.00"),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- fee notices -------------------------------------------------------------------------------------


def test_staff_see_their_propertys_notices_newest_period_first(clerk_client, notices):
    listed = clerk_client.get(reverse(NOTICES)).json()["results"]

    assert [n["number"] for n in listed] == [
        "202611-2-1504",
        "202611-2-1503",
        "202610-2-1503",
        "OB-3-0101-20260930",
    ]
    nov = next(n for n in listed if n["number"] == "202611-2-1503")
    assert nov["unit_label"] == "2-1503" and nov["kind"] == "monthly"
    assert (nov["total"], nov["paid"], nov["outstanding"], nov["settled"]) == (
        "320.00",
        "0.00",
        "320.00",
        False,
    )
    assert "lines" not in nov


def test_notice_filters(clerk_client, sunshine, units, notices, clerk):
    pay(units["2-1503"], clerk, [notices["oct"]], "300.00")
    url = reverse(NOTICES)

    assert ids(clerk_client.get(url, {"period": "2026-10"})) == [notices["oct"].pk]
    assert ids(clerk_client.get(url, {"period": "2026-09"})) == [notices["opening"].pk]
    assert ids(clerk_client.get(url, {"unit": units["2-1504"].pk})) == [notices["neighbour"].pk]
    assert ids(clerk_client.get(url, {"settled": "true"})) == [notices["oct"].pk]
    assert ids(clerk_client.get(url, {"kind": "opening"})) == [notices["opening"].pk]
    assert len(ids(clerk_client.get(url, {"property": sunshine.pk}))) == 4
    assert ids(clerk_client.get(url, {"property": notices["there"].property_id})) == []
    bad = clerk_client.get(url, {"period": "2026-11-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert bad.json() == {"period": ["Enter a month as YYYY-MM."]}


def test_the_detail_has_the_lines_and_the_payments(clerk_client, clerk, units, notices):
    payment = pay(units["2-1503"], clerk, [notices["oct"]], "100.00")

    body = clerk_client.get(reverse("fee-notice-detail", args=[notices["oct"].pk])).json()

    assert [(line["description"], line["amount"]) for line in body["lines"]] == [
        ("物业管理费 0", "150.00"),
        ("物业管理费 1", "150.00"),
    ]
    assert body["payments"] == [
        {
            "payment": payment.pk,
            "receipt": payment.number,
            "amount": "100.00",
            "at": body["payments"][0]["at"],
        }
    ]
    assert (body["paid"], body["outstanding"]) == ("100.00", "200.00")


def test_another_propertys_notice_is_not_found(clerk_client, notices):
    response = clerk_client.get(reverse("fee-notice-detail", args=[notices["there"].pk]))

    assert response.status_code == 404
    assert notices["there"].pk not in ids(clerk_client.get(reverse(NOTICES)))


def test_a_resident_reads_only_their_own_notices(client, lin, notices):
    client.force_login(lin.user)

    listed = ids(client.get(reverse(NOTICES)))
    own = client.get(reverse("fee-notice-detail", args=[notices["nov"].pk]))
    neighbours = client.get(reverse("fee-notice-detail", args=[notices["neighbour"].pk]))

    assert listed == [notices["nov"].pk, notices["oct"].pk]
    assert own.status_code == 200 and own.json()["number"] == "202611-2-1503"
    assert neighbours.status_code == 404


def test_the_notice_list_runs_a_fixed_number_of_queries(
    clerk_client, units, django_assert_num_queries
):
    make_notice(units["2-1503"], date(2026, 1, 1), "10.00")
    clerk_client.get(reverse(NOTICES))  # warm-up
    with CaptureQueriesContext(connection) as one:
        assert len(ids(clerk_client.get(reverse(NOTICES)))) == 1
    for month in range(2, 6):
        unit = units["3-0101"] if month % 2 else units["2-1504"]
        make_notice(unit, date(2026, month, 1), "10.00")

    with django_assert_num_queries(len(one.captured_queries)):
        assert len(ids(clerk_client.get(reverse(NOTICES)))) == 5


def test_the_notice_detail_runs_a_fixed_number_of_queries(
    clerk_client, clerk, units, django_assert_num_queries
):
    small = make_notice(units["2-1503"], date(2026, 10, 1), "100.00", lines=1)
    pay(units["2-1503"], clerk, [small], "10.00")
    big = make_notice(units["2-1504"], date(2026, 10, 1), "500.00", lines=5)
    for _ in range(5):
        pay(units["2-1504"], clerk, [big], "10.00")
    clerk_client.get(reverse("fee-notice-detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as one:
        clerk_client.get(reverse("fee-notice-detail", args=[small.pk]))

    with django_assert_num_queries(len(one.captured_queries)):
        body = clerk_client.get(reverse("fee-notice-detail", args=[big.pk])).json()
    assert len(body["lines"]) == 5 and len(body["payments"]) == 5


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


# --- the collection rate -----------------------------------------------------------------------------


@pytest.fixture
def billed(clerk, units, notices):
    """October: 300 billed, 300 paid. November: 320 + 280 billed, 100 paid."""
    pay(units["2-1503"], clerk, [notices["oct"]], "300.00")
    pay(units["2-1504"], clerk, [notices["neighbour"]], "100.00")
    pay(units["3-0101"], clerk, [notices["opening"]], "1000.00")  # not in the rate
    return notices


def test_the_collection_rate_by_month(clerk_client, sunshine, billed):
    response = clerk_client.get(
        reverse(RATE), {"property": sunshine.pk, "from": "2026-10", "to": "2026-11"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "property": sunshine.pk,
        "from": "2026-10",
        "to": "2026-11",
        "by": "period",
        "billed": "900.00",
        "collected": "400.00",
        "notices": 3,
        "rate": "0.4444",
        "target": "0.9500",
        "meets_target": False,
        "breakdown": [
            {
                "key": "2026-10",
                "label": "2026-10",
                "billed": "300.00",
                "collected": "300.00",
                "notices": 1,
                "rate": "1.0000",
                "meets_target": True,
            },
            {
                "key": "2026-11",
                "label": "2026-11",
                "billed": "600.00",
                "collected": "100.00",
                "notices": 2,
                "rate": "0.1667",
                "meets_target": False,
            },
        ],
    }


def test_the_collection_rate_by_building(clerk_client, sunshine, units, billed):
    make_notice(units["3-0101"], date(2026, 11, 1), "50.00")

    body = clerk_client.get(
        reverse(RATE), {"from": "2026-11", "to": "2026-11", "by": "building"}
    ).json()

    assert (body["billed"], body["collected"], body["rate"]) == ("650.00", "100.00", "0.1538")
    assert [(r["key"], r["billed"], r["collected"], r["rate"]) for r in body["breakdown"]] == [
        ("2", "600.00", "100.00", "0.1667"),
        ("3", "50.00", "0.00", "0.0000"),
    ]


def test_the_collection_rate_defaults_to_the_year_so_far(clerk_client, billed):
    body = clerk_client.get(reverse(RATE), {"to": "2026-12"}).json()

    assert (body["from"], body["to"], body["billed"]) == ("2026-01", "2026-12", "900.00")


def test_a_month_with_nothing_billed_has_no_rate(clerk_client, billed):
    body = clerk_client.get(reverse(RATE), {"from": "2025-01", "to": "2025-03"}).json()

    assert (body["billed"], body["rate"], body["meets_target"], body["breakdown"]) == (
        "0.00",
        None,
        False,
        [],
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026/10"}, "from"),
        ({"to": "Nov"}, "to"),
        ({"from": "2026-12", "to": "2026-01"}, "from"),
        ({"by": "unit"}, "by"),
        ({"property": "abc"}, "property"),
    ],
)
def test_bad_collection_rate_parameters_are_400(clerk_client, billed, params, field):
    response = clerk_client.get(reverse(RATE), params)

    assert response.status_code == 400
    assert field in response.json()


def test_the_collection_rate_of_another_property_is_not_found(clerk_client, elsewhere, billed):
    response = clerk_client.get(reverse(RATE), {"property": elsewhere.pk})

    assert response.status_code == 404


def test_someone_at_two_properties_names_one(client, sunshine, elsewhere, billed):
    user = staff_at(sunshine, "supervisor", username="both")
    staff_at(elsewhere, "supervisor", username="both")
    client.force_login(user)

    unnamed = client.get(reverse(RATE), {"from": "2026-11", "to": "2026-11"})
    named = client.get(
        reverse(RATE), {"property": elsewhere.pk, "from": "2026-11", "to": "2026-11"}
    )

    assert unnamed.status_code == 400 and "property" in unnamed.json()
    assert (named.json()["billed"], named.json()["collected"]) == ("500.00", "0.00")


def test_a_resident_gets_no_collection_rate(client, lin, billed):
    client.force_login(lin.user)

    assert client.get(reverse(RATE)).status_code == 403


# --- the schema ----------------------------------------------------------------------------------------


def test_the_schema_lists_the_fee_endpoints_and_validates(clerk_client, tmp_path):
    schema = clerk_client.get(reverse("api_schema")).content

    for path in (b"/api/fee-notices/", b"/api/payments/", b"/api/collection-rate/"):
        assert path in schema
    # Fails (SystemExit) on any warning, e.g. two enums of the same name.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    text = (tmp_path / "s.yml").read_text()
    assert "PaymentMethodEnum" in text and "FeeNoticeKindEnum" in text
