"""Read side of the core records: already scoped, with what the page needs prefetched."""

import re
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import F, Prefetch, Q, QuerySet

from frontdesk import policy
from frontdesk.models import (
    HolidayYear,
    Notification,
    Property,
    Resident,
    ResidentEvent,
    ResidentPhone,
    SweepRun,
    Unit,
    User,
)
from frontdesk.policy import residents_for

UNIT_PATTERN = re.compile(r"^\s*([0-9A-Za-z]+)\s*-\s*([0-9A-Za-z]+)\s*$")
PHONE_CHARS = re.compile(r"^[\d\s+()-]+$")
LOOKUP_LIMIT = 50
# pg_trgm finds a fragment inside a text only from three characters on.
TRIGRAM = 3
# An archive number (YYMMDDNNN) is searched from its move-in day on.
ARCHIVE_PREFIX = 6


def resident_lookup(user: User, text: str) -> QuerySet:
    """Residents matching what a clerk typed: any part of a phone (four digits: its last
    four), a name or a company, "1-1203", or the start of an archive number. Each reading of
    the text is searched through its own index, and only its first LOOKUP_LIMIT residents
    are combined, so the time does not grow with the number of residents (a "138-1234" may
    be a phone fragment or a unit)."""
    scope = residents_for(user)
    matches = _readings(text.strip())
    if not matches:
        return scope.none()
    # The properties as values, not a subquery: the planner then knows how many residents
    # each holds, and does not read a large property's whole index to narrow a name's rows.
    properties = list(policy.properties_for(user).values_list("pk", flat=True))
    candidates = Resident.objects.filter(property__in=properties).order_by("name", "pk")
    # Each reading's first residents in a subquery of its own: SQLite allows no LIMIT in the
    # parts of a UNION.
    first, *others = [
        Resident.objects.filter(pk__in=candidates.filter(match)[:LOOKUP_LIMIT].values("pk"))
        .order_by()
        .values("pk")
        for match in matches
    ]
    ids = first.union(*others) if others else first
    return resident_cards(scope.filter(pk__in=ids)).order_by("name", "pk")[:LOOKUP_LIMIT]


def _readings(text: str) -> list[Q]:
    """What the text may be, each a condition one index answers."""
    readings = [_fragment_of("name", text) | _fragment_of("company", text)] if text else []
    unit = UNIT_PATTERN.match(text)
    if unit:
        rooms = Resident.units.through.objects.filter(
            unit__building__number__iexact=unit[1], unit__number__iexact=unit[2]
        )
        readings.append(Q(pk__in=rooms.values("resident_id")))
    if PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 4:
            phones = ResidentPhone.objects.filter(last_four=digits)
            readings.append(Q(pk__in=phones.values("resident_id")))
        elif len(digits) >= TRIGRAM:
            phones = ResidentPhone.objects.filter(digits__contains=digits)
            readings.append(Q(pk__in=phones.values("resident_id")))
        if ARCHIVE_PREFIX <= len(digits) <= 9:
            readings.append(Q(archive_number__startswith=digits))
    return readings


def _fragment_of(field: str, text: str) -> Q:
    """The text anywhere in the field; shorter than a trigram, at the field's start (a
    surname) or, with two characters, its end (a given name): what a trigram index finds."""
    if len(text) >= TRIGRAM:
        return Q(**{f"{field}__icontains": text})
    match = Q(**{f"{field}__istartswith": text})
    if len(text) == 2:
        match |= Q(**{f"{field}__iendswith": text})
    return match


def resident_cards(qs: QuerySet) -> QuerySet:
    """What a resident card shows, in a fixed number of queries."""
    return qs.select_related("property", "user").prefetch_related(
        Prefetch("units", queryset=Unit.objects.select_related("building")),
        Prefetch("phones", queryset=ResidentPhone.objects.order_by("id")),
    )


def resident_card(user: User, pk: int):
    """One resident for a card or a form; raises DoesNotExist for what the user may not see."""
    return resident_cards(residents_for(user)).get(pk=pk)


def resident_history(resident) -> QuerySet:
    return ResidentEvent.objects.filter(resident=resident).select_related("by")[:20]


class SweepState(NamedTuple):
    stale: bool
    last_finished_at: datetime | None
    failed_steps: list[str]


def sweep_stale(now: datetime, stale_after_seconds: int) -> SweepState:
    """Whether the periodic sweep has stopped running, when it last finished, and the names
    of the steps that failed in that run (one query)."""
    row = SweepRun.objects.filter(name="sweep").values_list(
        "last_finished_at", "last_result__failed"
    )
    last, failed = row.first() or (None, None)
    stale = last is None or now - last > timedelta(seconds=stale_after_seconds)
    failed = failed if isinstance(failed, list) else []  # a record from before the runner
    return SweepState(stale, last, [str(name) for name in failed])


def holiday_years_missing(user: User, today: date) -> list[tuple[Property, int]]:
    """Years whose holidays a supervisor still has to enter: the current year, and from
    December on the next one (deadlines late in December end in January)."""
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    properties = policy.properties_with(user, "holiday.edit").filter(
        holiday_calendar=Property.HolidayCalendar.CHINA
    )
    known = set(
        HolidayYear.objects.filter(property__in=properties, year__in=years).values_list(
            "property_id", "year"
        )
    )
    return [(p, y) for p in properties for y in years if (p.pk, y) not in known]


def notices_for(user: User, limit: int = 50) -> QuerySet:
    """The person's in-app notices, unread first, newest first."""
    return Notification.objects.filter(
        recipient_user=user, channel=Notification.Channel.IN_APP
    ).order_by(F("read_at").asc(nulls_first=True), "-created_at")[:limit]


def unread_notice_count(user: User) -> int:
    return Notification.objects.filter(
        recipient_user=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).count()
