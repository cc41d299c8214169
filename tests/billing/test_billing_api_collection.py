"""The fees API's collection rate, by month or building, refused or 404 where it should be."""

from datetime import date

import pytest
from django.urls import reverse

from tests.billing.conftest import make_notice, pay
from tests.conftest import staff_at

RATE = "collection-rate-list"


@pytest.fixture
def lin_fields(units):
    return {"unit": units["2-1503"]}


@pytest.fixture
def lin_account():
    """An account with no name."""
    return {"username": "lin", "first_name": ""}


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
