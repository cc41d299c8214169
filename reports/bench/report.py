"""The bench's goals (each figure of issue 13's table, with its goal and whether it is met) and
the plain-text table of a run's figures."""

GOALS = {
    "dashboard_growth": 1.5,
    "lookup_p95_ms": 15.0,
    "lookup_growth": 1.5,
    "sweep_rows_per_second": 5_000,
    "sweep_queries_per_batch": 12,
    "api_per_row_us": 40.0,
    "callback_queue_ms": 150.0,
    "list_growth": 1.5,
    "keyset_ratio": 2.0,
}
# The table each list grows with: the dunning list's is the fee notices, the queue's the
# callbacks.
LIST_TABLES = {
    "repairs": "repair_orders",
    "complaints": "complaints",
    "callbacks": "callbacks",
    "dunning": "fee_notices",
}


def _goal(what: str, value, goal: str, met: bool | None) -> dict:
    return {"what": what, "value": value, "goal": goal, "met": met}


def short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n / 1000:.0f}k" if n >= 10_000 else str(n)


def cell(figure: dict) -> str:
    """median (min-max) ms."""
    return f"{figure['median_ms']:,} ({figure['min_ms']:,}-{figure['max_ms']:,})"


def checks(results: dict) -> list[dict]:
    stages = results["stages"]
    big = stages[-1]
    out = []
    inter = results.get("interleaved", {})
    if "10k" in inter and "1M" in inter:
        a, b = inter["10k"], inter["1M"]
        ratio = round(b["median_ms"] / a["median_ms"], 2)
        out.append(
            _goal(
                "dashboard, same 30 days, 1M / 10k (interleaved)",
                f"{b['median_ms']:,} / {a['median_ms']:,} ms = {ratio}",
                f"<= {GOALS['dashboard_growth']}",
                ratio <= GOALS["dashboard_growth"],
            )
        )
    if all(s["dashboard"].get("available") for s in stages):
        counts = [s["dashboard"]["queries"] for s in stages]
        out.append(
            _goal(
                "dashboard queries at every stage",
                " / ".join(map(str, counts)),
                "equal",
                len(set(counts)) == 1,
            )
        )
    looks = {entry["label"]: entry for entry in results.get("residents", [])}
    if "200k" in looks:
        p = looks["200k"]["lookup"]["p95_ms"]
        out.append(
            _goal(
                f"resident lookup page p95, {short(looks['200k']['residents'])} residents",
                f"{p} ms",
                f"<= {GOALS['lookup_p95_ms']} ms",
                p <= GOALS["lookup_p95_ms"],
            )
        )
    if "200k" in looks and "2M" in looks:
        a, b = looks["200k"]["lookup"]["p95_ms"], looks["2M"]["lookup"]["p95_ms"]
        ratio = round(b / a, 2)
        out.append(
            _goal(
                f"resident lookup p95, {short(looks['2M']['residents'])} / "
                f"{short(looks['200k']['residents'])} residents",
                f"{b} / {a} ms = {ratio}",
                f"<= {GOALS['lookup_growth']}",
                ratio <= GOALS["lookup_growth"],
            )
        )
    sweep = results.get("sweep")
    if sweep:
        rate = sweep["rows_per_second"] or 0
        out.append(
            _goal(
                f"callback sweep, {sweep['marked']:,} due rows",
                f"{rate:,} rows/s",
                f">= {GOALS['sweep_rows_per_second']:,}",
                rate >= GOALS["sweep_rows_per_second"],
            )
        )
        per_batch = sweep["queries_per_batch"]
        out.append(
            _goal(
                f"callback sweep queries a batch of {sweep['batch_size']}",
                per_batch,
                f"<= {GOALS['sweep_queries_per_batch']}",
                None if per_batch is None else per_batch <= GOALS["sweep_queries_per_batch"],
            )
        )
    api = big.get("api")
    if api:
        out.append(
            _goal(
                "API cost per row over a bare DRF view",
                f"{api['per_row_us']} µs",
                f"<= {GOALS['api_per_row_us']} µs",
                api["per_row_us"] <= GOALS["api_per_row_us"],
            )
        )
    queue = big["lists"]["callbacks"]
    out.append(
        _goal(
            f"callback queue, {big['open_callbacks']:,} open callbacks",
            f"{queue['median_ms']} ms",
            f"<= {GOALS['callback_queue_ms']} ms",
            queue["median_ms"] <= GOALS["callback_queue_ms"],
        )
    )
    many = results.get("many")
    if many:
        few, lots = results["idle_sweep"], many["idle_sweep"]
        out.append(
            _goal(
                f"sweep with nothing due, queries at {lots['properties']:,} / "
                f"{few['properties']} properties",
                f"{lots['queries']} / {few['queries']}",
                "not more",
                lots["queries"] <= few["queries"],
            )
        )
        boards = many["dashboards"]
        if boards:
            a, b = boards["10 properties"], boards["50 properties"]
            out.append(
                _goal(
                    "dashboard of a supervisor of 50 / of 10 properties, queries",
                    f"{b['queries']} / {a['queries']}",
                    "not more",
                    b["queries"] <= a["queries"],
                )
            )
    out.extend(_list_checks(results))
    return out


