"""A real Celery worker takes real tasks from the configured broker (Redis when REDIS_URL or
CELERY_BROKER_URL is set, else the filesystem broker in a temporary folder) and the effect
is seen in the database."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from frontdesk import outbox
from frontdesk.celery import app
from frontdesk.models import Notification, SweepRun
from frontdesk.tasks import sweep
from tests.conftest import reset_connections, wait_for


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_an_outbox_row_published_after_commit(broker, sunshine):
    note = outbox.notification_enqueue(
        property=sunshine,
        channel=Notification.Channel.EMAIL,
        subject="激活码",
        body="您的激活码是 ABCD2345",
        address="lin@example.com",
    )  # autocommit: the after-commit publish goes to the broker now

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        delivered = wait_for(
            lambda: Notification.objects.filter(pk=note.pk, status="sent").exists()
        )

    assert delivered, f"the worker on {broker} did not deliver the message"
    assert [m.to for m in mail.outbox] == [["lin@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_sweep_sent_through_the_broker(broker):
    sweep.delay()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        ran = wait_for(lambda: SweepRun.objects.filter(name="sweep").exists())

    assert ran, f"the worker on {broker} did not run the sweep"
    assert SweepRun.objects.get(name="sweep").last_result["notifications_tried"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_leaves_the_row_for_the_sweep(sunshine, settings):
    """The page's write succeeds at once; the message waits in the outbox, not lost."""
    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    reset_connections()
    try:
        started = time.monotonic()
        note = outbox.notification_enqueue(
            property=sunshine,
            channel=Notification.Channel.SMS,
            subject="激活码",
            body="您的激活码是 ABCD2345",
            address="13812345678",
        )
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url = saved
        reset_connections()

    note.refresh_from_db()
    assert note.status == Notification.Status.PENDING
    assert elapsed < 10, "publishing must not hold the request while the broker is down"
    assert outbox.notifications_sweep(now=note.created_at)["notifications_sent"] == 1
