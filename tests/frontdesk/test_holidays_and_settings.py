"""Each property keeps its own holiday list, pre-filled from the library; settings from the
environment fail loudly on a bad value."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from frontdesk import clock, services
from frontdesk.models import Holiday, Property
from frontdesk.settings import env_bool


def test_prefill_copies_the_years_holidays_and_make_up_days(sunshine):
    added = services.property_holidays_prefill(property=sunshine, year=2026)

    days = {h.day: h.is_workday for h in Holiday.objects.filter(property=sunshine)}
    assert added == len(days) > 30
    assert days[date(2026, 2, 17)] is False  # Spring Festival
    assert days[date(2026, 2, 28)] is True  # make-up working Saturday
    assert sunshine.holiday_years.get().year == 2026


def test_prefill_keeps_what_the_supervisor_entered_and_adds_nothing_twice(sunshine):
    Holiday.objects.create(property=sunshine, day=date(2026, 2, 17), name="本项目自定")

    first = services.property_holidays_prefill(property=sunshine, year=2026)
    second = services.property_holidays_prefill(property=sunshine, year=2026)

    assert first > 0
    assert second == 0
    assert Holiday.objects.get(property=sunshine, day=date(2026, 2, 17)).name == "本项目自定"


def test_prefill_of_a_year_the_library_does_not_know_says_so(sunshine):
    with pytest.raises(ValidationError, match="2099"):
        services.property_holidays_prefill(property=sunshine, year=2099)

    assert not Holiday.objects.exists()


def test_property_rest_days_move_a_three_day_deadline_past_spring_festival(sunshine):
    sunshine.holiday_calendar = Property.HolidayCalendar.CHINA
    services.property_holidays_prefill(property=sunshine, year=2026)
    trigger = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)  # Thu 12 Feb, 10:00 in Shanghai

    deadline = clock.deadline_after_days(
        trigger, 3, tz=sunshine.zone, rest_days=sunshine.rest_days()
    )

    assert deadline == datetime(2026, 2, 24, 16, 0, tzinfo=UTC)  # end of Tue 24 Feb, local


def test_plain_calendar_property_does_not_move_deadlines(sunshine):
    assert sunshine.holiday_calendar == Property.HolidayCalendar.NONE
    assert sunshine.rest_days() is None


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_a_bad_boolean_in_the_environment_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("DEBUG", raw)

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("off", False), ("", True)])
def test_booleans_read_from_the_environment(monkeypatch, raw, value):
    monkeypatch.setenv("DEBUG", raw)

    assert env_bool("DEBUG", True) is value


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "frontdesk.settings_production"

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
