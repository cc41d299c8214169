"""Read side of the complaint register (投诉记录表): the filters, one page by keyset, and the
same rows in chunks for the exports and the printed register. Already scoped by the access
module; every page or chunk is a fixed number of queries (the rows, then their escalations)."""

from collections.abc import Iterator
from datetime import datetime

import django_filters
from django import forms
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdesk import policy
from frontdesk.filters import ALL, ReceivedBetween, received_between
from frontdesk.models import Building, Department, Property, User
from frontdesk.pages import PAGE_SIZE, Page, newest_first
from tickets.models import Complaint, Escalation
from visits.models import Callback

CHUNK_SIZE = 500  # rows per query when the exports walk the whole register
PRINT_LIMIT = 500  # rows on the printed register

YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]


def _open_callbacks_due(now: datetime):
    return Callback.objects.filter(
        complaint=OuterRef("pk"), status=Callback.Status.OPEN, due_at__lte=now
    )


def reply_late(now: datetime) -> Q:
    """The three-day reply is due and not given (on the row, or its callback still open)."""
    reply_callback = _open_callbacks_due(now).filter(kind=Callback.Kind.COMPLAINT_REPLY)
    return Q(reply_due_at__lte=now, replied_at__isnull=True) | Q(Exists(reply_callback))


def callback_late(now: datetime) -> Q:
    """Any other callback of the complaint (the satisfaction callback) is open past its due."""
    return Q(Exists(_open_callbacks_due(now).exclude(kind=Callback.Kind.COMPLAINT_REPLY)))


def overdue(now: datetime) -> Q:
    """Reply or callback overdue now: reply due and not given, or an open callback due."""
    return reply_late(now) | callback_late(now)


def _escalations(**lookups) -> Exists:
    return Exists(Escalation.objects.filter(complaint=OuterRef("pk"), **lookups))


class ComplaintRegisterFilter(ReceivedBetween, django_filters.FilterSet):
    """The register's filters. The departments and buildings offered are the user's own
    properties'; the yes/no filters refuse anything but yes or no."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=Complaint.State.choices, empty_label=ALL
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Complaint.Category.choices, empty_label=ALL
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.none(), empty_label=ALL
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="unit__building",
        queryset=Building.objects.none(),
        empty_label=ALL,
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Complaint.Channel.choices, empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Complaint.Kind.choices, empty_label=ALL
    )
    received_from, received_to = received_between()
    overdue = django_filters.ChoiceFilter(
        label=_("Reply or callback overdue"),
        choices=YES_NO,
        empty_label=ALL,
        method="filter_overdue",
    )
    escalated = django_filters.ChoiceFilter(
        label=_("Escalated"), choices=YES_NO, empty_label=ALL, method="filter_escalated"
    )
    unacknowledged = django_filters.ChoiceFilter(
        label=_("Escalation not acknowledged"),
        choices=YES_NO,
        empty_label=ALL,
        method="filter_unacknowledged",
    )

    class Meta:
        model = Complaint
        fields = ["state", "category", "department", "building", "channel", "kind"]

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, queryset=policy.complaints_for(user), **kwargs)
        properties = policy.properties_for(user)
        self.filters["department"].queryset = Department.objects.filter(
            property__in=properties
        ).order_by("property_id", "name")
        self.filters["building"].queryset = Building.objects.filter(
            property__in=properties
        ).order_by("property_id", "number")

    @staticmethod
    def _yes_no(queryset, value, condition):
        return queryset.filter(condition) if value == YES else queryset.exclude(condition)

    def filter_overdue(self, queryset, _name, value):
        return self._yes_no(queryset, value, overdue(timezone.now()))

    def filter_escalated(self, queryset, _name, value):
        return self._yes_no(queryset, value, Q(_escalations()))

    def filter_unacknowledged(self, queryset, _name, value):
        return self._yes_no(queryset, value, Q(_escalations(acknowledged_at__isnull=True)))

    def summary(self) -> list[tuple[str, str]]:
        """The filters in use, as (label, value shown) pairs, for the printed register's
        title. Call after is_valid(); uses the choices already fetched by the form."""
        form = self.form
        used = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if hasattr(value, "isoformat"):
                shown = value.isoformat()
            elif isinstance(field, forms.ModelChoiceField):
                shown = str(value)
            else:
                shown = str(dict(field.choices).get(value, value))
            used.append((str(field.label), shown))
        return used


def _rows(qs: QuerySet, now: datetime) -> QuerySet[Complaint]:
    """What a register row shows: its place, department, the two overdue marks, and (one
    more query) its escalations."""
    return (
        qs.select_related("property", "unit__building", "department", "owner")
        .annotate(
            is_reply_late=ExpressionWrapper(reply_late(now), output_field=BooleanField()),
            is_callback_late=ExpressionWrapper(callback_late(now), output_field=BooleanField()),
        )
        .prefetch_related(Prefetch("escalations", queryset=Escalation.objects.order_by("at", "id")))
        .order_by("-received_at", "-id")
    )


def complaint_page(
    qs: QuerySet, *, before: str | None = None, size: int = PAGE_SIZE, now: datetime | None = None
) -> Page:
    """One page of complaints, newest first, by keyset on (received_at, id): never OFFSET.
    `before` is the cursor of the last row of the previous page; a cursor this module did
    not make raises ValueError."""
    return newest_first(_rows(qs, now or timezone.now()), "received_at", before=before, size=size)


def complaint_chunks(qs: QuerySet, *, size: int | None = None) -> Iterator[list[Complaint]]:
    """Every row of the filtered register, newest first, a chunk at a time by keyset: two
    queries a chunk, never all the rows in memory at once. "Overdue" is judged once, at the
    start, so every chunk agrees."""
    now, size = timezone.now(), size or CHUNK_SIZE
    before = None
    while True:
        page = complaint_page(qs, before=before, size=size, now=now)
        if page.rows:
            yield page.rows
        if page.older is None:
            return
        before = page.older


def register_properties(user: User) -> list[Property]:
    """The properties whose complaints the register shows, for its title."""
    return list(policy.properties_for(user).order_by("name"))
