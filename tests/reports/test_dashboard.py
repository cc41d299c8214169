"""The supervisor's dashboard: every figure computed by hand from a small world built through the
services, beside its previous period; the breakdowns and the trend; the drill-downs behind each
figure; the exports (Excel, CSV, the monthly PDF) and the API. Scoped to supervisors and project
managers of the property; the same number of queries with few rows and with many more."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from billing.models import FeeItem, FeeNotice, PriceStandard
from billing.notices import notices_generate
from billing.payments import payment_take
from reports.dashboard_queries import FIGURE_QUERIES, dashboard
from reports.drilldowns import DrillFilters, drill_page
from reports.figures import FIGURE_KEYS, Measure
from reports.filters import Filters
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import (
    BuildingFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
    complaint_received,
    repair_completed,
    repair_received,
)
from tests.helpers import body
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Escalation
from tickets.repairs import services as repairs
from visits.models import Callback
from visits.services import callback_record_reached

SH = ZoneInfo("Asia/Shanghai")
D = Decimal


def t(month, day, hour=10, minute=0):
    """A moment in the property's zone, 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


NOW = t(11, 24, 10)  # a Tuesday
# The range: two whole weeks, Monday 9 to Sunday 22 November. The previous period of equal
# length: Monday 26 October to Sunday 8 November; its snapshot moment is NOW - 14 days.
RANGE = {"from": "2026-11-09", "to": "2026-11-22", "trend": "week"}


def open_callback(kind, **target):
    return Callback.objects.get(status="open", kind=kind, **target)


def call(callback, when, score, *, by, solved=True):
    with at(when):
        return callback_record_reached(callback=callback, by=by, solved=solved, satisfaction=score)


