"""The complaint API: scoped lists and details (a resident sees their own, without the internal
handling), intake by the desk and online by a resident, each transition with its role check,
service refusals as a 400 with the message, and a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import staff_at
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ResidentFactory,
    UserFactory,
    complaint_received,
)
from tests.helpers import fresh, kinds, notices, post_json, put_json
from tickets.complaints import services as complaints
from tickets.models import Complaint, CorrectiveAction, Escalation, WrittenReply
from visits import services as callbacks
from visits.models import Callback

State = Complaint.State


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def dispatched(sunshine, clerk, assistant, engineering, lin):
    """Lin's lift complaint, taken by phone, followed by the assistant, sent to engineering."""
    return complaint_received(
        sunshine, by=clerk, resident=lin, owner=assistant, department=engineering
    )


@pytest.fixture
def foreign(elsewhere):
    """A complaint at another property, escalated there (so it has an escalation too)."""
    foreign_clerk = staff_at(elsewhere, "clerk", username="foreign-clerk")
    works = DepartmentFactory(property=elsewhere, name="工程部")
    manager = UserFactory(username="foreign-manager")
    MembershipFactory(user=manager, property=elsewhere, role="department_manager", department=works)
    complaint = complaint_received(elsewhere, by=foreign_clerk, department=works)
    return complaints.complaint_cannot_solve(complaint=complaint, by=manager, reason="缺配件")


# --- the whole way, through the API -----------------------------------------------------------


def test_desk_and_department_walk_a_complaint_to_archived(
    client, sunshine, clerk, assistant, engineer, engineering, lin
):
    client.force_login(clerk)
    created = post_json(
        client,
        "complaint-list",
        resident=lin.pk,
        unit=lin.units.first().pk,
        channel="phone",
        category="lift",
        description="3号电梯停在8楼不动",
        direct_impact=True,
        temperament="angry",
        owner=assistant.pk,
    )
    pk = created.json()["id"]
    complaint = Complaint.objects.get(pk=pk)
    dispatched = post_json(
        client, "complaint-dispatch", pk, department=engineering.pk, service_order="检修3号梯"
    )
    expected_at = timezone.now() + timedelta(hours=1)
    expected = post_json(client, "complaint-expect", pk, expected_fix_at=expected_at.isoformat())
    replied = post_json(client, "complaint-reply", pk, via="phone", text="已安排工程部一小时内修复")
    client.force_login(engineer)
    acted = post_json(client, "complaint-action", pk, note="已到场检查门机板")
    resolved = post_json(client, "complaint-resolve", pk, resolution="更换门机板,试运行正常")
    callbacks.callback_record_reached(
        callback=complaint.callbacks.get(kind=Callback.Kind.COMPLAINT),
        by=assistant,
        solved=True,
        satisfaction=5,
    )
    filed = post_json(
        client,
        "complaint-corrective",
        pk,
        cause="门机板老化",
        correction="更换门机板",
        prevention="每月检查门机板",
        owner="陈师傅",
        due_date="2026-12-31",
    )
    client.force_login(clerk)
    archived = post_json(
        client, "complaint-archive", pk, cause="设备老化", lessons="加强巡检", changes="月检"
    )

    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "received" and created.json()["owner"] == assistant.pk
    assert created.json()["resident"] == lin.pk and created.json()["channel"] == "phone"
    assert dispatched.json()["state"] == "dispatched"
    assert dispatched.json()["department"] == engineering.pk
    assert dispatched.json()["service_order"] == "检修3号梯"
    assert notices(engineer, "Service order").count() == 1
    assert notices(assistant, "yours to follow").count() == 1
    assert expected.json()["expected_fix_at"] is not None
    assert replied.json()["reply_via"] == "phone" and replied.json()["replied_at"]
    assert acted.status_code == 200 and resolved.json()["state"] == "resolved"
    assert notices(assistant, "call the complainant back").count() == 1
    assert filed.json()["corrective_action"]["owner"] == "陈师傅"
    assert filed.json()["corrective_action"]["filed_by"] == "engineer"
    assert archived.status_code == 200, archived.json()
    body = archived.json()
    assert body["state"] == "archived" and body["summary_lessons"] == "加强巡检"
    assert [e["kind"] for e in body["events"]] == [
        "received",
        "handed_over",
        "dispatched",
        "expected",
        "replied",
        "action",
        "resolved",
        "confirmed",
        "corrective",
        "archived",
    ]
    assert [e["by"] for e in body["events"]][:2] == ["clerk", "clerk"]
    assert body["events"][5] == {
        **body["events"][5],
        "by": "engineer",
        "note": "已到场检查门机板",
    }
    assert {(c["kind"], c["status"]) for c in body["callbacks"]} == {
        ("complaint_reply", "done"),
        ("complaint", "done"),
    }
    assert body["escalations"] == [] and body["written_reply"] is None
    assert fresh(complaint).state == State.ARCHIVED


