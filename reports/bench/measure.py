"""Measuring the pages: through django.test.Client as a signed-in staff member (the whole
Django stack: middleware, sessions, the view, the template), so a figure is what a browser
would wait for minus the network.

Each page is requested once to warm up, once with its queries captured (their number and
SQL), then `runs` times timed; every figure keeps its min, median and max. Pages that are
compared with each other are timed interleaved (one request of each in turn, round after
round), so a change in the machine's load falls on all of them alike. "Bare SQL" re-runs the
dashboard's captured SELECT statements on the raw psycopg2 cursor (information only)."""

import math
import random
import statistics
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from frontdesk import outbox, policy
from frontdesk import sweep as sweep_runner
from frontdesk.models import Property, User
from frontdesk.pages import cursor_for
from reports.bench import probes

KEYSET_DEPTH = 40_000


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def spread(seconds: list[float]) -> dict:
    """min, median and max, in ms."""
    return {
        "min_ms": ms(min(seconds)),
        "median_ms": ms(statistics.median(seconds)),
        "max_ms": ms(max(seconds)),
    }


class Pages:
    """Times the pages for one signed-in user."""

    def __init__(self, user: User, *, runs: int = 9):
        self.user = user
        self.runs = runs
        self.client = Client()
        self.client.force_login(user)

    def get(self, url: str):
        response = self.client.get(url)
        if response.status_code != 200:
            raise PageError(f"GET {url} answered {response.status_code}")
        return response

    def captured(self, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            self.get(url)
        return [query["sql"] for query in queries.captured_queries]

    def once(self, url: str) -> float:
        started = time.perf_counter()
        self.get(url)
        return time.perf_counter() - started

    def page(self, url: str, *, with_sql: bool = False) -> dict:
        """min / median / max time, the number of queries and (optionally) the SQL."""
        self.get(url)  # warm-up: connection, caches, templates
        statements = self.captured(url)
        result = {"url": url, **spread([self.once(url) for _ in range(self.runs)])}
        result["queries"] = len(statements)
        if with_sql:
            result["sql"] = statements
        return result


class PageError(Exception):
    pass


def interleaved(pages: dict[str, tuple[Pages, str]], runs: int) -> dict:
    """Each named (client, url) warmed up and counted, then timed one request each in turn,
    `runs` rounds."""
    seconds: dict[str, list[float]] = {name: [] for name in pages}
    queries = {}
    for name, (client, url) in pages.items():
        client.get(url)
        queries[name] = len(client.captured(url))
    for _ in range(runs):
        for name, (client, url) in pages.items():
            seconds[name].append(client.once(url))
    return {
        name: {"url": url, **spread(seconds[name]), "queries": queries[name]}
        for name, (_client, url) in pages.items()
    }


def bare_sql(statements: Iterable[str], runs: int) -> list[float]:
    """Run the SELECTs as they were sent (parameters already in place) on the raw
    connection, fetching every row; the seconds each round took."""
    selects = [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    connection.ensure_connection()
    raw = connection.connection
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        with raw.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
        seconds.append(time.perf_counter() - started)
    return seconds


def supervisor_property(user: User) -> Property:
    return policy.properties_for(user).order_by("pk").first()


# --- 1. the dashboard --------------------------------------------------------------------------


def dashboard_url(prop: Property | None, *, days: int = 30, months: int = 0) -> str | None:
    """The dashboard of one property (or, None, all the user's) over the last `days` days,
    or by month over the last `months` months; None while the dashboard is not there."""
    try:
        url = reverse("reports_dashboard")
    except NoReverseMatch:
        return None
    today = timezone.localdate(timezone.now(), prop.zone if prop else None)
    if months:
        start = today.replace(day=1)
        for _ in range(months - 1):
            start = (start - timedelta(days=1)).replace(day=1)
        trend = "&trend=month"
    else:
        start, trend = today - timedelta(days=days - 1), ""
    scope = prop.pk if prop else "all"
    return f"{url}?property={scope}&from={start.isoformat()}&to={today.isoformat()}{trend}"


def dashboard(pages: Pages, url: str | None, *, bare: bool = False) -> dict:
    if url is None:
        return {"available": False, "note": "reverse('reports_dashboard') does not resolve"}
    result = {"available": True, **pages.page(url, with_sql=bare)}
    if bare:
        statements = result.pop("sql")
        result["bare_sql"] = spread(bare_sql(statements, pages.runs))
        result["sql"] = statements
    return result


# --- 2. the resident lookup --------------------------------------------------------------------


def lookup(pages: Pages, *, fragments: int = 50, seed: int = 4) -> dict:
    """p95, min, median and max over random 4-digit fragments of a phone number, one request
    each."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fragments, not secrets
    texts = [f"{rng.randrange(10000):04d}" for _ in range(fragments)]
    base = reverse("lookup")
    pages.get(f"{base}?q=0000")
    statements = pages.captured(f"{base}?q={texts[0]}")
    seconds = [pages.once(f"{base}?q={text}") for text in texts]
    return {
        "url": f"{base}?q=<4 digits>",
        "fragments": fragments,
        "p95_ms": ms(p95(seconds)),
        **spread(seconds),
        "queries": len(statements),
        "sql": statements,
    }


# --- 3. the list pages -------------------------------------------------------------------------

LISTS = {
    "repairs": "repair_list",
    "complaints": "complaint_register",
    "callbacks": "callback_queue",
    "dunning": "billing_dunning",
}


def lists(pages: Pages) -> dict:
    return {name: pages.page(reverse(url_name)) for name, url_name in LISTS.items()}


def lists_interleaved(clients: dict[str, Pages], runs: int) -> dict:
    """Each list of each named client (a stage's twin's supervisor, the largest's), one
    request of each in turn."""
    return {
        name: interleaved({label: (c, reverse(url_name)) for label, c in clients.items()}, runs)
        for name, url_name in LISTS.items()
    }


def keyset_cursor(user: User, which: str, depth: int = KEYSET_DEPTH) -> str | None:
    """The `before` cursor of the page that starts `depth` rows deep, made the way
    frontdesk.pages encodes it (received_at in microseconds, then the id); None when the
    list is not that long."""
    qs = policy.repairs_for(user) if which == "repairs" else policy.complaints_for(user)
    rows = list(qs.order_by("-received_at", "-id").only("id", "received_at")[depth - 1 : depth])
    return cursor_for(rows[0].received_at, rows[0].pk) if rows else None


def keyset(pages: Pages, *, depth: int = KEYSET_DEPTH) -> dict:
    """Each keyset list: the first page against the page `depth` rows deep, interleaved."""
    results = {}
    for name in ("repairs", "complaints"):
        cursor = keyset_cursor(pages.user, name, depth)
        if cursor is None:
            results[name] = {"depth": depth, "available": False}
            continue
        url = reverse(LISTS[name])
        both = interleaved(
            {"first": (pages, url), "deep": (pages, f"{url}?before={cursor}")}, pages.runs
        )
        results[name] = {
            "depth": depth,
            "available": True,
            "first": both["first"],
            "deep": both["deep"],
            "ratio": round(both["deep"]["median_ms"] / both["first"]["median_ms"], 2),
        }
    return results


# --- 4. the sweep ------------------------------------------------------------------------------


def sweep(seeder, *, rows: int, database: str | None = None) -> dict:
    """The overdue step over `rows` callbacks whose window has passed, in a process of its
    own on `database` (for its peak memory), or in this one without it."""
    due = seeder.due_callbacks(rows)
    figures = probes.in_child("sweep", database) if database else probes.sweep()
    return {"due_rows": due, **figures}


def idle_sweep(*, runs: int, now: datetime | None = None, settle: int = 20) -> dict:
    """The minute's sweep (every registered step and the outbox) when nothing is due: run at
    one `now` until a run finds no work, then `runs` more runs, timed and counted."""
    now = now or timezone.now()
    settled = 0
    for settled in range(1, settle + 1):  # noqa: B007 - the count is reported
        if not _work(sweep_runner.run(name="bench", now=now)):
            break
    seconds, queries, work = [], [], 0
    for _ in range(runs):
        counter = probes.Counter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            record = sweep_runner.run(name="bench", now=now)
            seconds.append(time.perf_counter() - started)
        queries.append(counter.queries)
        work += _work(record)
    return {
        **spread(seconds),
        "queries": max(queries),
        "queries_min": min(queries),
        "queries_by_step": _queries_by_step(now),
        "settling_runs": settled,
        "work_done": work,
        "properties": Property.objects.count(),
    }


def _queries_by_step(now: datetime) -> dict[str, int]:
    """Each step of one more idle run on its own (in its transaction, as the runner calls
    it), with the outbox: where the queries go."""
    by_step = {}
    calls = [(step.name, step.run) for step in sweep_runner.steps()]
    for name, run in [*calls, (sweep_runner.OUTBOX, outbox.notifications_sweep)]:
        counter = probes.Counter()
        with connection.execute_wrapper(counter), transaction.atomic():
            run(now=now)
        by_step[name] = counter.queries
    return by_step


def _work(record: dict) -> int:
    """What a sweep run did: its counts (notifications tried and sent included)."""
    counts = [v for k, v in record.items() if k not in sweep_runner.RESERVED and isinstance(v, int)]
    return sum(counts)


# --- 5. the API --------------------------------------------------------------------------------


def api(pages: Pages, *, rows: int = 100) -> dict:
    """(GET /api/repairs/?page_size=100 − the bench's minimal DRF view) / 100 rows, the two
    interleaved. The minimal view (reports.bench.urls) goes through the same DRF stack
    (session authentication, IsAuthenticated, the user throttle) and returns an empty list."""
    with override_settings(ROOT_URLCONF="reports.bench.urls"):
        both = interleaved(
            {
                "page": (pages, f"{reverse('repair-list')}?page_size={rows}"),
                "minimal": (pages, reverse("bench_minimal")),
            },
            pages.runs,
        )
    page, minimal = both["page"], both["minimal"]
    return {
        "rows": rows,
        "page": page,
        "minimal": minimal,
        "per_row_us": round((page["median_ms"] - minimal["median_ms"]) * 1000 / rows, 1),
        "per_row_us_min": round((page["min_ms"] - minimal["min_ms"]) * 1000 / rows, 1),
    }
