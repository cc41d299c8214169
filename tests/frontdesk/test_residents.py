"""Registering and editing residents at the desk: archive numbers, units typed as "1-1203",
phones; bad input gets a clear message and changes nothing."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from frontdesk import services
from frontdesk.models import DailySequence, Property, Resident, ResidentEvent
from frontdesk.services import PhoneInput
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory


@pytest.fixture
def unit_1203(sunshine):
    return UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")


def form_data(**overrides):
    data = {
        "property": "",
        "name": "林晓峰",
        "kind": "owner",
        "company": "",
        "move_in_date": "2004-02-14",
        "best_time_to_call": "晚上7点后",
        "preferred_language": "zh-hans",
        "email": "",
        "notes": "",
        "unit_labels": "1-1203",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-MIN_NUM_FORMS": "1",
        "phones-MAX_NUM_FORMS": "5",
        "phones-0-number": "138 1234 5678",
        "phones-0-label": "手机",
        "phones-0-answered_by": "",
        "phones-0-relation": "",
    }
    data.update(overrides)
    return data


def test_archive_number_is_move_in_date_and_daily_sequence(sunshine, unit_1203, clerk):
    first, second = (
        services.resident_create(
            property=sunshine,
            by=clerk,
            units=[unit_1203],
            phones=[PhoneInput(number=f"1380000000{i}")],
            name=f"住户{i}",
            kind="owner",
            move_in_date=date(2004, 2, 14),
        )
        for i in range(2)
    )
    other_day = ResidentFactory(property=sunshine, move_in_date=date(2004, 2, 15))

    assert first.archive_number == "040214001"
    assert second.archive_number == "040214002"
    assert other_day.archive_number == "040215001"


def test_archive_numbers_restart_per_property(sunshine, elsewhere):
    here = ResidentFactory(property=sunshine, move_in_date=date(2026, 3, 8))
    there = ResidentFactory(property=elsewhere, move_in_date=date(2026, 3, 8))

    assert here.archive_number == there.archive_number == "260308001"


def test_thousandth_resident_of_a_day_is_refused_and_nothing_is_written(sunshine):
    DailySequence.objects.create(
        property=sunshine, series="archive", day=date(2026, 3, 8), last=999
    )

    with pytest.raises(ValidationError, match="999"):
        ResidentFactory(property=sunshine, move_in_date=date(2026, 3, 8))

    assert not Resident.objects.exists()
    assert DailySequence.objects.get().last == 999


def test_clerk_registers_a_resident_from_the_form(clerk_client, sunshine, unit_1203):
    response = clerk_client.post(reverse("resident_new"), form_data(property=sunshine.pk))

    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("resident_card", args=[resident.pk])
    assert resident.archive_number == "040214001"
    assert list(resident.units.all()) == [unit_1203]
    phone = resident.phones.get()
    assert (phone.number, phone.digits, phone.masked) == (
        "138 1234 5678",
        "13812345678",
        "138****5678",
    )
    assert resident.events.get().kind == ResidentEvent.Kind.CREATED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"unit_labels": "1-9999"}, "unit_labels", "No unit 1-9999"),
        ({"unit_labels": "twelve o three"}, "unit_labels", "is not a unit"),
        ({"move_in_date": "2026-02-30"}, "move_in_date", "Enter a valid date."),
        ({"kind": "landlord"}, "kind", "Select a valid choice."),
        ({"phones-0-number": "call me"}, None, "Enter a phone number of digits"),
        ({"phones-0-number": ""}, None, "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_resident_form_says_what_is_wrong_and_changes_nothing(
    clerk_client, sunshine, unit_1203, overrides, field, message
):
    response = clerk_client.post(
        reverse("resident_new"),
        form_data(property=sunshine.pk, **overrides),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    if field:
        assert response.context["form"].errors[field]
    assert not Resident.objects.exists()
    assert not DailySequence.objects.exists()


def test_clerk_cannot_register_at_a_property_they_do_not_work_at(clerk_client, elsewhere):
    UnitFactory(building=BuildingFactory(property=elsewhere, number="1"), number="1203")

    response = clerk_client.post(reverse("resident_new"), form_data(property=elsewhere.pk))

    assert response.status_code == 400
    assert response.context["form"].errors["property"]
    assert not Resident.objects.exists()


def test_editing_keeps_the_archive_number_and_replaces_phones(clerk_client, sunshine, unit_1203):
    resident = ResidentFactory(property=sunshine, unit=unit_1203, move_in_date=date(2026, 3, 8))
    data = form_data(
        name="林晓峰",
        move_in_date="2026-03-09",
        **{
            "phones-TOTAL_FORMS": "2",
            "phones-0-number": "13911112222",
            "phones-1-number": "0755-8888 1234",
            "phones-1-answered_by": "保姆",
            "phones-1-relation": "家政",
        },
    )

    response = clerk_client.post(reverse("resident_edit", args=[resident.pk]), data)

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "林晓峰"
    assert resident.archive_number == "260308001"
    assert [p.digits for p in resident.phones.all()] == ["13911112222", "075588881234"]
    assert resident.phones.last().answered_by == "保姆"
    assert resident.events.first().kind == ResidentEvent.Kind.UPDATED


def test_card_masks_phones_until_the_clerk_opens_them(clerk_client, sunshine):
    resident = ResidentFactory(property=sunshine, phones=["13812345678"])

    card = clerk_client.get(reverse("resident_card", args=[resident.pk])).content.decode()
    opened = clerk_client.get(reverse("resident_phones", args=[resident.pk])).content.decode()

    assert "138****5678" in card
    assert "13812345678" not in card
    assert "13812345678" in opened


def test_card_shows_times_in_the_propertys_zone(client, sunshine):
    Property.objects.filter(pk=sunshine.pk).update(time_zone="Europe/Berlin")
    clerk = staff_at(sunshine, "clerk", username="berlin")
    resident = ResidentFactory(property=sunshine)
    ResidentEvent.objects.filter(resident=resident).update(
        at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    )
    client.force_login(clerk)

    card = client.get(reverse("resident_card", args=[resident.pk])).content.decode()

    assert "2026-11-24 13:00" in card  # 12:00 UTC is 13:00 in Berlin in winter
