"""The front desk's repair intake page and the repairs on the resident card."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clock import at
from tests.factories import BuildingFactory, UnitFactory, repair_received
from tests.helpers import kinds, text
from tickets.models import RepairEvent, RepairOrder

State = RepairOrder.State


@pytest.fixture
def lin_fields(unit_1203):
    return {"unit": unit_1203}


def intake(unit, /, **overrides):
    data = {
        "channel": "phone",
        "unit": unit.pk,
        "category": "water",
        "urgency": "normal",
        "description": "厨房水龙头漏水",
        "preferred_times": "工作日晚上",
        "appointment_start": "2026-11-25T09:00",
        "appointment_end": "2026-11-25T11:00",
        "contact_phone": "13812345678",
        "address_confirmed": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def new_url(resident=None):
    url = reverse("repair_new")
    return f"{url}?resident={resident.pk}" if resident else url


# --- intake ------------------------------------------------------------------------------------


def test_intake_page_reads_the_address_back_with_the_unit_and_prefills_the_phone(desk, lin):
    response = desk.get(new_url(lin))

    assert response.status_code == 200
    page = text(response)
    assert "Is this the address of the repair?" in page
    assert "1-1203" in page
    assert 'value="13812345678"' in page
    assert "I read the address back to the caller" in page


def test_intake_creates_a_bx_numbered_order_and_shows_its_page(desk, lin, clerk):
    response = desk.post(new_url(lin), intake(lin.units.get()))

    order = RepairOrder.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("repair_detail", args=[order.pk])
    assert order.number.startswith("BX") and len(order.number) == 12
    assert order.state == State.RECEIVED
    assert (order.resident, order.unit, order.created_by) == (lin, lin.units.get(), clerk)
    assert order.address_confirmed and not order.chargeable
    # 09:00 typed at the desk is 09:00 in the property's zone (Shanghai, UTC+8).
    assert order.appointment_start == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert order.appointment_end == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert kinds(order) == [RepairEvent.Kind.RECEIVED]
    page = text(desk.get(response.url))
    assert order.number in page and "厨房水龙头漏水" in page


def test_public_area_repair_is_taken_without_a_resident(desk, sunshine):
    response = desk.post(
        new_url(),
        {
            "channel": "walk_in",
            "location": "2号楼大堂",
            "category": "public_area",
            "urgency": "urgent",
            "description": "大堂灯不亮",
            "address_confirmed": "on",
        },
    )

    order = RepairOrder.objects.get()
    assert response.status_code == 302
    assert order.is_public_area and order.unit is None and order.resident is None
    assert (order.property, order.location, order.channel) == (sunshine, "2号楼大堂", "walk_in")


def _other_property_unit(elsewhere):
    return UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="901")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": ""}, "Describe what is broken."),
        ({"unit": "elsewhere"}, "The unit belongs to another property."),
        (
            {"appointment_start": "2026-11-25T11:00", "appointment_end": "2026-11-25T09:00"},
            "The appointment must end after it starts.",
        ),
        ({"address_confirmed": None}, "Read the address back to the caller and tick the box."),
        ({"appointment_end": None}, "Give both the start and the end of the appointment window."),
    ],
)
def test_bad_intake_input_is_refused_with_the_message_and_creates_nothing(
    desk, lin, elsewhere, change, message
):
    if change.get("unit") == "elsewhere":
        change = {"unit": _other_property_unit(elsewhere).pk}

    response = desk.post(new_url(lin), intake(lin.units.get(), **change))

    assert response.status_code == 400
    assert message in text(response)
    assert not RepairOrder.objects.exists()


def test_intake_refuses_a_unit_of_the_property_that_is_not_the_residents(desk, lin, sunshine):
    neighbour = UnitFactory(building=lin.units.get().building, number="1204")

    response = desk.post(new_url(lin), intake(neighbour))

    assert response.status_code == 400
    assert "Choose one of the resident&#x27;s units." in text(response)
    assert not RepairOrder.objects.exists()


def test_intake_for_another_propertys_resident_is_not_found(desk, foreign_resident):
    assert desk.get(new_url(foreign_resident)).status_code == 404
    response = desk.post(new_url(foreign_resident), intake(foreign_resident.units.get()))
    assert response.status_code == 404
    assert not RepairOrder.objects.exists()


# --- the resident card -------------------------------------------------------------------------


def test_resident_card_lists_the_units_repairs_newest_first_with_a_new_repair_button(
    desk, sunshine, clerk, lin
):
    with at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)):
        older = repair_received(sunshine, by=clerk, resident=lin)
    newer = repair_received(sunshine, by=clerk, unit=lin.units.get())  # reported by someone else
    other = repair_received(sunshine, by=clerk)  # another resident's unit

    response = desk.get(reverse("resident_card", args=[lin.pk]))

    page = text(response)
    assert [o.number for o in response.context["repairs"]] == [newer.number, older.number]
    assert other.number not in page
    assert f"{reverse('repair_new')}?resident={lin.pk}" in page
    assert page.index(newer.number) < page.index(older.number)


def test_resident_card_query_count_does_not_grow_with_repairs(desk, sunshine, clerk, lin):
    url = reverse("resident_card", args=[lin.pk])
    repair_received(sunshine, by=clerk, resident=lin)
    with CaptureQueriesContext(connection) as one:
        desk.get(url)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(25):
        with at(start + timedelta(hours=n)):
            repair_received(sunshine, by=clerk, resident=lin)
    with CaptureQueriesContext(connection) as many:
        response = desk.get(url)

    assert len(response.context["repairs"]) == 20
    assert len(one.captured_queries) == len(many.captured_queries)
