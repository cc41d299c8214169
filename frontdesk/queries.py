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
    ResidentEvent,
    ResidentPhone,
    SweepRun,
    User,
)
from frontdesk.policy import residents_for

UNIT_PATTERN = re.compile(r"^\s*([0-9A-Za-z]+)\s*-\s*([0-9A-Za-z]+)\s*$")
PHONE_CHARS = re.compile(r"^[\d\s+()-]+$")
LOOKUP_LIMIT = 50


def resident_lookup(user: User, text: str) -> QuerySet:
    """Residents matching what a clerk typed: any part of a phone, a name, "1-1203" or an
    archive number. Several readings of the same text are combined (a "138-1234" may be a
    phone fragment or a unit)."""
    text = text.strip()
    if not text:
        return residents_for(user).none()
    match = Q(name__icontains=text) | Q(company__icontains=text)
    unit = UNIT_PATTERN.match(text)
    if unit:
        match |= Q(units__building__number__iexact=unit[1], units__number__iexact=unit[2])
    if PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 3:
            match |= Q(phones__digits__contains=digits)
        if len(digits) == 9:
            match |= Q(archive_number=digits)
    ids = residents_for(user).filter(match).values("pk")
    return resident_cards(residents_for(user).filter(pk__in=ids)).order_by("name", "pk")[
        :LOOKUP_LIMIT
    ]


def resident_cards(qs: QuerySet) -> QuerySet:
    """What a resident card shows, in a fixed number of queries."""
    return qs.select_related("property", "user").prefetch_related(
        "units__building",
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