@pytest.fixture
def world(sunshine, clerk, engineer, engineering, engineering_manager, project_manager):
    """Two units (100 m² in building 1, 50 m² in building 2), their fee notices for October
    and November, and the repairs, complaints and calls written out below with their figures."""
    b1 = BuildingFactory(property=sunshine, number="1")
    b2 = BuildingFactory(property=sunshine, number="2")
    u1 = UnitFactory(building=b1, number="101", area_m2=D("100"))
    u2 = UnitFactory(building=b2, number="201", area_m2=D("50"))
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=u1)
    zhou = ResidentFactory(property=sunshine, name="周建国", unit=u2)

    # Fees: 2.00 a m² a month: 200 + 100 = 300 billed each month.
    fee = FeeItem.objects.create(property=sunshine, name="物业管理费", basis="area")
    PriceStandard.objects.create(fee_item=fee, price=D("2.00"), effective_from=date(2026, 1, 1))
    for month in (10, 11):
        with at(t(month, 1, 9)):
            notices_generate(property=sunshine, period=date(2026, month, 1))
    notice = {(n.unit_id, n.period.month): n for n in FeeNotice.objects.all()}
    for unit, month, amount in ((u1, 10, "200"), (u1, 11, "200"), (u2, 11, "50")):
        with at(t(month, 20)):
            payment_take(
                unit=unit,
                by=clerk,
                notices=[notice[(unit.pk, month)]],
                method="cash",
                amount=D(amount),
                received=D(amount),
            )

    def completed(when, **fields):
        with at(when):
            return repair_completed(
                sunshine, clerk=clerk, engineer=engineer, department=engineering, **fields
            )

    # --- the previous period (26 Oct - 8 Nov) ---
    r0 = completed(t(11, 2), resident=lin)  # callback on time, score 2, not solved: reopened
    call(open_callback("repair", repair=r0), t(11, 3), 2, by=clerk, solved=False)
    p1 = completed(t(11, 4), resident=lin)  # callback due 7 Nov, made late on 12 Nov (score 4)
    with at(t(11, 3)):
        c0 = complaint_received(
            sunshine, by=clerk, resident=lin, department=engineering, answered_on_spot=True
        )
    with at(t(11, 3, 11)):
        complaints.complaint_resolve(complaint=c0, by=engineer, resolution="已修好")  # in 2 h
    call(open_callback("complaint", complaint=c0), t(11, 4), 5, by=clerk)
    with at(t(11, 5)):
        c5 = complaint_received(
            sunshine, by=clerk, resident=zhou, department=engineering, answered_on_spot=True
        )
    with at(t(11, 5, 12, 30)):
        escalations.complaints_escalate(now=t(11, 5, 12, 30))  # c5 → department manager

    # --- the range (9 - 22 Nov) ---
    r1 = completed(t(11, 10), resident=lin, category="water", channel="phone")
    call(open_callback("repair", repair=r1), t(11, 11), 5, by=clerk)  # on time
    with at(t(11, 10)):
        c1 = complaint_received(
            sunshine, by=clerk, resident=lin, department=engineering, answered_on_spot=True
        )
    with at(t(11, 10, 11)):
        complaints.complaint_resolve(complaint=c1, by=engineer, resolution="已修好")  # in 2 h
    call(open_callback("complaint", complaint=c1), t(11, 11), 4, by=clerk)  # on time
    r5 = completed(
        t(11, 12),
        is_public_area=True,
        location="大堂",
        category="public_area",
        channel="phone",
    )  # its callback (due 15 Nov) is never made: overdue
    call(open_callback("repair", repair=p1), t(11, 12), 4, by=clerk)  # late
    escalation_c5 = Escalation.objects.get(complaint=c5)
    with at(t(11, 12, 9)):
        escalations.escalation_acknowledge(escalation=escalation_c5, by=engineering_manager)
    with at(t(11, 12)):
        complaints.complaint_resolve(complaint=c5, by=engineer, resolution="已修好")  # late
    call(open_callback("complaint", complaint=c5), t(11, 13), 5, by=clerk)  # on time

    with at(t(11, 17, 9)):
        c2 = complaint_received(
            sunshine, by=clerk, resident=zhou, department=engineering, answered_on_spot=True
        )
    with at(t(11, 17, 11, 30)):
        escalations.complaints_escalate(now=t(11, 17, 11, 30))  # c2 → department manager
    with at(t(11, 17, 14)):
        complaints.complaint_resolve(complaint=c2, by=engineer, resolution="已修好")  # late
    # c2's satisfaction callback (due end of 20 Nov) is never made: overdue.
    r2 = completed(t(11, 17), resident=zhou, category="electricity", channel="walk_in")
    call(open_callback("repair", repair=r2), t(11, 21), 3, by=clerk)  # late, score 3
    with at(t(11, 18)):
        r3 = repair_received(sunshine, by=clerk, resident=lin, channel="online")  # not handled
        c3 = complaint_received(
            sunshine,
            by=clerk,
            resident=lin,
            department=engineering,
            answered_on_spot=True,
            category="water_power",
        )  # never fixed
    with at(t(11, 19)):
        r4 = repair_received(sunshine, by=clerk, resident=lin)
        repairs.repair_cancel(order=r4, by=clerk, reason="住户自行修好")  # left out
        escalations.complaints_escalate(now=t(11, 19))  # c3 → department and project manager
        c4 = complaint_received(
            sunshine,
            by=clerk,
            complainant_name="周先生",
            channel="letter",
            category="attitude",
            direct_impact=False,
            temperament="rational",
        )  # a letter: its reply (due end of 22 Nov) is never given: overdue
        complaint_received(
            sunshine,
            by=clerk,
            resident=lin,
            kind="suggestion",
            direct_impact=False,
            answered_on_spot=True,
            category="quality",
        )  # a suggestion: not counted
    pm_escalation = Escalation.objects.get(complaint=c3, level="project_manager")
    with at(t(11, 19, 12)):
        escalations.escalation_acknowledge(escalation=pm_escalation, by=project_manager)
    return {
        "b1": b1,
        "b2": b2,
        "u1": u1,
        "u2": u2,
        "lin": lin,
        "zhou": zhou,
        "repairs": {"r0": r0, "p1": p1, "r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5},
        "complaints": {"c0": c0, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5},
    }


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


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def figures_of(d) -> dict:
    return {f.key: f for f in d.figures}


def rate(numerator, denominator):
    return Measure(numerator, denominator)


# --- the figures, by hand --------------------------------------------------------------------------


EXPECTED = {
    # Calls reached with a score in the range: r1 5, c1 4, p1 4, c5 5, r2 3 → 4 of 5 scored 4+.
    # Before: r0 2, c0 5.
    "satisfaction": (rate(4, 5), rate(1, 2)),
    # Complaint callbacks due in the range: c1 and c5 on time, c2 open past due. Before: c0.
    "complaint_callbacks": (rate(2, 3), rate(1, 1)),
    # Repair callbacks due in the range: r1 on time, r5 open past due, r2 late.
    # Before: r0 on time, p1 late.
    "repair_callbacks": (rate(1, 3), rate(1, 2)),
    # Repairs received, not cancelled: r1, r2, r5 completed, r3 not (r4 cancelled: left out).
    # Before: r0 reopened, p1 completed.
    "repair_handling": (rate(3, 4), rate(1, 2)),
    # Direct complaints with a known fix: c1 in 2 h, c2 late, c3 never fixed (past its window).
    # Before: c0 in 2 h, c5 late.
    "direct_fix": (rate(1, 3), rate(1, 2)),
    # Not acknowledged now: c2's and c3's department-manager steps (c3's project-manager step is
    # acknowledged). 14 days earlier (10 Nov 10:00): c5's, acknowledged only on 12 Nov.
    "escalations": (Measure(2), Measure(1)),
    # Open past due now: r5's and c2's callbacks, c4's reply. 14 days earlier: p1's callback
    # (due 7 Nov, made 12 Nov).
    "overdue": (Measure(3), Measure(1)),
    # November: 250 of 300 collected. Before (October and November): 450 of 600.
    "collection": (rate(D("250.00"), D("300.00")), rate(D("450.00"), D("600.00"))),
}


def test_every_figure_matches_the_count_by_hand_and_its_previous_period(world, sunshine):
    d = dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW)

    assert (d.previous_start, d.previous_end) == (date(2026, 10, 26), date(2026, 11, 8))
    found = figures_of(d)
    assert list(found) == FIGURE_KEYS
    for key, (current, previous) in EXPECTED.items():
        assert (found[key].current, found[key].previous) == (current, previous), key
    assert found["satisfaction"].value == D("0.8000")
    assert found["complaint_callbacks"].value == D("0.6667")
    assert found["collection"].value == D("0.8333")
    assert found["collection"].previous_value == D("0.7500")
    assert found["escalations"].value == 2 and found["overdue"].value == 3
    # Against their targets: nothing meets it here.
    assert {k: f.meets_target for k, f in found.items()} == dict.fromkeys(EXPECTED, False)
    assert [f.target for f in d.figures] == [
        D("0.96"),
        D("1"),
        D("1"),
        D("0.98"),
        D("1"),
        D("0"),
        D("0"),
        D("0.95"),
    ]
    # What the snapshot counts are made of.
    assert found["overdue"].detail == (("Replies", 1), ("Callbacks", 2), ("Dunning calls", 0))
    assert found["escalations"].detail == (("Department manager", 2), ("Project manager", 0))
    assert (d.complaint_total, d.repair_total) == (4, 4)
    # Shown as the supervisor reads them.
    assert found["satisfaction"].value_shown == "80%"
    assert found["satisfaction"].target_shown == "≥ 96%"
    assert found["satisfaction"].change_shown == "+30.0 pp"
    assert found["satisfaction"].better is True
    assert found["escalations"].change_shown == "+1" and found["escalations"].better is False


