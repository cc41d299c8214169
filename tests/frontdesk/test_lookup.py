"""The clerk's resident lookup: any part of a phone, a name, a unit or an archive number."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import BuildingFactory, ResidentFactory, UnitFactory


@pytest.fixture
def lin_fields(sunshine):
    """He lives in 1-1203 since 2004; his mobile as the desk typed it."""
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")
    return {"unit": unit, "phones": ["138-1234-5678"], "move_in_date": date(2004, 2, 14)}


@pytest.fixture
def wu(sunshine):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="0802")
    return ResidentFactory(property=sunshine, name="吴敏", unit=unit, phones=["15000001111"])


def found(client, text):
    response = client.get(reverse("lookup"), {"q": text})
    assert response.status_code == 200
    return [r.name for r in response.context["results"]]


@pytest.mark.parametrize(
    "text",
    ["5678", "1234-5678", "13812345678", "林晓", "1-1203", "1 - 1203", "040214001"],
)
def test_lookup_finds_resident_by_any_way_the_desk_asks(clerk_client, lin, wu, text):
    assert found(clerk_client, text) == ["林晓峰"]


def test_lookup_with_nothing_typed_lists_nobody(clerk_client, lin):
    assert found(clerk_client, "   ") == []


def test_lookup_says_when_nobody_matches(clerk_client, lin):
    response = clerk_client.get(reverse("lookup"), {"q": "0000"}, HTTP_ACCEPT_LANGUAGE="en")

    assert 'No resident matches "0000"' in response.content.decode()


def test_lookup_answers_htmx_with_the_results_only(clerk_client, lin):
    response = clerk_client.get(reverse("lookup"), {"q": "5678"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "林晓峰" in body
    assert "<html" not in body


def test_lookup_runs_the_same_queries_for_2_or_20_matches(clerk_client, sunshine):
    def count_for(n):
        for _ in range(n):
            ResidentFactory(property=sunshine, phones=["13700004321"], name="陈")
        with CaptureQueriesContext(connection) as ctx:
            response = clerk_client.get(reverse("lookup"), {"q": "4321"})
        return len(ctx.captured_queries), len(response.context["results"])

    small = count_for(2)
    large = count_for(18)

    assert small[1] == 2
    assert large[1] == 20
    assert small[0] == large[0]


def test_resident_card_runs_a_fixed_number_of_queries(clerk_client, sunshine, lin):
    with CaptureQueriesContext(connection) as one_unit:
        clerk_client.get(reverse("resident_card", args=[lin.pk]))
    for number in ("1204", "1205", "1206"):
        lin.units.add(UnitFactory(building=lin.units.first().building, number=number))
    with CaptureQueriesContext(connection) as four_units:
        clerk_client.get(reverse("resident_card", args=[lin.pk]))

    assert len(one_unit.captured_queries) == len(four_units.captured_queries)
