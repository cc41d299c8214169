"""The complaint page and its actions from service order to archive, and what they refuse."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import DepartmentFactory, complaint_received
from tests.helpers import browser, count_queries, fresh, kinds, text
from tests.tickets.conftest import T
from tickets.complaints import escalations
from tickets.models import Complaint, CorrectiveAction, Escalation
from visits import services as callbacks

State = Complaint.State


@pytest.fixture
def lin_fields(unit_1203):
    return {"unit": unit_1203}


# --- the complaint page and its actions -------------------------------------------------------


def test_the_page_shows_the_complaint_its_clocks_and_its_callbacks(desk, lift, detail):
    with at(T + timedelta(hours=1)):
        response = desk.get(detail(lift))
    page = text(response)
    assert "TS2611240001" in page and "林晓峰" in page and "1-1203" in page
    assert "Phone" in page and "Equipment: lift" in page and "工程部" in page
    assert "2026-11-24 12:00" in page  # fix due, Shanghai time
    assert "1 h left" in page
    reply = lift.callbacks.get(kind="complaint_reply")
    assert reverse("callback_record", args=[reply.pk]) in page
    assert reverse("complaint_letter", args=[lift.pk]) in page
    assert {"dispatch", "expect", "action", "resolve", "reply"} == response.context["allowed"]

    with at(T + timedelta(hours=3)):
        page = text(desk.get(detail(lift)))
    assert "overdue by 1 h" in page


def test_from_service_order_to_archive(
    sunshine, lin, clerk, assistant, engineer, engineering, engineering_manager, detail, act
):
    desk = browser(clerk)
    with at(T):
        c = complaint_received(sunshine, by=clerk, resident=lin, owner=assistant)
    assert c.state == State.RECEIVED

    with at(T + timedelta(minutes=5)):
        response = act(
            desk,
            c,
            "dispatch",
            **{"dispatch-department": engineering.pk, "dispatch-service_order": "检修电梯"},
        )
        assert response.status_code == 302 and response.url == detail(c)
        assert fresh(c).state == State.DISPATCHED and c.department == engineering

        response = act(desk, c, "expect", **{"expect-expected_fix_at": "2026-11-24T15:00"})
        assert response.status_code == 302
        assert fresh(c).expected_fix_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)

    department = browser(engineer)
    with at(T + timedelta(minutes=30)):
        response = act(department, c, "action", **{"action-note": "已到现场,等待配件"})
        assert response.status_code == 302
    with at(T + timedelta(minutes=90)):
        response = act(department, c, "resolve", **{"resolve-resolution": "更换门机板,试运行正常"})
        assert response.status_code == 302
    c = fresh(c)
    assert c.state == State.RESOLVED and c.resolution == "更换门机板,试运行正常"
    satisfaction = c.callbacks.get(kind="complaint", status="open")

    with at(T + timedelta(hours=2)):
        response = act(desk, c, "reply", **{"reply-via": "phone", "reply-text": "已修好,致歉"})
        assert response.status_code == 302
    assert fresh(c).replied_at == T + timedelta(hours=2) and c.reply_via == "phone"

    with at(T + timedelta(hours=3)):
        callbacks.callback_record_reached(
            callback=satisfaction, by=clerk, solved=True, satisfaction=5
        )
    assert fresh(c).state == State.CONFIRMED

    with at(T + timedelta(days=1)):
        response = act(
            department,
            c,
            "corrective",
            **{
                "corrective-cause": "门机板老化",
                "corrective-correction": "更换门机板",
                "corrective-prevention": "每季度检查",
                "corrective-owner": "赵经理",
                "corrective-due_date": "2026-12-31",
            },
        )
        assert response.status_code == 302
        assert CorrectiveAction.objects.get(complaint=c).owner == "赵经理"

        page = desk.get(detail(c))
        assert page.context["allowed"] == {"archive"}
        response = desk.post(
            reverse("complaint_archive", args=[c.pk]),
            {
                "archive-cause": "设备老化",
                "archive-lessons": "维保计划缺少门机板检查",
                "archive-changes": "增加季度检查",
            },
            follow=True,
        )
    c = fresh(c)
    assert c.state == State.ARCHIVED and c.summary_lessons == "维保计划缺少门机板检查"
    assert "Complaint TS2611240001 is summarised and archived." in text(response)
    assert kinds(c) == [
        "received",
        "handed_over",
        "dispatched",
        "expected",
        "action",
        "resolved",
        "replied",
        "confirmed",
        "corrective",
        "archived",
    ]
    page = text(response)
    for shown in ("已到现场,等待配件", "维保计划缺少门机板检查", "每季度检查", "已修好,致歉"):
        assert shown in page
    assert response.context["allowed"] == set()


def test_a_clerk_cannot_say_the_department_cannot_solve_it(desk, lift, act):
    response = act(desk, lift, "cannot_solve", **{"cannot_solve-reason": "配件停产"})

    assert response.status_code == 400
    refusal = "Only the department&#x27;s manager can say the department cannot solve it."
    assert refusal in text(response)
    lift = fresh(lift)
    assert lift.cannot_solve_at is None and lift.state == State.DISPATCHED
    assert not lift.escalations.exists()
    assert "cannot_solve" not in kinds(lift)
    assert "cannot_solve" not in response.context["allowed"]


def test_the_department_manager_says_it_cannot_be_solved(
    lift, engineering_manager, project_manager, detail, act
):
    client = browser(engineering_manager)
    assert "cannot_solve" in client.get(detail(lift)).context["allowed"]

    response = act(client, lift, "cannot_solve", **{"cannot_solve-reason": "配件停产,需厂家"})

    assert response.status_code == 302
    assert fresh(lift).cannot_solve_at is not None
    assert lift.escalations.get().level == Escalation.Level.PROJECT_MANAGER


def test_only_the_desk_dispatches_and_only_the_department_or_desk_resolves(
    sunshine, lift, engineer, engineering, act
):
    security = DepartmentFactory(property=sunshine, kind="security", name="安保部")
    guard = staff_at(sunshine, "engineer", username="guard")
    guard.memberships.update(department=security)

    response = act(browser(engineer), lift, "dispatch", **{"dispatch-department": security.pk})
    assert response.status_code == 400
    assert "Only the customer-service desk can do this." in text(response)
    assert fresh(lift).department == engineering

    response = act(browser(guard), lift, "resolve", **{"resolve-resolution": "看过了"})
    assert response.status_code == 400
    assert "Only the responsible department or the customer-service desk" in text(response)
    assert fresh(lift).state == State.DISPATCHED and lift.resolved_at is None


def test_bad_input_on_an_action_shows_the_message_and_changes_nothing(desk, lift, act):
    with at(T):
        response = act(desk, lift, "expect", **{"expect-expected_fix_at": "2026-11-24T09:00"})
    assert response.status_code == 400
    assert "The expected fix time must be in the future." in text(response)
    assert fresh(lift).expected_fix_at is None

    response = act(desk, lift, "resolve", **{"resolve-resolution": "  "})
    assert response.status_code == 400
    assert "Say how the complaint was handled and the result." in text(response)
    assert fresh(lift).state == State.DISPATCHED

    response = act(desk, lift, "expect")
    assert response.status_code == 400
    assert "Give the expected fix time." in text(response)


def test_a_refused_transition_shows_the_services_message(desk, lift, engineer, act):
    act(browser(engineer), lift, "resolve", **{"resolve-resolution": "已修好"})
    events = kinds(lift)

    response = act(desk, lift, "resolve", **{"resolve-resolution": "再修一次"})

    assert response.status_code == 400
    assert "Complaint TS2611240001 is Resolved: it cannot be resolved now." in text(response)
    assert fresh(lift).resolution == "已修好" and kinds(lift) == events


def test_a_letter_complaint_is_answered_with_the_written_reply(
    desk, sunshine, clerk, assistant, detail, act
):
    with at(T):
        c = complaint_received(
            sunshine, by=clerk, channel="letter", complainant_name="周先生", owner=assistant
        )

    response = desk.get(detail(c))
    page = text(response)
    assert "reply" not in response.context["allowed"]
    assert "Answer with the written reply" in page
    assert reverse("complaint_letter", args=[c.pk]) in page

    response = act(desk, c, "reply", **{"reply-via": "phone", "reply-text": "电话答复"})
    assert response.status_code == 400
    assert "A letter complaint is answered in writing" in text(response)
    assert fresh(c).replied_at is None


def test_another_propertys_complaint_is_never_found(desk, elsewhere, lift, detail, act):
    foreign_clerk = staff_at(elsewhere, "clerk")
    with at(T):
        foreign = complaint_received(elsewhere, by=foreign_clerk, complainant_name="外人")
    foreign_department = DepartmentFactory(property=elsewhere, name="翠湖工程部")

    assert desk.get(detail(foreign)).status_code == 404
    response = act(desk, foreign, "dispatch", **{"dispatch-department": foreign_department.pk})
    assert response.status_code == 404
    assert fresh(foreign).state == State.RECEIVED and foreign.department is None
    for name in ("expect", "action", "resolve", "reply", "archive", "corrective"):
        assert act(desk, foreign, name).status_code == 404
    # And the other way round: sunshine's complaint is not found by the other property.
    assert browser(foreign_clerk).get(detail(lift)).status_code == 404


def test_a_department_cannot_be_dispatched_to_across_properties(desk, elsewhere, lift, act):
    foreign_department = DepartmentFactory(property=elsewhere, name="翠湖工程部")

    response = act(desk, lift, "dispatch", **{"dispatch-department": foreign_department.pk})

    assert response.status_code == 400
    assert fresh(lift).department.name == "工程部"


def test_every_staff_role_reads_the_page_but_acts_only_as_allowed(sunshine, lift, detail):
    finance = staff_at(sunshine, "finance")

    response = browser(finance).get(detail(lift))

    assert response.status_code == 200 and "TS2611240001" in text(response)
    assert response.context["allowed"] == set()
    assert 'id="actions"' not in text(response)


def test_the_complaint_page_runs_a_fixed_number_of_queries(
    desk, lift, engineer, clerk, detail, act
):
    few, _ = count_queries(desk, detail(lift))
    client = browser(engineer)
    for n in range(5):
        act(client, lift, "action", **{"action-note": f"进展 {n}"})
    with at(T + timedelta(hours=3)):
        escalations.complaints_escalate(now=T + timedelta(hours=3))
    assert lift.escalations.count() == 1 and lift.events.count() > 8

    many, response = count_queries(desk, detail(lift))

    assert many == few
    assert text(response).count("进展") == 5
