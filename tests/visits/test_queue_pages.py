"""The desk's callback queue: overdue, due today, upcoming; its rows, refresh and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clock import at
from tests.factories import ResidentFactory
from tests.helpers import text
from tests.visits.conftest import N, callback_of, completed, foreign_order
from visits import services
from visits.models import Callback
from visits.views import time_left_text


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
