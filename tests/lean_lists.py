"""What the lean-list tests share: a record with every empty column filled, and the list's
rows set beside what the list's serializer gives for the same records."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

# After the tests' clocks (a record's later stamps come after its first), with microseconds,
# and the next day already in Shanghai: what a datetime's text must carry over.
AT = datetime(2026, 11, 28, 16, 4, 5, 678901, tzinfo=UTC)


def filler(field):
    """A value for an empty column of this kind; None for the kinds left as they are."""
    if field.choices:
        return field.choices[-1][0]
    kinds = [
        (models.DateTimeField, AT),
        (models.DateField, date(2026, 11, 30)),
        (models.DecimalField, Decimal("7.5")),
        (models.BooleanField, True),
        (models.PositiveSmallIntegerField, 4),
        (models.IntegerField, 4),
        (models.CharField, "填"),
        (models.TextField, "填写"),
    ]
    for kind, value in kinds:
        if isinstance(field, kind):
            return value
    return None


def fill_every_column(record):
    """Every empty plain column of the record set (foreign keys are the fixtures' to give)."""
    changes = {}
    for field in record._meta.concrete_fields:
        if field.is_relation or field.primary_key:
            continue
        if getattr(record, field.attname) in (None, ""):
            value = filler(field)
            if value is not None:
                changes[field.attname] = value
    type(record).objects.filter(pk=record.pk).update(**changes)
    return record


def as_json(data):
    return json.loads(JSONRenderer().render(data))


def rich(serializer_class, records, zone, **context):
    """What the serializer gives for each record, as JSON, in the zone the request shows."""
    with timezone.override(zone):
        return [as_json(serializer_class(r, context=context).data) for r in records]


def assert_same_rows(rows, expected):
    """Field for field, and in the same order."""
    assert rows == expected
    assert [list(row) for row in rows] == [list(row) for row in expected]


def listed_and_rich(client, name, serializer_class, zone, **params):
    """The list's rows, and what its serializer gives for the same records in the same order."""
    rows = client.get(reverse(f"{name}-list"), params).json()["results"]
    model = serializer_class.Meta.model
    records = model.objects.in_bulk([row["id"] for row in rows])
    return rows, rich(serializer_class, [records[row["id"]] for row in rows], zone)
