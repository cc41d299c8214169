"""One benchmark run: seed the estate, then for each stage (10k, 100k, 1M tickets) insert the
difference and measure; then the sweep over 100,000 due callbacks. Prints the table and
writes the JSON file."""

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import django
from django.db import connection
from django.utils import timezone

from frontdesk.models import Property, User
from reports.bench import measure
from reports.bench.seed import Seeder

STAGE_NAMES = ("10k", "100k", "1M")
# The table each list grows with: the dunning list's is the fee notices (12 months of 20,000
# units make 240,000 at full size), the callback queue's the callbacks.
LIST_TABLES = {
    "repairs": "repair_orders",
    "complaints": "complaints",
    "callbacks": "callbacks",
    "dunning": "fee_notices",
}
TARGETS = {
    "dashboard_ratio": 2.0,
    "list_ratio": 1.5,
    "keyset_ratio": 2.0,
}


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
    output: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    started = time.perf_counter()
    results: dict = {
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": scale,
        "runs_per_figure": runs,
        "stages": [],
    }
    log(describe_machine(results["machine"]))
    seeder = Seeder(scale=scale, log=log)
    log("Seeding the estate (properties, staff, units, residents, phones) ...")
    seeder.setup()
    user = User.objects.get(username=seeder.staff_username)
    prop = Property.objects.get(pk=seeder.estates[0].id)
    pages = measure.Pages(user, runs=runs)
    results["user"] = {"username": user.username, "role": "supervisor", "property": prop.name}
    last = len(STAGE_NAMES) - 1
    for stage, name in enumerate(STAGE_NAMES):
        log(f"Stage {name}: inserting the difference ...")
        t0 = time.perf_counter()
        counts = seeder.grow(stage)
        seeded = time.perf_counter() - t0
        log(f"  seeded in {seeded:.0f} s: {counts}")
        log(f"Stage {name}: measuring ...")
        t0 = time.perf_counter()
        entry = {
            "stage": name,
            "counts": counts,
            "open_callbacks": _open_callbacks(),
            "seed_seconds": round(seeded, 1),
            "lists": measure.lists(pages),
            "dashboard": measure.dashboard(pages, prop),
        }
        if stage == last:
            depth = max(60, round(measure.KEYSET_DEPTH * scale))
            entry["keyset"] = measure.keyset(pages, depth=depth)
            entry["lookup"] = measure.lookup(pages, fragments=fragments)
            entry["api"] = measure.api(pages)
        entry["measure_seconds"] = round(time.perf_counter() - t0, 1)
        results["stages"].append(entry)
        _write(output, results)  # so far: a failure later keeps what was measured
    sweep_rows = max(10, round(sweep_rows * scale)) if scale < 1 else sweep_rows
    log(f"The sweep over {sweep_rows:,} due callbacks ...")
    results["sweep"] = measure.sweep(seeder, rows=sweep_rows)
    results["seed_timings_seconds"] = {k: round(v, 1) for k, v in seeder.timings.items()}
    results["rows_loaded"] = seeder.loaded
    results["checks"] = checks(results)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    _write(output, results)
    log(table(results))
    return results


def _write(output: Path | None, results: dict) -> None:
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


def _open_callbacks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visits_callback WHERE status = 'open'")
        return cursor.fetchone()[0]


def checks(results: dict) -> list[dict]:
    """Each ratio the issue sets, and whether it is met."""
    stages = {entry["stage"]: entry for entry in results["stages"]}
    small, middle, big = stages["10k"], stages["100k"], stages["1M"]
    out = []
    dash_mid, dash_big = middle["dashboard"], big["dashboard"]
    if dash_mid.get("available") and dash_big.get("available"):
        for entry, label in ((dash_mid, "100k"), (dash_big, "1M")):
            out.append(
                {
                    "what": f"dashboard page / bare SQL at {label}",
                    "value": entry["ratio"],
                    "target": f"<= {TARGETS['dashboard_ratio']}",
                    "met": entry["ratio"] is not None
                    and entry["ratio"] <= TARGETS["dashboard_ratio"],
                }
            )
        out.append(
            {
                "what": "dashboard queries 100k = 1M",
                "value": f"{dash_mid['queries']} / {dash_big['queries']}",
                "target": "equal",
                "met": dash_mid["queries"] == dash_big["queries"],
            }
        )
    else:
        out.append({"what": "dashboard", "value": "not available", "target": "<= 2", "met": None})
    for name in measure.LISTS:
        a, b = small["lists"][name], big["lists"][name]
        ratio = round(b["median_ms"] / a["median_ms"], 2)
        table_name = LIST_TABLES[name]
        rows = f"{_short(big['counts'][table_name])} / {_short(small['counts'][table_name])}"
        out.append(
            {
                "what": f"{name} list at {rows} {table_name.replace('_', ' ')}",
                "value": ratio,
                "target": f"<= {TARGETS['list_ratio']}",
                "met": ratio <= TARGETS["list_ratio"],
            }
        )
        out.append(
            {
                "what": f"{name} list queries equal",
                "value": f"{a['queries']} / {b['queries']}",
                "target": "equal",
                "met": a["queries"] == b["queries"],
            }
        )
    for name, entry in big["keyset"].items():
        if entry.get("available"):
            out.append(
                {
                    "what": f"{name} keyset page {entry['depth']:,} deep / first",
                    "value": entry["ratio"],
                    "target": f"<= {TARGETS['keyset_ratio']}",
                    "met": entry["ratio"] <= TARGETS["keyset_ratio"],
                }
            )
    return out


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n / 1000:.0f}k" if n >= 10_000 else str(n)


