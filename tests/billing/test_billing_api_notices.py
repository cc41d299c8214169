"""The fees API's notices, scoped to what the caller may see, and the fee endpoints' schema."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.billing.conftest import ids, make_notice, pay

NOTICES = "fee-notice-list"


@pytest.fixture
def lin_fields(units):
    return {"unit": units["2-1503"]}


@pytest.fixture
def lin_account():
    """An account with no name."""
    return {"username": "lin", "first_name": ""}


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


# --- the schema ----------------------------------------------------------------------------------------


def test_the_schema_lists_the_fee_endpoints_and_validates(clerk_client, tmp_path):
    schema = clerk_client.get(reverse("api_schema")).content

    for path in (b"/api/fee-notices/", b"/api/payments/", b"/api/collection-rate/"):
        assert path in schema
    # Fails (SystemExit) on any warning, e.g. two enums of the same name.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    text = (tmp_path / "s.yml").read_text()
    assert "PaymentMethodEnum" in text and "FeeNoticeKindEnum" in text
