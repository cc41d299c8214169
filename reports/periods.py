"""The reach of a report: the properties reported on, grouped by time zone (each property's
own local days bound a range), and the calendar arithmetic of periods and months."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


class Scope:
    """The properties reported on, grouped by time zone."""

    def __init__(self, properties):
        self.properties = sorted(properties, key=lambda p: p.pk)
        if not self.properties:
            raise ValueError("no properties")
        self.ids = [p.pk for p in self.properties]
        self.zone = self.properties[0].zone
        by_zone: dict[str, list[int]] = {}
        for prop in self.properties:
            by_zone.setdefault(prop.time_zone, []).append(prop.pk)
        self.by_zone = by_zone

    def within(self, first: date, last: date, field: str) -> Q:
        """Rows of the properties whose ``field`` falls on a local day first..last (each
        property's own days)."""
        condition = Q()
        for name, ids in self.by_zone.items():
            zone = ZoneInfo(name)
            bounds = {
                f"{field}__gte": day_start(first, zone),
                f"{field}__lt": day_start(last + timedelta(days=1), zone),
            }
            condition |= Q(property_id__in=ids, **bounds)
        return condition

    def end_of(self, day: date) -> datetime:
        """The end of the local day in the report zone."""
        return day_start(day + timedelta(days=1), self.zone)


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of equal length just before."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(day: date) -> date:
    return month_after(day) - timedelta(days=1)


# --- the figures ---------------------------------------------------------------------------------


def collection_months(start: date, end: date) -> tuple[date, date]:
    """The billing months a period touches (first days)."""
    return first_of_month(start), first_of_month(end)
