"""The resident portal's complaints: make a complaint or suggestion online (the desk is told),
see my own only, newest first, and how each stands: the state, the reply, how it was handled,
the written reply once issued, and never the desk's internal handling. Bad input is refused
with a message and creates nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontdesk.models import Notification
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UserFactory, complaint_received, portal_user_for
from tickets.complaints import services as complaints
from tickets.models import Complaint
from visits.models import Callback


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def neighbour(sunshine):
    resident = ResidentFactory(property=sunshine, name="邻居", phones=["13900001111"])
    portal_user_for(resident, "neighbour")
    return resident


def local(when, prop):
    return timezone.localtime(when, prop.zone).strftime("%Y-%m-%dT%H:%M")


def submit(client, resident, **fields):
    data = {
        "kind": "complaint",
        "category": "lift",
        "description": "3号电梯停在8楼不动",
        "happened_at": "",
        "unit": resident.units.first().pk,
        **fields,
    }
    return client.post(reverse("portal_complaint_new"), data)


def desk_notices(text=""):
    return Notification.objects.filter(channel="in_app", subject__contains=text)


# --- making one -------------------------------------------------------------------------------


def test_resident_makes_a_complaint_and_the_desk_is_told(
    lin_client, lin, sunshine, assistant, supervisor, clerk
):
    happened = timezone.now() - timedelta(hours=3)

    response = submit(lin_client, lin, happened_at=local(happened, sunshine), direct_impact="on")

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal_complaint", args=[complaint.pk])
    assert (complaint.channel, complaint.kind, complaint.category) == (
        "online",
        "complaint",
        "lift",
    )
    assert (complaint.resident, complaint.unit, complaint.property) == (
        lin,
        lin.units.first(),
        sunshine,
    )
    assert complaint.direct_impact and complaint.fix_due_at is not None
    assert local(complaint.happened_at, sunshine) == local(happened, sunshine)
    assert complaint.received_by == lin.user and complaint.contact_phone == "13812345678"
    assert complaint.state == Complaint.State.RECEIVED
    assert list(complaint.events.values_list("kind", flat=True)) == ["received"]
    # The desk's followers are told; the reply is due by the three-day rule.
    told = desk_notices(complaint.number)
    assert {n.recipient_user for n in told} == {assistant, supervisor}
    assert complaint.callbacks.get().kind == Callback.Kind.COMPLAINT_REPLY
    shown = lin_client.get(response.url).content.decode()
    assert f"Your complaint {complaint.number} has reached the service centre" in shown


def test_resident_makes_a_suggestion(lin_client, lin):
    response = submit(
        lin_client, lin, kind="suggestion", category="other", description="建议增加绿化"
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert complaint.kind == "suggestion" and complaint.description == "建议增加绿化"
    assert not complaint.direct_impact and complaint.fix_due_at is None
    shown = lin_client.get(response.url).content.decode()
    assert f"Suggestion {complaint.number}" in shown
    assert f"your suggestion {complaint.number} has reached the service centre" in shown


def test_the_form_offers_my_homes_the_kinds_and_the_categories(lin_client, lin):
    response = lin_client.get(reverse("portal_complaint_new"))

    body = response.content.decode()
    assert response.status_code == 200
    assert lin.units.first().label in body
    assert 'type="radio"' in body and 'value="suggestion"' in body
    assert "Service attitude" in body and 'type="datetime-local"' in body
    assert "It affects me directly" in body


def test_a_user_with_no_home_is_told_to_contact_the_service_centre(client, db):
    client.force_login(UserFactory(username="nobody"))

    response = client.get(reverse("portal_complaint_new"), HTTP_ACCEPT_LANGUAGE="en")

    assert "No home is linked to this account" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "This field is required."),
        ({"category": "weather"}, "Select a valid choice."),
        ({"kind": "rant"}, "Select a valid choice."),
        ({"happened_at": "yesterday"}, "Enter a valid date/time."),
        ({"happened_at": "2099-01-01T10:00"}, "The problem cannot have happened in the future."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_creates_nothing(
    lin_client, lin, assistant, fields, message
):
    response = submit(lin_client, lin, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()
    assert not desk_notices().exists()


def test_a_unit_that_is_not_mine_cannot_be_chosen(lin_client, lin, neighbour):
    response = submit(lin_client, lin, unit=neighbour.units.first().pk)

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Complaint.objects.exists()


# --- seeing them ------------------------------------------------------------------------------


def test_my_complaints_newest_first_with_their_state_and_not_my_neighbours(
    lin_client, lin, neighbour, clerk
):
    older = complaint_received(lin.property, by=clerk, resident=lin, description="电梯坏了")
    newer = complaint_received(
        lin.property, by=clerk, resident=lin, kind="suggestion", description="建议增加绿化"
    )
    theirs = complaint_received(lin.property, by=clerk, resident=neighbour, description="邻居的事")

    response = lin_client.get(reverse("portal_complaints"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(newer.number) < body.index(older.number)
    assert "Suggestion" in body and "Received" in body
    assert theirs.number not in body and "邻居的事" not in body


def test_my_complaints_page_runs_the_same_number_of_queries_for_more(lin_client, lin, clerk):
    complaint_received(lin.property, by=clerk, resident=lin)
    lin_client.get(reverse("portal_complaints"))
    with CaptureQueriesContext(connection) as one:
        lin_client.get(reverse("portal_complaints"))
    for _ in range(4):
        complaint_received(lin.property, by=clerk, resident=lin)
    with CaptureQueriesContext(connection) as five:
        response = lin_client.get(reverse("portal_complaints"))

    assert response.content.decode().count("/portal/complaints/") >= 5
    assert len(five) == len(one)


@pytest.fixture
def handled(lin, clerk, assistant, engineering, engineer, engineering_manager):
    """Lin's lift complaint, handled inside the service centre with notes meant for staff."""
    complaint = complaint_received(
        lin.property,
        by=clerk,
        resident=lin,
        owner=assistant,
        department=engineering,
        service_order="内部工单:检修3号梯",
    )
    complaints.complaint_record_action(complaint=complaint, by=engineer, note="内部记录:门机板")
    complaints.complaint_cannot_solve(
        complaint=complaint, by=engineering_manager, reason="内部原因:缺配件"
    )
    complaints.complaint_reply(
        complaint=complaint, by=clerk, via="phone", text="我们正在处理,明天中午前修好"
    )
    return complaints.complaint_resolve(
        complaint=complaint, by=engineer, resolution="更换门机板,试运行正常"
    )


