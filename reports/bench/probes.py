"""Work measured in a process of its own (`manage.py bench --probe NAME`), for its peak
resident set size: the bench's own process has held a seeding chunk of COPY text, so its
high-water mark says nothing about the sweep. The child resets its high-water mark once
Django, the connection and the step are loaded (/proc/self/clear_refs), so "peak" is the most
memory the work itself held resident, and "baseline" what the process held before it.

The same functions run in-process too (the test calls them so); the figures are then the
bench process's."""

import inspect
import json
import math
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from billing.models import FeeNotice
from billing.notices import notices_generate
from frontdesk import sweep as sweep_runner
from frontdesk.models import Property
from visits.models import Callback

OVERDUE_STEP = "callbacks_overdue"


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class Memory:
    """The resident set's high-water mark over a block, from a baseline taken at its start."""

    def __enter__(self):
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.reset = True
        except OSError:
            self.reset = False
        self.baseline = _status_kib("VmRSS") or 0
        return self

    def __exit__(self, *exc):
        peak = _status_kib("VmHWM")
        if peak is None:  # no /proc: the process's lifetime maximum (KiB on Linux)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.peak = peak
        return False

    def figures(self) -> dict:
        return {
            "peak_rss_mib": round(self.peak / 1024, 1),
            "baseline_rss_mib": round(self.baseline / 1024, 1),
            "growth_mib": round((self.peak - self.baseline) / 1024, 1),
            "peak_since_start": self.reset,
        }


class Counter:
    """Counts the statements sent while installed (connection.execute_wrapper)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def _batch_size(step) -> int | None:
    """The step's batch, as its signature's default says (None if it has none)."""
    parameter = inspect.signature(step).parameters.get("batch_size")
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return None
    return parameter.default


def sweep(now: datetime | None = None) -> dict:
    """The sweep's overdue step, as registered, over every callback due: rows a second,
    queries per batch (all the run's statements over the batches its batch size makes), peak
    memory. Measured through the registered step, whatever its implementation."""
    now = now or timezone.now()
    step = next(s.run for s in sweep_runner.steps() if s.name == OVERDUE_STEP)
    batch_size = _batch_size(step)
    connection.ensure_connection()
    counter = Counter()
    with Memory() as memory, connection.execute_wrapper(counter):
        started = time.perf_counter()
        step(now=now)
        seconds = time.perf_counter() - started
    marked = Callback.objects.filter(overdue_at=now).count()
    batches = max(1, math.ceil(marked / batch_size)) if batch_size else None
    return {
        "marked": marked,
        "seconds": round(seconds, 2),
        "rows_per_second": round(marked / seconds) if seconds else None,
        "queries": counter.queries,
        "batch_size": batch_size,
        "batches": batches,
        "queries_per_batch": round(counter.queries / batches, 1) if batches else None,
        "queries_per_row": round(counter.queries / marked, 2) if marked else None,
        **memory.figures(),
    }


def notices(property_ids: list[int], period: str) -> dict:
    """billing's notices_generate for the properties' month `period` (YYYY-MM-DD): the
    notices made, the time, the queries and peak memory."""
    month = date.fromisoformat(period)
    properties = list(Property.objects.filter(pk__in=property_ids).order_by("pk"))
    now = timezone.now()
    connection.ensure_connection()
    counter = Counter()
    with Memory() as memory, connection.execute_wrapper(counter):
        started = time.perf_counter()
        for prop in properties:
            notices_generate(property=prop, period=month, now=now)
        seconds = time.perf_counter() - started
    made = FeeNotice.objects.filter(property_id__in=property_ids, period=month).count()
    return {
        "notices": made,
        "properties": len(properties),
        "seconds": round(seconds, 2),
        "notices_per_second": round(made / seconds) if seconds else None,
        "queries": counter.queries,
        **memory.figures(),
    }


PROBES = {"sweep": sweep, "notices": notices}


def in_child(name: str, database: str, **kwargs) -> dict:
    """Run probe `name` in a fresh `manage.py bench --probe` process on `database`; its
    figures (the JSON of its last line of output)."""
    command = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "bench",
        "--probe",
        name,
        "--database-name",
        database,
        "--probe-arguments",
        json.dumps(kwargs),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"probe {name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