def test_a_figure_with_nothing_to_judge_is_empty_not_zero(sunshine):
    d = dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW)
    found = figures_of(d)
    assert found["satisfaction"].value is None and found["satisfaction"].meets_target is None
    assert found["satisfaction"].value_shown == "—"
    assert found["escalations"].value == 0 and found["escalations"].meets_target is True


def test_a_good_fortnight_meets_the_targets(sunshine, clerk, engineer, engineering):
    with at(t(11, 10)):
        order = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
        complaint = complaint_received(
            sunshine, by=clerk, department=engineering, answered_on_spot=True
        )
    with at(t(11, 10, 11)):
        complaints.complaint_resolve(complaint=complaint, by=engineer, resolution="好了")
    call(open_callback("repair", repair=order), t(11, 11), 5, by=clerk)
    call(open_callback("complaint", complaint=complaint), t(11, 11), 4, by=clerk)

    found = figures_of(dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW))
    for key in ("satisfaction", "complaint_callbacks", "repair_callbacks", "direct_fix"):
        assert found[key].value == 1 and found[key].meets_target is True, key
    assert found["repair_handling"].meets_target is True
    assert found["overdue"].meets_target is True and found["escalations"].meets_target is True
    assert found["collection"].meets_target is None  # nothing billed


def test_a_callback_still_inside_its_window_is_not_yet_counted(sunshine, clerk, engineer):
    with at(t(11, 23, 9)):
        repair_completed(sunshine, clerk=clerk, engineer=engineer)  # due 26 Nov
    found = figures_of(dashboard([sunshine], date(2026, 11, 23), date(2026, 11, 30), NOW))
    assert found["repair_callbacks"].current == rate(0, 0)
    assert found["repair_handling"].current == rate(1, 1)


