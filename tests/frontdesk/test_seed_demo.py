"""`make run` seeds the demo property; running it again changes nothing, whatever the desk did
with the demo's records in between."""

import io
from datetime import date

from django.apps import apps
from django.core.management import call_command

from billing.models import FeeItem
from frontdesk import services
from frontdesk.models import Department, Property, Resident, User
from frontdesk.services import PhoneInput
from reports.management.commands.seed_demo import LIN, SUN
from tickets.models import PriceItem


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"frontdesk", "tickets", "visits", "billing"}
    }


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_seeding_twice_changes_nothing(db):
    seed()
    first = row_counts()
    seed()
    second = row_counts()

    assert first == second
    assert first["frontdesk.Resident"] == 6
    assert first["tickets.RepairOrder"] == 4
    assert first["frontdesk.Membership"] == 7


def test_the_next_run_finds_its_records_whatever_the_desk_changed(db):
    seed()
    prop = Property.objects.get(code="sunshine")
    clerk = User.objects.get(username="clerk")
    lin = Resident.objects.get(property=prop, archive_number=LIN)
    # Another 林晓峰 moves in next door; 孙丽 corrects her name; the back office renames.
    namesake = services.resident_create(
        property=prop,
        by=clerk,
        units=[lin.units.get()],
        phones=[PhoneInput(number="13500001234")],
        name=lin.name,
        kind="tenant",
        move_in_date=date(2026, 5, 1),
    )
    sun = Resident.objects.get(property=prop, archive_number=SUN)
    services.resident_update(
        resident=sun,
        by=clerk,
        units=list(sun.units.all()),
        phones=[PhoneInput(number=p.number) for p in sun.phones.all()],
        name="孙丽娟",
    )
    Department.objects.filter(property=prop, kind="engineering").update(name="工程维修部")
    PriceItem.objects.filter(property=prop, name="更换门锁锁芯").update(name="更换锁芯")
    FeeItem.objects.filter(property=prop, name="车位租金").update(name="地下车位租金")
    before = row_counts()

    seed()

    assert row_counts() == before
    assert Resident.objects.filter(property=prop, name="林晓峰").count() == 2
    assert User.objects.get(username="13812345678").residencies.get() == lin
    assert not Resident.objects.filter(user__isnull=False).exclude(pk=lin.pk).exists()
    assert namesake.user is None
    assert not Department.objects.filter(name="工程部").exists()
