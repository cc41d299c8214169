"""The queue shows the work to do now first and pages the rest: a page holds the earliest
deadlines, each section's heading counts all its callbacks, the next page goes on where the
page stopped, and a page costs the same queries however many callbacks are open. (Before, the
queue showed every open callback on one page.)"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clock import at
from tests.helpers import text
from tests.visits.conftest import N, callback_of, completed
from visits import queries


@pytest.fixture
def page_of_three(monkeypatch):
    monkeypatch.setattr(queries, "QUEUE_PAGE", 3)


def queue_pks(response):
    return {s["key"]: [item["c"].pk for item in s["rows"]] for s in response.context["sections"]}


def heading_counts(response):
    return {s["key"]: s["count"] for s in response.context["sections"]}


def due(sunshine, clerk, engineer, *hours):
    return [
        callback_of(completed(sunshine, clerk, engineer, due_in=timedelta(hours=h))).pk
        for h in hours
    ]


def test_the_first_page_holds_the_earliest_deadlines_and_the_next_page_the_rest(
    page_of_three, desk, sunshine, clerk, engineer
):
    # Overdue by 3 h and 1 h, due today in 2 h and 5 h, upcoming in 30 h.
    late, later, soon, today, tomorrow = due(sunshine, clerk, engineer, -3, -1, 2, 5, 30)

    with at(N):
        first = desk.get(reverse("callback_queue"))
        following = first.context["following"]
        second = desk.get(reverse("callback_queue"), {"after": following})

    assert queue_pks(first) == {"overdue": [late, later], "today": [soon], "upcoming": []}
    assert heading_counts(first) == {"overdue": 2, "today": 2, "upcoming": 1}
    assert "5 open callbacks" in text(first) and "3 on this page" in text(first)
    assert "Later deadlines" in text(first) and "Start of the queue" not in text(first)
    assert queue_pks(second) == {"overdue": [], "today": [today], "upcoming": [tomorrow]}
    assert heading_counts(second) == heading_counts(first)
    assert "On another page of the queue." in text(second)
    assert "Start of the queue" in text(second) and "Later deadlines" not in text(second)


def test_the_refresh_keeps_the_page_the_clerk_is_on(page_of_three, desk, sunshine, clerk, engineer):
    pks = due(sunshine, clerk, engineer, -3, -1, 2, 5, 30)

    with at(N):
        following = desk.get(reverse("callback_queue")).context["following"]
        page = text(desk.get(reverse("callback_queue"), {"after": following}))
        rows = desk.get(
            reverse("callback_queue_rows"), {"after": following}, headers={"HX-Request": "true"}
        )

    assert f'hx-get="{reverse("callback_queue_rows")}?after={following}"' in page
    assert queue_pks(rows) == {"overdue": [], "today": [pks[3]], "upcoming": [pks[4]]}


def test_a_page_link_that_is_not_ours_shows_the_start_of_the_queue(
    page_of_three, desk, sunshine, clerk, engineer
):
    pks = due(sunshine, clerk, engineer, -3, -1, 2, 5)

    with at(N):
        response = desk.get(reverse("callback_queue"), {"after": "yesterday"})

    assert response.status_code == 200
    assert "That page link is not valid" in text(response)
    assert queue_pks(response) == {"overdue": pks[:2], "today": pks[2:3], "upcoming": []}


@pytest.mark.parametrize("url_name", ["callback_queue", "callback_queue_rows"])
def test_a_page_runs_the_same_queries_for_4_or_16_open_callbacks(
    page_of_three, desk, sunshine, clerk, engineer, url_name
):
    due(sunshine, clerk, engineer, -2, 1, 3, 40)
    with at(N), CaptureQueriesContext(connection) as few:
        small = desk.get(reverse(url_name))
    due(sunshine, clerk, engineer, *range(-12, 0))
    with at(N), CaptureQueriesContext(connection) as many:
        big = desk.get(reverse(url_name))

    assert sum(len(s["rows"]) for s in small.context["sections"]) == 3
    assert sum(len(s["rows"]) for s in big.context["sections"]) == 3
    assert sum(heading_counts(big).values()) == 16
    assert len(few.captured_queries) == len(many.captured_queries)
