"""China's statutory holidays, from the maintained ``chinesecalendar`` library.

The State Council announces each year's holidays and make-up working days (调休) in
November; the library knows a year only after its next release, and raises
``NotImplementedError`` for any other year. Each property therefore keeps its own list,
pre-filled from here and editable by the supervisor; this module turns the library's
data into rows for that list, and stored rows into the clock's ``RestDays``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import chinese_calendar

from frontdesk.clock import RestDays

__all__ = ["rest_days_from", "statutory_calendar"]


def _library_knows(year: int) -> bool:
    """Ask the library itself, so its own supported range decides (2004-2026 in 1.11)."""
    try:
        chinese_calendar.get_holiday_detail(date(year, 1, 1))
    except (NotImplementedError, ValueError, OverflowError):
        # NotImplementedError: a year the library has no data for;
        # ValueError/OverflowError: not a valid calendar year at all.
        return False
    return True


def statutory_calendar(year: int) -> list[tuple[date, bool, str]] | None:
    """The special days of ``year``: ``(day, is_workday, holiday name)``, sorted by day.

    Statutory holidays come with ``is_workday=False`` (including those that fall on a
    weekend: they are still part of the holiday), make-up working days with
    ``is_workday=True``. Ordinary weekends are not listed. Returns ``None`` when the
    library does not know the year, so the caller can ask a person; it never raises.
    """
    if not _library_knows(year):
        return None
    days = [
        (day, False, name) for day, name in chinese_calendar.holidays.items() if day.year == year
    ]
    days += [
        (day, True, name)
        for day, name in chinese_calendar.workdays.items()
        # A make-up working day is a worked weekend day; a weekday in this dict would
        # be a working day anyway, so it carries no information.
        if day.year == year and day.weekday() >= 5
    ]
    days.sort()
    return days


def rest_days_from(entries: Iterable[tuple[date, bool]], known_years: Iterable[int]) -> RestDays:
    """Build the clock's ``RestDays`` from stored ``(day, is_workday)`` rows.

    ``known_years`` are the years whose list the property has entered (or pre-filled);
    for any other year the clock counts weekends only and the pages warn.
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, is_workday in entries:
        (workdays if is_workday else holidays).add(day)
    return RestDays(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        known_years=frozenset(known_years),
    )
