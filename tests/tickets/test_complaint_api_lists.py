"""The complaint API's list filters and cursor pages, its fixed query counts and its schema."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import complaint_received
from tickets.complaints import services as complaints


@pytest.fixture
def lin_account():
    return {"username": "lin"}


# --- lists ------------------------------------------------------------------------------------


def test_list_filters(client, clerk, sunshine, assistant, engineering, dispatched):
    suggestion = complaint_received(
        sunshine, by=clerk, kind="suggestion", category="other", channel="letter"
    )
    client.force_login(clerk)

    def ids(**params):
        return [c["id"] for c in client.get(reverse("complaint-list"), params).json()["results"]]

    assert ids() == [suggestion.pk, dispatched.pk]  # newest first
    assert ids(state="dispatched") == [dispatched.pk]
    assert ids(category="other") == [suggestion.pk]
    assert ids(channel="letter") == [suggestion.pk]
    assert ids(department=engineering.pk) == [dispatched.pk]
    assert ids(kind="suggestion") == [suggestion.pk]
    assert client.get(reverse("complaint-list"), {"state": "lost"}).status_code == 400


def test_the_list_is_paged_by_cursor(client, clerk, sunshine):
    made = [complaint_received(sunshine, by=clerk, category="other") for _ in range(3)]
    client.force_login(clerk)

    first = client.get(reverse("complaint-list"), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [c["id"] for c in first["results"] + second["results"]] == [c.pk for c in made[::-1]]
    assert second["next"] is None


def test_list_runs_a_fixed_number_of_queries(
    client, clerk, sunshine, assistant, engineering, django_assert_num_queries
):
    complaint_received(sunshine, by=clerk, owner=assistant, department=engineering)
    client.force_login(clerk)
    client.get(reverse("complaint-list"))  # warm-up
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("complaint-list")).json()["results"]) == 1
    for _ in range(4):
        complaint_received(sunshine, by=clerk, owner=assistant, department=engineering)

    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(reverse("complaint-list")).json()["results"]) == 5


def test_a_residents_list_runs_a_fixed_number_of_queries(
    client, clerk, sunshine, lin, django_assert_num_queries
):
    first = complaint_received(sunshine, by=clerk, resident=lin, channel="letter")
    complaints.written_reply_draft(complaint=first, by=clerk, body="回复")
    complaints.written_reply_issue(complaint=first, by=clerk)
    client.force_login(lin.user)
    client.get(reverse("complaint-list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("complaint-list"))
    for _ in range(4):
        other = complaint_received(sunshine, by=clerk, resident=lin, channel="letter")
        complaints.written_reply_draft(complaint=other, by=clerk, body="回复")

    with django_assert_num_queries(len(one.captured_queries)):
        listed = client.get(reverse("complaint-list")).json()["results"]
    assert len(listed) == 5
    assert [c["written_reply"] is not None for c in listed] == [False] * 4 + [True]


def test_detail_runs_a_fixed_number_of_queries(
    client, clerk, sunshine, engineer, engineering_manager, dispatched, django_assert_num_queries
):
    client.force_login(clerk)
    url = reverse("complaint-detail", args=[dispatched.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for note in ("到场", "拆检", "等配件", "换件"):
        complaints.complaint_record_action(complaint=dispatched, by=engineer, note=note)
    complaints.complaint_cannot_solve(complaint=dispatched, by=engineering_manager, reason="缺件")
    complaints.complaint_resolve(complaint=dispatched, by=engineer, resolution="已修复")
    complaints.complaint_file_corrective(
        complaint=dispatched,
        by=engineer,
        cause="老化",
        correction="更换",
        prevention="月检",
        owner="陈师傅",
        due_date=date(2026, 12, 31),
    )
    complaints.written_reply_draft(complaint=dispatched, by=clerk, body="回复")

    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).json()
    assert len(body["events"]) == 11 and len(body["escalations"]) == 1
    assert body["corrective_action"]["filed_by"] == "engineer"
    assert body["written_reply"]["drafted_by"] == "clerk"
    assert len(body["callbacks"]) == 2


def test_the_schema_lists_the_complaint_endpoints(clerk_client):
    schema = clerk_client.get(reverse("api_schema")).content

    assert b"/api/complaints/" in schema
    assert b"/api/complaints/{id}/escalations/{escalation_id}/acknowledge/" in schema
    assert b"ComplaintStateEnum" in schema
