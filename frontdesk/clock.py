"""The business clock: every callback and reply deadline is computed here.

Pure functions only. Nothing here reads the system clock or the database: the caller
passes the trigger instant, ``now``, the property's time zone and its rest days, so the
same inputs always give the same deadline and the rules can be tested directly.

Two kinds of window exist (see ``shared/DOMAIN.md``, "Callbacks"):

* "72 hours": elapsed time, independent of calendars and time zones;
* "three days": counted by the Chinese Civil Code (arts. 201, 203) in the property's
  time zone: the trigger day does not count, the period ends at 24:00 of its last day,
  and a last day that is a rest day moves to the end of the next working day.

Every datetime going in must be aware; every deadline coming out is aware UTC, the way
the database stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "WEEKENDS_ONLY",
    "RestDays",
    "deadline_after_days",
    "deadline_after_hours",
    "end_of_local_day",
    "local_day_bounds",
    "is_overdue",
    "time_left",
]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class RestDays:
    """A property's rest days (法定休假日): weekends, corrected by a statutory list.

    The statutory list is announced each year, so it is only known for some years;
    ``known_years`` says which, so that a page can warn when a deadline falls in a year
    nobody has entered yet. For such a year only weekends count as rest days: the clock
    never fails for want of a list.
    """

    holidays: frozenset[date] = frozenset()
    """Statutory holidays: rest days, whatever the weekday."""
    workdays: frozenset[date] = frozenset()
    """Make-up working days (调休): weekend days that are worked."""
    known_years: frozenset[int] = frozenset()
    """Years for which the lists above are complete."""

    def __post_init__(self) -> None:
        # Accept any iterable from callers but keep the value truly immutable/hashable.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "known_years", frozenset(self.known_years))

    @classmethod
    def weekends_only(cls) -> RestDays:
        """Rest days for a property without a statutory list: Saturdays and Sundays."""
        return cls()

    def is_rest_day(self, day: date) -> bool:
        """True when nobody works on ``day`` at the property (a local calendar date).

        A statutory holiday is rest, a make-up working day is work, any other day is
        rest exactly when it falls on a Saturday or Sunday.
        """
        if isinstance(day, datetime):
            # datetime is a date subclass but never equals one: a silent "not a holiday".
            raise TypeError("is_rest_day() takes a local calendar date, not a datetime")
        if day in self.holidays:
            return True
        if day in self.workdays:
            return False
        return day.weekday() >= 5

    def unknown_years(self, start: date, end: date) -> list[int]:
        """Years from ``start`` to ``end`` (inclusive) with no statutory list, sorted.

        A page shows these to the supervisor: deadlines there assume weekends only.
        """
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if year not in self.known_years]


WEEKENDS_ONLY = RestDays.weekends_only()
"""Saturdays and Sundays are rest days; no statutory holidays are known."""


def _require_aware(name: str, value: datetime) -> None:
    """Refuse naive datetimes: their instant depends on the server's zone, a silent bug."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")


def deadline_after_hours(start: datetime, hours: float | int) -> datetime:
    """The instant ``hours`` elapsed hours after ``start`` (the 72-hour repair callback).

    Elapsed time ignores holidays and DST: the sum is done in UTC, because adding a
    timedelta to a local DST-zone datetime adds wall-clock time, not elapsed time.
    """
    _require_aware("start", start)
    if hours < 0:
        raise ValueError(f"hours must not be negative, got {hours!r}")
    return start.astimezone(UTC) + timedelta(hours=hours)


def deadline_after_days(
    start: datetime, days: int, *, tz: ZoneInfo, rest_days: RestDays | None
) -> datetime:
    """The end of a period of ``days`` days counted by the Civil Code (arts. 201, 203).

    The trigger day, taken in the property's zone ``tz``, does not count; day 1 is the
    next local calendar day; the period ends at 24:00 of day ``days``, i.e. at local
    00:00 of the day after. If that last day is a rest day per ``rest_days``, the last
    day becomes the first following day that is not. ``rest_days=None`` counts plain
    calendar days, for a desk that keeps no holiday calendar. Returns aware UTC.
    """
    _require_aware("start", start)
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days!r}")
    last_day = start.astimezone(tz).date() + timedelta(days=days)
    if rest_days is not None:
        # Terminates: the holiday set is finite, and weekdays outside it are work.
        while rest_days.is_rest_day(last_day):
            last_day += _ONE_DAY
    # 24:00 of the last day is the first instant of the next local day. Built through
    # zoneinfo (fold=0) so that a DST change is honoured, and where local midnight is
    # skipped by a DST gap, fold=0 maps it to the instant the new day actually begins.
    end_local = datetime.combine(last_day + _ONE_DAY, time(0), tzinfo=tz)
    return end_local.astimezone(UTC)


def end_of_local_day(start: datetime, tz: ZoneInfo) -> datetime:
    """24:00 of ``start``'s local calendar day in ``tz`` (the same-day escalation), aware UTC.

    Rest days do not matter here: "not solved the same day" is the day it was received.
    """
    _require_aware("start", start)
    next_day = start.astimezone(tz).date() + _ONE_DAY
    return datetime.combine(next_day, time(0), tzinfo=tz).astimezone(UTC)


def local_date(at: datetime, tz: ZoneInfo) -> date:
    """The calendar day an instant falls on at a place (a property's zone)."""
    _require_aware("at", at)
    return at.astimezone(tz).date()


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A local calendar day at the property as a half-open interval [00:00, next 00:00),
    both aware; a day shortened or lengthened by DST is honoured (fold=0, as above)."""
    return (
        datetime.combine(day, time(0), tzinfo=tz),
        datetime.combine(day + _ONE_DAY, time(0), tzinfo=tz),
    )


def time_left(deadline: datetime, now: datetime) -> timedelta:
    """Time from ``now`` until ``deadline``; negative once it has passed."""
    _require_aware("deadline", deadline)
    _require_aware("now", now)
    return deadline - now


def is_overdue(deadline: datetime, now: datetime) -> bool:
    """True from the deadline instant on: 24:00 of the last day is already too late.

    Matches the sweep, which acts on rows whose ``due_at <= now``.
    """
    return time_left(deadline, now) <= timedelta(0)