def test_a_letter_is_drafted_edited_and_issued_as_the_reply(client, clerk, sunshine, lin):
    complaint = complaint_received(sunshine, by=clerk, resident=lin, channel="letter")
    client.force_login(clerk)

    spoken = post_json(client, "complaint-reply", complaint.pk, via="phone", text="已回复")
    drafted = post_json(client, "complaint-letter", complaint.pk, body="林先生:初稿")
    edited = put_json(client, "complaint-letter", complaint.pk, body="林先生:定稿")
    issued = post_json(client, "complaint-issue-letter", complaint.pk)
    again = post_json(client, "complaint-letter", complaint.pk, body="再改")

    assert spoken.status_code == 400
    assert "answered in writing" in spoken.json()["detail"][0]
    assert drafted.json()["written_reply"]["state"] == "draft"
    assert drafted.json()["replied_at"] is None
    assert edited.json()["written_reply"]["body"] == "林先生:定稿"
    assert issued.status_code == 200, issued.json()
    letter = issued.json()["written_reply"]
    assert letter["state"] == "issued" and letter["issued_by"] == "clerk"
    assert issued.json()["reply_via"] == "letter" and issued.json()["replied_at"]
    assert again.status_code == 400 and "issued" in again.json()["detail"][0]
    assert WrittenReply.objects.get(complaint=complaint).body == "林先生:定稿"
    assert kinds(complaint) == ["received", "letter_issued"]


# --- refusals ---------------------------------------------------------------------------------


def test_an_illegal_transition_is_a_400_with_the_reason(client, clerk, sunshine):
    complaint = complaint_received(sunshine, by=clerk)
    client.force_login(clerk)

    response = post_json(client, "complaint-resolve", complaint.pk, resolution="修好了")

    assert response.status_code == 400
    assert "cannot be resolved now" in response.json()["detail"][0]
    assert fresh(complaint).state == State.RECEIVED
    assert kinds(complaint) == ["received"]


