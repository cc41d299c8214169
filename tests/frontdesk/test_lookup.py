"""The clerk's resident lookup: the last four or any part of a phone, a name, a unit or an
archive number."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk import services
from frontdesk.services import PhoneInput
from tests.conftest import LIN_PHONE
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


def test_four_digits_are_the_last_four_of_a_phone_and_longer_fragments_any_part(clerk_client, lin):
    assert found(clerk_client, "5678") == ["林晓峰"]
    assert found(clerk_client, "1234") == []  # the middle of his number: not a 尾号
    assert found(clerk_client, "381234") == ["林晓峰"]
    assert found(clerk_client, "123") == ["林晓峰"]


def test_a_changed_number_is_found_by_its_new_last_four(clerk_client, lin, clerk):
    services.resident_update(
        resident=lin,
        by=clerk,
        units=list(lin.units.all()),
        phones=[PhoneInput(number="139 0000 2468")],
    )

    assert found(clerk_client, "2468") == ["林晓峰"]
    assert found(clerk_client, "5678") == []


def test_the_start_of_an_archive_number_finds_who_moved_in_that_day(clerk_client, lin, wu):
    later = ResidentFactory(
        property=lin.property, name="林晓峰之妻", move_in_date=date(2004, 2, 14)
    )

    assert later.archive_number == "040214002"
    assert found(clerk_client, "040214") == ["林晓峰", "林晓峰之妻"]
    assert found(clerk_client, "0402140") == ["林晓峰", "林晓峰之妻"]
    assert found(clerk_client, "040214002") == ["林晓峰之妻"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("林", ["林晓峰", "林敏"]),  # one character: a surname
        ("晓", []),  # one character is no given name
        ("林晓", ["林晓峰"]),  # two: the start of a name
        ("晓峰", ["林晓峰"]),  # or its end
        ("吴敏", ["吴敏"]),  # or the whole of a two-character name
        ("林敏", ["林敏"]),
        ("晓峰x", []),
    ],
)
def test_short_name_fragments_match_the_start_or_the_end_of_a_name(
    clerk_client, sunshine, lin, wu, text, names
):
    ResidentFactory(property=sunshine, name="林敏")

    assert sorted(found(clerk_client, text)) == sorted(names)


def test_a_company_is_found_by_any_part_of_its_name_in_any_case(clerk_client, sunshine):
    ResidentFactory(property=sunshine, name="周杰", company="Starlight Technology 星河科技")

    assert found(clerk_client, "星河科技") == ["周杰"]
    assert found(clerk_client, "light tech") == ["周杰"]
    assert found(clerk_client, "St") == ["周杰"]


def test_a_room_is_found_whatever_the_case_of_its_building(clerk_client, sunshine):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="A"), number="0301")
    ResidentFactory(property=sunshine, name="何静", unit=unit)

    assert found(clerk_client, "a-0301") == ["何静"]


@pytest.mark.parametrize("text", ["5678", "12345678", "林晓峰", "晓峰", "1-1203", "040214"])
def test_another_propertys_resident_never_appears_however_alike(clerk_client, lin, elsewhere, text):
    unit = UnitFactory(building=BuildingFactory(property=elsewhere, number="1"), number="1203")
    ResidentFactory(
        property=elsewhere,
        name="林晓峰",
        unit=unit,
        phones=[LIN_PHONE],
        move_in_date=lin.move_in_date,
    )

    response = clerk_client.get(reverse("lookup"), {"q": text})

    assert [r.pk for r in response.context["results"]] == [lin.pk]