def _list_checks(results: dict) -> list[dict]:
    """The lists (1M / 10k, the same queries) and the keyset pages."""
    small, big = results["stages"][0], results["stages"][-1]
    out = []
    inter_lists = results.get("lists_interleaved", {})
    for name in LISTS_ORDER:
        a, b = small["lists"][name], big["lists"][name]
        table = LIST_TABLES[name]
        rows = f"{short(big['counts'][table])} / {short(small['counts'][table])}"
        how = "at the stages"
        if name in inter_lists:  # the 10k stage's twin beside the largest, back to back
            a, b = inter_lists[name]["10k"], inter_lists[name]["1M"]
            how = "interleaved"
        ratio = round(b["median_ms"] / a["median_ms"], 2)
        out.append(
            _goal(
                f"{name} list, 1M / 10k ({how}; {rows} {table.replace('_', ' ')})",
                ratio,
                f"<= {GOALS['list_growth']}",
                ratio <= GOALS["list_growth"],
            )
        )
        out.append(
            _goal(
                f"{name} list queries equal",
                f"{a['queries']} / {b['queries']}",
                "equal",
                a["queries"] == b["queries"],
            )
        )
    for name, entry in big.get("keyset", {}).items():
        if entry.get("available"):
            out.append(
                _goal(
                    f"{name} keyset page {entry['depth']:,} deep / first",
                    entry["ratio"],
                    f"<= {GOALS['keyset_ratio']}",
                    entry["ratio"] <= GOALS["keyset_ratio"],
                )
            )
    return out


LISTS_ORDER = ("repairs", "complaints", "callbacks", "dunning")


def describe_machine(info: dict) -> str:
    return (
        f"Machine: {info['cpus']} CPUs ({info['cpu_model'] or 'unknown model'}), "
        f"{info['ram_gib']} GiB RAM; PostgreSQL {info['postgresql']} "
        f"(shared_buffers {info['pg_shared_buffers']}, work_mem {info['pg_work_mem']}); "
        f"Python {info['python']}, Django {info['django']}"
    )


def _row(cells: list, widths: list[int]) -> str:
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False))


def table(results: dict) -> str:
    """The figures as a plain-text table: ms as median (min-max), then the goals."""
    stages = results["stages"]
    big = stages[-1]
    widths = [40, 30, 30, 30]
    lines = ["", describe_machine(results["machine"]), "", "ms: median (min-max)", ""]
    lines.append(_row(["rows after each stage", *[s["stage"] for s in stages]], widths))
    for key in ("complaints", "repair_orders", "callbacks", "call_attempts", "fee_notices"):
        lines.append(_row([f"  {key}", *[f"{s['counts'][key]:,}" for s in stages]], widths))
    lines.append(_row(["  open callbacks", *[f"{s['open_callbacks']:,}" for s in stages]], widths))
    lines.append(_row(["  seconds to seed", *[s["seed_seconds"] for s in stages]], widths))
    lines.append("")
    lines.extend(_dashboard_lines(results, widths))
    lines.append("2. resident lookup, random 4-digit fragments: p95; median (min-max); queries")
    for entry in results.get("residents", []):
        look = entry["lookup"]
        lines.append(
            f"  {entry['residents']:,} residents ({entry['when']}): p95 {look['p95_ms']} ms; "
            f"{cell(look)}; {look['queries']} queries"
        )
    lines.append("")
    lines.append("3. list pages (queries); after a day's writes below")
    for name in LISTS_ORDER:
        lines.append(
            _row(
                [
                    f"  {name}",
                    *[f"{cell(s['lists'][name])} ({s['lists'][name]['queries']})" for s in stages],
                ],
                widths,
            )
        )
    for name in LISTS_ORDER:
        lines.append(
            _row(
                [
                    f"  {name}, after a day",
                    *[cell(s["after_a_day"]["lists"][name]) for s in stages],
                ],
                widths,
            )
        )
    for name, figures in results.get("lists_interleaved", {}).items():
        shown = ", ".join(f"{label} {cell(f)} ({f['queries']})" for label, f in figures.items())
        lines.append(f"  {name} at the end, interleaved: {shown}")
    for name, entry in big.get("keyset", {}).items():
        if entry.get("available"):
            lines.append(
                f"  {name}: first page {cell(entry['first'])}, {entry['depth']:,} rows deep "
                f"{cell(entry['deep'])} (queries {entry['first']['queries']} / "
                f"{entry['deep']['queries']})"
            )
    lines.extend(_after_stages(results))
    lines.append("")
    lines.append("goals")
    for check in results["checks"]:
        met = {True: "met", False: "NOT MET", None: "n/a"}[check["met"]]
        lines.append(
            _row([f"  {check['what']}", check["value"], check["goal"], met], [60, 28, 14, 8])
        )
    lines.append("")
    lines.append(f"total {results['total_seconds']} s")
    return "\n".join(lines)


