"""Two processes registering residents for the same move-in day on PostgreSQL never share an
archive number."""

import multiprocessing
from datetime import date

import pytest
from django.db import connections

from frontdesk import services
from frontdesk.models import Resident
from frontdesk.services import PhoneInput
from tests.factories import BuildingFactory, UnitFactory, UserFactory

PER_PROCESS = 25


def register_many(barrier, results, property_id, unit_id, user_id, tag):
    connections.close_all()  # never share the parent's socket
    from frontdesk.models import Property, Unit, User

    prop, unit, user = (
        Property.objects.get(pk=property_id),
        Unit.objects.get(pk=unit_id),
        User.objects.get(pk=user_id),
    )
    barrier.wait(timeout=30)
    numbers = [
        services.resident_create(
            property=prop,
            by=user,
            units=[unit],
            phones=[PhoneInput(number=f"1380000{i:04d}")],
            name=f"{tag}{i}",
            kind="owner",
            move_in_date=date(2026, 11, 24),
        ).archive_number
        for i in range(PER_PROCESS)
    ]
    connections.close_all()
    results.put(numbers)


@pytest.mark.django_db(transaction=True)
def test_two_processes_never_get_the_same_archive_number(postgres, sunshine):
    unit = UnitFactory(building=BuildingFactory(property=sunshine))
    user = UserFactory()
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(
            target=register_many,
            args=(barrier, results, sunshine.pk, unit.pk, user.pk, tag),
        )
        for tag in ("甲", "乙")
    ]
    for w in workers:
        w.start()
    numbers = results.get(timeout=60) + results.get(timeout=60)
    for w in workers:
        w.join(timeout=30)

    assert [w.exitcode for w in workers] == [0, 0]
    expected = [f"261124{n:03d}" for n in range(1, 2 * PER_PROCESS + 1)]
    assert sorted(numbers) == expected
    assert sorted(Resident.objects.values_list("archive_number", flat=True)) == expected