def describe_machine(info: dict) -> str:
    return (
        f"Machine: {info['cpus']} CPUs ({info['cpu_model'] or 'unknown model'}), "
        f"{info['ram_gib']} GiB RAM; PostgreSQL {info['postgresql']} "
        f"(shared_buffers {info['pg_shared_buffers']}, work_mem {info['pg_work_mem']}); "
        f"Python {info['python']}, Django {info['django']}"
    )


def _row(cells: list, widths: list[int]) -> str:
    return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))


def table(results: dict) -> str:
    """The figures as a plain-text table."""
    stages = results["stages"]
    big = stages[-1]
    lines = ["", describe_machine(results["machine"]), ""]
    widths = [46, 16, 16, 16]
    lines.append(_row(["rows after each stage", *[s["stage"] for s in stages]], widths))
    for key in ("complaints", "repair_orders", "callbacks", "call_attempts", "fee_notices"):
        lines.append(_row([f"  {key}", *[f"{s['counts'][key]:,}" for s in stages]], widths))
    lines.append(_row(["  open callbacks", *[f"{s['open_callbacks']:,}" for s in stages]], widths))
    lines.append(_row(["  residents", *[f"{s['counts']['residents']:,}" for s in stages]], widths))
    lines.append(
        _row(["  seconds to seed the stage", *[s["seed_seconds"] for s in stages]], widths)
    )
    lines.append("")
    lines.append("1. dashboard (median ms; queries)")
    if all(s["dashboard"].get("available") for s in stages):
        lines.append(_row(["  page ms", *[s["dashboard"]["page_ms"] for s in stages]], widths))
        lines.append(
            _row(["  bare SQL ms", *[s["dashboard"]["bare_sql_ms"] for s in stages]], widths)
        )
        lines.append(
            _row(["  page / bare SQL", *[s["dashboard"]["ratio"] for s in stages]], widths)
        )
        lines.append(_row(["  queries", *[s["dashboard"]["queries"] for s in stages]], widths))
    else:
        lines.append("  not available (reports_dashboard does not resolve yet)")
    look = big["lookup"]
    lines.append("")
    lines.append(
        f"2. resident lookup, {look['fragments']} random 4-digit fragments, "
        f"{big['counts']['residents']:,} residents: p95 {look['p95_ms']} ms, "
        f"median {look['median_ms']} ms, {look['queries']} queries"
    )
    lines.append("")
    lines.append("3. list pages (median ms / queries)")
    for name in measure.LISTS:
        lines.append(
            _row(
                [
                    f"  {name}",
                    *[
                        f"{s['lists'][name]['median_ms']} / {s['lists'][name]['queries']}"
                        for s in stages
                    ],
                ],
                widths,
            )
        )
    for name, entry in big["keyset"].items():
        if entry.get("available"):
            lines.append(
                f"  {name}: first page {entry['first_ms']} ms, {entry['depth']:,} rows deep "
                f"{entry['deep_ms']} ms (ratio {entry['ratio']}; queries "
                f"{entry['queries_first']} / {entry['queries_deep']})"
            )
    sweep = results["sweep"]
    lines.append("")
    lines.append(
        f"4. callback sweep: {sweep['marked']:,} of {sweep['due_rows']:,} due rows in "
        f"{sweep['seconds']} s = {sweep['rows_per_second']:,} rows/s; "
        f"{sweep['queries_per_batch']} queries per batch of 500 "
        f"({sweep['queries_per_row']} per row)"
    )
    api = big["api"]
    lines.append("")
    lines.append(
        f"5. API: {api['url']} {api['page_ms']} ms ({api['queries']} queries), minimal DRF "
        f"view {api['minimal_ms']} ms ({api['minimal_queries']} queries): "
        f"{api['per_row_us']} µs per row"
    )
    lines.append("")
    lines.append("checks")
    for check in results["checks"]:
        met = {True: "met", False: "NOT MET", None: "n/a"}[check["met"]]
        lines.append(_row([f"  {check['what']}", check["value"], check["target"], met], widths))
    lines.append("")
    lines.append(f"total {results['total_seconds']} s")
    return "\n".join(lines)