def test_a_service_message_names_what_is_missing(client, clerk, dispatched, engineer):
    client.force_login(engineer)

    response = post_json(client, "complaint-resolve", dispatched.pk, resolution="  ")

    assert response.status_code == 400
    assert "Say how the complaint was handled" in response.json()["detail"][0]
    assert fresh(dispatched).state == State.DISPATCHED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "lift", "description": "x"}, "channel"),
        ({"channel": "pigeon", "category": "lift", "description": "x"}, "channel"),
        ({"channel": "phone", "category": "weather", "description": "x"}, "category"),
        ({"channel": "phone", "category": "lift", "description": ""}, "description"),
        ({"channel": "phone", "category": "lift", "description": "x", "kind": "rant"}, "kind"),
        ({"channel": "phone", "category": "lift", "description": "x", "owner": 999999}, "owner"),
        (
            {"channel": "phone", "category": "lift", "description": "x", "happened_at": "soon"},
            "happened_at",
        ),
    ],
)
def test_bad_intake_names_the_field_and_creates_nothing(client, clerk, sunshine, lin, body, field):
    client.force_login(clerk)

    response = post_json(client, "complaint-list", resident=lin.pk, **body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Complaint.objects.exists()


def test_intake_refused_by_the_service_is_a_400_and_creates_nothing(client, clerk, lin):
    client.force_login(clerk)

    walk_in = post_json(
        client,
        "complaint-list",
        resident=lin.pk,
        channel="walk_in",
        category="lift",
        description="x",
    )

    assert walk_in.status_code == 400
    assert "customer-service assistant" in walk_in.json()["detail"][0]
    assert not Complaint.objects.exists()


def test_roles_that_may_not_take_complaints_are_refused(client, sunshine, engineer, lin):
    client.force_login(engineer)

    response = post_json(
        client, "complaint-list", resident=lin.pk, channel="phone", category="lift", description="x"
    )

    assert response.status_code == 403
    assert not Complaint.objects.exists()


# --- who may do what --------------------------------------------------------------------------


def test_the_department_acts_but_does_not_dispatch_or_reply(client, dispatched, engineer):
    client.force_login(engineer)

    redispatch = post_json(client, "complaint-dispatch", dispatched.pk, department=1)
    reply = post_json(client, "complaint-reply", dispatched.pk, via="phone", text="x")
    acted = post_json(client, "complaint-action", dispatched.pk, note="已到场")

    assert redispatch.status_code == 403 and reply.status_code == 403
    assert acted.status_code == 200
    assert kinds(dispatched) == ["received", "handed_over", "dispatched", "action"]
    assert fresh(dispatched).replied_at is None


def test_another_departments_engineer_may_not_resolve(client, sunshine, dispatched):
    cleaner = UserFactory(username="cleaner")
    MembershipFactory(
        user=cleaner,
        property=sunshine,
        role="engineer",
        department=DepartmentFactory(property=sunshine, kind="cleaning", name="保洁部"),
    )
    client.force_login(cleaner)

    response = post_json(client, "complaint-resolve", dispatched.pk, resolution="修好了")

    assert response.status_code == 403
    assert fresh(dispatched).state == State.DISPATCHED


def test_the_desk_may_record_the_departments_fix(client, clerk, dispatched):
    client.force_login(clerk)

    response = post_json(client, "complaint-resolve", dispatched.pk, resolution="工程部已修复")

    assert response.json()["state"] == "resolved"
    assert fresh(dispatched).resolution == "工程部已修复"


def test_cannot_solve_is_the_department_managers_and_escalates_to_the_project_manager(
    client, clerk, dispatched, engineering_manager, project_manager
):
    client.force_login(clerk)
    refused = post_json(client, "complaint-cannot-solve", dispatched.pk, reason="缺配件")
    client.force_login(engineering_manager)
    marked = post_json(client, "complaint-cannot-solve", dispatched.pk, reason="缺配件,需厂家")

    assert refused.status_code == 403
    assert "Only the department's manager" in refused.json()["detail"]
    assert marked.status_code == 200, marked.json()
    [escalation] = marked.json()["escalations"]
    assert (escalation["level"], escalation["reason"]) == ("project_manager", "cannot_solve")
    assert escalation["acknowledged_at"] is None
    assert notices(project_manager, "escalated to you").count() == 1
    assert fresh(dispatched).cannot_solve_at is not None


def test_only_the_escalated_to_acknowledges(
    client, clerk, dispatched, engineering_manager, project_manager
):
    complaints.complaint_cannot_solve(complaint=dispatched, by=engineering_manager, reason="缺件")
    escalation = Escalation.objects.get()
    client.force_login(clerk)
    refused = post_json(client, "complaint-acknowledge", dispatched.pk, escalation.pk)
    client.force_login(project_manager)
    acknowledged = post_json(client, "complaint-acknowledge", dispatched.pk, escalation.pk)
    twice = post_json(client, "complaint-acknowledge", dispatched.pk, escalation.pk)

    assert refused.status_code == 403
    assert "Only the person it was escalated to" in refused.json()["detail"]
    assert acknowledged.status_code == 200, acknowledged.json()
    assert acknowledged.json()["escalations"][0]["acknowledged_by"] == "manager"
    assert twice.status_code == 400 and "already" in twice.json()["detail"][0]
    assert fresh(escalation).acknowledged_by == project_manager
    assert kinds(dispatched).count("acknowledged") == 1


def test_an_escalation_of_another_complaint_is_not_found(
    client, clerk, sunshine, dispatched, engineering_manager, project_manager
):
    complaints.complaint_cannot_solve(complaint=dispatched, by=engineering_manager, reason="缺件")
    escalation = Escalation.objects.get()
    other = complaint_received(sunshine, by=clerk)
    client.force_login(project_manager)

    response = post_json(client, "complaint-acknowledge", other.pk, escalation.pk)

    assert response.status_code == 404
    assert fresh(escalation).acknowledged_at is None


def test_the_corrective_report_is_the_departments(client, clerk, dispatched, engineer):
    complaints.complaint_resolve(complaint=dispatched, by=engineer, resolution="已修复")
    report = {
        "cause": "老化",
        "correction": "更换",
        "prevention": "月检",
        "owner": "陈师傅",
        "due_date": "2026-12-31",
    }
    client.force_login(clerk)
    refused = post_json(client, "complaint-corrective", dispatched.pk, **report)
    client.force_login(engineer)
    filed = post_json(client, "complaint-corrective", dispatched.pk, **report)

    assert refused.status_code == 403
    assert "filed by the responsible department" in refused.json()["detail"]
    assert filed.status_code == 200, filed.json()
    assert CorrectiveAction.objects.get().due_date == date(2026, 12, 31)


def test_archiving_before_the_callback_is_refused(client, clerk, dispatched, engineer):
    complaints.complaint_resolve(complaint=dispatched, by=engineer, resolution="已修复")
    client.force_login(clerk)

    response = post_json(
        client, "complaint-archive", dispatched.pk, cause="a", lessons="b", changes="c"
    )

    assert response.status_code == 400
    assert "cannot be archived now" in response.json()["detail"][0]
    assert fresh(dispatched).state == State.RESOLVED


# --- scope ------------------------------------------------------------------------------------

TRANSITIONS = [
    ("complaint-dispatch", {"department": 1}),
    ("complaint-expect", {"expected_fix_at": "2030-01-01T10:00:00+08:00"}),
    ("complaint-action", {"note": "x"}),
    ("complaint-cannot-solve", {"reason": "x"}),
    ("complaint-resolve", {"resolution": "x"}),
    ("complaint-reply", {"via": "phone", "text": "x"}),
    ("complaint-letter", {"body": "x"}),
    ("complaint-issue-letter", {}),
    (
        "complaint-corrective",
        {
            "cause": "a",
            "correction": "b",
            "prevention": "c",
            "owner": "d",
            "due_date": "2030-01-01",
        },
    ),
    ("complaint-archive", {"cause": "a", "lessons": "b", "changes": "c"}),
]


@pytest.mark.parametrize(("name", "body"), TRANSITIONS)
def test_another_propertys_complaint_is_not_found_on_any_endpoint(
    client, supervisor, foreign, name, body
):
    client.force_login(supervisor)
    before = kinds(foreign)

    response = post_json(client, name, foreign.pk, **body)

    assert response.status_code == 404
    assert kinds(foreign) == before
    assert not WrittenReply.objects.exists()


def test_another_propertys_complaint_is_not_listed_shown_or_acknowledged(
    client, supervisor, project_manager, foreign
):
    client.force_login(supervisor)
    listed = client.get(reverse("complaint-list")).json()["results"]
    shown = client.get(reverse("complaint-detail", args=[foreign.pk]))
    client.force_login(project_manager)
    escalation = foreign.escalations.get()
    acknowledged = post_json(client, "complaint-acknowledge", foreign.pk, escalation.pk)

    assert listed == []
    assert shown.status_code == 404
    assert acknowledged.status_code == 404
    assert fresh(escalation).acknowledged_at is None


# --- the resident -----------------------------------------------------------------------------


def test_a_resident_sees_their_own_complaints_without_the_internal_handling(
    client, clerk, sunshine, lin, dispatched
):
    theirs = complaint_received(sunshine, by=clerk)
    client.force_login(lin.user)

    listed = client.get(reverse("complaint-list")).json()["results"]
    shown = client.get(reverse("complaint-detail", args=[dispatched.pk])).json()
    other = client.get(reverse("complaint-detail", args=[theirs.pk]))

    assert [c["id"] for c in listed] == [dispatched.pk]
    assert shown["number"] == dispatched.number and shown["state"] == "dispatched"
    hidden = {
        "events",
        "escalations",
        "department",
        "service_order",
        "temperament",
        "owner",
        "callbacks",
        "corrective_action",
    }
    assert not hidden & set(shown) and not hidden & set(listed[0])
    assert shown["written_reply"] is None and shown["resolution"] == ""
    assert other.status_code == 404


def test_a_resident_sees_the_letter_only_once_issued(client, clerk, sunshine, lin):
    complaint = complaint_received(sunshine, by=clerk, resident=lin, channel="letter")
    complaints.written_reply_draft(complaint=complaint, by=clerk, body="尊敬的林先生:草稿")
    client.force_login(lin.user)
    url = reverse("complaint-detail", args=[complaint.pk])

    draft = client.get(url).json()["written_reply"]
    complaints.written_reply_issue(complaint=complaint, by=clerk)
    issued = client.get(url).json()["written_reply"]

    assert draft is None
    assert issued["body"] == "尊敬的林先生:草稿" and issued["issued_at"]


@pytest.mark.parametrize(("name", "body"), TRANSITIONS)
def test_a_resident_may_change_nothing(client, lin, dispatched, name, body):
    client.force_login(lin.user)
    before = kinds(dispatched)

    response = post_json(client, name, dispatched.pk, **body)

    assert response.status_code == 403
    assert kinds(dispatched) == before
    assert fresh(dispatched).state == State.DISPATCHED


def test_a_resident_may_not_acknowledge(client, lin, dispatched, engineering_manager):
    complaints.complaint_cannot_solve(complaint=dispatched, by=engineering_manager, reason="缺件")
    escalation = Escalation.objects.get()
    client.force_login(lin.user)

    response = post_json(client, "complaint-acknowledge", dispatched.pk, escalation.pk)

    assert response.status_code == 403
    assert fresh(escalation).acknowledged_at is None


def test_a_resident_makes_an_online_complaint_and_the_desk_is_told(
    client, lin, assistant, supervisor, clerk, engineering
):
    client.force_login(lin.user)

    response = post_json(
        client,
        "complaint-list",
        unit=lin.units.first().pk,
        channel="phone",  # ignored: a resident's complaint is online
        category="attitude",
        description="前台态度冷淡",
        department=engineering.pk,  # ignored: the desk dispatches
        owner=clerk.pk,  # ignored
        temperament="rational",  # ignored
    )

    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.resident, complaint.unit) == (
        "online",
        lin,
        lin.units.first(),
    )
    assert complaint.received_by == lin.user and complaint.contact_phone == "13812345678"
    assert complaint.department is None and complaint.owner is None
    assert complaint.temperament == ""
    assert response.json()["channel"] == "online" and "events" not in response.json()
    assert notices(assistant, complaint.number).count() == 1
    assert notices(supervisor, complaint.number).count() == 1
    assert not notices(clerk).exists()


def test_a_resident_may_make_a_suggestion_without_naming_a_unit(client, lin):
    client.force_login(lin.user)

    response = post_json(
        client, "complaint-list", kind="suggestion", category="other", description="建议增加绿化"
    )

    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.get()
    assert (complaint.kind, complaint.resident, complaint.unit) == ("suggestion", lin, None)


def test_a_resident_may_not_complain_about_someone_elses_unit(client, sunshine, lin):
    neighbour = ResidentFactory(property=sunshine)
    client.force_login(lin.user)

    response = post_json(
        client,
        "complaint-list",
        unit=neighbour.units.first().pk,
        category="lift",
        description="电梯坏了",
    )

    assert response.status_code == 400
    assert "unit" in response.json()
    assert not Complaint.objects.exists()


def test_a_user_with_no_home_may_not_complain(client, sunshine):
    client.force_login(UserFactory(username="nobody"))

    response = post_json(client, "complaint-list", category="lift", description="电梯坏了")

    assert response.status_code == 403
    assert not Complaint.objects.exists()


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
