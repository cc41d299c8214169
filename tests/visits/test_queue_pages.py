"""The callback pages: the desk's queue (overdue, due today, upcoming) and its self-refreshing
list, recording a call, the supervisor's flagged list; another property's callback is never
found; bad input gets a message (400) and changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.models import Membership
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import DepartmentFactory, ResidentFactory, UserFactory, repair_completed
from tests.helpers import text
from tickets.models import RepairOrder
from visits import services
from visits.models import CallAttempt, Callback
from visits.views import time_left_text

N = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # "now" on the pages: 10:00 in Shanghai


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def completed(prop, clerk, engineer, *, due_in: timedelta, **fields):
    """A repair whose callback falls due `due_in` after N (negative: already overdue)."""
    with at(N + due_in - timedelta(hours=prop.repair_callback_hours)):
        return repair_completed(prop, clerk=clerk, engineer=engineer, **fields)


def callback_of(order) -> Callback:
    return order.callbacks.get(kind=Callback.Kind.REPAIR, status=Callback.Status.OPEN)


def queue_pks(response):
    return {s["key"]: [item["c"].pk for item in s["rows"]] for s in response.context["sections"]}


# --- the queue ---------------------------------------------------------------------------------


def test_time_left_reads_in_hours_and_minutes():
    assert time_left_text(timedelta(hours=3, minutes=20, seconds=59)) == "3 h 20 min left"
    assert time_left_text(timedelta(hours=62)) == "62 h left"
    assert time_left_text(timedelta(minutes=5)) == "5 min left"
    assert time_left_text(-timedelta(hours=2)) == "overdue by 2 h"
    assert time_left_text(timedelta(0)) == "overdue by 0 min"


def test_queue_lists_overdue_then_due_today_then_upcoming(desk, sunshine, clerk, engineer):
    upcoming = completed(sunshine, clerk, engineer, due_in=timedelta(hours=62))
    # 00:30 tomorrow in Shanghai: not today, although it is less than a day away.
    tomorrow = completed(sunshine, clerk, engineer, due_in=timedelta(hours=14, minutes=30))
    today = completed(sunshine, clerk, engineer, due_in=timedelta(hours=2, minutes=20))
    today_later = completed(sunshine, clerk, engineer, due_in=timedelta(hours=13, minutes=59))
    overdue = completed(sunshine, clerk, engineer, due_in=-timedelta(hours=1))

    with at(N):
        response = desk.get(reverse("callback_queue"))

    assert response.status_code == 200
    assert queue_pks(response) == {
        "overdue": [callback_of(overdue).pk],
        "today": [callback_of(today).pk, callback_of(today_later).pk],
        "upcoming": [callback_of(tomorrow).pk, callback_of(upcoming).pk],
    }
    page = text(response)
    positions = [page.index(o.number) for o in (overdue, today, today_later, tomorrow, upcoming)]
    assert positions == sorted(positions)
    assert page.index("Overdue") < page.index("Due today") < page.index("Upcoming")
    assert "overdue by 1 h" in page
    assert "2 h 20 min left" in page
    assert "14 h 30 min left" in page and "62 h left" in page


def test_a_row_shows_the_order_the_resident_full_phones_and_the_calls(
    desk, sunshine, clerk, engineer
):
    lin = ResidentFactory(
        property=sunshine, name="林晓峰", phones=["13812345678"], best_time_to_call="工作日晚上"
    )
    order = completed(sunshine, clerk, engineer, due_in=timedelta(hours=5), resident=lin)
    callback = callback_of(order)
    for hour in (1, 2, 3):
        with at(N - timedelta(hours=hour)):
            services.callback_record_unreached(
                callback=callback,
                by=clerk,
                answered_by="林太太",
                relation="妻子",
                best_time="晚上七点后",
                retry_at=N + timedelta(hours=1),
            )

    with at(N):
        page = text(desk.get(reverse("callback_queue")))

    assert order.number in page and "厨房水龙头漏水" in page and lin.units.get().label in page
    assert "Water" in page  # the category
    assert "2026-11-21 15:00" in page  # completed, local time
    assert "林晓峰" in page and "13812345678" in page  # the full number: the clerk calls it
    assert "工作日晚上" in page and "晚上七点后" in page
    assert "2026-11-24 11:00" in page  # the next try
    assert "Flagged" in page and "林太太" in page
    assert "5 h left" in page
    assert reverse("callback_record", args=[callback.pk]) in page


def test_a_promised_reply_shows_its_question(desk, sunshine, clerk, engineer):
    order = completed(sunshine, clerk, engineer, due_in=timedelta(hours=5))
    with at(N - timedelta(hours=1)):
        services.callback_record_reached(
            callback=callback_of(order),
            by=clerk,
            solved=True,
            satisfaction=5,
            question="物业费能否分期?",
            reply_due_at=N + timedelta(hours=3),
        )

    with at(N):
        response = desk.get(reverse("callback_queue"))

    reply = Callback.objects.get(kind=Callback.Kind.REPLY)
    assert queue_pks(response)["today"] == [reply.pk]
    assert "物业费能否分期?" in text(response) and "Promised reply" in text(response)


def test_the_queue_hides_finished_callbacks_and_other_properties(
    desk, sunshine, elsewhere, clerk, engineer
):
    mine = completed(sunshine, clerk, engineer, due_in=timedelta(hours=5))
    done = completed(sunshine, clerk, engineer, due_in=timedelta(hours=6))
    with at(N - timedelta(hours=1)):
        services.callback_record_reached(
            callback=callback_of(done), by=clerk, solved=True, satisfaction=4
        )
    foreign_order(elsewhere)

    with at(N):
        response = desk.get(reverse("callback_queue"))

    assert sum(queue_pks(response).values(), []) == [callback_of(mine).pk]
    # Order numbers are per property: the other property's order shows by its description.
    assert "翠湖渗水" not in text(response) and done.number not in text(response)


def test_the_list_refreshes_itself_every_minute_from_a_partial(desk, sunshine, clerk, engineer):
    order = completed(sunshine, clerk, engineer, due_in=timedelta(hours=5))

    with at(N):
        page = text(desk.get(reverse("callback_queue")))
        rows = desk.get(reverse("callback_queue_rows"), headers={"HX-Request": "true"})

    assert f'hx-get="{reverse("callback_queue_rows")}"' in page
    assert 'hx-trigger="every 60s, callback-recorded from:body"' in page
    assert rows.status_code == 200
    assert order.number in text(rows)
    assert "<html" not in text(rows) and "Overdue" in text(rows)


def _many(sunshine, clerk, engineer, n, start):
    for i in range(n):
        order = completed(sunshine, clerk, engineer, due_in=timedelta(hours=start + i * 5))
        if i % 2:  # some with calls, some with a promised reply
            with at(N - timedelta(minutes=30)):
                services.callback_record_unreached(callback=callback_of(order), by=clerk)
        if i % 3 == 0:
            with at(N - timedelta(minutes=20)):
                services.callback_record_reached(
                    callback=callback_of(order),
                    by=clerk,
                    solved=True,
                    satisfaction=5,
                    question="问题",
                    reply_due_at=N + timedelta(hours=1 + i),
                )


@pytest.mark.parametrize("url_name", ["callback_queue", "callback_queue_rows"])
def test_the_queue_runs_the_same_queries_for_2_or_20_callbacks(
    desk, sunshine, clerk, engineer, url_name
):
    url = reverse(url_name)
    _many(sunshine, clerk, engineer, 2, start=-3)
    with at(N), CaptureQueriesContext(connection) as few:
        small = desk.get(url)
    _many(sunshine, clerk, engineer, 18, start=-7)
    with at(N), CaptureQueriesContext(connection) as many:
        big = desk.get(url)

    assert sum(len(s["rows"]) for s in small.context["sections"]) == 2
    assert sum(len(s["rows"]) for s in big.context["sections"]) == 20
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_nav_offers_the_queue_to_the_desk(desk):
    page = text(desk.get(reverse("callback_queue")))

    assert f'href="{reverse("callback_queue")}"' in page.split("</nav>")[0]


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


# --- the supervisor ----------------------------------------------------------------------------


def test_the_flagged_page_lists_flagged_and_overdue_callbacks_only(
    boss, sunshine, elsewhere, clerk, engineer
):
    calm = completed(sunshine, clerk, engineer, due_in=timedelta(hours=30))
    late = completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2))
    flagged = completed(sunshine, clerk, engineer, due_in=timedelta(hours=20))
    for minutes in (30, 20, 10):
        with at(N - timedelta(minutes=minutes)):
            services.callback_record_unreached(callback=callback_of(flagged), by=clerk)
    foreign_order(elsewhere, due_in=-timedelta(hours=2))

    with at(N):
        response = boss.get(reverse("callback_flagged"))

    assert response.status_code == 200
    assert [item["c"].pk for item in response.context["items"]] == [
        callback_of(late).pk,
        callback_of(flagged).pk,
    ]
    page = text(response)
    assert calm.number not in page and "翠湖渗水" not in page
    assert "overdue by 2 h" in page and "Flagged" in page
    assert reverse("callback_close", args=[callback_of(late).pk]) in page


def test_the_supervisor_closes_a_callback_as_missed(boss, supervisor, sunshine, clerk, engineer):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))

    with at(N):
        response = boss.post(reverse("callback_close", args=[late.pk]), {"reason": "号码已停机"})

    assert response.status_code == 302 and response.url == reverse("callback_flagged")
    late.refresh_from_db()
    assert late.status == Callback.Status.DONE and late.timing == Callback.Timing.MISSED
    assert late.close_reason == "号码已停机" and late.done_by == supervisor


def test_closing_without_a_reason_is_refused_and_changes_nothing(boss, sunshine, clerk, engineer):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))

    with at(N):
        response = boss.post(reverse("callback_close", args=[late.pk]), {"reason": "  "})

    assert response.status_code == 400
    assert "Give the reason for closing the callback." in text(response)
    late.refresh_from_db()
    assert late.status == Callback.Status.OPEN


def test_closing_a_callback_already_finished_is_refused(boss, sunshine, clerk, engineer):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))
    with at(N):
        services.callback_record_reached(callback=late, by=clerk, solved=True, satisfaction=4)
        response = boss.post(reverse("callback_close", args=[late.pk]), {"reason": "停机"})

    assert response.status_code == 400
    assert "This callback is already finished." in text(response)
    late.refresh_from_db()
    assert late.timing == Callback.Timing.LATE and late.close_reason == ""


@pytest.mark.parametrize("role", ["clerk", "assistant", "engineer", "department_manager"])
def test_only_supervisors_and_project_managers_see_the_flagged_page(
    client, sunshine, clerk, engineer, role
):
    late = callback_of(completed(sunshine, clerk, engineer, due_in=-timedelta(hours=2)))
    client.force_login(staff_at(sunshine, role))

    assert client.get(reverse("callback_flagged")).status_code == 404
    response = client.post(reverse("callback_close", args=[late.pk]), {"reason": "停机"})
    assert response.status_code == 404
    assert Callback.objects.get(pk=late.pk).status == Callback.Status.OPEN


def test_a_project_manager_sees_the_flagged_page(client, sunshine):
    client.force_login(staff_at(sunshine, "project_manager"))

    assert client.get(reverse("callback_flagged")).status_code == 200


# --- who sees what -----------------------------------------------------------------------------


def foreign_order(elsewhere, *, due_in=timedelta(hours=5)):
    desk_clerk = staff_at(elsewhere, "clerk")
    fixer = UserFactory()
    department = DepartmentFactory(property=elsewhere)
    Membership.objects.create(
        user=fixer, property=elsewhere, role="engineer", department=department
    )
    return completed(
        elsewhere, desk_clerk, fixer, due_in=due_in, department=department, description="翠湖渗水"
    )


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


# --- complaints in the queue -----------------------------------------------------------------


def _complaints(prop, clerk, assistant, count):
    from tests.factories import complaint_received

    with at(N - timedelta(hours=1)):
        return [
            complaint_received(prop, by=clerk, owner=assistant, direct_impact=False)
            for _ in range(count)
        ]


def test_complaint_replies_show_in_the_queue_with_the_complainant(
    desk, sunshine, clerk, assistant, engineer
):
    _many(sunshine, clerk, engineer, 1, start=-3)
    (complaint,) = _complaints(sunshine, clerk, assistant, 1)
    with at(N):
        page = text(desk.get(reverse("callback_queue")))

    assert reverse("complaint_detail", args=[complaint.pk]) in page
    assert complaint.number in page and complaint.complainant_name in page
    assert "Complaint reply" in page


@pytest.mark.parametrize("url_name", ["callback_queue", "callback_queue_rows"])
def test_the_queue_runs_the_same_queries_for_1_or_6_complaint_replies(
    desk, sunshine, clerk, assistant, engineer, url_name
):
    url = reverse(url_name)
    _many(sunshine, clerk, engineer, 2, start=-3)
    _complaints(sunshine, clerk, assistant, 1)
    with at(N), CaptureQueriesContext(connection) as few:
        desk.get(url)
    _complaints(sunshine, clerk, assistant, 5)
    with at(N), CaptureQueriesContext(connection) as many:
        big = desk.get(url)

    assert sum(len(s["rows"]) for s in big.context["sections"]) == 8
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_letters_reply_is_sent_to_the_written_reply(desk, sunshine, clerk, assistant):
    from tests.factories import complaint_received

    with at(N):
        letter = complaint_received(
            sunshine, by=clerk, owner=assistant, channel="letter", direct_impact=False
        )
        reply = letter.callbacks.get(kind="complaint_reply")
        page = text(desk.get(reverse("callback_record", args=[reply.pk])))
        refused = desk.post(
            reverse("callback_record", args=[reply.pk]), {"reached": "yes", "comments": "电话答复"}
        )

    assert reverse("complaint_letter", args=[letter.pk]) in page
    assert 'name="reached"' not in page
    assert refused.status_code == 400
    assert "answered in writing" in text(refused)
    assert not reply.calls.exists()
