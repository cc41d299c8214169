"""The supervisor keeps each property's holiday list; until a year is entered, they are warned."""

from datetime import date

import pytest
from django.urls import reverse

from frontdesk.models import Holiday, HolidayYear, Property
from tests.clock import at
from tests.conftest import staff_at


@pytest.fixture
def supervisor_client(client, sunshine):
    Property.objects.filter(pk=sunshine.pk).update(holiday_calendar="cn")
    client.force_login(staff_at(sunshine, "supervisor", username="boss"))
    return client


def url(prop, year):
    return reverse("holidays", args=[prop.pk, year])


def post(client, prop, year, **data):
    return client.post(url(prop, year), data, HTTP_ACCEPT_LANGUAGE="en")


def test_supervisor_fills_a_year_from_the_built_in_list(supervisor_client, sunshine):
    response = post(supervisor_client, sunshine, 2026, action="prefill")

    assert response.status_code == 302
    assert Holiday.objects.filter(property=sunshine, day=date(2026, 10, 1)).exists()
    assert HolidayYear.objects.filter(property=sunshine, year=2026).exists()


def test_supervisor_enters_a_year_by_hand_and_marks_it_complete(supervisor_client, sunshine):
    post(supervisor_client, sunshine, 2027, action="add", day="2027-02-06", is_workday="0")
    post(supervisor_client, sunshine, 2027, action="add", day="2027-02-20", is_workday="1")
    post(supervisor_client, sunshine, 2027, action="confirm")

    rest_days = Property.objects.get(pk=sunshine.pk).rest_days()
    assert rest_days.is_rest_day(date(2027, 2, 6)) is True
    assert rest_days.is_rest_day(date(2027, 2, 20)) is False  # a Saturday worked
    assert 2027 in rest_days.known_years


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-05-01", "is_workday": "0"}, "This list is for 2027."),
        ({"day": "2027-02-03", "is_workday": "1"}, "only a Saturday or Sunday"),
        ({"day": "someday", "is_workday": "0"}, "Enter a valid date."),
    ],
)
def test_bad_holiday_input_says_why_and_changes_nothing(supervisor_client, sunshine, data, message):
    response = post(supervisor_client, sunshine, 2027, action="add", **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Holiday.objects.exists()


def test_prefill_of_an_unknown_year_says_to_enter_it_by_hand(supervisor_client, sunshine):
    response = post(supervisor_client, sunshine, 2099, action="prefill")

    assert response.status_code == 400
    assert "enter its holidays by hand" in response.content.decode()


def test_supervisor_is_warned_about_a_year_nobody_entered(supervisor_client, sunshine):
    with at("2026-12-02 09:00 +0800"):
        HolidayYear.objects.create(property=sunshine, year=2026)
        page = supervisor_client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="en")

    body = page.content.decode()
    assert "has no holiday list for 2027" in body
    assert "has no holiday list for 2026" not in body


def test_clerk_cannot_edit_holidays(clerk_client, sunshine):
    response = clerk_client.post(url(sunshine, 2027), {"action": "confirm"})

    assert response.status_code == 404
    assert not HolidayYear.objects.exists()


def test_another_propertys_holidays_are_not_found(supervisor_client, elsewhere):
    assert supervisor_client.get(url(elsewhere, 2026)).status_code == 404
