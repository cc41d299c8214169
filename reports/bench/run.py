"""One benchmark run: seed the estate (the lookup at 20k residents, the owners), then the
other residents, then for each stage (10k, 100k, 1M tickets) insert the difference and
measure, straight after VACUUM and after a day's writes; each stage's dashboard again at the
end beside the largest, interleaved; then 1,000 properties and 2M residents (the lookup, the
sweep with nothing due, supervisors of 10 and 50 properties); then the sweep over 100,000 due
callbacks and a month of fee notices, each in a process of its own for its peak memory.
Prints the table and writes the JSON file."""

import json
import os
import platform
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import django
from django.db import connection
from django.utils import timezone

from frontdesk.models import Property, Resident, User
from reports.bench import measure, probes, stages
from reports.bench.report import checks, describe_machine, table
from reports.bench.seed import Seeder

STAGE_NAMES = ("10k", "100k", "1M")
MANY_PROPERTIES = 1_000
IDLE_RUNS = 5  # a sweep of 1,000 properties takes seconds while its queries grow with them


def machine() -> dict:
    """What the figures were measured on."""
    info = {
        "cpus": os.cpu_count(),
        "cpu_model": "",
        "ram_gib": None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
        for setting in ("shared_buffers", "work_mem", "effective_cache_size", "max_wal_size"):
            cursor.execute(f"SHOW {setting}")
            info[f"pg_{setting}"] = cursor.fetchone()[0]
    return info


def run(
    *,
    scale: float = 1.0,
    runs: int = 9,
    fragments: int = 50,
    sweep_rows: int = 100_000,
    database: str | None = None,
    many: int = MANY_PROPERTIES,
    output: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """The whole run; `database` is the benchmark database's name, for the probes' own
    processes (without it they run in this one and their memory figures mean little)."""
    started = time.perf_counter()
    results: dict = {
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": scale,
        "runs_per_figure": runs,
        "stages": [],
        "residents": [],
    }
    log(describe_machine(results["machine"]))
    seeder = Seeder(scale=scale, log=log)
    log("Seeding the estate (properties, staff, units, the owners and their phones) ...")
    seeder.setup()
    seeder.reset_sequences()
    seeder.analyze()
    user = User.objects.get(username=seeder.staff_username)
    prop = Property.objects.get(pk=seeder.estates[0].id)
    pages = measure.Pages(user, runs=runs)
    manager = measure.Pages(User.objects.get(username=seeder.manager_username), runs=runs)
    twins = measure.Pages(User.objects.get(username=seeder.twin_username), runs=runs)
    results["user"] = {"username": user.username, "role": "supervisor", "property": prop.name}
    _residents(results, "20k", "owners only, no history yet", pages, fragments, log)
    log("Loading the other residents ...")
    seeder.residents_rest()
    twin_props, twin_lists = {}, {}
    last = len(STAGE_NAMES) - 1
    for stage, name in enumerate(STAGE_NAMES):
        log(f"Stage {name}: inserting the difference ...")
        t0 = time.perf_counter()
        closed = stages.close_day(seeder)
        counts = seeder.grow(stage)
        if stage < last:  # this stage's dashboard is measured again at the end
            twin = stages.twin(seeder, number=stage + 1, label=name)
            twin_props[name] = Property.objects.get(pk=twin["property"])
            twin_lists[name] = measure.Pages(
                User.objects.get(username=twin["supervisor"]), runs=runs
            )
            seeder.reset_sequences()
            seeder.analyze()
            counts = seeder.counts()
        seeded = time.perf_counter() - t0
        log(f"  seeded in {seeded:.0f} s: {counts}")
        log(f"Stage {name}: measuring ...")
        t0 = time.perf_counter()
        entry = {
            "stage": name,
            "counts": counts,
            "closed_from_the_day_before": closed,
            "open_callbacks": _open_callbacks(twin_props),
            "seed_seconds": round(seeded, 1),
            "lists": measure.lists(pages),
            "dashboard": measure.dashboard(pages, measure.dashboard_url(prop), bare=True),
            "dashboard_12_months": measure.dashboard(pages, measure.dashboard_url(prop, months=12)),
            "dashboard_manager": measure.dashboard(manager, measure.dashboard_url(None)),
        }
        if stage == last:
            depth = max(60, round(measure.KEYSET_DEPTH * scale))
            entry["keyset"] = measure.keyset(pages, depth=depth)
            entry["api"] = measure.api(pages)
        log(f"Stage {name}: a day's writes, measuring again ...")
        writes = stages.day_of_writes(seeder)
        entry["after_a_day"] = {
            "writes": writes,
            "open_callbacks": _open_callbacks(twin_props),
            "lists": measure.lists(pages),
            "dashboard": measure.dashboard(pages, measure.dashboard_url(prop)),
        }
        entry["measure_seconds"] = round(time.perf_counter() - t0, 1)
        results["stages"].append(entry)
        _write(output, results)  # so far: a failure later keeps what was measured
    if measure.dashboard_url(prop) is not None:
        log("Each stage's dashboard again, beside the largest, interleaved ...")
        boards = {name: (twins, measure.dashboard_url(p)) for name, p in twin_props.items()}
        boards[STAGE_NAMES[-1]] = (twins, measure.dashboard_url(prop))
        boards["10k, 12 months"] = (twins, measure.dashboard_url(twin_props["10k"], months=12))
        boards["1M, 12 months"] = (twins, measure.dashboard_url(prop, months=12))
        results["interleaved"] = measure.interleaved(boards, runs)
    log("Each stage's lists again (its twin's supervisor), beside the largest, interleaved ...")
    results["lists_interleaved"] = measure.lists_interleaved(
        {**twin_lists, STAGE_NAMES[-1]: pages}, runs
    )
    _residents(results, "200k", "with the 1M stage's history", pages, fragments, log)
    log("The sweep with nothing due ...")
    results["idle_sweep"] = measure.idle_sweep(runs=min(runs, IDLE_RUNS))
    units_each, residents_total = stages.full_many(scale)
    log(f"Many properties: {many:,} in all, {residents_total:,} residents ...")
    t0 = time.perf_counter()
    grown = stages.many_properties(
        seeder, total=many, units_each=units_each, residents_total=residents_total
    )
    grown["seed_seconds"] = round(time.perf_counter() - t0, 1)
    _residents(results, "2M", f"{grown['properties']:,} properties", pages, fragments, log)
    grown["idle_sweep"] = measure.idle_sweep(runs=min(runs, IDLE_RUNS))
    grown["dashboards"] = {}
    if measure.dashboard_url(None) is not None:
        grown["dashboards"] = measure.interleaved(
            {
                f"{size} properties": (
                    measure.Pages(User.objects.get(username=username), runs=runs),
                    measure.dashboard_url(None),
                )
                for size, username in grown["supervisors"].items()
            },
            runs,
        )
    results["many"] = grown
    _write(output, results)
    rows = max(10, round(sweep_rows * scale)) if scale < 1 else sweep_rows
    log(f"The sweep over {rows:,} due callbacks ...")
    results["sweep"] = measure.sweep(seeder, rows=rows, database=database)
    period = _month_after(seeder.months[0])
    originals = [estate.id for estate in seeder.estates]
    log(f"Fee notices for {period:%Y-%m} of the first {len(originals)} properties ...")
    arguments = {"property_ids": originals, "period": period.isoformat()}
    results["notices"] = (
        probes.in_child("notices", database, **arguments)
        if database
        else probes.notices(**arguments)
    )
    results["seed_timings_seconds"] = {k: round(v, 1) for k, v in seeder.timings.items()}
    results["rows_loaded"] = seeder.loaded
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["checks"] = checks(results)
    _write(output, results)
    log(table(results))
    return results


def _residents(results: dict, label: str, when: str, pages, fragments: int, log) -> None:
    count = Resident.objects.count()
    log(f"The resident lookup at {count:,} residents ({when}) ...")
    results["residents"].append(
        {
            "label": label,
            "residents": count,
            "when": when,
            "lookup": measure.lookup(pages, fragments=fragments),
        }
    )


def _month_after(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _write(output: Path | None, results: dict) -> None:
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


def _open_callbacks(twins: dict) -> int:
    """Open callbacks, the twins' copies left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM visits_callback WHERE status = 'open' "
            "AND NOT property_id = ANY(%s)",
            [[p.pk for p in twins.values()]],
        )
        return cursor.fetchone()[0]