def test_the_monthly_snapshot_counts_what_was_waiting_at_the_months_end(world, sunshine):
    """Escalations and overdue items of a past period are taken at its end."""
    d = dashboard(
        [sunshine],
        date(2026, 11, 1),
        date(2026, 11, 10),
        NOW,
        at=t(11, 11, 0),
    )
    found = figures_of(d)
    # At 11 Nov 00:00: c5's escalation waits (acknowledged on the 12th); p1's callback is overdue.
    assert found["escalations"].value == 1
    assert found["overdue"].value == 1


# --- breakdowns and trend ----------------------------------------------------------------------------


def rows_of(rows) -> list[tuple]:
    return [(r.label, r.count) for r in rows]


def test_the_breakdowns_count_the_ranges_complaints_and_repairs(world, sunshine, engineering):
    d = dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW)
    c = d.complaints
    assert rows_of(c["category"]) == [
        ("Equipment: lift", 2),
        ("Equipment: water and power supply", 1),
        ("Service attitude", 1),
    ]
    lift = c["category"][0]
    assert (lift.key, lift.judged, lift.fixed, lift.escalated) == ("lift", 2, 1, 1)
    assert (lift.fixed_shown, lift.escalated_shown) == ("50%", "50%")
    b1, b2 = str(world["b1"].pk), str(world["b2"].pk)
    assert [(r.key, r.count, r.judged, r.fixed, r.escalated) for r in c["building"]] == [
        (b1, 2, 2, 1, 1),
        (b2, 1, 1, 0, 1),
        ("none", 1, 0, 0, 0),
    ]
    assert [r.label for r in c["building"]] == [
        "Building 1",
        "Building 2",
        "No building (public area)",
    ]
    assert [(r.key, r.label, r.count, r.fixed, r.escalated) for r in c["department"]] == [
        (str(engineering.pk), "工程部", 3, 1, 2),
        ("none", "No department", 1, 0, 0),
    ]
    assert rows_of(c["channel"]) == [("Phone", 3), ("Letter", 1)]

    r = d.repairs
    assert [(x.key, x.count, x.handled) for x in r["category"]] == [
        ("water", 2, 1),
        ("electricity", 1, 1),
        ("public_area", 1, 1),
    ]
    assert [(x.key, x.count, x.handled) for x in r["building"]] == [
        (b1, 2, 1),
        (b2, 1, 1),
        ("none", 1, 1),
    ]
    assert [(x.key, x.count, x.handled) for x in r["department"]] == [
        (str(engineering.pk), 3, 3),
        ("none", 1, 0),
    ]
    assert [(x.label, x.count) for x in r["channel"]] == [
        ("Phone", 2),
        ("Online", 1),
        ("Walk-in", 1),
    ]
    assert r["category"][0].handled_shown == "50%"