def test_my_complaint_shows_the_reply_and_how_it_was_handled_but_nothing_internal(
    lin_client, handled
):
    response = lin_client.get(reverse("portal_complaint", args=[handled.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert handled.number in body and "Resolved" in body
    assert "我们正在处理,明天中午前修好" in body and "By phone" in body
    assert "更换门机板,试运行正常" in body
    for internal in (
        "内部工单",
        "内部记录",
        "内部原因",
        "工程部",  # the department
        "Angry",  # the temperament the desk noted
        "Escalat",
        "Project manager",
        "Service order",
    ):
        assert internal not in body, internal


def test_a_reopened_complaint_does_not_show_the_earlier_resolution(lin_client, handled, assistant):
    callback = handled.callbacks.get(kind=Callback.Kind.COMPLAINT)
    from visits import services as callbacks

    callbacks.callback_record_reached(
        callback=callback, by=assistant, solved=False, satisfaction=2, comments="还是坏的"
    )

    body = lin_client.get(reverse("portal_complaint", args=[handled.pk])).content.decode()

    assert "Reopened" in body
    assert "更换门机板,试运行正常" not in body


def test_the_written_reply_shows_once_issued(lin_client, lin, clerk):
    complaint = complaint_received(lin.property, by=clerk, resident=lin, channel="letter")
    complaints.written_reply_draft(complaint=complaint, by=clerk, body="尊敬的林先生:草稿")
    url = reverse("portal_complaint", args=[complaint.pk])

    before = lin_client.get(url).content.decode()
    complaints.written_reply_draft(complaint=complaint, by=clerk, body="尊敬的林先生:正式回复")
    complaints.written_reply_issue(complaint=complaint, by=clerk)
    after = lin_client.get(url).content.decode()

    assert "草稿" not in before and "Our written reply" not in before
    assert "We will reply to you by" in before
    assert "尊敬的林先生:正式回复" in after and "Our written reply" in after
    assert "We will reply to you by" not in after


def test_another_residents_complaint_is_not_found(lin_client, neighbour, clerk):
    theirs = complaint_received(neighbour.property, by=clerk, resident=neighbour)

    assert lin_client.get(reverse("portal_complaint", args=[theirs.pk])).status_code == 404


def test_staff_get_404_on_the_portal_complaint_pages(clerk_client, lin, clerk):
    complaint = complaint_received(lin.property, by=clerk, resident=lin)

    assert clerk_client.get(reverse("portal_complaints")).status_code == 404
    assert clerk_client.get(reverse("portal_complaint_new")).status_code == 404
    assert clerk_client.post(reverse("portal_complaint_new"), {}).status_code == 404
    assert clerk_client.get(reverse("portal_complaint", args=[complaint.pk])).status_code == 404


def test_an_engineer_is_staff_and_gets_404_too(client, sunshine):
    client.force_login(staff_at(sunshine, "engineer"))

    assert client.get(reverse("portal_complaints")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("portal_complaints"))

    assert response.status_code == 302 and reverse("login") in response.url
