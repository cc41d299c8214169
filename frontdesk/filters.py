"""What the lists' filter forms share: the "All" choice and the received-between dates."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ALL = _("All")  # the empty choice of every list filter


def local_midnight(day) -> datetime:
    """The start of a day in the current time zone (the property's, set by the middleware)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def received_between() -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """The "received from" and "received until" filters of a list, made where the list's
    FilterSet declares them (so they keep their place among its fields); the FilterSet takes
    ReceivedBetween for their methods."""
    widget = {"type": "date"}
    return (
        django_filters.DateFilter(
            label=_("Received from"),
            method="filter_received_from",
            widget=forms.DateInput(attrs=widget),
        ),
        django_filters.DateFilter(
            label=_("Received until"),
            method="filter_received_to",
            widget=forms.DateInput(attrs=widget),
        ),
    )


class ReceivedBetween:
    """From and until which local day a record was received (both days included)."""

    def filter_received_from(self, queryset, _name, value):
        return queryset.filter(received_at__gte=local_midnight(value))

    def filter_received_to(self, queryset, _name, value):
        return queryset.filter(received_at__lt=local_midnight(value + timedelta(days=1)))
