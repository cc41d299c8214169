"""A real Celery worker takes real tasks from the configured broker (Redis when REDIS_URL or
CELERY_BROKER_URL is set, else the filesystem broker in a temporary folder) and the effect
is seen in the database."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from frontdesk import services
from frontdesk.celery import app
from frontdesk.models import Notification, SweepRun
from frontdesk.tasks import sweep
from tests.conftest import service_missing


@pytest.fixture
def broker(tmp_path):
    """Point the app at the real broker; a Redis that does not answer is a missing service."""
    saved = app.conf.broker_transport_options
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in ("queue", "processed", "control"):
            (tmp_path / folder).mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
            "control_folder": str(tmp_path / "control"),
        }
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # noqa: BLE001 - any failure to connect means "not there"
            service_missing(f"needs the broker at {settings.CELERY_BROKER_URL}: {exc}")
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
    reset_connections()
    yield settings.CELERY_BROKER_URL.split("://")[0]
    app.conf.broker_transport_options = saved
    reset_connections()


def reset_connections():
    """Forget the app's pools so the next publish connects with the options set above
    (kombu keeps one pool per connection settings, so the old one stays usable)."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_an_outbox_row_published_after_commit(broker, sunshine):
    note = services.notification_enqueue(
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
        note = services.notification_enqueue(
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
    assert services.notifications_sweep(now=note.created_at)["notifications_sent"] == 1
