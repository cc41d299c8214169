"""The dashboard's figures counted by hand against the previous period; breakdowns; trend."""

from datetime import date

from reports.dashboard_queries import dashboard
from reports.figures import FIGURE_KEYS, Measure
from tests.clock import at
from tests.factories import complaint_received, repair_completed
from tests.reports.conftest import NOW, D, call, figures_of, open_callback, rate, t
from tickets.complaints import services as complaints

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
