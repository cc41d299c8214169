"""Read side of the desk's fee pages: the notice list (filters, totals, one page by keyset),
one notice and a building's print batch with everything a notice shows, the dunning list and
its letter, and the collection rate's tables. Already scoped by the policy; every page
is a fixed number of queries whatever the rows. Also the small forms of these pages (a month
is typed as YYYY-MM)."""

import base64
import binascii
import builtins
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import django_filters
from django import forms
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from billing import queries
from billing.models import Allocation, BillingRun, DunningAction, DunningStage, FeeNotice
from billing.notices import first_of_month
from frontdesk import policy
from frontdesk.filters import ALL
from frontdesk.models import Building, Property, Resident, Unit, User
from frontdesk.money import ZERO, money

PAGE_SIZE = 50
DUNNING_LIMIT = 500  # units on the dunning list; a building filter narrows it
RUN_HISTORY = 120  # billing runs shown (ten years of one property)
MONEY_FIELD = queries.MONEY_FIELD
OWED, SETTLED = "owed", "settled"


# --- a month typed as YYYY-MM -------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_parse(text: str) -> date:
    """ "2026-11" → date(2026, 11, 1). Raises ValueError for anything else."""
    found = _MONTH.match(text.strip())
    if not found:
        raise ValueError(text)
    year, month = int(found[1]), int(found[2])
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        raise ValueError(text)
    return date(year, month, 1)


