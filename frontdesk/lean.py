"""Lean API lists: a list reads its page with `values()` and turns each row into exactly the
JSON its serializer gives for the same record, without model instances and without DRF's
per-field machinery (about a thousand calls a row). The serializer stays what the schema
shows and what the detail and the writes use; its fields are read once, to make the plan.

A field whose source is a column (or a column across foreign keys, "unit.building.number")
is read by its path; the hot field types are converted by the same rules DRF applies (a
datetime in the current time zone, ISO 8601, "Z" for UTC; a decimal quantized to its places)
and any other plain field by its own `to_representation`. A field that is no column (a model
property, a method field) is named in the serializer's `lean` with the columns it reads and
how it is made from them (a nested list made for the whole page by the serializer's
`lean_page`, one query each); a field neither can give refuses to plan, so a list never
quietly shows something else."""

import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import fields as drf
from rest_framework import relations, serializers
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings


@dataclass(frozen=True)
class Derived:
    """An output field made from the row's columns (a model property, a method field). The
    value then goes through the serializer field's own conversion (a method field's as is).
    Without `value`, a method field's own method is asked, given the columns as attributes."""

    columns: tuple[str, ...]
    value: Callable[[dict], Any] | None = None


class _Record:
    """A values() row read as attributes, for a method field's method."""

    __slots__ = ("_row",)

    def __init__(self, row: dict):
        self._row = row

    def __getattr__(self, name):
        return self._row[name]


def _asking(method):
    return lambda row: method(_Record(row))


TEXT_FIELDS = (models.CharField, models.TextField)
WHOLE_FIELDS = (models.IntegerField, models.AutoField, models.BigAutoField)


def _model_field(model, path: str):
    """The concrete model field at the end of a values() path, or None when the path does not
    name one (a property, a reverse or many-to-many relation)."""
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many:
            return None
        if i < len(parts) - 1:
            if not field.is_relation:
                return None
            model = field.related_model
    return field


def _datetime(tz):
    def shown(value):
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return shown


def _decimal(field: drf.DecimalField):
    places = decimal.Decimal(".1") ** field.decimal_places
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    rounding = field.rounding

    def shown(value):
        return f"{value.quantize(places, rounding=rounding, context=context):f}"

    return shown


def _formatted(field: drf.Field) -> Callable | str | None:
    """The converter of a datetime, date or decimal field (DRF's rules, made once)."""
    if isinstance(field, drf.DateTimeField):
        fmt = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if fmt is not None and fmt.lower() == ISO_8601 and not hasattr(field, "timezone"):
            return "datetime"
        return field.to_representation
    if isinstance(field, drf.DateField):
        fmt = getattr(field, "format", api_settings.DATE_FORMAT)
        if fmt is not None and fmt.lower() == ISO_8601:
            return lambda value: value.isoformat()
        return field.to_representation
    plain = (
        getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and field.decimal_places is not None
        and not field.normalize_output
        and not field.localize
    )
    return _decimal(field) if plain else field.to_representation


# Serializer fields whose value is the column's as it is, given the model field it reads.
AS_IS = (
    (drf.CharField, TEXT_FIELDS),
    (drf.IntegerField, WHOLE_FIELDS),
    (drf.BooleanField, (models.BooleanField,)),
    (relations.PrimaryKeyRelatedField, (models.ForeignKey,)),  # the column holds the pk
)


def _converter(field: drf.Field, model_field) -> Callable | str | None:
    """How a non-None value becomes JSON: None for as it is, "datetime" for the current zone's
    ISO text (the zone is the request's), else a function of the value."""
    if isinstance(field, drf.SerializerMethodField | drf.ReadOnlyField):
        return None
    if isinstance(field, drf.DateTimeField | drf.DateField | drf.DecimalField):
        return _formatted(field)
    if isinstance(field, drf.ChoiceField):
        mapping = field.choice_strings_to_values
        if isinstance(model_field, TEXT_FIELDS) and all(k == v for k, v in mapping.items()):
            return None
        return lambda value: mapping.get(str(value), value)
    for serializer_field, model_fields in AS_IS:
        if isinstance(field, serializer_field) and isinstance(model_field, model_fields):
            return None
    return field.to_representation


# Fields a lean plan reads only as derived, made already as they are shown.
NESTED = serializers.BaseSerializer | relations.ManyRelatedField