def _after_stages(results: dict) -> list[str]:
    """The sweep, the notices, the API and the many properties' figures."""
    big = results["stages"][-1]
    lines = [""]
    sweep = results.get("sweep")
    if sweep:
        lines.append(
            f"4. callback sweep: {sweep['marked']:,} of {sweep['due_rows']:,} due rows in "
            f"{sweep['seconds']} s = {sweep['rows_per_second']:,} rows/s; {sweep['queries']:,} "
            f"queries, {sweep['queries_per_batch']} a batch of {sweep['batch_size']}; "
            f"peak RSS {sweep['peak_rss_mib']} MiB ({sweep['baseline_rss_mib']} MiB before)"
        )
    notices = results.get("notices")
    if notices:
        lines.append(
            f"   fee notices: {notices['notices']:,} generated in {notices['seconds']} s "
            f"({notices['queries']:,} queries); peak RSS {notices['peak_rss_mib']} MiB "
            f"({notices['baseline_rss_mib']} MiB before)"
        )
    api = big.get("api")
    if api:
        lines.append("")
        lines.append(
            f"5. API: {api['page']['url']} {cell(api['page'])} ({api['page']['queries']} "
            f"queries), minimal DRF view {cell(api['minimal'])} ({api['minimal']['queries']} "
            f"queries): {api['per_row_us']} µs a row (from the minima {api['per_row_us_min']})"
        )
    many = results.get("many")
    if many:
        lines.append("")
        lines.append(
            f"6. many properties ({many['properties']:,}, {many['units_each']} units each)"
        )
        for entry in (results["idle_sweep"], many["idle_sweep"]):
            lines.append(
                f"  sweep with nothing due, {entry['properties']:,} properties: {cell(entry)}, "
                f"{entry['queries']} queries (work done {entry['work_done']})"
            )
        steps = ", ".join(f"{k} {v}" for k, v in many["idle_sweep"]["queries_by_step"].items())
        lines.append(f"  its queries by step: {steps}")
        for name, figure in many["dashboards"].items():
            lines.append(
                f"  dashboard of a supervisor of {name}: {cell(figure)} ({figure['queries']})"
            )
    return lines


def _dashboard_lines(results: dict, widths: list[int]) -> list[str]:
    stages = results["stages"]
    lines = []
    lines.append("1. dashboard of the large property (queries)")
    for key, label in (
        ("dashboard", "  30 days, after VACUUM"),
        ("dashboard_12_months", "  12 months by month"),
        ("dashboard_manager", "  manager of all, 30 days"),
    ):
        if all(s[key].get("available") for s in stages):
            lines.append(
                _row([label, *[f"{cell(s[key])} ({s[key]['queries']})" for s in stages]], widths)
            )
    if all(s["dashboard"].get("bare_sql") for s in stages):
        lines.append(
            _row(["  its bare SQL", *[cell(s["dashboard"]["bare_sql"]) for s in stages]], widths)
        )
    if all(s["after_a_day"]["dashboard"].get("available") for s in stages):
        lines.append(
            _row(
                [
                    "  30 days, after a day's writes",
                    *[cell(s["after_a_day"]["dashboard"]) for s in stages],
                ],
                widths,
            )
        )
    for name, figure in results.get("interleaved", {}).items():
        lines.append(f"  at the end, interleaved: {name}: {cell(figure)} ({figure['queries']})")
    lines.append("")
    return lines
