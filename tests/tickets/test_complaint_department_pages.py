"""The department's complaint list and the escalations waiting to be acknowledged."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import DepartmentFactory, complaint_received
from tests.helpers import browser, count_queries, fresh, kinds, text
from tests.tickets.conftest import T
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Complaint, Escalation

State = Complaint.State


@pytest.fixture
def lin_fields(unit_1203):
    return {"unit": unit_1203}


# --- the department's list ---------------------------------------------------------------------


def test_the_department_sees_only_its_own_complaints_open_first(
    sunshine, clerk, lin, assistant, engineer, engineering
):
    security = DepartmentFactory(property=sunshine, kind="security", name="安保部")
    with at(T):
        first = complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
    with at(T + timedelta(minutes=10)):
        second = complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
        theirs = complaint_received(sunshine, by=clerk, resident=lin, department=security)
        undispatched = complaint_received(sunshine, by=clerk, resident=lin)
    with at(T + timedelta(minutes=20)):
        complaints.complaint_resolve(complaint=first, by=engineer, resolution="已修好")

    with at(T + timedelta(minutes=30)):
        response = browser(engineer).get(reverse("complaint_department"))

    assert [row["c"] for row in response.context["open_rows"]] == [second]
    assert [row["c"] for row in response.context["recent_rows"]] == [first]
    page = text(response)
    assert theirs.number not in page and undispatched.number not in page
    assert page.index(second.number) < page.index(first.number)
    assert "1 h 40 min left" in page


def test_a_department_member_reads_and_works_the_complaint(lift, engineer, detail, act):
    client = browser(engineer)
    response = client.get(detail(lift))
    assert response.context["allowed"] == {"action", "resolve"}

    response = act(client, lift, "resolve", **{"resolve-resolution": "已修好"})
    assert response.status_code == 302
    assert fresh(lift).state == State.RESOLVED


def test_the_department_list_runs_a_fixed_number_of_queries(
    sunshine, clerk, lin, engineer, engineering
):
    with at(T):
        complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
    client = browser(engineer)
    one, _ = count_queries(client, reverse("complaint_department"))
    with at(T):
        for _n in range(4):
            done = complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
        complaints.complaint_resolve(complaint=done, by=engineer, resolution="已修好")

    several, response = count_queries(client, reverse("complaint_department"))

    assert len(response.context["open_rows"]) == 4 and len(response.context["recent_rows"]) == 1
    assert several == one


# --- escalations --------------------------------------------------------------------------------


def test_the_escalations_waiting_and_acknowledging_one(
    lift, supervisor, engineering_manager, project_manager
):
    with at(T + timedelta(hours=2, minutes=5)):
        escalations.complaints_escalate(now=T + timedelta(hours=2, minutes=5))
    escalation = lift.escalations.get()
    assert escalation.level == Escalation.Level.DEPARTMENT_MANAGER

    with at(T + timedelta(hours=3)):
        response = browser(supervisor).get(reverse("complaint_escalations"))
    page = text(response)
    assert [row["e"] for row in response.context["waiting"]] == [escalation]
    assert "55 min" in page and lift.number in page
    assert "Not fixed within the fix window" in page
    assert not response.context["waiting"][0]["may_acknowledge"]

    manager = browser(engineering_manager)
    response = manager.get(reverse("complaint_escalations"))
    assert [row["e"] for row in response.context["mine"]] == [escalation]
    assert response.context["mine"][0]["may_acknowledge"]
    assert reverse("complaint_escalation_acknowledge", args=[escalation.pk]) in text(response)
    # The project manager is told of the project manager's level only.
    assert browser(project_manager).get(reverse("complaint_escalations")).context["mine"] == []

    with at(T + timedelta(hours=3)):
        response = manager.post(
            reverse("complaint_escalation_acknowledge", args=[escalation.pk]), follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("complaint_escalations")
    assert "Escalation of TS2611240001 acknowledged." in text(response)
    escalation = fresh(escalation)
    assert escalation.acknowledged_by == engineering_manager
    assert escalation.acknowledged_at == T + timedelta(hours=3)
    assert "acknowledged" in kinds(lift)
    assert browser(supervisor).get(reverse("complaint_escalations")).context["waiting"] == []


def test_the_escalation_is_acknowledged_from_the_complaint_page(lift, engineering_manager, detail):
    complaints.complaint_cannot_solve(complaint=lift, by=engineering_manager, reason="配件停产")
    escalation = lift.escalations.get()
    pm = staff_at(lift.property, "project_manager", username="pm2")

    client = browser(pm)
    response = client.get(detail(lift))
    assert response.context["escalations"][0]["may_acknowledge"]
    response = client.post(
        reverse("complaint_escalation_acknowledge", args=[escalation.pk]), {"back": "detail"}
    )
    assert response.status_code == 302 and response.url == detail(lift)
    assert fresh(escalation).acknowledged_by == pm
    assert "acknowledged by" in text(client.get(detail(lift)))


def test_only_the_escalated_to_acknowledges(lift, supervisor, engineering_manager):
    complaints.complaint_cannot_solve(complaint=lift, by=engineering_manager, reason="配件停产")
    escalation = lift.escalations.get()  # to the project manager

    response = browser(engineering_manager).post(
        reverse("complaint_escalation_acknowledge", args=[escalation.pk]), {"back": "detail"}
    )

    assert response.status_code == 400
    assert "Only the person it was escalated to can acknowledge it." in text(response)
    assert fresh(escalation).acknowledged_at is None


def test_the_escalations_page_is_not_found_for_others_and_another_property_is_hidden(
    desk, elsewhere, lift, engineering_manager
):
    assert desk.get(reverse("complaint_escalations")).status_code == 404
    foreign_clerk = staff_at(elsewhere, "clerk")
    foreign_pm = staff_at(elsewhere, "project_manager")
    foreign_dm = staff_at(elsewhere, "department_manager")
    complaints.complaint_cannot_solve(complaint=lift, by=engineering_manager, reason="配件停产")
    escalation = lift.escalations.get()

    response = browser(foreign_pm).get(reverse("complaint_escalations"))
    assert response.context["waiting"] == [] and response.context["mine"] == []
    assert browser(foreign_dm).get(reverse("complaint_escalations")).context["mine"] == []
    url = reverse("complaint_escalation_acknowledge", args=[escalation.pk])
    assert browser(foreign_pm).post(url).status_code == 404
    assert browser(foreign_clerk).post(url).status_code == 404
    assert fresh(escalation).acknowledged_at is None


def test_the_escalations_page_runs_a_fixed_number_of_queries(
    sunshine, clerk, lin, engineering, supervisor, engineering_manager
):
    with at(T):
        complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
    escalations.complaints_escalate(now=T + timedelta(hours=3))
    client = browser(supervisor)
    one, _ = count_queries(client, reverse("complaint_escalations"))
    with at(T):
        for _n in range(4):
            complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
    escalations.complaints_escalate(now=T + timedelta(hours=3))

    several, response = count_queries(client, reverse("complaint_escalations"))

    assert len(response.context["waiting"]) == 5
    assert several == one
