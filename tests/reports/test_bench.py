"""`make bench` at a tiny scale: the seeding loads consistent rows through COPY (every
constraint in place), and each measurement runs and answers. PostgreSQL only."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from billing.models import FeeNotice
from frontdesk.models import Property, Resident, User
from reports.bench import measure, probes, run, stages
from reports.bench.report import checks, table
from reports.bench.seed import Seeder
from tickets.models import RepairOrder
from visits.models import Callback

pytestmark = pytest.mark.services


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_seed_and_measure_at_a_tiny_scale(postgres):
    seeder = Seeder(scale=0.002, log=lambda line: None)
    seeder.setup()
    assert Resident.objects.count() == seeder.sizes.units  # the owners first
    seeder.residents_rest()
    assert Resident.objects.count() == seeder.sizes.residents
    sizes, twins = [], {}
    for stage, name in enumerate(run.STAGE_NAMES):
        stages.close_day(seeder)
        counts = seeder.grow(stage)
        sizes.append(counts)
        assert counts["fee_notices"] >= seeder.sizes.notices[stage]
        if stage == 0:
            twins[name] = stages.twin(seeder, number=1, label=name)
        stages.day_of_writes(seeder)
    assert sizes[-1]["callbacks"] > sizes[-1]["complaints"]  # repairs' and complaints'
    # Every completed or closed order has its repair callback; the sequences moved on.
    assert not _count(
        "SELECT count(*) FROM tickets_repairorder r WHERE r.state IN ('completed', 'closed') "
        "AND NOT EXISTS (SELECT 1 FROM visits_callback c WHERE c.repair_id = r.id)"
    )
    assert _count("SELECT last_value FROM visits_callback_id_seq") >= sizes[-1]["callbacks"]
    # The twin holds the large property's history as it was at the 10k stage.
    big, twin = seeder.estates[0].id, twins["10k"]["property"]
    copied = twins["10k"]["rows"]
    assert copied["tickets_repairorder"] > 0
    assert RepairOrder.objects.filter(property_id=twin).count() == copied["tickets_repairorder"]
    assert RepairOrder.objects.filter(property_id=big).count() > copied["tickets_repairorder"]
    assert Callback.objects.filter(property_id=twin, repair__property_id=twin).exists()

    user = User.objects.get(username=seeder.staff_username)
    pages = measure.Pages(user, runs=2)
    lists = measure.lists(pages)
    assert set(lists) == {"repairs", "complaints", "callbacks", "dunning"}
    assert all(
        e["queries"] > 0 and e["min_ms"] <= e["median_ms"] <= e["max_ms"] for e in lists.values()
    )
    own = measure.Pages(User.objects.get(username=twins["10k"]["supervisor"]), runs=1)
    lists_both = measure.lists_interleaved({"10k": own, "1M": pages}, 2)
    assert set(lists_both) == set(lists)
    assert all(
        pair["10k"]["queries"] > 0 and pair["1M"]["queries"] > 0 for pair in lists_both.values()
    )
    keyset = measure.keyset(pages, depth=60)
    assert keyset["repairs"]["available"] and keyset["repairs"]["deep"]["queries"] > 0
    lookup = measure.lookup(pages, fragments=3)
    assert lookup["queries"] > 0 and lookup["p95_ms"] > 0
    api = measure.api(pages, rows=20)
    assert api["page"]["queries"] >= api["minimal"]["queries"]
    prop = measure.supervisor_property(user)
    dashboard = measure.dashboard(pages, measure.dashboard_url(prop), bare=True)
    if dashboard["available"]:
        assert dashboard["queries"] > 0 and dashboard["bare_sql"]["median_ms"] > 0
        assert measure.dashboard(pages, measure.dashboard_url(prop, months=12))["queries"] > 0
        manager = measure.Pages(User.objects.get(username=seeder.manager_username), runs=1)
        assert measure.dashboard(manager, measure.dashboard_url(None))["queries"] > 0
        other = measure.Pages(User.objects.get(username=seeder.twin_username), runs=1)
        both = measure.interleaved(
            {
                "10k": (other, measure.dashboard_url(Property.objects.get(pk=twin))),
                "1M": (other, measure.dashboard_url(prop)),
            },
            2,
        )
        assert both["10k"]["queries"] > 0 and both["1M"]["median_ms"] > 0

    idle_few = measure.idle_sweep(runs=2)
    assert idle_few["work_done"] == 0 and idle_few["queries"] > 0
    assert set(idle_few["queries_by_step"]) >= {"callbacks_overdue", "notifications"}
    total = Property.objects.count() + 50
    grown = stages.many_properties(seeder, total=total, units_each=2, residents_total=2 * 60 * 3)
    assert grown["properties"] == total
    supervisor = User.objects.get(username=grown["supervisors"][50])
    assert supervisor.memberships.count() == 50
    idle_many = measure.idle_sweep(runs=1)
    assert idle_many["properties"] == total and idle_many["work_done"] == 0

    sweep = measure.sweep(seeder, rows=15)
    assert sweep["due_rows"] == sweep["marked"] == 15
    assert sweep["batches"] >= 1 and sweep["queries_per_batch"] > 0
    assert sweep["peak_rss_mib"] > 0
    period = run._month_after(seeder.months[0])
    notices = probes.notices([seeder.estates[1].id], period.isoformat())
    assert notices["notices"] == FeeNotice.objects.filter(period=period).count() > 0

    results = {
        "machine": run.machine(),
        "stages": [
            {
                "stage": name,
                "counts": counts,
                "open_callbacks": 0,
                "seed_seconds": 0,
                "lists": lists,
                "dashboard": dashboard,
                "dashboard_12_months": dashboard,
                "dashboard_manager": dashboard,
                "after_a_day": {"lists": lists, "dashboard": dashboard},
            }
            for name, counts in zip(run.STAGE_NAMES, sizes, strict=True)
        ],
        "residents": [
            {"label": "200k", "residents": 200, "when": "", "lookup": lookup},
            {"label": "2M", "residents": 2000, "when": "", "lookup": lookup},
        ],
        "lists_interleaved": lists_both,
        "idle_sweep": idle_few,
        "many": {**grown, "idle_sweep": idle_many, "dashboards": {}},
        "sweep": sweep,
        "notices": notices,
        "total_seconds": 0,
    }
    results["stages"][-1].update(keyset=keyset, api=api)
    results["checks"] = checks(results)
    goals = {check["what"] for check in results["checks"]}
    assert "resident lookup p95, 2000 / 200 residents" in goals
    assert any(what.startswith("callback sweep queries a batch") for what in goals)
    assert any(what.startswith("callbacks list, 1M / 10k (interleaved") for what in goals)
    printed = table(results)
    assert "list queries equal" in printed and "sweep with nothing due" in printed


def test_the_command_refuses_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench")
