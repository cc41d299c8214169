"""The outbox delivers each message once, the sweep retries what was not sent, and a stopped
sweep is visible on every staff page and at /health/."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from frontdesk import outbox
from frontdesk.models import Notification, SweepRun
from frontdesk.tasks import sweep

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.fixture
def email_note(sunshine):
    with time_machine.travel(NOW, tick=False):
        return outbox.notification_enqueue(
            property=sunshine,
            channel=Notification.Channel.EMAIL,
            subject="激活码",
            body="您的激活码是 ABCD2345",
            address="lin@example.com",
        )


def test_delivery_sends_once_and_marks_the_row(email_note):
    first = outbox.notification_deliver(notification_id=email_note.pk, now=NOW)
    second = outbox.notification_deliver(notification_id=email_note.pk, now=NOW)

    email_note.refresh_from_db()
    assert (first, second) == (True, False)
    assert email_note.status == Notification.Status.SENT
    assert email_note.attempts == 1
    assert [m.to for m in mail.outbox] == [["lin@example.com"]]


def test_delivery_stamps_the_now_it_is_given_not_the_clock(email_note):
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        assert outbox.notification_deliver(notification_id=email_note.pk, now=NOW)

    email_note.refresh_from_db()
    assert (email_note.claimed_at, email_note.sent_at) == (NOW, NOW)


def test_a_claim_held_by_a_live_worker_is_left_alone(email_note):
    Notification.objects.filter(pk=email_note.pk).update(status="sending", claimed_at=NOW)

    assert not outbox.notification_deliver(notification_id=email_note.pk, now=NOW)
    assert mail.outbox == []


def test_a_claim_left_by_a_killed_worker_is_taken_over_by_the_sweep(email_note):
    Notification.objects.filter(pk=email_note.pk).update(status="sending", claimed_at=NOW)

    later = NOW + timedelta(minutes=11)
    result = outbox.notifications_sweep(now=later)

    email_note.refresh_from_db()
    assert result == {"notifications_tried": 1, "notifications_sent": 1}
    assert email_note.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_a_failing_channel_is_retried_then_given_up(email_note, settings):
    settings.EMAIL_BACKEND = "tests.frontdesk.broken_mail.Backend"

    for minute in range(outbox.NOTIFICATION_MAX_ATTEMPTS):
        outbox.notifications_sweep(now=NOW + timedelta(minutes=minute))

    email_note.refresh_from_db()
    assert email_note.status == Notification.Status.FAILED
    assert email_note.attempts == outbox.NOTIFICATION_MAX_ATTEMPTS
    assert "SMTP is down" in email_note.last_error


def test_running_the_sweep_twice_sends_nothing_the_second_time(email_note):
    outbox.notifications_sweep(now=NOW)
    again = outbox.notifications_sweep(now=NOW + timedelta(minutes=1))

    assert again == {"notifications_tried": 0, "notifications_sent": 0}
    assert len(mail.outbox) == 1


def test_sweep_task_records_when_it_ran(db):
    with time_machine.travel(NOW, tick=False):
        sweep()

    run = SweepRun.objects.get(name="sweep")
    assert run.last_finished_at == NOW
    steps = run.last_result.pop("steps")
    assert run.last_result.pop("failed") == []
    assert set(steps) == {
        "callbacks_overdue",
        "callbacks_reminded",
        "complaints_escalated",
        "billing_runs_queued",
        "dunning_steps",
        "parcels_reminded",
        "digests_sent",
        "notifications",
    }
    assert all(step["error"] is None for step in steps.values())
    assert run.last_result == {
        "callbacks_overdue": 0,
        "callbacks_reminded": 0,
        "complaints_escalated_department_manager": 0,
        "complaints_escalated_project_manager": 0,
        "billing_runs_queued": 0,
        "dunning_steps": 0,
        "parcels_reminded": 0,
        "digests_sent": 0,
        "notifications_tried": 0,
        "notifications_sent": 0,
    }


def test_staff_pages_warn_when_the_sweep_has_stopped(clerk_client):
    SweepRun.objects.create(name="sweep", last_finished_at=timezone.now() - timedelta(minutes=6))

    page = clerk_client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Scheduled jobs have not run since" in page


def test_no_warning_while_the_sweep_runs(clerk_client):
    SweepRun.objects.create(name="sweep", last_finished_at=timezone.now() - timedelta(minutes=1))

    page = clerk_client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Scheduled jobs" not in page


def test_health_reports_a_stale_sweep_as_unavailable(client, db):
    never = client.get(reverse("health"))
    SweepRun.objects.create(name="sweep", last_finished_at=timezone.now())
    fresh = client.get(reverse("health"))

    assert (never.status_code, never.json()["sweep"]) == (503, "stale")
    assert (fresh.status_code, fresh.json()["sweep"]) == (200, "ok")
