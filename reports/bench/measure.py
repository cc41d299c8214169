"""Measuring the pages: through django.test.Client as a signed-in staff member (the whole
Django stack: middleware, sessions, the view, the template), so a figure is what a browser
would wait for minus the network.

Each page is requested once to warm up, once with its queries captured (their number and
SQL), then `runs` times timed; the figure is the median. "Bare SQL" re-runs exactly the
captured SELECT statements on the raw psycopg2 cursor, fetching every row, so the page's
own cost is page time minus bare time."""

import math
import random
import re
import statistics
import time
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from frontdesk import policy
from frontdesk.models import Property, User
from frontdesk.pages import cursor_for
from visits.services import callbacks_mark_overdue

KEYSET_DEPTH = 40_000
# The sweep's batch: the ids of the next due callbacks (the per-row queries select more).
BATCH_QUERY = re.compile(r'^SELECT "visits_callback"\."id"( AS "pk")? FROM "visits_callback"')


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


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

    def timed(self, url: str, runs: int | None = None) -> list[float]:
        seconds = []
        for _ in range(runs or self.runs):
            started = time.perf_counter()
            self.get(url)
            seconds.append(time.perf_counter() - started)
        return seconds

    def page(self, url: str, *, with_sql: bool = False) -> dict:
        """Median time, the number of queries and (optionally) the SQL of one page."""
        self.get(url)  # warm-up: connection, caches, templates
        statements = self.captured(url)
        seconds = self.timed(url)
        result = {
            "url": url,
            "median_ms": ms(statistics.median(seconds)),
            "min_ms": ms(min(seconds)),
            "queries": len(statements),
        }
        if with_sql:
            result["sql"] = statements
        return result


class PageError(Exception):
    pass


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


def dashboard_url(prop: Property, *, days: int = 30) -> str | None:
    """The dashboard for the property over the last `days` days; None while the dashboard is
    not there (its URL name does not resolve)."""
    try:
        url = reverse("reports_dashboard")
    except NoReverseMatch:
        return None
    today = timezone.localdate(timezone.now(), prop.zone)
    start = today - timedelta(days=days - 1)
    return f"{url}?property={prop.pk}&from={start.isoformat()}&to={today.isoformat()}"


def dashboard(pages: Pages, prop: Property) -> dict:
    url = dashboard_url(prop)
    if url is None:
        return {"available": False, "note": "reverse('reports_dashboard') does not resolve"}
    pages.get(url)
    statements = pages.captured(url)
    page_seconds = pages.timed(url)
    sql_seconds = bare_sql(statements, pages.runs)
    page_ms, sql_ms = ms(statistics.median(page_seconds)), ms(statistics.median(sql_seconds))
    return {
        "available": True,
        "url": url,
        "page_ms": page_ms,
        "bare_sql_ms": sql_ms,
        "ratio": round(page_ms / sql_ms, 2) if sql_ms else None,
        "queries": len(statements),
        "selects": sum(
            1 for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ),
        "sql": statements,
    }


# --- 2. the resident lookup --------------------------------------------------------------------


def lookup(pages: Pages, *, fragments: int = 50, seed: int = 4) -> dict:
    """p95 and median over random 4-digit fragments of a phone number, one request each."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fragments, not secrets
    texts = [f"{rng.randrange(10000):04d}" for _ in range(fragments)]
    base = reverse("lookup")
    pages.get(f"{base}?q=0000")
    statements = pages.captured(f"{base}?q={texts[0]}")
    seconds = []
    for text in texts:
        started = time.perf_counter()
        pages.get(f"{base}?q={text}")
        seconds.append(time.perf_counter() - started)
    return {
        "url": f"{base}?q=<4 digits>",
        "fragments": fragments,
        "p95_ms": ms(p95(seconds)),
        "median_ms": ms(statistics.median(seconds)),
        "max_ms": ms(max(seconds)),
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


def keyset_cursor(user: User, which: str, depth: int = KEYSET_DEPTH) -> str | None:
    """The `before` cursor of the page that starts `depth` rows deep, made the way
    frontdesk.pages encodes it (received_at in microseconds, then the id); None when the
    list is not that long."""
    qs = policy.repairs_for(user) if which == "repairs" else policy.complaints_for(user)
    rows = list(qs.order_by("-received_at", "-id").only("id", "received_at")[depth - 1 : depth])
    return cursor_for(rows[0].received_at, rows[0].pk) if rows else None


def keyset(pages: Pages, *, depth: int = KEYSET_DEPTH) -> dict:
    """Each keyset list: the first page against the page `depth` rows deep."""
    results = {}
    for name in ("repairs", "complaints"):
        cursor = keyset_cursor(pages.user, name, depth)
        if cursor is None:
            results[name] = {"depth": depth, "available": False}
            continue
        url = reverse(LISTS[name])
        first = pages.page(url)
        deep = pages.page(f"{url}?before={cursor}")
        results[name] = {
            "depth": depth,
            "available": True,
            "first_ms": first["median_ms"],
            "deep_ms": deep["median_ms"],
            "ratio": round(deep["median_ms"] / first["median_ms"], 2),
            "queries_first": first["queries"],
            "queries_deep": deep["queries"],
        }
    return results


# --- 4. the callback sweep ---------------------------------------------------------------------


def sweep(seeder, *, rows: int) -> dict:
    """callbacks_mark_overdue over `rows` callbacks whose window has passed: rows a second and
    the queries of one batch (the batch's id query plus each row's claim and notices)."""
    due = seeder.due_callbacks(rows)
    counted = {"queries": 0, "batches": 0}

    def counter(execute, sql, params, many, context):
        counted["queries"] += 1
        if BATCH_QUERY.match(sql):
            counted["batches"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        marked = callbacks_mark_overdue(now=timezone.now())
        seconds = time.perf_counter() - started
    batches = counted["batches"] or 1
    return {
        "due_rows": due,
        "marked": marked,
        "seconds": round(seconds, 2),
        "rows_per_second": round(marked / seconds) if seconds else None,
        "queries": counted["queries"],
        "batches": batches,
        "queries_per_batch": round(counted["queries"] / batches, 1),
        "queries_per_row": round(counted["queries"] / marked, 2) if marked else None,
    }


# --- 5. the API --------------------------------------------------------------------------------


def api(pages: Pages, *, rows: int = 100) -> dict:
    """(GET /api/repairs/?page_size=100 − the bench's minimal DRF view) / 100 rows. The
    minimal view (reports.bench.urls) goes through the same DRF stack (session
    authentication, IsAuthenticated, the user throttle) and returns an empty list."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF="reports.bench.urls"):
        api_page = pages.page(f"{reverse('repair-list')}?page_size={rows}")
        minimal = pages.page(reverse("bench_minimal"))
    per_row_us = (api_page["median_ms"] - minimal["median_ms"]) * 1000 / rows
    return {
        "url": api_page["url"],
        "minimal_url": minimal["url"],
        "page_ms": api_page["median_ms"],
        "minimal_ms": minimal["median_ms"],
        "per_row_us": round(per_row_us, 1),
        "queries": api_page["queries"],
        "minimal_queries": minimal["queries"],
    }
