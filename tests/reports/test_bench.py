"""`make bench` at a tiny scale: the seeding loads consistent rows through COPY (every
constraint in place), and each measurement runs and answers. PostgreSQL only."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from frontdesk.models import User
from reports.bench import measure, run
from reports.bench.seed import Seeder

pytestmark = pytest.mark.services


def test_seed_and_measure_at_a_tiny_scale(postgres, tmp_path):
    seeder = Seeder(scale=0.002, log=lambda line: None)
    seeder.setup()
    sizes = []
    for stage in range(3):
        counts = seeder.grow(stage)
        sizes.append(counts)
        assert counts["repair_orders"] == seeder.sizes.tickets[stage]
        assert counts["complaints"] == seeder.sizes.tickets[stage]
        assert counts["fee_notices"] == seeder.sizes.notices[stage]
    assert sizes[-1]["residents"] == seeder.sizes.residents
    assert sizes[-1]["callbacks"] > sizes[-1]["complaints"]  # repairs' and complaints'
    with connection.cursor() as cursor:
        # Every completed or closed order has its repair callback; the sequences moved on.
        cursor.execute(
            "SELECT count(*) FROM tickets_repairorder r WHERE r.state IN ('completed', 'closed') "
            "AND NOT EXISTS (SELECT 1 FROM visits_callback c WHERE c.repair_id = r.id)"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT last_value FROM visits_callback_id_seq")
        assert cursor.fetchone()[0] >= sizes[-1]["callbacks"]

    user = User.objects.get(username=seeder.staff_username)
    pages = measure.Pages(user, runs=2)
    lists = measure.lists(pages)
    assert set(lists) == {"repairs", "complaints", "callbacks", "dunning"}
    assert all(entry["queries"] > 0 and entry["median_ms"] > 0 for entry in lists.values())
    keyset = measure.keyset(pages, depth=60)
    assert keyset["repairs"]["available"] and keyset["repairs"]["queries_deep"] > 0
    lookup = measure.lookup(pages, fragments=3)
    assert lookup["queries"] > 0 and lookup["p95_ms"] > 0
    api = measure.api(pages, rows=20)
    assert api["queries"] >= api["minimal_queries"]
    dashboard = measure.dashboard(pages, measure.supervisor_property(user))
    if dashboard["available"]:
        assert dashboard["queries"] > 0 and dashboard["bare_sql_ms"] > 0

    sweep = measure.sweep(seeder, rows=15)
    assert sweep["due_rows"] == sweep["marked"] == 15
    assert sweep["batches"] >= 1 and sweep["queries_per_row"] > 0

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
            }
            for name, counts in zip(run.STAGE_NAMES, sizes, strict=True)
        ],
        "sweep": sweep,
        "total_seconds": 0,
    }
    results["stages"][-1].update(keyset=keyset, lookup=lookup, api=api)
    results["checks"] = run.checks(results)
    assert "list queries equal" in run.table(results)


def test_the_command_refuses_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench")