class MonthField(forms.Field):
    """A billing month: typed (or picked) as YYYY-MM, cleaned to its first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-11.")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value

    def to_python(self, value):
        if isinstance(value, date):
            return first_of_month(value)
        if value in self.empty_values:
            return None
        try:
            return month_parse(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MonthFilter(django_filters.Filter):
    field_class = MonthField


# --- the notice list ------------------------------------------------------------------------------


class NoticeFilter(django_filters.FilterSet):
    """The notice list's filters; the properties and buildings offered are the user's own.
    The property filter is there only for someone who works at several properties."""

    property = django_filters.ModelChoiceFilter(
        label=_("Property"), queryset=Property.objects.none(), empty_label=ALL
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="unit__building",
        queryset=Building.objects.none(),
        empty_label=ALL,
    )
    period = MonthFilter(label=_("Month"))
    status = django_filters.ChoiceFilter(
        label=_("Payment"),
        choices=[(OWED, _("Still owed")), (SETTLED, _("Settled"))],
        empty_label=ALL,
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=FeeNotice.Kind.choices, empty_label=ALL
    )

    class Meta:
        model = FeeNotice
        fields = ["property", "building", "period", "kind"]

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, queryset=queries.notices_for(user), **kwargs)
        properties = list(policy.properties_for(user).order_by("name"))
        if len(properties) > 1:
            self.filters["property"].queryset = Property.objects.filter(
                pk__in=[p.pk for p in properties]
            ).order_by("name")
        else:
            del self.filters["property"]
        self.filters["building"].queryset = (
            Building.objects.filter(property__in=[p.pk for p in properties])
            .select_related("property")
            .order_by("property__name", "number")
        )
        self.several = len(properties) > 1

    @builtins.property  # (a plain @property would be the filter named "property" here)
    def form(self):
        form = super().form
        if self.several:
            form.fields["building"].label_from_instance = _building_with_property
        return form

    def filter_status(self, queryset, _name, value):
        return queryset.filter(settled=value == SETTLED)


def _building_with_property(building: Building) -> str:
    return f"{building.property.name} {building}"


def notice_totals(qs: QuerySet[FeeNotice]) -> dict:
    """What the filtered notices add up to: one aggregate query. (SQLite's sums come back
    without their two decimals: rounded here as money.)"""
    row = qs.aggregate(
        count=Count("pk"),
        billed=Coalesce(Sum("total"), Value(ZERO), output_field=MONEY_FIELD),
        collected=Coalesce(Sum("paid"), Value(ZERO), output_field=MONEY_FIELD),
        owed=Coalesce(
            Sum(F("total") - F("paid"), output_field=MONEY_FIELD),
            Value(ZERO),
            output_field=MONEY_FIELD,
        ),
    )
    return {key: value if key == "count" else money(value) for key, value in row.items()}


@dataclass(frozen=True)
class Page:
    rows: list
    after: str | None  # the cursor of the next page, or None on the last page


# The list's order, newest month first, then property, building and unit: the keyset.
# (field, descending)
ORDER = [
    ("period", True),
    ("property_id", False),
    ("unit__building__number", False),
    ("unit__number", False),
    ("pk", False),
]


def _key(notice: FeeNotice) -> list:
    return [
        notice.period.isoformat(),
        notice.property_id,
        notice.unit.building.number,
        notice.unit.number,
        notice.pk,
    ]


def cursor_for(notice: FeeNotice) -> str:
    raw = json.dumps(_key(notice), ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_parse(text: str) -> list:
    """Raises ValueError for anything that is not a cursor this module made."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        period, prop, building, unit, pk = json.loads(raw)
        types = (str, int, str, str, int)
        if not all(
            isinstance(v, t) for v, t in zip((period, prop, building, unit, pk), types, strict=True)
        ):
            raise ValueError(text)
        return [date.fromisoformat(period), prop, building, unit, pk]
    except (binascii.Error, UnicodeDecodeError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(text) from exc


def _after(values: list) -> Q:
    """Rows after the given key in ORDER."""
    condition = Q()
    for i, (field, descending) in enumerate(ORDER):
        same = {name: value for (name, _d), value in zip(ORDER[:i], values[:i], strict=True)}
        condition |= Q(**same, **{f"{field}__{'lt' if descending else 'gt'}": values[i]})
    return condition


def notice_page(
    qs: QuerySet[FeeNotice], *, today: date, after: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page of notices by keyset (never OFFSET), each with its unit and an `overdue`
    mark (still owed after its due date). A cursor this module did not make raises
    ValueError."""
    overdue = Q(settled=False, due_date__lt=today)
    qs = (
        qs.select_related("property", "unit__building")
        .annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by(*[f"-{f}" if desc else f for f, desc in ORDER])
    )
    if after:
        qs = qs.filter(_after(cursor_parse(after)))
    rows = list(qs[: size + 1])
    nxt = cursor_for(rows[size - 1]) if len(rows) > size else None
    return Page(rows=rows[:size], after=nxt)


def stage_names(properties) -> dict[tuple[int, int], str]:
    """(property id, step) → "2. Phone call": what each dunning step of each property is.
    One query."""
    return {
        (stage.property_id, stage.step): str(stage)
        for stage in DunningStage.objects.filter(property__in=properties)
    }


# --- one notice, and a building's batch ------------------------------------------------------------


def _current_residents():
    return Resident.objects.filter(moved_out_on__isnull=True).order_by("kind", "pk")


def _notices_in_full(qs: QuerySet[FeeNotice]) -> QuerySet[FeeNotice]:
    """Everything a notice sheet shows, in a fixed number of queries for any number of
    notices: property, unit and building with the notice; then its lines, the residents of
    its unit (``unit.current_residents``), the payments applied to it with their receipts,
    and the dunning steps taken."""
    return qs.select_related("property", "unit__building").prefetch_related(
        "lines",
        Prefetch("unit__residents", queryset=_current_residents(), to_attr="current_residents"),
        Prefetch(
            "allocations",
            queryset=Allocation.objects.select_related("payment").order_by("at", "id"),
        ),
        Prefetch("dunning", queryset=DunningAction.objects.order_by("at", "id")),
    )


def notice_detail(user: User, pk: int) -> FeeNotice:
    """Raises FeeNotice.DoesNotExist for a notice the user may not see."""
    return _notices_in_full(queries.notices_for(user)).get(pk=pk)


def building_for(user: User, pk: int) -> Building:
    """One of the user's properties' buildings; raises Building.DoesNotExist otherwise."""
    return Building.objects.select_related("property").get(
        pk=pk, property__in=policy.properties_for(user)
    )


def notice_batch(user: User, building: Building, period: date) -> list[FeeNotice]:
    """The building's monthly notices of the period, by unit, for printing."""
    qs = queries.notices_for(user).filter(
        unit__building=building, period=period, kind=FeeNotice.Kind.MONTHLY
    )
    return list(_notices_in_full(qs).order_by("unit__number", "pk"))


# --- the dunning list and letter ---------------------------------------------------------------------


class DunningFilter(django_filters.FilterSet):
    property = django_filters.ModelChoiceFilter(
        label=_("Property"), queryset=Property.objects.none(), empty_label=ALL
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="unit__building",
        queryset=Building.objects.none(),
        empty_label=ALL,
    )

    class Meta:
        model = FeeNotice
        fields = ["property", "building"]

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, queryset=queries.notices_for(user), **kwargs)
        properties = policy.properties_for(user)
        self.filters["property"].queryset = Property.objects.filter(
            pk__in=properties.values("pk")
        ).order_by("name")
        self.filters["building"].queryset = (
            Building.objects.filter(property__in=properties)
            .select_related("property")
            .order_by("property__name", "number")
        )

    @builtins.property  # (a plain @property would be the filter named "property" here)
    def form(self):
        form = super().form
        form.fields["building"].label_from_instance = _building_with_property
        return form


def dunning_rows(qs: QuerySet[FeeNotice], *, today: date, order: str) -> list[dict]:
    """billing.queries.dunning_list, with the furthest dunning step any of the unit's overdue
    notices has reached and the unit's property, and how many days the oldest is overdue.
    One query, at most DUNNING_LIMIT rows."""
    rows = list(
        queries.dunning_list(qs, today=today, order=order).annotate(
            step=Max("dunning_step"), prop=Min("property")
        )[:DUNNING_LIMIT]
    )
    for row in rows:
        row["owed"] = money(row["owed"])
        row["label"] = f"{row['unit__building__number']}-{row['unit__number']}"
        row["days_overdue"] = (today - row["oldest_due"]).days
    return rows


def unit_for(user: User, pk: int) -> Unit:
    """One of the user's units with its building and property, and its current residents.
    Raises Unit.DoesNotExist otherwise."""
    return (
        policy.units_for(user)
        .select_related("building__property")
        .prefetch_related(
            Prefetch("residents", queryset=_current_residents(), to_attr="current_residents")
        )
        .get(pk=pk)
    )


def overdue_notices(unit: Unit, *, today: date) -> list[FeeNotice]:
    """The unit's notices still owed after their due date, oldest first."""
    return list(
        FeeNotice.objects.filter(unit=unit, settled=False, due_date__lt=today).order_by(
            "due_date", "period", "pk"
        )
    )


# --- billing runs ---------------------------------------------------------------------------------


def generating_properties(user: User) -> QuerySet[Property]:
    """Where the user may generate a month's notices: supervisors, managers, finance."""
    return policy.properties_with(user, "fees.generate").order_by("name")


def run_history(properties) -> list[BillingRun]:
    return list(
        BillingRun.objects.filter(property__in=properties)
        .select_related("property")
        .order_by("-period", "property__name")[:RUN_HISTORY]
    )


def run_counts(property: Property, period: date) -> tuple[int, int]:
    """What the month's run has counted so far (made, skipped); (0, 0) before any run."""
    row = (
        BillingRun.objects.filter(property=property, period=period)
        .values_list("made", "skipped")
        .first()
    )
    return row or (0, 0)


class GenerateForm(forms.Form):
    property = forms.ModelChoiceField(label=_("Property"), queryset=Property.objects.none())
    month = MonthField(label=_("Month"))

    def __init__(self, *args, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties
        self.fields["property"].empty_label = None


# --- the collection rate ------------------------------------------------------------------------------

PERCENT = Decimal("0.1")


def percent(rate: Decimal | None) -> str:
    """0.75 → "75.0%"; nothing billed → "—"."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(PERCENT, rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class RateRow:
    label: str
    rate: queries.Rate

    @property
    def percent(self) -> str:
        return percent(self.rate.rate)

    @property
    def below_target(self) -> bool:
        return self.rate.rate is not None and not self.rate.meets_target


class CollectionForm(forms.Form):
    property = forms.ModelChoiceField(label=_("Property"), queryset=Property.objects.none())
    start = MonthField(label=_("From month"))
    end = MonthField(label=_("To month"))

    def __init__(self, *args, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties
        self.fields["property"].empty_label = None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first month comes after the last one."))
        return cleaned


@dataclass(frozen=True)
class Collection:
    overall: RateRow
    by_property: list[RateRow]
    by_building: list[RateRow]
    by_period: list[RateRow]


def collection(user: User, property: Property, properties, first: date, last: date) -> Collection:
    """The collection rate of the months first..last: every property of the user's side by
    side, then the chosen property overall, by building and by month. Four queries, plus
    one for the property's building names."""
    notices = queries.notices_for(user)
    names = {p.pk: p.name for p in properties}
    place = {p.pk: i for i, p in enumerate(properties)}  # in the order given (by name)
    by_property = [
        RateRow(names.get(row["key"], str(row["key"])), row["rate"])
        for row in sorted(
            queries.collection_rate_by(notices, first, last, "property"),
            key=lambda row: place.get(row["key"], len(place)),
        )
    ]
    mine = notices.filter(property=property)
    buildings = {b.pk: str(b) for b in Building.objects.filter(property=property)}
    return Collection(
        overall=RateRow(property.name, queries.collection_rate(mine, first, last)),
        by_property=by_property,
        by_building=[
            RateRow(buildings.get(row["key"], str(row["key"])), row["rate"])
            for row in queries.collection_rate_by(mine, first, last, "unit__building")
        ],
        by_period=[
            RateRow(row["key"].strftime("%Y-%m"), row["rate"])
            for row in queries.collection_rate_by(mine, first, last, "period")
        ],
    )
