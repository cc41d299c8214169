"""The business clock: 72 elapsed hours and Civil Code "three days" (DOMAIN.md, Callbacks).

Expected instants are hard-coded from the State Council's 2026 arrangement (and 2025's
New Year), cross-checked against chinese_calendar. Shanghai is UTC+8 all year, so
"24:00 of day N" in Shanghai is 16:00 UTC of day N.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.clock import (
    WEEKENDS_ONLY,
    RestDays,
    deadline_after_days,
    deadline_after_hours,
    end_of_local_day,
    is_overdue,
    local_day_bounds,
    time_left,
)
from frontdesk.holidays import rest_days_from, statutory_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
SANTIAGO = ZoneInfo("America/Santiago")


def _china(*years: int) -> RestDays:
    entries: list[tuple[date, bool]] = []
    for year in years:
        calendar = statutory_calendar(year)
        assert calendar is not None, f"chinese_calendar should know {year}"
        entries += [(day, is_workday) for day, is_workday, _name in calendar]
    return rest_days_from(entries, years)


CHINA = _china(2025, 2026)
CHINA_2026_ONLY = _china(2026)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- 72 elapsed hours ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(sh(2026, 3, 10, 23, 30), 72, utc(2026, 3, 13, 15, 30), id="across-midnight"),
        pytest.param(sh(2026, 1, 30, 15, 0), 72, utc(2026, 2, 2, 7, 0), id="across-month-end"),
        # Sat 14 Feb 09:00 +08 -> Tue 17 Feb 09:00 +08, in the middle of Spring Festival.
        pytest.param(
            sh(2026, 2, 14, 9, 0), 72, utc(2026, 2, 17, 1, 0), id="across-spring-festival"
        ),
        # Berlin springs forward on 29 Mar 2026: 72 h later is 13:00 CEST, not 12:00.
        pytest.param(
            datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN),
            72,
            utc(2026, 3, 31, 11, 0),
            id="across-dst-start",
        ),
        # Berlin falls back on 25 Oct 2026: 72 h later is 11:00 CET, not 12:00.
        pytest.param(
            datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN),
            72,
            utc(2026, 10, 27, 10, 0),
            id="across-dst-end",
        ),
        pytest.param(utc(2026, 3, 10, 10, 0), 1.5, utc(2026, 3, 10, 11, 30), id="fractional"),
    ],
)
def test_72_hours_ends_after_elapsed_hours_ignoring_holidays_and_dst(start, hours, expected):
    deadline = deadline_after_hours(start, hours)

    assert deadline == expected
    assert deadline.tzinfo is UTC


# --- "three days" by the Civil Code, Chinese statutory calendar ---------------------------


@pytest.mark.parametrize(
    ("start", "expected", "why"),
    [
        pytest.param(
            sh(2026, 3, 10, 10, 0),
            utc(2026, 3, 13, 16, 0),
            "Tue 10 Mar: days Wed, Thu, Fri; ends Fri 24:00 = Sat 00:00 +08",
            id="plain-tuesday-ends-friday-24h",
        ),
        pytest.param(
            sh(2026, 3, 10, 23, 59),
            utc(2026, 3, 13, 16, 0),
            "the time of day of the trigger does not matter",
            id="tuesday-23h59-ends-friday-24h",
        ),
        pytest.param(
            sh(2026, 3, 10, 0, 0),
            utc(2026, 3, 13, 16, 0),
            "00:00 is still the trigger day, which does not count",
            id="tuesday-00h00-ends-friday-24h",
        ),
        pytest.param(
            utc(2026, 3, 10, 17, 0),
            utc(2026, 3, 16, 16, 0),
            "17:00 UTC Tue is 01:00 Wed in Shanghai: day 3 is Sat, moved to Mon",
            id="trigger-day-taken-in-property-zone",
        ),
        pytest.param(
            sh(2026, 3, 30, 10, 0),
            utc(2026, 4, 2, 16, 0),
            "Mon 30 Mar: days 31 Mar, 1 Apr, 2 Apr (Thu, a working day)",
            id="across-month-end",
        ),
        pytest.param(
            sh(2026, 3, 11, 10, 0),
            utc(2026, 3, 16, 16, 0),
            "Wed 11 Mar: day 3 is Sat 14, Sat and Sun rest, ends Mon 16 24:00",
            id="saturday-moves-to-monday",
        ),
        pytest.param(
            sh(2026, 2, 12, 10, 0),
            utc(2026, 2, 24, 16, 0),
            "Thu 12 Feb: day 3 Sun 15 Feb is Spring Festival (15-23 Feb); first work Tue 24",
            id="spring-festival-moves-to-first-working-day",
        ),
        pytest.param(
            sh(2026, 2, 11, 10, 0),
            utc(2026, 2, 14, 16, 0),
            "Wed 11 Feb: day 3 Sat 14 Feb is a make-up working day (调休): no move",
            id="make-up-saturday-before-spring-festival-does-not-move",
        ),
        pytest.param(
            sh(2026, 2, 25, 10, 0),
            utc(2026, 2, 28, 16, 0),
            "Wed 25 Feb: day 3 Sat 28 Feb is a make-up working day: no move",
            id="make-up-saturday-after-spring-festival-does-not-move",
        ),
        pytest.param(
            sh(2025, 12, 29, 10, 0),
            utc(2026, 1, 4, 16, 0),
            "Mon 29 Dec: day 3 is 1 Jan; 1-3 Jan rest; Sun 4 Jan is a make-up working day",
            id="new-year-moves-to-make-up-sunday",
        ),
        pytest.param(
            sh(2026, 9, 16, 10, 0),
            utc(2026, 9, 20, 16, 0),
            "Wed 16 Sep: day 3 Sat 19 rests; Sun 20 Sep is a make-up working day",
            id="saturday-moves-to-make-up-sunday",
        ),
        pytest.param(
            sh(2026, 9, 28, 10, 0),
            utc(2026, 10, 8, 16, 0),
            "Mon 28 Sep: day 3 Thu 1 Oct is National Day (1-7 Oct); first work Thu 8",
            id="national-day-moves-to-first-working-day",
        ),
        pytest.param(
            sh(2026, 4, 30, 10, 0),
            utc(2026, 5, 6, 16, 0),
            "Thu 30 Apr: day 3 Sun 3 May is Labour Day (1-5 May); first work Wed 6",
            id="labour-day-moves-to-first-working-day",
        ),
    ],
)
def test_three_days_ends_at_24h_of_last_working_day_in_property_zone(start, expected, why):
    deadline = deadline_after_days(start, 3, tz=SHANGHAI, rest_days=CHINA)

    assert deadline == expected, why
    assert deadline.tzinfo is UTC


def test_three_days_trigger_at_00h00_and_23h59_of_same_day_ends_at_same_instant():
    early = deadline_after_days(sh(2026, 6, 2, 0, 0), 3, tz=SHANGHAI, rest_days=CHINA)
    late = deadline_after_days(sh(2026, 6, 2, 23, 59, 59), 3, tz=SHANGHAI, rest_days=CHINA)

    assert early == late == utc(2026, 6, 5, 16, 0)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(sh(2026, 2, 12, 10, 0), utc(2026, 2, 15, 16, 0), id="over-spring-festival"),
        pytest.param(sh(2026, 3, 11, 10, 0), utc(2026, 3, 14, 16, 0), id="ends-on-saturday"),
        pytest.param(sh(2026, 9, 28, 10, 0), utc(2026, 10, 1, 16, 0), id="ends-on-national-day"),
    ],
)
def test_three_days_without_rest_days_ends_on_plain_calendar_day(start, expected):
    assert deadline_after_days(start, 3, tz=SHANGHAI, rest_days=None) == expected


@pytest.mark.parametrize(
    ("start", "expected", "unknown"),
    [
        # 2027's Spring Festival starts Sat 6 Feb, but nobody has entered 2027: the clock
        # sees only the weekend and ends on Mon 8 Feb 24:00.
        pytest.param(
            sh(2027, 2, 3, 10, 0), utc(2027, 2, 8, 16, 0), [2027], id="weekend-moves-to-monday"
        ),
        # Fri 1 Jan 2027 is really New Year's Day; unknown, so it is a working day.
        pytest.param(
            sh(2026, 12, 29, 10, 0), utc(2027, 1, 1, 16, 0), [2027], id="new-year-not-known"
        ),
    ],
)
def test_three_days_in_a_year_without_list_ends_counting_weekends_only(start, expected, unknown):
    deadline = deadline_after_days(start, 3, tz=SHANGHAI, rest_days=CHINA_2026_ONLY)

    assert deadline == expected
    assert CHINA_2026_ONLY.unknown_years(start.date(), deadline.date()) == unknown


def test_three_days_for_a_year_the_library_does_not_know_falls_back_without_error():
    assert statutory_calendar(2027) is None
    rest_days = rest_days_from([], known_years=[])

    assert rest_days == WEEKENDS_ONLY
    assert deadline_after_days(sh(2027, 2, 3, 10, 0), 3, tz=SHANGHAI, rest_days=rest_days) == utc(
        2027, 2, 8, 16, 0
    )


# --- DST: the local midnight is built with zoneinfo, then converted ---------------------


@pytest.mark.parametrize(
    ("start", "tz", "rest_days", "expected"),
    [
        # Day 3 is Sun 29 Mar (CET -> CEST); ends Mon 30 Mar 00:00 CEST = 22:00 UTC.
        pytest.param(
            datetime(2026, 3, 26, 10, 0, tzinfo=BERLIN),
            BERLIN,
            None,
            utc(2026, 3, 29, 22, 0),
            id="berlin-dst-start-calendar-days",
        ),
        # Sunday rests: ends Mon 30 Mar 24:00 CEST = 22:00 UTC.
        pytest.param(
            datetime(2026, 3, 26, 10, 0, tzinfo=BERLIN),
            BERLIN,
            WEEKENDS_ONLY,
            utc(2026, 3, 30, 22, 0),
            id="berlin-dst-start-weekends",
        ),
        # Day 3 is Sun 25 Oct (CEST -> CET); ends Mon 26 Oct 00:00 CET = 23:00 UTC.
        pytest.param(
            datetime(2026, 10, 22, 10, 0, tzinfo=BERLIN),
            BERLIN,
            None,
            utc(2026, 10, 25, 23, 0),
            id="berlin-dst-end-calendar-days",
        ),
        # Chile skips local midnight of Sun 6 Sep 2026 (00:00 -04 -> 01:00 -03): the
        # day begins at 01:00 -03 = 04:00 UTC.
        pytest.param(
            datetime(2026, 9, 2, 12, 0, tzinfo=SANTIAGO),
            SANTIAGO,
            None,
            utc(2026, 9, 6, 4, 0),
            id="santiago-midnight-skipped",
        ),
    ],
)
def test_days_deadline_ends_at_local_midnight_across_dst_change(start, tz, rest_days, expected):
    deadline = deadline_after_days(start, 3, tz=tz, rest_days=rest_days)

    assert deadline == expected
    assert deadline.tzinfo is UTC


# --- refusing bad input ----------------------------------------------------------------

NAIVE = datetime(2026, 3, 10, 10, 0)  # noqa: DTZ001 - naive on purpose
AWARE = utc(2026, 3, 10, 10, 0)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: deadline_after_hours(NAIVE, 72), id="hours"),
        pytest.param(
            lambda: deadline_after_days(NAIVE, 3, tz=SHANGHAI, rest_days=CHINA), id="days"
        ),
        pytest.param(lambda: time_left(NAIVE, AWARE), id="time-left-deadline"),
        pytest.param(lambda: time_left(AWARE, NAIVE), id="time-left-now"),
        pytest.param(lambda: is_overdue(AWARE, NAIVE), id="is-overdue-now"),
    ],
)
def test_naive_datetime_is_refused(call):
    with pytest.raises(ValueError, match="aware"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: deadline_after_hours(AWARE, -1), id="negative-hours"),
        pytest.param(
            lambda: deadline_after_days(AWARE, 0, tz=SHANGHAI, rest_days=None), id="zero-days"
        ),
    ],
)
def test_period_that_ends_before_it_starts_is_refused(call):
    with pytest.raises(ValueError):
        call()


# --- time left -------------------------------------------------------------------------

DEADLINE = utc(2026, 3, 13, 16, 0)


@pytest.mark.parametrize(
    ("now", "left", "overdue"),
    [
        pytest.param(utc(2026, 3, 13, 15, 0), timedelta(hours=1), False, id="one-hour-before"),
        pytest.param(sh(2026, 3, 14, 0, 0), timedelta(0), True, id="at-24h-already-overdue"),
        pytest.param(utc(2026, 3, 13, 18, 0), timedelta(hours=-2), True, id="two-hours-late"),
        pytest.param(
            utc(2026, 3, 15, 16, 0), timedelta(days=-2), True, id="two-days-late-negative"
        ),
    ],
)
def test_time_left_is_negative_when_overdue(now, left, overdue):
    assert time_left(DEADLINE, now) == left
    assert is_overdue(DEADLINE, now) is overdue


# --- rest days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rest"),
    [
        pytest.param(date(2026, 3, 7), True, id="ordinary-saturday-rests"),
        pytest.param(date(2026, 3, 8), True, id="ordinary-sunday-rests"),
        pytest.param(date(2026, 3, 9), False, id="ordinary-monday-works"),
        pytest.param(date(2026, 2, 16), True, id="spring-festival-monday-rests"),
        pytest.param(date(2026, 2, 14), False, id="make-up-saturday-works"),
        pytest.param(date(2026, 1, 4), False, id="make-up-sunday-works"),
        pytest.param(date(2026, 10, 7), True, id="national-day-wednesday-rests"),
        pytest.param(date(2027, 1, 1), False, id="unknown-year-friday-works"),
        pytest.param(date(2027, 1, 2), True, id="unknown-year-saturday-rests"),
    ],
)
def test_rest_day_is_holiday_or_weekend_not_made_up(day, rest):
    assert CHINA_2026_ONLY.is_rest_day(day) is rest


def test_rest_day_refuses_a_datetime_which_would_never_match_a_holiday():
    with pytest.raises(TypeError):
        CHINA.is_rest_day(sh(2026, 2, 16, 10, 0))


@pytest.mark.parametrize(
    ("rest_days", "start", "end", "unknown"),
    [
        pytest.param(CHINA, date(2025, 12, 29), date(2026, 1, 5), [], id="all-known"),
        pytest.param(
            CHINA_2026_ONLY, date(2025, 12, 29), date(2027, 1, 5), [2025, 2027], id="both-sides"
        ),
        pytest.param(WEEKENDS_ONLY, date(2026, 3, 1), date(2026, 3, 5), [2026], id="no-list"),
    ],
)
def test_unknown_years_lists_years_without_statutory_list(rest_days, start, end, unknown):
    assert rest_days.unknown_years(start, end) == unknown


def test_rest_days_from_rows_splits_holidays_and_workdays():
    rest_days = rest_days_from(
        [(date(2026, 2, 16), False), (date(2026, 2, 14), True)], known_years=[2026]
    )

    assert rest_days.holidays == frozenset({date(2026, 2, 16)})
    assert rest_days.workdays == frozenset({date(2026, 2, 14)})
    assert rest_days.known_years == frozenset({2026})


# --- the chinese_calendar adapter ------------------------------------------------------


def test_statutory_calendar_2026_lists_holidays_and_make_up_days_only():
    calendar = statutory_calendar(2026)

    assert calendar is not None
    assert calendar == sorted(calendar)
    holidays = {day for day, is_workday, _name in calendar if not is_workday}
    workdays = {day: name for day, is_workday, name in calendar if is_workday}
    spring_festival = {date(2026, 2, 15) + timedelta(days=n) for n in range(9)}
    assert spring_festival <= holidays
    assert (date(2026, 2, 17), False, "Spring Festival") in calendar
    assert workdays == {
        date(2026, 1, 4): "New Year's Day",
        date(2026, 2, 14): "Spring Festival",
        date(2026, 2, 28): "Spring Festival",
        date(2026, 5, 9): "Labour Day",
        date(2026, 9, 20): "National Day",
        date(2026, 10, 10): "National Day",
    }
    # 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 3 + 中秋 3 + 国庆 7
    assert len(holidays) == 33
    assert date(2026, 3, 7) not in holidays  # an ordinary Saturday is not listed
    assert all(day.year == 2026 for day, _is_workday, _name in calendar)


@pytest.mark.parametrize("year", [2003, 2027, 2099, 0, 10_000])
def test_statutory_calendar_for_unknown_year_is_none(year):
    assert statutory_calendar(year) is None


@pytest.mark.parametrize(
    ("start", "zone", "expected"),
    [
        # 10:00 Tuesday in Shanghai → 24:00 Tuesday local = 16:00 UTC.
        (
            datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
            "Asia/Shanghai",
            datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
        ),
        # 23:30 UTC Monday is already 07:30 Tuesday in Shanghai: Tuesday's end.
        (
            datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
            "Asia/Shanghai",
            datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
        ),
        # The very first instant of a local day belongs to that day.
        (
            datetime(2026, 11, 23, 16, 0, tzinfo=UTC),
            "Asia/Shanghai",
            datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
        ),
        # New York on the day the clocks go back: midnight after it is EST (UTC-5).
        (
            datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
            "America/New_York",
            datetime(2026, 11, 2, 5, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_end_of_the_local_day(start, zone, expected):
    assert end_of_local_day(start, ZoneInfo(zone)) == expected


def test_the_end_of_the_local_day_refuses_a_naive_start():
    with pytest.raises(ValueError, match="aware"):
        end_of_local_day(datetime(2026, 11, 24, 10, 0), ZoneInfo("Asia/Shanghai"))  # noqa: DTZ001


def test_a_local_day_runs_from_its_midnight_to_the_next():
    start, end = local_day_bounds(date(2026, 11, 24), ZoneInfo("Asia/Shanghai"))
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 11, 23, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
    )
    # The day the clocks go back in New York lasts 25 hours.
    start, end = local_day_bounds(date(2026, 11, 1), ZoneInfo("America/New_York"))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)
