"""The sweep runner: what Celery beat's minute does, as each package registers it.

Each package registers its steps in its `AppConfig.ready()`:

    sweep.register("callbacks_overdue", callbacks_mark_overdue, order=10, label=_("..."))

A step is a callable taking `now` (as a keyword) and returning a count or a dict of counts.
`run()` calls the steps by `order` (then name), each in its own transaction and `try`: a step
that raises rolls back its own writes, is logged with its traceback and recorded, and the steps
after it still run. The outbox always runs last, after failures too, so the notices the steps
wrote go out in the same run; then the run is always recorded on its `SweepRun` row.

The orders in use: 10 and 20 callbacks (overdue, reminders), 30 complaints, 40 and 50 billing
(the month's notices, dunning), 60 parcels, 70 the daily digests.
"""

import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from frontdesk import outbox, services

logger = logging.getLogger(__name__)

OUTBOX = "notifications"
# Keys of the run's record that are not a step's name.
RESERVED = frozenset({OUTBOX, "steps", "failed"})

StepResult = int | dict


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[..., StepResult]
    order: int
    label: str | Promise


_steps: dict[str, Step] = {}


def _origin(step: Callable) -> tuple[str, str]:
    return getattr(step, "__module__", ""), getattr(step, "__qualname__", repr(step))


def register(
    name: str, step: Callable[..., StepResult], order: int, *, label: str | Promise | None = None
) -> None:
    """Add a step to every sweep. Registering the same function again (a second `ready()`)
    changes nothing; another function under a name already taken is refused."""
    if name in RESERVED:
        raise ValueError(f"{name!r} is reserved in the sweep's record")
    known = _steps.get(name)
    if known is not None and _origin(known.run) != _origin(step):
        raise ValueError(f"sweep step {name!r} is already registered by {known.run!r}")
    _steps[name] = Step(name=name, run=step, order=order, label=label or name)


def unregister(name: str) -> None:
    _steps.pop(name, None)


def steps() -> list[Step]:
    """The registered steps in the order they run (the outbox, not registered, runs after)."""
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


def label(name: str) -> str | Promise:
    """What people call a step, for the staff banner; a name no longer registered as is."""
    if name == OUTBOX:
        return _("Notification delivery")
    step = _steps.get(name)
    return step.label if step else name


def _checked(name: str, result: object) -> StepResult:
    """A step's result must be a count or a dict that the run's JSON record can hold."""
    if isinstance(result, bool) or not isinstance(result, int | dict):
        raise TypeError(f"sweep step {name!r} returned {type(result).__name__}, not int or dict")
    json.dumps(result)  # raises TypeError here, in the step's try, not when the run is saved
    return result


def _run_step(name: str, step: Callable, now: datetime, *, atomic: bool = True) -> dict:
    """Run one step in its own transaction and try; its result, time taken and error."""
    outcome = {"result": None, "ms": 0.0, "error": None}
    started = time.monotonic()
    try:
        # Inside a caller's transaction (a test, a shell) a savepoint keeps a failure from
        # breaking it, even for a step that otherwise commits statement by statement.
        with transaction.atomic() if atomic or connection.in_atomic_block else nullcontext():
            outcome["result"] = _checked(name, step(now=now))
    except Exception as exc:
        logger.exception("sweep step %s failed", name)
        outcome["error"] = f"{type(exc).__name__}: {exc}"[:1000]
    outcome["ms"] = round((time.monotonic() - started) * 1000, 1)
    return outcome


def _record(outcomes: dict[str, dict]) -> dict:
    """The run's record: every step's counts flat (as the sweep has always returned them),
    then each step's outcome and the names of those that failed."""
    counts: dict = {}
    for name, outcome in outcomes.items():
        result = outcome["result"]
        if isinstance(result, dict):
            counts.update(result)
        elif result is not None:
            counts[name] = result
    failed = [name for name, outcome in outcomes.items() if outcome["error"]]
    return {**counts, "steps": outcomes, "failed": failed}


def run(*, name: str, now: datetime) -> dict:
    """Run every registered step, then the outbox, then record the run under `name`."""
    outcomes = {step.name: _run_step(step.name, step.run, now) for step in steps()}
    # The outbox is not wrapped in one transaction: each delivery records its own claim and
    # result as it happens (notification_deliver), so a failure half-way through a batch
    # cannot un-record messages that already left and send them all again next minute.
    outcomes[OUTBOX] = _run_step(OUTBOX, outbox.notifications_sweep, now, atomic=False)
    record = _record(outcomes)
    services.sweep_mark(name=name, started_at=now, result=record)
    return record
