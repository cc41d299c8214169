"""The rows behind each dashboard figure, and the same number of queries with many more rows."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.dashboard_queries import FIGURE_QUERIES, dashboard
from reports.drilldowns import DrillFilters, drill_page
from reports.filters import Filters
from tests.clock import at
from tests.factories import (
    BuildingFactory,
    ResidentFactory,
    UnitFactory,
    complaint_received,
    repair_completed,
)
from tests.reports.conftest import NOW, RANGE, call, open_callback, t
from tickets.complaints import escalations
from tickets.complaints import services as complaints

# --- drill-downs ------------------------------------------------------------------------------------


def drilled(boss, figure, **extra):
    with at(NOW):
        response = boss.get(reverse("reports_drill", args=[figure]), {**RANGE, **extra})
    assert response.status_code == 200, response.content[:500]
    return response


def pks(response) -> list[int]:
    return [row.pk for row in response.context["rows"]]


def test_each_figure_drills_down_to_its_rows(world, boss):
    r, c = world["repairs"], world["complaints"]
    assert pks(drilled(boss, "repair_handling")) == [r[k].pk for k in ("r3", "r2", "r5", "r1")]
    assert pks(drilled(boss, "repair_handling", miss="1")) == [r["r3"].pk]
    assert pks(drilled(boss, "direct_fix")) == [c[k].pk for k in ("c3", "c2", "c1")]
    assert pks(drilled(boss, "direct_fix", miss="1")) == [c[k].pk for k in ("c3", "c2")]

    callbacks = drilled(boss, "complaint_callbacks").context["rows"]
    assert [cb.complaint_id for cb in callbacks] == [c[k].pk for k in ("c2", "c5", "c1")]
    missed = drilled(boss, "complaint_callbacks", miss="1").context["rows"]
    assert [cb.complaint_id for cb in missed] == [c["c2"].pk]
    repair_callbacks = drilled(boss, "repair_callbacks").context["rows"]
    assert [cb.repair_id for cb in repair_callbacks] == [r[k].pk for k in ("r2", "r5", "r1")]

    calls = drilled(boss, "satisfaction").context["rows"]
    assert [call.satisfaction for call in calls] == [3, 5, 4, 4, 5]
    assert [
        call.satisfaction for call in drilled(boss, "satisfaction", miss="1").context["rows"]
    ] == [3]

    escalations = drilled(boss, "escalations").context["rows"]
    assert [(e.complaint_id, e.level) for e in escalations] == [
        (c["c3"].pk, "department_manager"),
        (c["c2"].pk, "department_manager"),
    ]
    overdue = drilled(boss, "overdue")
    assert [(cb.kind, cb.complaint_id or cb.repair_id) for cb in overdue.context["rows"]] == [
        ("complaint_reply", c["c4"].pk),
        ("complaint", c["c2"].pk),
        ("repair", r["r5"].pk),
    ]
    page = overdue.content.decode()
    assert c["c4"].number in page and r["r5"].number in page
    assert "Replies and callbacks overdue" in page


def test_breakdown_rows_and_trend_buckets_drill_to_the_same_rows(world, boss, engineering):
    r, c = world["repairs"], world["complaints"]
    assert pks(drilled(boss, "complaints", category="lift")) == [c["c2"].pk, c["c1"].pk]
    assert pks(drilled(boss, "complaints", building="none")) == [c["c4"].pk]
    assert pks(drilled(boss, "complaints", building=world["b2"].pk)) == [c["c2"].pk]
    assert pks(drilled(boss, "complaints", department="none")) == [c["c4"].pk]
    assert pks(drilled(boss, "complaints", channel="letter")) == [c["c4"].pk]
    assert pks(drilled(boss, "repairs", building="none")) == [r["r5"].pk]
    assert pks(drilled(boss, "repairs", department=engineering.pk)) == [
        r[k].pk for k in ("r2", "r5", "r1")
    ]
    week = drilled(boss, "repairs", **{"from": "2026-11-09", "to": "2026-11-15"})
    assert pks(week) == [r["r5"].pk, r["r1"].pk]
    page = drilled(boss, "complaints", building=world["b2"].pk).content.decode()
    assert "Building: Building 2" in page
    # Every breakdown row on the dashboard links to its drill-down.
    with at(NOW):
        dashboard = boss.get(reverse("reports_dashboard"), RANGE).content.decode()
    assert "category=lift" in dashboard and "building=none" in dashboard


def test_the_collection_rate_drills_to_the_collection_page(world, boss, sunshine):
    with at(NOW):
        response = boss.get(reverse("reports_drill", args=["collection"]), RANGE)
    assert response.status_code == 302
    assert (
        response.url
        == f"{reverse('billing_collection')}?property={sunshine.pk}&start=2026-11&end=2026-11"
    )


def test_drill_downs_page_by_keyset(world, sunshine):
    filters = Filters([sunshine], "all", date(2026, 11, 9), date(2026, 11, 22), "week")
    everything = DrillFilters()
    first = drill_page("complaints", filters, everything, size=3, now=NOW)
    second = drill_page("complaints", filters, everything, size=3, now=NOW, before=first.older)
    c = world["complaints"]
    assert [x.pk for x in first.rows] == [c[k].pk for k in ("c4", "c3", "c2")]
    assert [x.pk for x in second.rows] == [c["c1"].pk] and second.older is None
    calls_first = drill_page("satisfaction", filters, everything, size=2, now=NOW)
    calls_rest = drill_page(
        "satisfaction", filters, everything, size=2, now=NOW, before=calls_first.older
    )
    assert [x.satisfaction for x in calls_first.rows + calls_rest.rows] == [3, 5, 4, 4]


def test_bad_drill_links_are_refused(world, boss):
    with at(NOW):
        assert boss.get(reverse("reports_drill", args=["nonsense"]), RANGE).status_code == 404
        assert (
            boss.get(
                reverse("reports_drill", args=["complaints"]), {**RANGE, "before": "x"}
            ).status_code
            == 400
        )
        assert (
            boss.get(
                reverse("reports_drill", args=["complaints"]), {**RANGE, "building": "1; drop"}
            ).status_code
            == 400
        )


# --- a fixed number of queries -------------------------------------------------------------------------


def queries_at_now(boss, url, params) -> int:
    with at(NOW), CaptureQueriesContext(connection) as queries_run:
        response = boss.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(queries_run)


def more_rows(sunshine, clerk, engineer, engineering, n=6):
    """Many more rows of every kind in the range, for the query-count comparisons."""
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="3"), number="999")
    resident = ResidentFactory(property=sunshine, name="多", unit=unit)
    for i in range(n):
        when = t(11, 9 + i)
        with at(when):
            order = repair_completed(
                sunshine, clerk=clerk, engineer=engineer, department=engineering, resident=resident
            )
            complaint = complaint_received(
                sunshine, by=clerk, resident=resident, department=engineering
            )
            escalations.complaints_escalate(now=when + timedelta(hours=3))
        call(open_callback("repair", repair=order), when + timedelta(hours=1), 5, by=clerk)
        with at(when + timedelta(hours=1)):
            complaints.complaint_resolve(complaint=complaint, by=engineer, resolution="好了")


DRILLS = [
    "satisfaction",
    "complaint_callbacks",
    "repair_callbacks",
    "repair_handling",
    "direct_fix",
    "escalations",
    "overdue",
    "complaints",
    "repairs",
]


def test_the_same_number_of_queries_with_few_rows_and_with_many_more(
    world, boss, sunshine, clerk, engineer, engineering
):
    pages = [
        (reverse("reports_dashboard"), RANGE),
        (reverse("reports_dashboard"), {**RANGE, "trend": "month"}),
        (reverse("reports_dashboard_xlsx"), RANGE),
        (reverse("reports_dashboard_csv"), RANGE),
        (reverse("reports_monthly_pdf", args=["2026-11"]), {}),
        ("/api/dashboard/", RANGE),
        *[(reverse("reports_drill", args=[figure]), RANGE) for figure in DRILLS],
        (reverse("reports_drill", args=["complaints"]), {**RANGE, "category": "lift"}),
    ]
    with at(NOW), CaptureQueriesContext(connection) as bare:
        dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW)
    assert len(bare) == FIGURE_QUERIES

    few = [queries_at_now(boss, url, params) for url, params in pages]
    more_rows(sunshine, clerk, engineer, engineering)
    more_rows(sunshine, clerk, engineer, engineering)
    many = [queries_at_now(boss, url, params) for url, params in pages]

    assert many == few
    with at(NOW):
        grown = dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW)
    assert grown.complaint_total == 4 + 12 and grown.repair_total == 4 + 12
