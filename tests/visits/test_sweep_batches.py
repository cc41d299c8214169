"""The overdue sweep by the batch: a batch costs the same queries whatever its rows, a
supervisor gets one notice per sweep naming what turned overdue, and a sweep cut off half-way
(a failing step, a worker killed while it holds a batch, a second sweep at the same time)
leaves the rest to the next sweep, which does it once."""

import multiprocessing
import os
import signal
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.models import Notification
from frontdesk.tasks import sweep as sweep_task
from tests.clock import at
from tests.conftest import wait_for
from tests.factories import repair_completed
from tickets.models import RepairEvent
from tickets.repairs.follow_up import RepairFollowUp
from visits import services
from visits.models import Callback

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # the repairs are completed: 10:00 in Shanghai
DUE = T + timedelta(hours=72)
LATER = DUE + timedelta(hours=1)  # every window has passed


def due_callbacks(prop, clerk, engineer, count: int) -> list[Callback]:
    """`count` repair callbacks, due a minute apart from DUE on (so a batch's order is known)."""
    callbacks = []
    with at(T):
        for minute in range(count):
            order = repair_completed(prop, clerk=clerk, engineer=engineer)
            callback = order.callbacks.get()
            Callback.objects.filter(pk=callback.pk).update(due_at=DUE + timedelta(minutes=minute))
            callbacks.append(callback)
    return callbacks


def supervisor_notices(supervisor, channel="in_app"):
    return Notification.objects.filter(recipient_user=supervisor, channel=channel)


def assert_each_overdue_once(callbacks):
    pks = [callback.pk for callback in callbacks]
    assert Callback.objects.filter(pk__in=pks, overdue_at__isnull=True).count() == 0
    overdue_events = RepairEvent.objects.filter(kind=RepairEvent.Kind.CALLBACK_OVERDUE)
    assert sorted(overdue_events.values_list("order_id", flat=True)) == sorted(
        callback.repair_id for callback in callbacks
    )


def test_a_batch_takes_the_same_queries_however_many_rows_it_holds(
    sunshine, clerk, engineer, supervisor
):
    def queries_of_a_sweep(count: int, now: datetime) -> int:
        due_callbacks(sunshine, clerk, engineer, count)
        with at(now), CaptureQueriesContext(connection) as captured:
            assert services.callbacks_mark_overdue(now=now) == count
        return len(captured)

    two = queries_of_a_sweep(2, LATER)
    seven = queries_of_a_sweep(7, LATER + timedelta(days=1))

    assert two == seven <= 12


def test_a_smaller_batch_only_adds_the_batches_own_queries(sunshine, clerk, engineer, supervisor):
    due_callbacks(sunshine, clerk, engineer, 5)

    with at(LATER), CaptureQueriesContext(connection) as captured:
        assert services.callbacks_mark_overdue(now=LATER, batch_size=2) == 5

    # Three batches (2, 2, 1) of at most four queries, the empty claim that ends the loop,
    # the names, the property, its supervisors and one INSERT of notices, and the savepoint.
    assert len(captured) <= 3 * 4 + 1 + 4 + 2


def test_a_supervisor_gets_one_notice_naming_everything_that_turned_overdue(
    sunshine, clerk, engineer, supervisor
):
    callbacks = due_callbacks(sunshine, clerk, engineer, 3)

    with at(LATER):
        assert services.callbacks_mark_overdue(now=LATER, batch_size=2) == 3

    notice = supervisor_notices(supervisor).get()
    assert supervisor_notices(supervisor, "email").get().address == "boss@example.com"
    numbers = [callback.repair.number for callback in callbacks]
    assert notice.subject == f"3 callbacks overdue: {', '.join(numbers)}"
    assert notice.body.splitlines() == [  # in Shanghai time, the property's
        f"{number}: due 2026-11-27 10:{minute:02d}" for minute, number in enumerate(numbers)
    ]
    assert notice.link == reverse("callback_flagged")
    assert notice.about_id is None  # about several callbacks: the list is behind the link
    assert_each_overdue_once(callbacks)