def test_the_trend_by_week_and_by_month(world, sunshine):
    weeks = dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 22), NOW, trend="week").trend
    assert [(b.start, b.end, b.complaints, b.repairs, b.satisfaction) for b in weeks] == [
        (date(2026, 11, 9), date(2026, 11, 15), 1, 2, rate(4, 4)),
        (date(2026, 11, 16), date(2026, 11, 22), 3, 2, rate(0, 1)),
    ]
    months = dashboard([sunshine], date(2026, 10, 20), date(2026, 11, 22), NOW, trend="month").trend
    assert [(b.label, b.start, b.end, b.complaints, b.repairs, b.satisfaction) for b in months] == [
        ("2026-10", date(2026, 10, 20), date(2026, 10, 31), 0, 0, rate(0, 0)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 22), 6, 6, rate(5, 7)),  # c0 r1 c1 p1 c5 of 7
    ]


def test_a_partial_week_is_clipped_to_the_range(sunshine):
    weeks = dashboard([sunshine], date(2026, 11, 11), date(2026, 11, 17), NOW).trend
    assert [(b.start, b.end) for b in weeks] == [
        (date(2026, 11, 11), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 17)),
    ]


def test_the_days_are_the_propertys_local_days(sunshine, clerk):
    """A complaint at 07:30 on 9 Nov in Shanghai is 23:30 on the 8th in UTC: it is the 9th's."""
    with at(t(11, 9, 7, 30)):
        complaint_received(sunshine, by=clerk, answered_on_spot=True)
    d = dashboard([sunshine], date(2026, 11, 9), date(2026, 11, 9), NOW)
    assert d.complaint_total == 1
    assert dashboard([sunshine], date(2026, 11, 8), date(2026, 11, 8), NOW).complaint_total == 0


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_shows_every_figure_beside_its_target_and_the_previous_period(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard"), RANGE)
    assert response.status_code == 200
    page = response.content.decode()
    d = response.context["dashboard"]
    assert [f.key for f in d.figures] == FIGURE_KEYS
    for f in d.figures:
        assert f.label in page
        url = reverse("reports_drill", args=[f.key])
        assert (
            f'href="{url}?property=all&amp;from=2026-11-09&amp;to=2026-11-22&amp;trend=week"'
            in page
        )
    # Charts drawn on the server, said to screen readers; the numbers also in tables.
    assert page.count('role="img"') >= 8 + 8 + 1
    assert 'aria-label="Satisfaction: 80%, target ≥ 96%, previous period 50%"' in page
    assert 'id="figures-table"' in page and "4 / 5" in page and "250.00 / 300.00" in page
    assert "83.3%" in page and "75%" in page
    assert "Misses the target" in page
    assert "@media print" in page
    assert "2026-11-09 – 2026-11-15" in page  # the trend's table
    assert "林晓峰" not in page  # figures, not people
    assert reverse("reports_dashboard_xlsx") in page and reverse("reports_dashboard_csv") in page
    assert reverse("reports_monthly_pdf", args=["2026-11"]) in page


def test_the_default_is_this_month_to_date_for_all_my_properties(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard"))
    d = response.context["dashboard"]
    assert (d.start, d.end, d.trend_by) == (date(2026, 11, 1), date(2026, 11, 24), "week")
    assert (d.previous_start, d.previous_end) == (date(2026, 10, 8), date(2026, 10, 31))
    assert d.complaint_total == 6  # c0, c5, c1, c2, c3, c4


def test_bad_filters_get_a_message(world, boss):
    with at(NOW):
        response = boss.get(
            reverse("reports_dashboard"), {"from": "2026-11-20", "to": "2026-11-01"}
        )
        assert response.status_code == 400
        assert "The first day comes after the last one." in response.content.decode()
        assert boss.get(reverse("reports_dashboard"), {"from": "yesterday"}).status_code == 400
        assert boss.get(reverse("reports_dashboard"), {"trend": "year"}).status_code == 400


# --- scope -------------------------------------------------------------------------------------------


def test_only_supervisors_and_project_managers_of_the_property_see_it(
    world, client, sunshine, elsewhere, clerk, project_manager
):
    names = ["reports_dashboard", "reports_dashboard_xlsx", "reports_dashboard_csv"]
    # A clerk of the property: not found, everywhere.
    client.force_login(clerk)
    with at(NOW):
        for name in names:
            assert client.get(reverse(name), RANGE).status_code == 404
        assert client.get(reverse("reports_drill", args=["overdue"]), RANGE).status_code == 404
        assert client.get(reverse("reports_monthly_pdf", args=["2026-11"])).status_code == 404
    # The project manager sees it.
    client.force_login(project_manager)
    with at(NOW):
        response = client.get(reverse("reports_dashboard"), {**RANGE, "property": sunshine.pk})
    assert response.status_code == 200
    assert figures_of(response.context["dashboard"])["overdue"].value == 3
    # Another property's supervisor sees none of it: naming it is not found, "all" is theirs.
    other = staff_at(elsewhere, "supervisor", username="other-boss")
    client.force_login(other)
    with at(NOW):
        assert (
            client.get(reverse("reports_dashboard"), {**RANGE, "property": sunshine.pk}).status_code
            == 404
        )
        response = client.get(reverse("reports_dashboard"), RANGE)
        drill = client.get(reverse("reports_drill", args=["complaints"]), RANGE)
    d = response.context["dashboard"]
    assert [p.pk for p in d.properties] == [elsewhere.pk]
    assert d.complaint_total == 0 and figures_of(d)["overdue"].value == 0
    assert drill.context["rows"] == []
    # Not signed in: the login page.
    client.logout()
    assert client.get(reverse("reports_dashboard")).status_code == 302


def test_a_project_manager_of_two_properties_sees_both_or_one(
    world, client, sunshine, elsewhere, project_manager
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=project_manager, property=elsewhere, role="project_manager")
    foreigner = staff_at(elsewhere, "clerk", username="foreign-clerk")
    with at(t(11, 10)):
        complaint_received(elsewhere, by=foreigner, answered_on_spot=True)
    client.force_login(project_manager)
    with at(NOW):
        both = client.get(reverse("reports_dashboard"), RANGE).context["dashboard"]
        one = client.get(reverse("reports_dashboard"), {**RANGE, "property": sunshine.pk}).context[
            "dashboard"
        ]
    assert (both.complaint_total, one.complaint_total) == (5, 4)
    # A building is named with its property when there are several.
    assert any(r.label.startswith(sunshine.name) for r in both.complaints["building"])


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


# --- exports -------------------------------------------------------------------------------------------


def test_the_excel_export_has_the_figures_breakdowns_and_trend(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard_xlsx"), RANGE)
    assert response.status_code == 200
    assert 'filename="dashboard-all-20261109-20261122.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["Figures", "Complaints", "Repairs", "Trend"]
    figures = list(book["Figures"].iter_rows(values_only=True))
    assert figures[0][0].startswith("阳光花园: 2026-11-09 to 2026-11-22")
    assert figures[2][:6] == (
        "Figure",
        "Value",
        "Numerator",
        "Denominator",
        "Target",
        "Meets target",
    )
    satisfaction = figures[3]
    assert satisfaction[:6] == ("Satisfaction", 0.8, 4, 5, 0.96, "No")
    assert satisfaction[6:9] == (0.5, 1, 2)
    by_label = {row[0]: row for row in figures[3:]}
    assert by_label["Escalations not acknowledged"][1:4] == (2, 2, None)
    assert by_label["Collection rate"][2:4] == (250, 300)
    assert book["Figures"]["B4"].number_format == "0.0%"
    complaint_rows = list(book["Complaints"].iter_rows(values_only=True))
    assert ("Category", "Equipment: lift", 2, 2, 1, 0.5, 1, 0.5) in complaint_rows
    trend = list(book["Trend"].iter_rows(values_only=True))
    assert trend[3] == ("2026-11-09", "2026-11-15", 1, 2, 4, 4, 1)


def test_the_csv_export_opens_in_excel(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard_csv"), RANGE)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    satisfaction = next(row for row in rows if row and row[0] == "Satisfaction")
    assert satisfaction[1:9] == ["80%", "4", "5", "96%", "No", "50%", "1", "2"]
    overdue = next(row for row in rows if row and row[0] == "Replies and callbacks overdue")
    assert overdue[1:5] == ["3", "3", "", "0"]
    channel = [row for row in rows if row[:2] == ["Channel", "Letter"]]
    assert channel == [["Channel", "Letter", "1", "0", "0", "", "0", "0%"]]
    assert ["Repairs"] in rows and ["Trend"] in rows


def test_the_monthly_report_is_an_a4_pdf_of_the_figures_and_breakdowns(world, boss, sunshine):
    with at(NOW):
        response = boss.get(
            reverse("reports_monthly_pdf", args=["2026-11"]), {"property": sunshine.pk}
        )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Monthly report 2026-11" in text and "阳光花园" in text
    assert "2026-11-01 to 2026-11-24, compared with 2026-10-01 to 2026-10-31" in text
    for label in (
        "Satisfaction",
        "Repair handling rate",
        "Collection rate",
        "Complaints by category",
    ):
        assert label in text
    assert "Equipment: lift" in text and "Building 1" in text


def test_the_monthly_report_of_a_month_to_come_or_a_bad_month_is_not_found(world, boss):
    with at(NOW):
        assert boss.get(reverse("reports_monthly_pdf", args=["2026-12"])).status_code == 404
        assert boss.get("/reports/monthly/2026-13.pdf").status_code == 404


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures(world, boss, sunshine):
    with at(NOW):
        response = boss.get("/api/dashboard/", {**RANGE, "property": sunshine.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["properties"] == [sunshine.pk]
    assert (data["from"], data["to"]) == ("2026-11-09", "2026-11-22")
    assert (data["previous_from"], data["previous_to"]) == ("2026-10-26", "2026-11-08")
    found = {f["key"]: f for f in data["figures"]}
    assert list(found) == FIGURE_KEYS
    assert found["satisfaction"]["value"] == "0.8000"
    assert (found["satisfaction"]["numerator"], found["satisfaction"]["denominator"]) == (
        "4.00",
        "5.00",
    )
    assert found["satisfaction"]["target"] == "0.9600"
    assert found["satisfaction"]["meets_target"] is False
    assert found["satisfaction"]["previous"] == {
        "value": "0.5000",
        "numerator": "1.00",
        "denominator": "2.00",
    }
    assert found["overdue"]["value"] == "3.0000" and found["overdue"]["denominator"] is None
    assert found["collection"]["numerator"] == "250.00"
    assert data["complaints"]["category"][0] == {
        "key": "lift",
        "label": "Equipment: lift",
        "count": 2,
        "judged": 2,
        "fixed": 1,
        "fixed_share": "0.5000",
        "escalated": 1,
        "escalated_share": "0.5000",
    }
    assert [b["complaints"] for b in data["trend"]] == [1, 3]


def test_the_api_is_scoped_like_the_page(world, client, sunshine, clerk, elsewhere):
    resident = ResidentFactory(property=sunshine, name="住户", unit=world["u1"])
    resident.user = UserFactory(username="resident-user")
    resident.save(update_fields=["user"])
    client.force_login(resident.user)
    assert client.get("/api/dashboard/").status_code == 403
    client.force_login(clerk)
    assert client.get("/api/dashboard/").status_code == 404
    client.force_login(staff_at(elsewhere, "supervisor", username="other-boss"))
    with at(NOW):
        assert client.get("/api/dashboard/", {"property": sunshine.pk}).status_code == 404
        mine = client.get("/api/dashboard/", RANGE).json()
    assert mine["complaints_received"] == 0
    with at(NOW):
        bad = client.get("/api/dashboard/", {"from": "2026-11-20", "to": "2026-11-01"})
    assert bad.status_code == 400


def test_a_resident_gets_not_found_on_the_pages(world, client, sunshine):
    resident = ResidentFactory(property=sunshine, name="住户", unit=world["u1"])
    resident.user = UserFactory(username="resident-user")
    resident.save(update_fields=["user"])
    client.force_login(resident.user)
    assert client.get(reverse("reports_dashboard")).status_code == 404


def test_a_past_months_report_runs_to_its_last_day(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_monthly_pdf", args=["2026-10"]))
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "2026-10-01 to 2026-10-31, compared with 2026-09-01 to 2026-09-30" in text


def test_only_a_last_day_given_starts_at_its_months_first(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard"), {"to": "2026-10-15"})
    d = response.context["dashboard"]
    assert (d.start, d.end) == (date(2026, 10, 1), date(2026, 10, 15))
