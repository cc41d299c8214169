"""The resident portal's day page: visitors announced, goods release passes approved or
refused, the messages the desk took, decoration applied for and followed. Every action's effect,
bad input refused and nothing changed, another resident's objects not found, and a fixed number
of queries whatever the rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.desk import permits_services, registers_services
from frontdesk.desk.models import DecorationApplication, ReleasePass, Visitor
from tests.clock import frozen_at
from tests.frontdesk.conftest import NOW, TODAY, apply_for, request_pass, section
from tests.helpers import text

PassState = ReleasePass.State
DecState = DecorationApplication.State

clock = frozen_at(NOW)


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


@pytest.fixture
def lin_account():
    return {"username": "lin"}


# --- the resident portal ------------------------------------------------------------------------


def portal():
    return reverse("portal_day")


def test_staff_do_not_have_the_portal_day_page(desk):
    assert desk.get(portal()).status_code == 404


def test_a_resident_announces_a_visitor(lin_client, lin):
    response = lin_client.post(
        reverse("portal_day_visitor"),
        {
            "visitor-unit": lin.units.get().pk,
            "visitor-name": "表妹",
            "visitor-expected_on": "2026-11-27",
            "visitor-purpose": "探亲",
        },
    )

    visitor = Visitor.objects.get()
    assert response.status_code == 302
    assert (visitor.name, visitor.expected_on, visitor.announced_by, visitor.unit) == (
        "表妹",
        date(2026, 11, 27),
        lin,
        lin.units.get(),
    )
    assert visitor.arrived_at is None
    visitors = section(lin_client.get(portal()), "visitors")
    assert "2026-11-27 表妹 · 1-1203 · 探亲" in visitors


def test_a_visitor_for_another_home_or_in_the_past_is_refused(lin_client, lin, neighbour):
    other = lin_client.post(
        reverse("portal_day_visitor"),
        {
            "visitor-unit": neighbour.units.get().pk,
            "visitor-name": "陌生人",
            "visitor-expected_on": "2026-11-27",
        },
    )
    past = lin_client.post(
        reverse("portal_day_visitor"),
        {
            "visitor-unit": lin.units.get().pk,
            "visitor-name": "表妹",
            "visitor-expected_on": "2026-11-24",
        },
    )

    assert other.status_code == 400 and "Choose one of your homes." in text(other)
    assert past.status_code == 400 and "The visit cannot be in the past." in text(past)
    assert not Visitor.objects.exists()


def test_a_resident_approves_a_pass_for_their_home(lin_client, lin, sunshine, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())
    passes = section(lin_client.get(portal()), "passes")
    assert "搬家公司小张" in passes and "I approve" in passes

    response = lin_client.post(
        reverse("portal_pass_decide", args=[release.pk]), {"decision": "approve"}
    )

    release.refresh_from_db()
    assert response.status_code == 302
    assert (release.state, release.approved_by, release.decided_at) == (
        PassState.APPROVED,
        lin,
        NOW,
    )
    page = lin_client.get(portal())
    assert "You approved: 搬家公司小张 may take the items out." in text(page)
    assert "Nothing is waiting for your approval." in section(page, "passes")
    assert "Approved by the resident" in section(page, "passes")


def test_a_resident_refuses_a_pass(lin_client, lin, sunshine, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())

    lin_client.post(reverse("portal_pass_decide", args=[release.pk]), {"decision": "refuse"})

    release.refresh_from_db()
    assert (release.state, release.approved_by) == (PassState.REFUSED, lin)
    again = lin_client.post(
        reverse("portal_pass_decide", args=[release.pk]), {"decision": "approve"}
    )
    assert again.status_code == 400 and "This pass has already been decided." in text(again)
    release.refresh_from_db()
    assert release.state == PassState.REFUSED


def test_another_residents_pass_is_not_found(lin_client, lin, neighbour, sunshine, clerk):
    theirs = request_pass(sunshine, clerk, neighbour.units.get(), carrier="邻居的搬家工")

    decide = lin_client.post(
        reverse("portal_pass_decide", args=[theirs.pk]), {"decision": "approve"}
    )
    link = lin_client.get(reverse("portal_pass", args=[theirs.pk]))

    assert (decide.status_code, link.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.state == PassState.REQUESTED and theirs.approved_by is None
    assert "邻居的搬家工" not in text(lin_client.get(portal()))


def test_the_notices_link_to_a_pass_leads_to_it_on_my_page(lin_client, lin, sunshine, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())

    response = lin_client.get(f"/portal/passes/{release.pk}/")

    assert response.status_code == 302
    assert response.url == f"{portal()}#pass-{release.pk}"
    assert f'id="pass-{release.pk}"' in text(lin_client.get(portal()))


def test_a_resident_reads_the_messages_the_desk_took(lin_client, lin, neighbour, sunshine, clerk):
    message = registers_services.message_take(
        property=sunshine, by=clerk, caller_name="快递员老王", text="明天上午再送", for_resident=lin
    )
    theirs = registers_services.message_take(
        property=sunshine, by=clerk, caller_name="别人", text="给邻居的留言", for_resident=neighbour
    )
    box = section(lin_client.get(portal()), "messages")
    assert "快递员老王" in box and "明天上午再送" in box and "给邻居的留言" not in box

    response = lin_client.post(reverse("portal_message_read", args=[message.pk]))

    message.refresh_from_db()
    assert response.status_code == 302
    assert (message.read_at, message.read_by) == (NOW, lin.user)
    assert "No unread messages." in section(lin_client.get(portal()), "messages")
    again = lin_client.post(reverse("portal_message_read", args=[message.pk]))
    assert again.status_code == 400 and "This message has already been read." in text(again)
    other = lin_client.post(reverse("portal_message_read", args=[theirs.pk]))
    assert other.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_resident_applies_for_decoration_and_sees_its_state(lin_client, lin, sunshine, clerk):
    response = lin_client.post(
        reverse("portal_decoration_apply"),
        {
            "decoration-unit": lin.units.get().pk,
            "decoration-contractor": "好家装修公司",
            "decoration-contractor_phone": "13700001234",
            "decoration-work": "卫生间翻新",
            "decoration-starts": "2026-12-01",
            "decoration-ends": "2026-12-20",
        },
    )

    app = DecorationApplication.objects.get()
    assert response.status_code == 302
    assert (app.resident, app.unit, app.state, app.work) == (
        lin,
        lin.units.get(),
        DecState.APPLIED,
        "卫生间翻新",
    )
    assert "Applied" in section(lin_client.get(portal()), "decoration")

    permits_services.decoration_review(app=app, by=clerk, passed=True)
    permits_services.decoration_permit(app=app, by=clerk)
    permits_services.decoration_rectify(
        app=app, by=clerk, issue="垃圾未清运", deadline=date(2026, 12, 5)
    )
    mine = section(lin_client.get(portal()), "decoration")
    assert "Rectification required" in mine and "ZX261125001" in mine
    assert "Put right by 2026-12-05: 垃圾未清运" in mine


def test_decoration_for_another_home_is_refused(lin_client, lin, neighbour):
    response = lin_client.post(
        reverse("portal_decoration_apply"),
        {
            "decoration-unit": neighbour.units.get().pk,
            "decoration-contractor": "好家",
            "decoration-contractor_phone": "137",
            "decoration-work": "x",
            "decoration-starts": "2026-12-01",
            "decoration-ends": "2026-12-20",
        },
    )

    assert response.status_code == 400
    assert "Choose one of your homes." in text(response)
    assert not DecorationApplication.objects.exists()


def test_the_portal_day_page_runs_a_fixed_number_of_queries(
    lin_client, lin, sunshine, clerk, django_assert_num_queries
):
    unit = lin.units.get()
    request_pass(sunshine, clerk, unit)
    done = request_pass(sunshine, clerk, unit)
    permits_services.release_pass_decide(release=done, resident=lin, approve=True, by=clerk)
    registers_services.message_take(
        property=sunshine, by=clerk, caller_name="甲", text="a", for_resident=lin
    )
    apply_for(lin, clerk)
    registers_services.visitor_announce(
        resident=lin, unit=unit, name="客人", expected_on=TODAY, purpose="", by=lin.user
    )
    with CaptureQueriesContext(connection) as one:
        assert lin_client.get(portal()).status_code == 200

    for n in range(3):
        request_pass(sunshine, clerk, unit, carrier=f"搬运{n}")
        gone = request_pass(sunshine, clerk, unit)
        permits_services.release_pass_decide(release=gone, resident=lin, approve=False, by=clerk)
        registers_services.message_take(
            property=sunshine, by=clerk, caller_name=f"来电{n}", text="b", for_resident=lin
        )
        app = apply_for(lin, clerk, contractor=f"队{n}")
        permits_services.decoration_review(app=app, by=clerk, passed=True)
        permits_services.decoration_permit(app=app, by=clerk)
        permits_services.decoration_rectify(app=app, by=clerk, issue=f"问题{n}", deadline=TODAY)
        registers_services.visitor_announce(
            resident=lin, unit=unit, name=f"客{n}", expected_on=TODAY, purpose="", by=lin.user
        )

    with django_assert_num_queries(len(one.captured_queries)):
        response = lin_client.get(portal())
    assert "来电2" in section(response, "messages") and "问题2" in section(response, "decoration")