def test_a_long_list_names_the_first_and_counts_the_rest(
    sunshine, clerk, engineer, supervisor, monkeypatch
):
    monkeypatch.setattr("frontdesk.outbox.LISTED_AT_MOST", 2)
    callbacks = due_callbacks(sunshine, clerk, engineer, 3)

    with at(LATER):
        services.callbacks_mark_overdue(now=LATER)

    notice = supervisor_notices(supervisor).get()
    first, second, third = (callback.repair.number for callback in callbacks)
    assert notice.subject == f"3 callbacks overdue: {first}, {second}…"
    assert third not in notice.body
    assert notice.body.splitlines()[-1] == "and 1 more on the list"


def test_a_sweep_that_fails_half_way_leaves_nothing_and_the_next_does_all_of_it_once(
    sunshine, clerk, engineer, supervisor, monkeypatch
):
    callbacks = due_callbacks(sunshine, clerk, engineer, 5)
    # Batches of two; the second batch fails after its claim, before its timeline events.
    monkeypatch.setattr(services.callbacks_mark_overdue, "__kwdefaults__", {"batch_size": 2})
    written = RepairFollowUp.overdue
    batches_seen = []

    def fails_on_the_second_batch(self, batch, *, now):
        batches_seen.append(now)
        if len(batches_seen) == 2:
            raise ConnectionResetError("worker lost its database half-way")
        written(self, batch, now=now)

    monkeypatch.setattr(RepairFollowUp, "overdue", fails_on_the_second_batch)
    with at(LATER):
        cut = sweep_task()

    assert cut["failed"] == ["callbacks_overdue"]
    assert not Callback.objects.filter(overdue_at__isnull=False).exists()
    assert not RepairEvent.objects.filter(kind=RepairEvent.Kind.CALLBACK_OVERDUE).exists()
    assert not supervisor_notices(supervisor).exists()

    monkeypatch.setattr(RepairFollowUp, "overdue", written)
    with at(LATER + timedelta(minutes=1)):
        rerun = sweep_task()
    with at(LATER + timedelta(minutes=2)):
        again = sweep_task()

    assert (rerun["failed"], rerun["callbacks_overdue"]) == ([], 5)
    assert again["callbacks_overdue"] == 0
    assert_each_overdue_once(callbacks)
    assert set(Callback.objects.values_list("overdue_at", flat=True)) == {
        LATER + timedelta(minutes=1)
    }
    assert supervisor_notices(supervisor).get().subject.startswith("5 callbacks overdue")


def sweep_and_hang(now, batch_size, started, pids):
    """A worker's sweep that claims its first batch, writes its events, then hangs there
    (until it is killed), holding the batch in its open transaction."""
    connections.close_all()  # never share the parent's socket
    written = RepairFollowUp.overdue

    def then_hang(self, batch, *, now):
        written(self, batch, now=now)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.put(cursor.fetchone()[0])
        started.set()
        signal.pause()

    RepairFollowUp.overdue = then_hang
    services.callbacks_mark_overdue(now=now, batch_size=batch_size)


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_holding_a_batch_loses_nothing_and_doubles_nothing(
    postgres, sunshine, clerk, engineer, supervisor
):
    callbacks = due_callbacks(sunshine, clerk, engineer, 6)
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    started, pids = ctx.Event(), ctx.Queue()
    worker = ctx.Process(target=sweep_and_hang, args=(LATER, 3, started, pids))
    worker.start()
    try:
        assert started.wait(timeout=60)
        held = pids.get(timeout=10)
        # A second sweep at the same time takes the rows the hanging one does not hold.
        assert services.callbacks_mark_overdue(now=LATER + timedelta(seconds=1)) == 3
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=30)
    assert wait_for(lambda: not backend_alive(held))

    # The killed worker's batch was rolled back with its connection: the next sweep takes it.
    assert services.callbacks_mark_overdue(now=LATER + timedelta(seconds=2)) == 3
    assert services.callbacks_mark_overdue(now=LATER + timedelta(seconds=3)) == 0

    assert_each_overdue_once(callbacks)
    first_three = {callback.pk for callback in callbacks[:3]}
    stamped = dict(Callback.objects.values_list("pk", "overdue_at"))
    assert {pk for pk, when in stamped.items() if when == LATER + timedelta(seconds=2)} == (
        first_three
    )
    subjects = sorted(supervisor_notices(supervisor).values_list("subject", flat=True))
    assert [subject[:20] for subject in subjects] == ["3 callbacks overdue:"] * 2
