"""The sweep runner: a step that raises rolls back only its own writes, is logged and recorded,
and hides nothing: the steps after it, the outbox and the run's own record still happen, and
/health/ and every staff page name the step that failed."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from frontdesk import outbox, sweep
from frontdesk.models import Notification, SweepRun
from frontdesk.tasks import sweep as sweep_task
from tests.clock import at
from tests.factories import complaint_received, repair_completed
from tickets.models import Escalation
from visits.models import Callback

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai: the repair is done
DUE = T + timedelta(hours=72)  # Friday 10:00: its callback's window closes
ORDER = [
    "callbacks_overdue",
    "callbacks_reminded",
    "complaints_escalated",
    "billing_runs_queued",
    "meter_readings",  # the failing step, registered by the test between billing and dunning
    "dunning_steps",
    "parcels_reminded",
    "digests_sent",
    "notifications",
]


def overdue_notices(supervisor, callback):
    return Notification.objects.filter(
        recipient_user=supervisor, channel="email", subject__contains=callback.repair.number
    )


@pytest.fixture
def failing_step():
    """A real step, registered through the registry as a package would, that always raises."""
    calls = []

    def meter_readings_import(*, now):
        calls.append(now)
        raise ZeroDivisionError("reading 0 of 0 cubic metres")

    sweep.register("meter_readings", meter_readings_import, order=45, label="Meter readings")
    yield calls
    sweep.unregister("meter_readings")


@pytest.fixture
def due_work(sunshine, clerk, engineer, engineering, engineering_manager, supervisor, assistant):
    """Work that falls due at DUE: a callback whose window closes, a direct-impact complaint
    whose 2-hour fix window has passed, and an e-mail waiting in the outbox."""
    with at(T):
        callback = repair_completed(sunshine, clerk=clerk, engineer=engineer).callbacks.get()
        note = outbox.notification_enqueue(
            property=sunshine,
            channel=Notification.Channel.EMAIL,
            subject="激活码",
            body="您的激活码是 ABCD2345",
            address="lin@example.com",
        )
    with at(DUE - timedelta(minutes=150)):
        complaint = complaint_received(sunshine, by=clerk, owner=assistant, department=engineering)
    assert callback.due_at == DUE
    return {"callback": callback, "note": note, "complaint": complaint}


def test_a_failing_step_stops_neither_the_others_nor_the_outbox_nor_the_record(
    failing_step, due_work, supervisor, caplog
):
    with at(DUE), caplog.at_level(logging.ERROR, logger="frontdesk.sweep"):
        result = sweep_task()

    assert failing_step == [DUE]
    assert result["failed"] == ["meter_readings"]
    assert list(result["steps"]) == ORDER  # the steps after it ran, the outbox last
    failed = result["steps"]["meter_readings"]
    assert failed["result"] is None
    assert failed["error"] == "ZeroDivisionError: reading 0 of 0 cubic metres"
    assert all(
        isinstance(step["ms"], float) and step["ms"] >= 0 for step in result["steps"].values()
    )
    # The callback turned overdue and the complaint went up the ladder.
    assert result["callbacks_overdue"] == 1
    assert Callback.objects.get(pk=due_work["callback"].pk).overdue_at == DUE
    assert result["complaints_escalated_department_manager"] == 1
    escalation = Escalation.objects.get(complaint=due_work["complaint"])
    assert (escalation.level, escalation.at) == ("department_manager", DUE)
    # The outbox ran: the waiting e-mail and the supervisor's overdue notice went out.
    assert result["notifications_sent"] >= 2
    assert Notification.objects.get(pk=due_work["note"].pk).status == Notification.Status.SENT
    overdue_mail = overdue_notices(supervisor, due_work["callback"]).get()
    assert (overdue_mail.status, overdue_mail.sent_at) == (Notification.Status.SENT, DUE)
    assert {"lin@example.com", "boss@example.com"} <= {m.to[0] for m in mail.outbox}
    # The error was logged with its traceback.
    logged = [r for r in caplog.records if r.exc_info and "meter_readings" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info[0] is ZeroDivisionError
    # And the run is recorded, failure included.
    run = SweepRun.objects.get(name="sweep")
    assert run.last_finished_at == DUE
    assert run.last_result["failed"] == ["meter_readings"]
    assert set(run.last_result["steps"]) == set(ORDER)
    assert run.last_result["steps"]["meter_readings"]["error"] == failed["error"]
    assert run.last_result["callbacks_overdue"] == 1


def test_while_a_step_keeps_failing_the_others_still_act_exactly_once(
    failing_step, due_work, supervisor
):
    for minute in range(3):
        with at(DUE + timedelta(minutes=minute)):
            result = sweep_task()
        assert result["failed"] == ["meter_readings"]

    assert len(failing_step) == 3
    assert result["callbacks_overdue"] == 0
    assert Callback.objects.get(pk=due_work["callback"].pk).overdue_at == DUE
    assert overdue_notices(supervisor, due_work["callback"]).count() == 1
    assert Escalation.objects.filter(complaint=due_work["complaint"]).count() == 1
    assert result["notifications_tried"] == 0  # everything went out in the first run


def test_a_failing_step_rolls_back_its_own_writes(sunshine):
    def half_done(*, now):
        outbox.notification_enqueue(
            property=sunshine,
            channel=Notification.Channel.EMAIL,
            subject="half done",
            body=f"written at {now:%H:%M}, then the step raised",
            address="half@example.com",
        )
        raise RuntimeError("after the write")

    sweep.register("half_done", half_done, order=5)
    try:
        with at(DUE):
            result = sweep_task()
    finally:
        sweep.unregister("half_done")

    assert result["steps"]["half_done"]["error"] == "RuntimeError: after the write"
    # The outbox row it wrote was rolled back before the outbox ran: nothing went out.
    assert not Notification.objects.filter(subject="half done").exists()
    assert mail.outbox == []
    assert result["steps"]["notifications"]["error"] is None


def test_a_result_the_record_cannot_hold_is_a_failure_and_rolls_back(sunshine):
    def untidy(*, now):
        outbox.notification_enqueue(
            property=sunshine, channel="email", subject="untidy", body="-", address="u@example.com"
        )
        return {"when": now}  # a datetime is not JSON

    sweep.register("untidy", untidy, order=5)
    try:
        with at(DUE):
            result = sweep_task()
    finally:
        sweep.unregister("untidy")

    assert result["failed"] == ["untidy"]
    assert result["steps"]["untidy"]["error"].startswith("TypeError: ")
    assert not Notification.objects.filter(subject="untidy").exists()
    assert SweepRun.objects.get(name="sweep").last_result["failed"] == ["untidy"]


@pytest.mark.usefixtures("failing_step")
def test_health_names_the_failing_step_without_its_error(client, db):
    with at(DUE):
        sweep_task()
        failing = client.get(reverse("health"))
    sweep.unregister("meter_readings")
    with at(DUE + timedelta(minutes=1)):
        sweep_task()
        healed = client.get(reverse("health"))

    assert failing.status_code == 503
    assert failing.json()["sweep"] == "failing"
    assert failing.json()["failed_steps"] == ["meter_readings"]
    assert "cubic metres" not in failing.content.decode()  # the page is public
    assert healed.status_code == 200
    assert (healed.json()["sweep"], healed.json()["failed_steps"]) == ("ok", [])


@pytest.mark.usefixtures("failing_step")
def test_staff_pages_name_the_step_that_failed_in_the_last_run(client, clerk):
    with at(DUE):
        sweep_task()
        client.force_login(clerk)
        page = client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sweep.unregister("meter_readings")
    with at(DUE + timedelta(minutes=1)):
        sweep_task()
        client.force_login(clerk)
        healed = client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Failed in the last run of the scheduled jobs: Meter readings." in page
    assert "The other jobs ran." in page
    assert "Scheduled jobs have not run since" not in page  # the beat itself runs
    assert "Failed in the last run" not in healed


def test_the_banner_names_real_steps_in_chinese(clerk_client):
    SweepRun.objects.create(
        name="sweep",
        last_finished_at=timezone.now(),
        last_result={"failed": ["dunning_steps", "notifications"]},
    )

    page = clerk_client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "定时任务上次运行时出错：催缴、通知发送。" in page


def test_a_record_from_before_the_runner_shows_no_failure(clerk_client, client):
    SweepRun.objects.create(
        name="sweep", last_finished_at=timezone.now(), last_result={"digests_sent": 0}
    )

    page = clerk_client.get(reverse("lookup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Failed in the last run" not in page
    assert client.get(reverse("health")).json()["failed_steps"] == []


def test_the_registry_refuses_a_taken_or_reserved_name_and_accepts_a_second_ready():
    def other(*, now):
        return 0

    for name in ("callbacks_overdue", "notifications", "steps", "failed"):
        with pytest.raises(ValueError):
            sweep.register(name, other, order=1)
    known = {step.name: step for step in sweep.steps()}["callbacks_overdue"]

    sweep.register("callbacks_overdue", known.run, order=known.order, label=known.label)

    assert [step.name for step in sweep.steps()] == ORDER[:4] + ORDER[5:-1]
