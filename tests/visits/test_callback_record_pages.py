"""Recording a call on its page, bad input refused unchanged, and who may open a callback at all."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UserFactory
from tests.helpers import text
from tests.visits.conftest import N, callback_of, completed, foreign_order
from tickets.models import RepairOrder
from visits import services
from visits.models import CallAttempt, Callback

# --- recording a call --------------------------------------------------------------------------


@pytest.fixture
def order(sunshine, clerk, engineer, lin):
    return completed(sunshine, clerk, engineer, due_in=timedelta(hours=5), resident=lin)


@pytest.fixture
def callback(order):
    return callback_of(order)


def record(client, callback, data, **headers):
    with at(N):
        return client.post(reverse("callback_record", args=[callback.pk]), data, headers=headers)


def unchanged(callback):
    fresh = Callback.objects.get(pk=callback.pk)
    return (
        fresh.status == Callback.Status.OPEN
        and fresh.attempts == callback.attempts
        and fresh.next_try_at == callback.next_try_at
        and not CallAttempt.objects.filter(callback=callback).exists()
    )


def test_the_call_page_shows_the_order_and_its_previous_calls(desk, order, callback, clerk):
    with at(N - timedelta(hours=1)):
        services.callback_record_unreached(
            callback=callback, by=clerk, answered_by="保姆", relation="家政"
        )

    with at(N):
        response = desk.get(reverse("callback_record", args=[callback.pk]))

    page = text(response)
    assert response.status_code == 200
    assert order.number in page and "厨房水龙头漏水" in page and "阀芯老化" in page
    assert "13812345678" in page and "林晓峰" in page
    assert "保姆" in page and "家政" in page and "王前台" in page  # the earlier call
    assert 'type="datetime-local"' in page
    assert "5 h left" in page


def test_a_call_not_reached_is_recorded_and_back_to_the_queue(desk, callback, clerk):
    response = record(
        desk,
        callback,
        {
            "reached": "no",
            "answered_by": "林太太",
            "relation": "妻子",
            "best_time": "晚上",
            "retry_at": "2026-11-24T13:30",  # local time in Shanghai
        },
    )

    assert response.status_code == 302 and response.url == reverse("callback_queue")
    callback.refresh_from_db()
    attempt = callback.calls.get()
    assert (attempt.reached, attempt.answered_by, attempt.relation) == (False, "林太太", "妻子")
    assert attempt.by == clerk
    assert callback.attempts == 1
    assert callback.next_try_at == datetime(2026, 11, 24, 5, 30, tzinfo=UTC)


def test_a_satisfied_resident_is_recorded_and_the_callback_is_done(desk, order, callback):
    response = record(
        desk,
        callback,
        {
            "reached": "yes",
            "solved": "yes",
            "satisfaction": "5",
            "attitude": "5",
            "waiting": "4",
            "price": "",
            "comments": "师傅很专业",
            "data_confirmed": "on",
            "data_corrections": "",
        },
    )

    assert response.status_code == 302
    callback.refresh_from_db()
    attempt = callback.calls.get()
    assert callback.status == Callback.Status.DONE and callback.timing == "on_time"
    assert (attempt.solved, attempt.satisfaction, attempt.attitude) == (True, 5, 5)
    assert (attempt.waiting, attempt.price, attempt.data_confirmed) == (4, None, True)
    assert attempt.comments == "师傅很专业"


def test_not_solved_on_the_page_reopens_the_order(desk, order, callback):
    record(desk, callback, {"reached": "yes", "solved": "no", "satisfaction": "3"})

    order.refresh_from_db()
    assert order.state == RepairOrder.State.REOPENED


def test_a_promised_reply_typed_on_the_page_becomes_a_callback(desk, callback):
    response = record(
        desk,
        callback,
        {
            "reached": "yes",
            "solved": "yes",
            "satisfaction": "4",
            "question": "停车位怎么申请?",
            "reply_due_at": "2026-11-26T17:00",
        },
    )

    assert response.status_code == 302
    reply = Callback.objects.get(kind=Callback.Kind.REPLY)
    assert reply.parent_id == callback.pk and reply.question == "停车位怎么申请?"
    assert reply.due_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say whether you reached the resident."),
        ({"reached": "maybe"}, "Select a valid choice"),
        ({"reached": "yes", "solved": "yes"}, "Record the satisfaction, from 1 to 5."),
        ({"reached": "yes", "satisfaction": "4"}, "Ask whether the problem is solved."),
        ({"reached": "yes", "solved": "yes", "satisfaction": "9"}, "Select a valid choice"),
        (
            {"reached": "yes", "solved": "yes", "satisfaction": "4", "question": "能否分期?"},
            "Promise a time for the reply.",
        ),
        ({"reached": "no", "retry_at": "tomorrow"}, "Enter a valid date/time."),
        # The services' own checks, shown as form errors:
        (
            {"reached": "no", "retry_at": "2026-11-24T15:01"},
            "Plan the next try before the deadline",
        ),
        ({"reached": "no", "retry_at": "2026-11-24T09:00"}, "The next try must be in the future."),
        (
            {
                "reached": "yes",
                "solved": "yes",
                "satisfaction": "4",
                "question": "能否分期?",
                "reply_due_at": "2026-11-24T09:00",
            },
            "A promised reply needs the question and a time in the future.",
        ),
    ],
    ids=[
        "nothing",
        "bad-choice",
        "no-score",
        "no-solved",
        "score-9",
        "question-no-time",
        "bad-time",
        "retry-after-deadline",
        "retry-in-past",
        "reply-in-past",
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(desk, order, callback, data, message):
    response = record(desk, callback, data)

    assert response.status_code == 400
    assert message in text(response)
    assert unchanged(callback)
    order.refresh_from_db()
    assert order.state == RepairOrder.State.COMPLETED
    assert Callback.objects.count() == 1


def test_a_call_on_a_finished_callback_is_refused(desk, callback, clerk):
    with at(N - timedelta(hours=1)):
        services.callback_record_reached(callback=callback, by=clerk, solved=True, satisfaction=5)

    response = record(desk, callback, {"reached": "no"})

    assert response.status_code == 400
    assert "This callback is already finished." in text(response)
    assert CallAttempt.objects.filter(callback=callback).count() == 1


def test_inside_the_queue_panel_a_call_refreshes_the_list(desk, callback):
    with at(N):
        panel = desk.get(
            reverse("callback_record", args=[callback.pk]), headers={"HX-Request": "true"}
        )
    assert panel.status_code == 200
    assert "<html" not in text(panel)
    assert f'hx-post="{reverse("callback_record", args=[callback.pk])}"' in text(panel)

    bad = record(desk, callback, {"reached": "yes"}, HX_Request="true")
    assert bad.status_code == 400 and "<html" not in text(bad)
    assert "HX-Trigger" not in bad

    done = record(desk, callback, {"reached": "no"}, HX_Request="true")
    assert done.status_code == 200
    assert done["HX-Trigger"] == "callback-recorded"
    assert "Call recorded" in text(done)
    assert Callback.objects.get(pk=callback.pk).attempts == 1


# --- who sees what -----------------------------------------------------------------------------


def test_another_propertys_callback_is_not_found_on_every_url(
    desk, boss, sunshine, elsewhere, clerk, engineer
):
    foreign = callback_of(foreign_order(elsewhere, due_in=-timedelta(hours=2)))
    record_url = reverse("callback_record", args=[foreign.pk])
    close_url = reverse("callback_close", args=[foreign.pk])

    with at(N):
        assert desk.get(record_url).status_code == 404
        assert desk.post(record_url, {"reached": "no"}).status_code == 404
        assert desk.get(record_url, headers={"HX-Request": "true"}).status_code == 404
        assert boss.post(close_url, {"reason": "停机"}).status_code == 404
        assert boss.get(reverse("callback_record", args=[99999])).status_code == 404

    foreign.refresh_from_db()
    assert foreign.status == Callback.Status.OPEN and foreign.attempts == 0


def test_staff_who_do_not_work_the_desk_cannot_open_a_call(client, sunshine, callback):
    client.force_login(staff_at(sunshine, "engineer"))

    assert client.get(reverse("callback_record", args=[callback.pk])).status_code == 404
    assert (
        client.post(reverse("callback_record", args=[callback.pk]), {"reached": "no"}).status_code
        == 404
    )
    assert client.get(reverse("callback_queue")).status_code == 403


def test_residents_and_strangers_are_kept_out(client, sunshine, callback):
    url = reverse("callback_queue")
    assert client.get(url).status_code == 302  # to the login page

    resident = ResidentFactory(property=sunshine)
    user = UserFactory(username="13800001111")
    resident.user = user
    resident.save()
    client.force_login(user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("callback_record", args=[callback.pk])).status_code == 404
