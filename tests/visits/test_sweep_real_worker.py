"""With a real worker and a real beat on the configured broker: a callback whose window
passes while the worker is stopped turns overdue once it is back (nothing lost), and a
notification whose delivery fails is retried and delivered once."""

from datetime import timedelta

import pytest
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from frontdesk.celery import app
from frontdesk.models import Notification
from reports.models import DigestRun
from tests.conftest import wait_for
from tests.factories import repair_completed
from visits.models import Callback


class FlakySmtp:
    """An SMTP server that refuses the first message it is given, then works."""

    failures_left = 1

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakySmtp.failures_left:
            FlakySmtp.failures_left -= 1
            raise ConnectionRefusedError("SMTP is restarting")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def beat_every_second(tmp_path):
    """A real beat, in a thread, sending the sweep every second instead of every minute."""
    saved = app.conf.beat_schedule
    app.conf.beat_schedule = {"sweep": {"task": "frontdesk.tasks.sweep", "schedule": 1.0}}
    service = EmbeddedService(app, thread=True, schedule_filename=str(tmp_path / "beat"))
    yield service
    service.stop()
    app.conf.beat_schedule = saved


@pytest.mark.django_db(transaction=True)
def test_callback_due_while_the_worker_was_down_turns_overdue_once_after_restart(
    broker, beat_every_second, sunshine, clerk, engineer, supervisor, settings
):
    settings.EMAIL_BACKEND = "tests.visits.test_sweep_real_worker.FlakySmtp"
    FlakySmtp.failures_left = 1
    # The worker runs the real sweep on the real clock, which the test cannot freeze. From the
    # digest hour on, that sweep would also e-mail the supervisor the daily digest; the digest
    # has its own tests (tests/reports/test_review.py), so here today's (and, should the test
    # run across midnight, tomorrow's) is already sent: at any hour, the overdue notice is the
    # only thing the supervisor gets.
    today = timezone.localdate(timezone.now(), sunshine.zone)
    for day in (today, today + timedelta(days=1)):
        DigestRun.objects.create(property=sunshine, day=day, sent_at=timezone.now())
    order = repair_completed(sunshine, clerk=clerk, engineer=engineer)
    callback = order.callbacks.get()
    # The window closes while no worker runs.
    due_at = timezone.now() + timedelta(seconds=1)
    Callback.objects.filter(pk=callback.pk).update(due_at=due_at)
    assert wait_for(lambda: timezone.now() > due_at + timedelta(seconds=1), seconds=5)

    beat_every_second.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        overdue = wait_for(
            lambda: Callback.objects.filter(pk=callback.pk, overdue_at__isnull=False).exists()
        )
        delivered = wait_for(
            lambda: Notification.objects.filter(
                recipient_user=supervisor, channel="email", status="sent"
            ).exists()
        )
        # More sweeps run while we watch; none may repeat the work.
        wait_for(lambda: False, seconds=3)

    notices = Notification.objects.filter(recipient_user=supervisor)
    assert overdue and delivered
    assert order.events.filter(kind="callback_overdue").count() == 1
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "in_app"]
    email = notices.get(channel="email")
    assert email.attempts == 2  # refused once, delivered on the retry
    assert [m.to for m in mail.outbox] == [["boss@example.com"]]
