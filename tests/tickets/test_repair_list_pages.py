"""The front desk's repair order list: its filters, its keyset pages and a fixed query count."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, repair_received
from tests.helpers import text
from tickets.models import RepairOrder
from tickets.repairs import services as repairs


@pytest.fixture
def lin_fields(unit_1203):
    return {"unit": unit_1203}


# --- the list ----------------------------------------------------------------------------------


def listed(response):
    return [o.number for o in response.context["orders"]]


def test_list_filters_by_state_category_building_department_engineer_and_date(
    desk, sunshine, elsewhere, clerk, engineer, engineering, lin
):
    b2 = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="201")
    lin.units.add(b2)
    with at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)):
        old = repair_received(sunshine, by=clerk, resident=lin, category="electricity")
    with at(datetime(2026, 11, 24, 2, 0, tzinfo=UTC)):
        water = repair_received(sunshine, by=clerk, resident=lin)
        in_b2 = repair_received(sunshine, by=clerk, resident=lin, unit=b2, category="doors")
        sent = repairs.repair_dispatch(
            order=repair_received(sunshine, by=clerk, resident=lin),
            by=clerk,
            department=engineering,
            engineer=engineer,
        )
    foreign = repair_received(elsewhere, by=staff_at(elsewhere))
    url = reverse("repair_list")

    everything = listed(desk.get(url))
    assert set(everything) == {old.number, water.number, in_b2.number, sent.number}
    assert foreign.number not in everything
    assert listed(desk.get(url, {"state": "dispatched"})) == [sent.number]
    assert listed(desk.get(url, {"category": "electricity"})) == [old.number]
    assert listed(desk.get(url, {"building": b2.building_id})) == [in_b2.number]
    assert listed(desk.get(url, {"department": engineering.pk})) == [sent.number]
    assert listed(desk.get(url, {"engineer": engineer.pk})) == [sent.number]
    # Dates are the property's local days: 10:00 in Shanghai on the 20th.
    assert listed(desk.get(url, {"received_to": "2026-11-20"})) == [old.number]
    assert set(listed(desk.get(url, {"received_from": "2026-11-21"}))) == {
        water.number,
        in_b2.number,
        sent.number,
    }


def test_list_refuses_a_bad_filter_with_a_message(desk, sunshine, clerk, lin):
    repair_received(sunshine, by=clerk, resident=lin)

    response = desk.get(reverse("repair_list"), {"state": "nonsense"})

    assert response.status_code == 400
    assert listed(response) == []
    assert "Select a valid choice" in text(response)


def test_list_pages_by_keyset_newest_first_and_page_two_has_the_older_rows(
    desk, sunshine, clerk, lin
):
    # Two batches received in the same instant: the id breaks the tie.
    for moment in (
        datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
    ):
        with at(moment):
            for _n in range(30):
                repair_received(sunshine, by=clerk, resident=lin)
    url = reverse("repair_list")

    first = desk.get(url)
    page_one = list(first.context["orders"])
    assert len(page_one) == 50
    older = first.context["older_query"]
    assert older and f'href="?{older}"' in text(first)
    with CaptureQueriesContext(connection) as queries:
        second = desk.get(f"{url}?{older}")
    page_two = list(second.context["orders"])

    expected = list(RepairOrder.objects.order_by("-received_at", "-id"))
    assert page_one == expected[:50]
    assert page_two == expected[50:]
    assert not {o.pk for o in page_one} & {o.pk for o in page_two}
    assert second.context["older_query"] is None
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_older_link_keeps_the_filters(desk, sunshine, clerk, lin):
    with time_machine.travel(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), tick=True):
        for _n in range(52):
            repair_received(sunshine, by=clerk, resident=lin, category="lift")
        repair_received(sunshine, by=clerk, resident=lin, category="water")
    url = reverse("repair_list")

    first = desk.get(url, {"category": "lift"})
    second = desk.get(f"{url}?{first.context['older_query']}")

    assert "category=lift" in first.context["older_query"]
    assert [o.category for o in second.context["orders"]] == ["lift", "lift"]


def test_a_broken_page_link_gets_a_message(desk):
    response = desk.get(reverse("repair_list"), {"before": "yesterday"})

    assert response.status_code == 400
    assert "That page link is not valid" in text(response)


def _varied_orders(property, clerk, engineer, department, count):
    for n in range(count):
        resident = ResidentFactory(property=property)
        order = repair_received(property, by=clerk, resident=resident, urgency="urgent")
        if n % 2:
            repairs.repair_dispatch(order=order, by=clerk, department=department, engineer=engineer)


def test_list_runs_a_fixed_number_of_queries_whatever_the_rows(
    desk, sunshine, clerk, engineer, engineering
):
    url = reverse("repair_list")
    _varied_orders(sunshine, clerk, engineer, engineering, 3)
    with CaptureQueriesContext(connection) as three:
        assert len(desk.get(url).context["orders"]) == 3
    _varied_orders(sunshine, clerk, engineer, engineering, 27)
    with CaptureQueriesContext(connection) as thirty:
        assert len(desk.get(url).context["orders"]) == 30

    assert len(three.captured_queries) == len(thirty.captured_queries)
