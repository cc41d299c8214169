"""Which complaints the API lets another property's staff and a resident see, change or make."""

import pytest
from django.urls import reverse

from tests.conftest import staff_at
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ResidentFactory,
    UserFactory,
    complaint_received,
)
from tests.helpers import fresh, kinds, notices, post_json
from tickets.complaints import services as complaints
from tickets.models import Complaint, Escalation, WrittenReply

State = Complaint.State


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def foreign(elsewhere):
    """A complaint at another property, escalated there (so it has an escalation too)."""
    foreign_clerk = staff_at(elsewhere, "clerk", username="foreign-clerk")
    works = DepartmentFactory(property=elsewhere, name="工程部")
    manager = UserFactory(username="foreign-manager")
    MembershipFactory(user=manager, property=elsewhere, role="department_manager", department=works)
    complaint = complaint_received(elsewhere, by=foreign_clerk, department=works)
    return complaints.complaint_cannot_solve(complaint=complaint, by=manager, reason="缺配件")


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
