"""The dashboard reads only its period: a call carries its callback's property (written by the
services, filled by the migration for the calls made before it), and history outside the
period changes neither the figures nor the number of queries."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.dashboard_queries import FIGURE_QUERIES, dashboard
from reports.review import day_figures
from tests.clock import at
from tests.factories import complaint_received, repair_completed
from tests.reports.conftest import NOW, RANGE, call, open_callback, t
from tickets.complaints import services as complaints
from visits.models import CallAttempt, Callback
from visits.services import callback_record_unreached

START, END = date(2026, 11, 9), date(2026, 11, 22)


def shown(d) -> dict:
    """Everything the dashboard's figures and trend say."""
    return {
        "figures": {f.key: (f.current, f.previous, f.detail) for f in d.figures},
        "trend": [(b.label, b.complaints, b.repairs, b.satisfaction) for b in d.trend],
    }


def test_a_call_is_written_with_its_callbacks_property(
    sunshine, elsewhere, clerk, engineer, engineering
):
    with at(t(11, 10)):
        order = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    callback = open_callback("repair", repair=order)
    with at(t(11, 11)):
        unreached = callback_record_unreached(callback=callback, by=clerk)
    reached = call(callback, t(11, 11, 14), 5, by=clerk)

    assert CallAttempt.objects.get(pk=unreached.pk).property == sunshine
    assert CallAttempt.objects.get(pk=reached.pk).property == sunshine
    assert not CallAttempt.objects.filter(property=elsewhere).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_property_of_earlier_calls_to_the_same_figures(world, sunshine):
    with at(NOW):
        before = shown(dashboard([sunshine], START, END, NOW))
    calls = CallAttempt.objects.count()

    # Back to before the column existed, and forward again: the column is added and filled.
    call_command("migrate", "visits", "0003", verbosity=0)
    call_command("migrate", "visits", verbosity=0)

    assert CallAttempt.objects.count() == calls > 0
    for attempt in CallAttempt.objects.select_related("callback"):
        assert attempt.property_id == attempt.callback.property_id == sunshine.pk
    with at(NOW):
        assert shown(dashboard([sunshine], START, END, NOW)) == before


def old_history(sunshine, clerk, engineer, engineering, year_ago=365):
    """A year before the range: repairs called back (on time, late, not reached first),
    complaints resolved and called back, one callback cancelled."""
    for i in range(4):
        when = NOW - timedelta(days=year_ago + i)
        with at(when):
            order = repair_completed(
                sunshine, clerk=clerk, engineer=engineer, department=engineering
            )
            complaint = complaint_received(
                sunshine, by=clerk, department=engineering, answered_on_spot=True
            )
        with at(when + timedelta(hours=1)):
            callback_record_unreached(callback=open_callback("repair", repair=order), by=clerk)
            complaints.complaint_resolve(complaint=complaint, by=engineer, resolution="好了")
        call(open_callback("repair", repair=order), when + timedelta(hours=3 + 40 * i), 2, by=clerk)
        call(
            open_callback("complaint", complaint=complaint), when + timedelta(hours=5), 5, by=clerk
        )


def test_history_before_the_period_changes_neither_the_figures_nor_the_queries(
    world, boss, sunshine, clerk, engineer, engineering
):
    pages = [
        (reverse("reports_dashboard"), RANGE),
        (reverse("reports_monthly_pdf", args=["2026-11"]), {}),
        (reverse("reports_review"), {"property": sunshine.pk, "day": "2026-11-19"}),
    ]

    def queries_of(url, params):
        with at(NOW), CaptureQueriesContext(connection) as run:
            response = boss.get(url, params)
        assert response.status_code == 200
        return len(run)

    with at(NOW), CaptureQueriesContext(connection) as bare:
        before = shown(dashboard([sunshine], START, END, NOW))
        review_before = day_figures(sunshine, date(2026, 11, 19), NOW)
    few = [queries_of(url, params) for url, params in pages]

    old_history(sunshine, clerk, engineer, engineering)
    assert Callback.objects.filter(due_at__lt=NOW - timedelta(days=300)).count() >= 8

    with at(NOW), CaptureQueriesContext(connection) as grown:
        after = shown(dashboard([sunshine], START, END, NOW))
        review_after = day_figures(sunshine, date(2026, 11, 19), NOW)
    assert after == before and review_after == review_before
    assert len(grown) == len(bare) and len(bare) >= FIGURE_QUERIES
    assert [queries_of(url, params) for url, params in pages] == few
