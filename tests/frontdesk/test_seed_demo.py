"""`make run` seeds the demo property; running it again changes nothing."""

import io

from django.apps import apps
from django.core.management import call_command


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"frontdesk", "tickets", "visits"}
    }


def test_seeding_twice_changes_nothing(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    second = row_counts()

    assert first == second
    assert first["frontdesk.Resident"] == 6
    assert first["tickets.RepairOrder"] == 4
    assert first["frontdesk.Membership"] == 7
