"""The complaint pages of the desk and the departments: intake from every channel with the
temperament advice, the complaint page and its one-form-per-action flow from service order to
archive, the refusals (400, nothing changed), another property's complaint never found, the
department's own list, the escalations waiting to be acknowledged, the complaints on the
resident card, and a fixed number of queries on every page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    UnitFactory,
    complaint_received,
)
from tests.helpers import browser, count_queries, fresh, kinds, text
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Complaint, ComplaintEvent, CorrectiveAction, Escalation
from visits import services as callbacks
from visits.models import Callback

State = Complaint.State
T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


@pytest.fixture
def lin_fields(sunshine):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")
    return {"unit": unit}


@pytest.fixture
def lift(sunshine, clerk, lin, assistant, engineering):
    """Lin's angry, direct-impact lift complaint, taken by phone at T and sent to engineering;
    the assistant follows it."""
    with at(T):
        return complaint_received(
            sunshine, by=clerk, resident=lin, owner=assistant, department=engineering
        )


def new_url(resident=None) -> str:
    url = reverse("complaint_new")
    return f"{url}?resident={resident.pk}" if resident else url


def intake(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "channel": "phone",
        "category": "lift",
        "description": "3号电梯停在8楼不动",
        "happened_at": "2026-11-24T09:30",
        "direct_impact": "on",
        "temperament": "angry",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def detail(c) -> str:
    return reverse("complaint_detail", args=[c.pk])


def act(client, c, name, **data):
    return client.post(reverse(f"complaint_{name}", args=[c.pk]), data)


# --- intake --------------------------------------------------------------------------------------


def test_a_phone_complaint_from_the_resident_card_is_received_and_dispatched(
    desk, sunshine, lin, assistant, engineering
):
    page = desk.get(new_url(lin))
    assert page.status_code == 200
    assert "林晓峰" in text(page)
    assert page.context["form"].initial["contact_phone"] == "13812345678"

    with at(T):
        response = desk.post(
            new_url(lin),
            intake(
                unit=lin.units.get().pk,
                contact_phone="13812345678",
                owner=assistant.pk,
                department=engineering.pk,
                service_order="立即检修3号电梯",
            ),
            follow=True,
        )

    c = Complaint.objects.get()
    assert response.redirect_chain == [(detail(c), 302)]
    assert "Complaint TS2611240001 received." in text(response)
    assert c.resident == lin and c.unit == lin.units.get() and c.complainant_name == "林晓峰"
    assert c.channel == "phone" and c.temperament == "angry" and c.direct_impact
    # Typed as Shanghai time: 09:30 local is 01:30 UTC.
    assert c.happened_at == datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
    assert c.state == State.DISPATCHED and c.department == engineering
    assert c.service_order == "立即检修3号电梯" and c.owner == assistant
    assert c.fix_due_at == T + timedelta(hours=2)
    assert c.callbacks.filter(kind=Callback.Kind.COMPLAINT_REPLY, status="open").exists()
    assert kinds(c) == ["received", "handed_over", "dispatched"]


@pytest.mark.parametrize("channel", ["letter", "other", "phone"])
def test_a_visitor_complaint_from_each_channel(desk, sunshine, channel):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="0501")
    with at(T):
        response = desk.post(
            new_url(),
            intake(
                channel=channel,
                kind="suggestion",
                complainant_name="周先生",
                complainant_company="星海贸易",
                unit=unit.pk,
                contact_phone="13900001111",
                direct_impact=None,
                temperament="rational",
            ),
        )

    c = Complaint.objects.get()
    assert response.status_code == 302 and response.url == detail(c)
    assert (c.channel, c.kind, c.complainant_name, c.complainant_company) == (
        channel,
        "suggestion",
        "周先生",
        "星海贸易",
    )
    assert c.resident is None and c.unit == unit and c.contact_phone == "13900001111"
    assert c.state == State.RECEIVED and c.department is None
    assert c.reply_due_at is not None  # not answered on the spot: a reply within three days


def test_a_walk_in_complaint_is_handed_to_the_assistant(desk, sunshine, lin, assistant):
    with at(T):
        response = desk.post(
            new_url(lin), intake(channel="walk_in", answered_on_spot="on", owner=assistant.pk)
        )

    c = Complaint.objects.get()
    assert response.status_code == 302
    assert c.channel == "walk_in" and c.owner == assistant
    assert c.answered_on_spot and c.replied_at == T and c.reply_due_at is None
    assert kinds(c) == ["received", "handed_over"]
    assert c.events.get(kind="handed_over").note == "李助理"


def test_a_walk_in_complaint_without_an_assistant_is_refused(desk, sunshine, lin, assistant):
    response = desk.post(new_url(lin), intake(channel="walk_in"))

    assert response.status_code == 400
    assert "Hand a complaint taken at the lobby desk to a customer-service assistant." in text(
        response
    )
    assert not Complaint.objects.exists()


def test_an_assistant_taking_a_walk_in_follows_it_themselves(sunshine, lin, assistant):
    response = browser(assistant).post(new_url(lin), intake(channel="walk_in"))

    assert response.status_code == 302
    assert Complaint.objects.get().owner == assistant


def test_an_empty_description_is_refused_and_nothing_is_written(desk, lin):
    response = desk.post(new_url(lin), intake(description=""))

    assert response.status_code == 400
    assert "Describe what the complaint is about." in text(response)
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()


def test_a_visitor_needs_a_name_and_a_future_happening_is_refused(desk, sunshine):
    response = desk.post(new_url(), intake())
    assert response.status_code == 400
    assert "Give the complainant&#x27;s name." in text(response)

    with at(T):
        response = desk.post(
            new_url(), intake(complainant_name="周先生", happened_at="2026-11-24T11:00")
        )
    assert response.status_code == 400
    assert "The problem cannot have happened in the future." in text(response)
    assert not Complaint.objects.exists()


def test_a_letter_cannot_be_answered_on_the_spot(desk, lin):
    response = desk.post(new_url(lin), intake(channel="letter", answered_on_spot="on"))

    assert response.status_code == 400
    assert "A letter or an online complaint cannot be answered on the spot" in text(response)
    assert not Complaint.objects.exists()


def test_the_page_shows_the_advice_for_each_temperament_and_the_words_never_to_say(desk, lin):
    page = text(desk.get(new_url(lin)))

    assert "Let them vent without interrupting." in page
    assert "ask what they would like done" in page
    assert "state the facts plainly" in page
    for words in ("不清楚", "不知道", "没办法解决", "我们不管"):
        assert words in page
    assert "“I don&#x27;t know”" in page  # the English gloss
    assert "advice-angry chosen" not in page


def test_the_angry_complainants_advice_is_highlighted(desk, lin):
    response = desk.post(new_url(lin), intake(description="", temperament="angry"))

    page = text(response)
    assert response.status_code == 400
    assert 'class="advice advice-angry chosen"' in page
    assert 'class="advice advice-rational"' in page
    assert re.search(r'<input type="radio" name="temperament" value="angry"[^>]* checked', page)


def test_the_complaint_page_shows_the_advice_for_its_temperament(desk, lift):
    page = text(desk.get(detail(lift)))

    assert "The complainant is Angry" in page
    assert "Let them vent without interrupting." in page
    assert "state the facts plainly" not in page
    assert "没办法解决" in page


def test_another_propertys_resident_is_not_found_on_intake(desk, foreign_resident):
    assert desk.get(new_url(foreign_resident)).status_code == 404
    assert desk.post(new_url(foreign_resident), intake()).status_code == 404
    assert not Complaint.objects.exists()


def test_the_follower_and_the_department_are_chosen_from_the_property(
    desk, sunshine, elsewhere, lin, assistant
):
    foreign_assistant = staff_at(elsewhere, "assistant")
    foreign_department = DepartmentFactory(property=elsewhere, name="翠湖工程部")
    page = desk.get(new_url(lin))
    owners = list(page.context["form"].fields["owner"].queryset)
    assert owners == [assistant]

    response = desk.post(
        new_url(lin), intake(owner=foreign_assistant.pk, department=foreign_department.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert not Complaint.objects.exists()


def test_with_several_properties_the_clerk_chooses_one_first(sunshine, elsewhere, clerk):
    staff_at_both = staff_at(sunshine, "clerk", username="both")
    from tests.factories import MembershipFactory

    MembershipFactory(user=staff_at_both, property=elsewhere, role="clerk")
    client = browser(staff_at_both)

    page = client.get(new_url())
    assert page.status_code == 200 and "form" not in page.context
    assert "Take the complaint for this property" in text(page)

    url = f"{new_url()}?property={elsewhere.pk}"
    with at(T):
        response = client.post(url, intake(complainant_name="周先生"))
    assert response.status_code == 302
    assert Complaint.objects.get().property == elsewhere


def test_staff_who_do_not_work_the_desk_cannot_take_complaints(engineer, lin):
    client = browser(engineer)
    assert client.get(new_url()).status_code == 403
    assert client.post(new_url(lin), intake()).status_code == 403
    assert not Complaint.objects.exists()


# --- the complaint page and its actions -------------------------------------------------------


def test_the_page_shows_the_complaint_its_clocks_and_its_callbacks(desk, lift):
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
    sunshine, lin, clerk, assistant, engineer, engineering, engineering_manager
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


def test_a_clerk_cannot_say_the_department_cannot_solve_it(desk, lift):
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
    lift, engineering_manager, project_manager
):
    client = browser(engineering_manager)
    assert "cannot_solve" in client.get(detail(lift)).context["allowed"]

    response = act(client, lift, "cannot_solve", **{"cannot_solve-reason": "配件停产,需厂家"})

    assert response.status_code == 302
    assert fresh(lift).cannot_solve_at is not None
    assert lift.escalations.get().level == Escalation.Level.PROJECT_MANAGER


def test_only_the_desk_dispatches_and_only_the_department_or_desk_resolves(
    sunshine, lift, engineer, engineering
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


def test_bad_input_on_an_action_shows_the_message_and_changes_nothing(desk, lift):
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


def test_a_refused_transition_shows_the_services_message(desk, lift, engineer):
    act(browser(engineer), lift, "resolve", **{"resolve-resolution": "已修好"})
    events = kinds(lift)

    response = act(desk, lift, "resolve", **{"resolve-resolution": "再修一次"})

    assert response.status_code == 400
    assert "Complaint TS2611240001 is Resolved: it cannot be resolved now." in text(response)
    assert fresh(lift).resolution == "已修好" and kinds(lift) == events


def test_a_letter_complaint_is_answered_with_the_written_reply(desk, sunshine, clerk, assistant):
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


def test_another_propertys_complaint_is_never_found(desk, elsewhere, lift):
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


def test_a_department_cannot_be_dispatched_to_across_properties(desk, elsewhere, lift):
    foreign_department = DepartmentFactory(property=elsewhere, name="翠湖工程部")

    response = act(desk, lift, "dispatch", **{"dispatch-department": foreign_department.pk})

    assert response.status_code == 400
    assert fresh(lift).department.name == "工程部"


def test_every_staff_role_reads_the_page_but_acts_only_as_allowed(sunshine, lift):
    finance = staff_at(sunshine, "finance")

    response = browser(finance).get(detail(lift))

    assert response.status_code == 200 and "TS2611240001" in text(response)
    assert response.context["allowed"] == set()
    assert 'id="actions"' not in text(response)


def test_the_complaint_page_runs_a_fixed_number_of_queries(desk, lift, engineer, clerk):
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


def test_a_department_member_reads_and_works_the_complaint(lift, engineer):
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


def test_the_escalation_is_acknowledged_from_the_complaint_page(lift, engineering_manager):
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


# --- the resident card -------------------------------------------------------------------------


def test_the_resident_card_lists_the_residents_complaints(desk, sunshine, clerk, lin):
    with at(T - timedelta(days=2)):
        older = complaint_received(sunshine, by=clerk, resident=lin)
    with at(T):
        newer = complaint_received(sunshine, by=clerk, resident=lin)
        someone_else = complaint_received(sunshine, by=clerk)

    response = desk.get(reverse("resident_card", args=[lin.pk]))

    page = text(response)
    assert page.index(newer.number) < page.index(older.number)
    assert someone_else.number not in page
    assert reverse("complaint_detail", args=[newer.pk]) in page
    assert "2026-11-22" in page and "With the department" not in page
    assert f"{reverse('complaint_new')}?resident={lin.pk}" in page


def test_the_resident_card_runs_a_fixed_number_of_queries_whatever_the_complaints(
    desk, sunshine, clerk, lin
):
    with at(T):
        complaint_received(sunshine, by=clerk, resident=lin)
    url = reverse("resident_card", args=[lin.pk])
    one, _ = count_queries(desk, url)
    with at(T):
        for _n in range(5):
            complaint_received(sunshine, by=clerk, resident=lin)

    several, response = count_queries(desk, url)

    assert text(response).count("TS261124") == 6
    assert several == one


def test_the_intake_page_runs_a_fixed_number_of_queries(desk, sunshine):
    building = BuildingFactory(property=sunshine, number="3")
    UnitFactory(building=building, number="0101")
    one, _ = count_queries(desk, new_url())
    for number in ("0102", "0103", "0104"):
        UnitFactory(building=building, number=number)

    several, response = count_queries(desk, new_url())

    assert len(response.context["form"].fields["unit"].queryset) == 4
    assert several == one
