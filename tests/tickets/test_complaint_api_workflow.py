"""The complaint API's intake and transitions, each with its role check, and its 400 refusals."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
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