@dataclass(frozen=True)
class Column:
    name: str
    key: str  # the values() key ("lean:<name>" for a derived field's value)
    derive: Callable[[dict], Any] | None
    convert: Callable | str | None


class Plan:
    """How one serializer's list rows are read and shown."""

    def __init__(self, serializer_class: type[serializers.Serializer]):
        self.serializer_class = serializer_class
        model = serializer_class.Meta.model
        derived: dict[str, Derived] = getattr(serializer_class, "lean", {})
        columns, paths = [], []
        serializer = serializer_class()
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            if name in derived:
                spec = derived[name]
                paths.extend(spec.columns)
                value = spec.value
                if value is None:
                    value = _asking(getattr(serializer, field.method_name))
                shown_as_made = isinstance(field, NESTED | drf.SerializerMethodField)
                convert = None if shown_as_made else _converter(field, None)
                columns.append(Column(name, f"lean:{name}", value, convert))
                continue
            if isinstance(field, NESTED):
                raise ImproperlyConfigured(f"{serializer_class.__name__}.{name}: nested, no lean")
            path = "__".join(field.source_attrs)
            model_field = _model_field(model, path)
            if model_field is None or isinstance(field, drf.SerializerMethodField):
                raise ImproperlyConfigured(
                    f"{serializer_class.__name__}.{name} is no column: name it in `lean`"
                )
            paths.append(path)
            columns.append(Column(name, path, None, _converter(field, model_field)))
        self.columns = columns
        self.paths = list(dict.fromkeys(paths))
        # What the page's rows need beyond their own columns (a nested list), read once.
        self.page = getattr(serializer_class, "lean_page", None)

    def values(self, queryset, ordering: Iterable[str] = ()):
        """The queryset reduced to the columns the rows need (and the pagination's order)."""
        keys = [key.lstrip("-") for key in ordering]
        return queryset.prefetch_related(None).values(*dict.fromkeys([*self.paths, *keys]))

    def rows(self, values: Iterable[dict], request=None) -> list[dict]:
        """Each row as the serializer shows it: the columns copied in order, then the derived
        fields made and the values that need it converted (None stays None)."""
        if self.page is not None:
            values = list(values)
            self.page(values, request)
        tz = timezone.get_current_timezone() if settings.USE_TZ else None
        shown_at = _datetime(tz)
        names = [(c.name, c.key) for c in self.columns]
        derived = [(c.key, c.derive) for c in self.columns if c.derive is not None]
        converted = [
            (c.name, shown_at if c.convert == "datetime" else c.convert)
            for c in self.columns
            if c.convert is not None
        ]
        out = []
        for row in values:
            for key, derive in derived:
                row[key] = derive(row)
            shown = {name: row[key] for name, key in names}
            for name, convert in converted:
                value = shown[name]
                if value is not None:
                    shown[name] = convert(value)
            out.append(shown)
        return out


_plans: dict[type, Plan] = {}


def plan_for(serializer_class) -> Plan:
    """Made once per serializer class: the fields are not rebuilt for each request."""
    plan = _plans.get(serializer_class)
    if plan is None:
        plan = _plans[serializer_class] = Plan(serializer_class)
    return plan


# A viewset's list through its serializer's lean plan, paginated and filtered as before. (No
# docstring: the schema would take it as the description of every viewset without its own.)
class LeanList:
    def list(self, _request, *args, **kwargs):
        plan = plan_for(self.get_serializer_class())
        queryset = self.filter_queryset(self.get_queryset())
        ordering = getattr(self.paginator, "ordering", ()) if self.paginator else ()
        if isinstance(ordering, str):
            ordering = (ordering,)
        page = self.paginate_queryset(plan.values(queryset, ordering))
        if page is not None:
            return self.get_paginated_response(plan.rows(page, self.request))
        return Response(plan.rows(plan.values(queryset), self.request))


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a list asked with none of its filters' parameters
    is the list as it is, without building the FilterSet (its deep-copied filters and its form
    cost a page about what twenty lean rows do). Every filter is optional: with no value it
    changes nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _asks_any(request, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _asks_any(request, filterset_class) -> bool:
    """Whether a parameter may be one of the filters' (a widget's parameters start with the
    filter's name), or a filter is required."""
    filters = filterset_class.base_filters
    if any(f.extra.get("required") for f in filters.values()):
        return True
    return any(key.startswith(name) for key in request.query_params for name in filters)
