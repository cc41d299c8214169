"""The desk's goods release passes, decoration applications, shift handover and daily ledger
pages, and the resident portal's day page. Every action's effect, every page's content, bad
input refused with the service's message and nothing changed, another property's objects not
found, and a fixed number of queries whatever the rows."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.desk.models import (
    DailyLedger,
    DecorationApplication,
    RectificationNotice,
    ReleasePass,
    ShiftHandover,
    Visitor,
)
from frontdesk.models import Notification
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, portal_user_for
from tests.helpers import text

PassState = ReleasePass.State
DecState = DecorationApplication.State
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# 10:00 in Shanghai on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


clock = frozen_at(NOW)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults.update(EN)
    return client


def login(client, user):
    client.force_login(user)
    return english(client)


@pytest.fixture
def building(sunshine):
    return BuildingFactory(property=sunshine, number="1")


@pytest.fixture
def unit(building):
    return UnitFactory(building=building, number="1203")


@pytest.fixture
def other_unit(building):
    return UnitFactory(building=building, number="1204")


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def neighbour(sunshine, other_unit):
    """A resident of the same property, in another unit."""
    resident = ResidentFactory(
        property=sunshine, name="邻居", phones=["13900001111"], unit=other_unit
    )
    portal_user_for(resident, "neighbour")
    return resident


@pytest.fixture
def far_clerk(elsewhere):
    return staff_at(elsewhere, "clerk", username="far-clerk")


@pytest.fixture
def far_resident(elsewhere):
    far_unit = UnitFactory(building=BuildingFactory(property=elsewhere, number="8"), number="801")
    return ResidentFactory(property=elsewhere, name="外人", phones=["13800009999"], unit=far_unit)


def plain(html: str) -> str:
    """An HTML fragment's text: tags dropped, each run of white space one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(response, id_: str) -> str:
    """The text of the page's section with that id."""
    page = text(response)
    assert f'id="{id_}"' in page, f"no section {id_}"
    start = page.index(f'id="{id_}"')
    return plain(page[start : page.index("</section>", start)])


def request_pass(prop, by, unit, carrier="搬家公司小张", items="沙发一张, 纸箱三个"):
    return permits_services.release_pass_request(
        property=prop, by=by, unit=unit, carrier_name=carrier, items=items
    )


def passes_url(prop=None):
    url = reverse("desk_passes")
    return f"{url}?property={prop.pk}" if prop else url


# --- goods release passes ------------------------------------------------------------------------


def test_the_desk_requests_a_pass_and_the_units_residents_are_asked(desk, sunshine, lin, clerk):
    response = desk.post(
        reverse("desk_pass_new"),
        {"unit": "1-1203", "carrier_name": "搬家公司小张", "items": "沙发一张"},
    )

    release = ReleasePass.objects.get()
    assert response.status_code == 302
    assert (release.unit, release.state, release.requested_by) == (
        lin.units.get(),
        PassState.REQUESTED,
        clerk,
    )
    assert (release.carrier_name, release.items) == ("搬家公司小张", "沙发一张")
    asked = Notification.objects.filter(recipient_resident=lin)
    assert asked.filter(channel="in_app", link=f"/portal/passes/{release.pk}/").exists()
    waiting = section(desk.get(response.url), "waiting")
    assert "1-1203" in waiting and "搬家公司小张" in waiting and "沙发一张" in waiting


def test_a_pass_for_a_unit_that_does_not_exist_is_refused(desk, sunshine, lin):
    response = desk.post(
        reverse("desk_pass_new"), {"unit": "9-9999", "carrier_name": "小张", "items": "沙发"}
    )

    assert response.status_code == 400
    assert "There is no unit 9-9999 at 阳光花园." in text(response)
    assert not ReleasePass.objects.exists()


def test_the_waiting_pass_offers_only_the_units_residents(desk, sunshine, lin, neighbour, clerk):
    spouse = ResidentFactory(property=sunshine, name="林太太", unit=lin.units.get())
    release = request_pass(sunshine, clerk, lin.units.get())

    waiting = text(desk.get(passes_url()))
    form = waiting.split(f'id="pass-{release.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "林晓峰" in form and "林太太" in form
    assert "邻居" not in form
    assert f'value="{spouse.pk}"' in form and f'value="{neighbour.pk}"' not in form


def test_the_desk_records_the_residents_approval_by_phone(desk, sunshine, lin, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())

    response = desk.post(
        reverse("desk_pass_decide", args=[release.pk]),
        {"decide-resident": lin.pk, "decide-decision": "approve"},
    )

    release.refresh_from_db()
    assert response.status_code == 302
    assert (release.state, release.approved_by, release.decided_at) == (
        PassState.APPROVED,
        lin,
        NOW,
    )
    page = desk.get(response.url)
    assert "Approved by 林晓峰." in text(page)
    approved = section(page, "approved")
    assert "搬家公司小张" in approved and "林晓峰" in approved and "Let out" in approved
    assert "搬家公司小张" not in section(page, "waiting")


def test_the_desk_records_a_refusal(desk, sunshine, lin, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())

    desk.post(
        reverse("desk_pass_decide", args=[release.pk]),
        {"decide-resident": lin.pk, "decide-decision": "refuse"},
    )

    release.refresh_from_db()
    assert (release.state, release.approved_by) == (PassState.REFUSED, lin)
    page = desk.get(passes_url())
    assert "搬家公司小张" in section(page, "refused")
    assert "搬家公司小张" not in section(page, "approved")


def test_an_approval_by_a_resident_of_another_unit_is_refused(
    desk, sunshine, lin, neighbour, clerk
):
    release = request_pass(sunshine, clerk, lin.units.get())

    response = desk.post(
        reverse("desk_pass_decide", args=[release.pk]),
        {"decide-resident": neighbour.pk, "decide-decision": "approve"},
    )

    assert response.status_code == 400
    assert "邻居 is not a resident of 1-1203: only the unit&#x27;s residents can approve." in text(
        response
    )
    release.refresh_from_db()
    assert (release.state, release.approved_by, release.decided_at) == (
        PassState.REQUESTED,
        None,
        None,
    )


def test_an_approval_by_another_propertys_resident_is_refused(
    desk, sunshine, lin, far_resident, clerk
):
    release = request_pass(sunshine, clerk, lin.units.get())

    response = desk.post(
        reverse("desk_pass_decide", args=[release.pk]),
        {"decide-resident": far_resident.pk, "decide-decision": "approve"},
    )

    assert response.status_code == 400
    assert "Choose a resident of this property." in text(response)
    release.refresh_from_db()
    assert release.state == PassState.REQUESTED


def test_a_pass_is_decided_once(desk, sunshine, lin, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())
    permits_services.release_pass_decide(release=release, resident=lin, approve=False, by=clerk)

    response = desk.post(
        reverse("desk_pass_decide", args=[release.pk]),
        {"decide-resident": lin.pk, "decide-decision": "approve"},
    )

    assert response.status_code == 400
    assert "This pass has already been decided." in text(response)
    release.refresh_from_db()
    assert release.state == PassState.REFUSED


def test_security_lets_the_approved_items_out_once(desk, sunshine, lin, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())
    permits_services.release_pass_decide(release=release, resident=lin, approve=True, by=clerk)

    response = desk.post(reverse("desk_pass_release", args=[release.pk]))

    release.refresh_from_db()
    assert response.status_code == 302
    assert (release.state, release.released_by, release.released_at) == (
        PassState.RELEASED,
        clerk,
        NOW,
    )
    page = desk.get(response.url)
    released = section(page, "released")
    assert "搬家公司小张" in released and "10:00" in released and "王前台" in released
    assert "搬家公司小张" not in section(page, "approved")

    again = desk.post(reverse("desk_pass_release", args=[release.pk]))
    assert again.status_code == 400
    assert "These items have already been let out." in text(again)


def test_items_of_a_pass_not_approved_cannot_go_out(desk, sunshine, lin, clerk):
    release = request_pass(sunshine, clerk, lin.units.get())

    response = desk.post(reverse("desk_pass_release", args=[release.pk]))

    assert response.status_code == 400
    assert "The items cannot go out: the pass is Waiting for the resident." in text(response)
    release.refresh_from_db()
    assert (release.state, release.released_at, release.released_by) == (
        PassState.REQUESTED,
        None,
        None,
    )


def test_an_engineer_may_let_items_out_but_not_record_a_decision(client, sunshine, lin, clerk):
    guard = staff_at(sunshine, "engineer", username="guard")
    release = request_pass(sunshine, clerk, lin.units.get())
    permits_services.release_pass_decide(release=release, resident=lin, approve=True, by=clerk)
    other = request_pass(sunshine, clerk, lin.units.get(), carrier="快递员")
    login(client, guard)

    page = client.get(passes_url())
    assert "Request a pass" not in text(page)
    assert "Let out" in section(page, "approved")
    refused = client.post(
        reverse("desk_pass_decide", args=[other.pk]),
        {"decide-resident": lin.pk, "decide-decision": "approve"},
    )
    assert refused.status_code == 403
    assert "Only the front desk can do this." in text(refused)
    assert client.post(reverse("desk_pass_release", args=[release.pk])).status_code == 302
    release.refresh_from_db()
    other.refresh_from_db()
    assert (release.state, other.state) == (PassState.RELEASED, PassState.REQUESTED)


def test_refused_and_released_passes_show_on_their_day_only(desk, sunshine, lin, clerk, clock):
    clock.move_to(NOW - timedelta(days=1))
    old = request_pass(sunshine, clerk, lin.units.get(), carrier="昨天的人")
    permits_services.release_pass_decide(release=old, resident=lin, approve=True, by=clerk)
    permits_services.release_pass_release(release=old, by=clerk)
    clock.move_to(NOW)
    today = request_pass(sunshine, clerk, lin.units.get(), carrier="今天的人")
    permits_services.release_pass_decide(release=today, resident=lin, approve=True, by=clerk)
    permits_services.release_pass_release(release=today, by=clerk)

    released = section(desk.get(passes_url()), "released")

    assert "今天的人" in released and "昨天的人" not in released


def test_another_propertys_pass_is_not_found(desk, far_clerk, far_resident, elsewhere):
    release = request_pass(elsewhere, far_clerk, far_resident.units.get())
    permits_services.release_pass_decide(
        release=release, resident=far_resident, approve=True, by=far_clerk
    )

    decide = desk.post(
        reverse("desk_pass_decide", args=[release.pk]),
        {"decide-resident": far_resident.pk, "decide-decision": "refuse"},
    )
    let_out = desk.post(reverse("desk_pass_release", args=[release.pk]))
    listing = desk.get(passes_url(elsewhere))
    new = desk.post(
        f"{reverse('desk_pass_new')}?property={elsewhere.pk}",
        {"unit": "8-801", "carrier_name": "小张", "items": "沙发"},
    )

    assert (decide.status_code, let_out.status_code) == (404, 404)
    assert (listing.status_code, new.status_code) == (404, 404)
    release.refresh_from_db()
    assert release.state == PassState.APPROVED
    assert ReleasePass.objects.count() == 1
    assert "外人" not in text(desk.get(passes_url()))


def test_the_passes_page_runs_a_fixed_number_of_queries(
    desk, sunshine, lin, neighbour, clerk, django_assert_num_queries
):
    request_pass(sunshine, clerk, lin.units.get())
    with CaptureQueriesContext(connection) as one:
        assert desk.get(passes_url()).status_code == 200

    for n in range(3):
        unit = UnitFactory(building=lin.units.get().building, number=f"15{n:02d}")
        ResidentFactory(property=sunshine, unit=unit)
        request_pass(sunshine, clerk, unit, carrier=f"搬运工{n}")
    approved = request_pass(sunshine, clerk, neighbour.units.get())
    permits_services.release_pass_decide(
        release=approved, resident=neighbour, approve=True, by=clerk
    )
    gone = request_pass(sunshine, clerk, lin.units.get())
    permits_services.release_pass_decide(release=gone, resident=lin, approve=True, by=clerk)
    permits_services.release_pass_release(release=gone, by=clerk)
    no = request_pass(sunshine, clerk, lin.units.get())
    permits_services.release_pass_decide(release=no, resident=lin, approve=False, by=clerk)

    with django_assert_num_queries(len(one.captured_queries)):
        response = desk.get(passes_url())
    assert "搬运工2" in section(response, "waiting")


# --- decoration ----------------------------------------------------------------------------------


def apply_for(resident, by, **fields):
    data = {
        "contractor": "好家装修公司",
        "contractor_phone": "13700001234",
        "work": "厨房改造, 更换地砖",
        "starts": TODAY + timedelta(days=3),
        "ends": TODAY + timedelta(days=30),
    }
    data.update(fields)
    return permits_services.decoration_apply(
        resident=resident, unit=resident.units.get(), by=by, **data
    )


def apply_form(resident, unit, **overrides):
    data = {
        "resident": resident.pk,
        "unit": unit.pk,
        "contractor": "好家装修公司",
        "contractor_phone": "13700001234",
        "work": "厨房改造",
        "starts": "2026-11-28",
        "ends": "2026-12-28",
    }
    data.update(overrides)
    return data


def test_finding_the_unit_offers_its_residents_to_apply_for(desk, sunshine, lin, neighbour):
    response = desk.get(reverse("desk_decoration"), {"unit": "1-1203"})

    apply = section(response, "apply")
    assert response.status_code == 200
    assert "林晓峰" in apply and "邻居" not in apply
    assert "Contractor" in apply and "Record the application" in apply


def test_an_unknown_unit_is_said_so(desk, sunshine, lin):
    response = desk.get(reverse("desk_decoration"), {"unit": "7-0000"})

    assert "There is no unit 7-0000 at 阳光花园." in section(response, "apply")
    assert "Record the application" not in text(response)


def test_the_desk_applies_on_behalf_of_a_resident(desk, sunshine, lin):
    url = f"{reverse('desk_decoration_new')}?property={sunshine.pk}&unit=1-1203"

    response = desk.post(url, apply_form(lin, lin.units.get()))

    app = DecorationApplication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("desk_decoration_detail", args=[app.pk])
    assert (app.resident, app.unit, app.state) == (lin, lin.units.get(), DecState.APPLIED)
    assert (app.contractor, app.starts, app.ends) == (
        "好家装修公司",
        date(2026, 11, 28),
        date(2026, 12, 28),
    )
    detail = desk.get(response.url)
    assert "好家装修公司" in text(detail) and "13700001234" in text(detail)
    assert "Pass the first review" in section(detail, "steps")
    listed = section(desk.get(reverse("desk_decoration")), "state-applied")
    assert "1-1203" in listed and "林晓峰" in listed


def test_applying_for_a_unit_that_is_not_the_residents_is_refused(desk, sunshine, lin, neighbour):
    url = f"{reverse('desk_decoration_new')}?unit=1-1203"

    response = desk.post(url, apply_form(neighbour, lin.units.get()))

    assert response.status_code == 400
    assert "Apply for one of the resident&#x27;s own units." in text(response)
    assert not DecorationApplication.objects.exists()


def test_applying_with_the_end_before_the_start_is_refused(desk, sunshine, lin):
    url = f"{reverse('desk_decoration_new')}?unit=1-1203"

    response = desk.post(url, apply_form(lin, lin.units.get(), ends="2026-11-20"))

    assert response.status_code == 400
    assert "The work must end after it starts." in text(response)
    assert not DecorationApplication.objects.exists()


def test_a_decoration_goes_through_its_steps(desk, sunshine, lin, clerk):
    app = apply_for(lin, clerk)
    detail = reverse("desk_decoration_detail", args=[app.pk])

    r = desk.post(reverse("desk_decoration_review", args=[app.pk]), {"decision": "pass"})
    app.refresh_from_db()
    assert r.status_code == 302 and app.state == DecState.REVIEWED
    assert (app.reviewed_by, app.reviewed_at) == (clerk, NOW)
    assert "Issue the permit" in section(desk.get(detail), "steps")

    desk.post(reverse("desk_decoration_permit", args=[app.pk]))
    app.refresh_from_db()
    assert app.state == DecState.PERMITTED and app.permit_number == "ZX261125001"
    steps = section(desk.get(detail), "steps")
    assert "ZX261125001" in steps and "Issue a rectification notice" in steps

    desk.post(
        reverse("desk_decoration_rectify", args=[app.pk]),
        {"issue": "阳台防水未做闭水试验", "deadline": "2026-12-01"},
    )
    app.refresh_from_db()
    notice = RectificationNotice.objects.get()
    assert app.state == DecState.RECTIFYING
    assert (notice.issue, notice.deadline, notice.issued_by) == (
        "阳台防水未做闭水试验",
        date(2026, 12, 1),
        clerk,
    )
    steps = section(desk.get(detail), "steps")
    assert "阳台防水未做闭水试验" in steps and "2026-12-01" in steps and "Mark resolved" in steps
    assert "The work is finished" not in steps

    desk.post(reverse("desk_rectification_resolve", args=[app.pk, notice.pk]))
    app.refresh_from_db()
    notice.refresh_from_db()
    assert notice.resolved_at == NOW and app.state == DecState.PERMITTED

    r = desk.post(reverse("desk_decoration_finish", args=[app.pk]))
    app.refresh_from_db()
    assert r.status_code == 302 and app.state == DecState.FINISHED
    page = desk.get(detail)
    assert "Finished" in text(page) and "The work is finished." in section(page, "steps")
    assert "<form" not in section(page, "steps")
    assert "1-1203" in section(desk.get(reverse("desk_decoration")), "state-finished")


def test_rejecting_needs_a_reason(desk, sunshine, lin, clerk):
    app = apply_for(lin, clerk)

    bare = desk.post(reverse("desk_decoration_review", args=[app.pk]), {"decision": "reject"})
    app.refresh_from_db()
    assert bare.status_code == 400
    assert "Say why the application is rejected." in text(bare)
    assert app.state == DecState.APPLIED

    desk.post(
        reverse("desk_decoration_review", args=[app.pk]),
        {"decision": "reject", "note": "拆改承重墙, 不予批准"},
    )
    app.refresh_from_db()
    assert (app.state, app.review_note) == (DecState.REJECTED, "拆改承重墙, 不予批准")
    steps = section(desk.get(reverse("desk_decoration_detail", args=[app.pk])), "steps")
    assert "Rejected" in steps and "拆改承重墙" in steps


def test_a_step_out_of_order_is_refused_and_changes_nothing(desk, sunshine, lin, clerk):
    app = apply_for(lin, clerk)

    permit = desk.post(reverse("desk_decoration_permit", args=[app.pk]))
    finish = desk.post(reverse("desk_decoration_finish", args=[app.pk]))
    rectify = desk.post(
        reverse("desk_decoration_rectify", args=[app.pk]),
        {"issue": "噪音扰民", "deadline": "2026-12-01"},
    )

    for response in (permit, finish, rectify):
        assert response.status_code == 400
        assert "The application is Applied: this step does not apply now." in text(response)
    app.refresh_from_db()
    assert (app.state, app.permit_number, app.permitted_at) == (DecState.APPLIED, "", None)
    assert not RectificationNotice.objects.exists()


def test_finishing_while_a_rectification_is_open_is_refused(desk, sunshine, lin, clerk):
    app = apply_for(lin, clerk)
    permits_services.decoration_review(app=app, by=clerk, passed=True)
    permits_services.decoration_permit(app=app, by=clerk)
    permits_services.decoration_rectify(app=app, by=clerk, issue="噪音扰民", deadline=TODAY)

    response = desk.post(reverse("desk_decoration_finish", args=[app.pk]))

    assert response.status_code == 400
    assert "The application is Rectification required: this step does not apply now." in text(
        response
    )
    app.refresh_from_db()
    assert app.state == DecState.RECTIFYING


def test_a_rectification_without_the_issue_is_refused(desk, sunshine, lin, clerk):
    app = apply_for(lin, clerk)
    permits_services.decoration_review(app=app, by=clerk, passed=True)
    permits_services.decoration_permit(app=app, by=clerk)

    response = desk.post(
        reverse("desk_decoration_rectify", args=[app.pk]), {"issue": "", "deadline": "x"}
    )

    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert not RectificationNotice.objects.exists()


def test_another_propertys_decoration_is_not_found(
    desk, sunshine, lin, clerk, far_clerk, far_resident
):
    far = apply_for(far_resident, far_clerk)
    permits_services.decoration_review(app=far, by=far_clerk, passed=True)
    permits_services.decoration_permit(app=far, by=far_clerk)
    notice = permits_services.decoration_rectify(
        app=far, by=far_clerk, issue="噪音扰民", deadline=TODAY
    )
    mine = apply_for(lin, clerk)

    assert desk.get(reverse("desk_decoration_detail", args=[far.pk])).status_code == 404
    for name in ("desk_decoration_permit", "desk_decoration_finish"):
        assert desk.post(reverse(name, args=[far.pk])).status_code == 404
    assert (
        desk.post(
            reverse("desk_decoration_rectify", args=[far.pk]),
            {"issue": "x", "deadline": "2026-12-01"},
        ).status_code
        == 404
    )
    # Another property's notice through my own application's address is not found either.
    assert (
        desk.post(reverse("desk_rectification_resolve", args=[mine.pk, notice.pk])).status_code
        == 404
    )
    assert (
        desk.post(reverse("desk_rectification_resolve", args=[far.pk, notice.pk])).status_code
        == 404
    )
    far.refresh_from_db()
    notice.refresh_from_db()
    assert far.state == DecState.RECTIFYING and notice.resolved_at is None
    assert desk.get(f"{reverse('desk_decoration')}?property={far.property_id}").status_code == 404
    assert "外人" not in text(desk.get(reverse("desk_decoration")))


def test_the_decoration_pages_run_a_fixed_number_of_queries(
    desk, sunshine, lin, neighbour, clerk, django_assert_num_queries
):
    first = apply_for(lin, clerk)
    permits_services.decoration_review(app=first, by=clerk, passed=True)
    permits_services.decoration_permit(app=first, by=clerk)
    permits_services.decoration_rectify(app=first, by=clerk, issue="噪音", deadline=TODAY)
    rejected = apply_for(neighbour, clerk)
    permits_services.decoration_review(app=rejected, by=clerk, passed=False, note="不行")
    detail = reverse("desk_decoration_detail", args=[first.pk])
    with CaptureQueriesContext(connection) as list_one:
        assert desk.get(reverse("desk_decoration")).status_code == 200
    with CaptureQueriesContext(connection) as detail_one:
        assert desk.get(detail).status_code == 200

    for n in range(3):
        apply_for(lin, clerk, contractor=f"装修队{n}")
        apply_for(neighbour, clerk, contractor=f"邻居装修{n}")
    permits_services.decoration_rectify(app=first, by=clerk, issue="垃圾乱堆", deadline=TODAY)
    permits_services.decoration_rectify(app=first, by=clerk, issue="超时施工", deadline=TODAY)

    with django_assert_num_queries(len(list_one.captured_queries)):
        listing = desk.get(reverse("desk_decoration"))
    with django_assert_num_queries(len(detail_one.captured_queries)):
        page = desk.get(detail)
    assert "装修队2" in section(listing, "state-applied")
    assert "超时施工" in section(page, "steps")


# --- the shift handover -------------------------------------------------------------------------


def some_work(prop, clerk, unit):
    registers_services.visitor_register(
        property=prop, by=clerk, name="访客甲", purpose="送货", unit=unit
    )
    registers_services.visitor_register(
        property=prop, by=clerk, name="访客乙", purpose="看房", unit=unit
    )
    registers_services.parcel_register(
        property=prop, by=clerk, unit=unit, carrier="顺丰", shelf="A3"
    )


def count_of(response, label: str) -> str:
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", text(response))
    return dict(rows)[label]


def test_the_handover_page_shows_what_the_shift_did_from_the_records(
    desk, sunshine, lin, clerk, clock
):
    clock.move_to(datetime(2026, 11, 24, 15, 30, tzinfo=UTC))  # 23:30 yesterday, local
    registers_services.visitor_register(
        property=sunshine, by=clerk, name="昨晚", purpose="x", unit=lin.units.get()
    )
    clock.move_to(NOW)
    some_work(sunshine, clerk, lin.units.get())

    response = desk.get(reverse("desk_handover"))

    assert response.status_code == 200
    assert "2026-11-25" in text(response)
    assert count_of(response, "Visitors registered") == "2"
    assert count_of(response, "Parcels registered") == "1"
    assert count_of(response, "Parcels still waiting") == "1"
    assert count_of(response, "Repairs received") == "0"
    assert count_of(response, "Payments total (yuan)") == "0.00"
    # The shift types only what is pending.
    form = text(response).split('id="hand-over"', 1)[1].split("</form>", 1)[0]
    fields = re.findall(r'name="([a-z_]+)"', form)
    assert set(fields) - {"csrfmiddlewaretoken"} == {"shift", "pending"}


def test_the_shift_hands_over_and_the_next_clerk_takes_over(
    desk, client, sunshine, lin, clerk, assistant
):
    some_work(sunshine, clerk, lin.units.get())

    response = desk.post(
        reverse("desk_handover_record"), {"shift": "day", "pending": "1-1203 的快递请晚班提醒业主"}
    )

    handover = ShiftHandover.objects.get()
    assert response.status_code == 302
    assert (handover.day, handover.shift, handover.handed_over_by) == (TODAY, "day", clerk)
    assert handover.pending == "1-1203 的快递请晚班提醒业主"
    assert handover.done == shift_services.day_counts(sunshine, TODAY)
    assert handover.done["visitors_arrived"] == 2
    mine = section(desk.get(response.url), "latest")
    assert "1-1203 的快递请晚班提醒业主" in mine and "Day shift" in mine
    assert "Waiting for the next shift" in mine and "Take over" not in mine
    # The next shift's form offers the evening.
    assert 'value="evening" selected' in text(desk.get(response.url))

    login(client, assistant)
    theirs = client.get(reverse("desk_handover"))
    assert "Take over" in section(theirs, "latest")
    taken = client.post(reverse("desk_handover_take_over", args=[handover.pk]))
    handover.refresh_from_db()
    assert taken.status_code == 302
    assert (handover.taken_over_by, handover.taken_over_at) == (assistant, NOW)
    assert "李助理" in section(client.get(reverse("desk_handover")), "latest")

    again = client.post(reverse("desk_handover_take_over", args=[handover.pk]))
    assert again.status_code == 400
    assert "This handover has already been taken over." in text(again)


def test_a_second_handover_for_the_same_shift_is_refused(desk, sunshine, clerk):
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="day", pending="第一次"
    )

    response = desk.post(reverse("desk_handover_record"), {"shift": "day", "pending": "第二次"})

    assert response.status_code == 400
    assert "This shift has already handed over." in text(response)
    assert list(ShiftHandover.objects.values_list("pending", flat=True)) == ["第一次"]


def test_the_clerk_who_handed_over_cannot_take_over_too(desk, sunshine, clerk):
    handover = shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="day", pending=""
    )

    response = desk.post(reverse("desk_handover_take_over", args=[handover.pk]))

    assert response.status_code == 400
    assert "The next shift takes over, not the one handing over." in text(response)
    handover.refresh_from_db()
    assert handover.taken_over_at is None


def test_another_propertys_handover_is_not_found(desk, elsewhere, far_clerk, sunshine):
    far = shift_services.handover_record(
        property=elsewhere, by=far_clerk, day=TODAY, shift="day", pending="外面的事"
    )

    take = desk.post(reverse("desk_handover_take_over", args=[far.pk]))
    page = desk.get(f"{reverse('desk_handover')}?property={elsewhere.pk}")
    record = desk.post(
        f"{reverse('desk_handover_record')}?property={elsewhere.pk}", {"shift": "evening"}
    )

    assert (take.status_code, page.status_code, record.status_code) == (404, 404, 404)
    far.refresh_from_db()
    assert far.taken_over_at is None
    assert ShiftHandover.objects.count() == 1
    assert "外面的事" not in text(desk.get(reverse("desk_handover")))


def test_the_handover_page_runs_a_fixed_number_of_queries(
    desk, sunshine, clerk, assistant, django_assert_num_queries
):
    shift_services.handover_record(
        property=sunshine, by=assistant, day=TODAY, shift="day", pending="a"
    )
    with CaptureQueriesContext(connection) as one:
        assert desk.get(reverse("desk_handover")).status_code == 200
    for n in range(1, 6):
        shift_services.handover_record(
            property=sunshine,
            by=assistant,
            day=TODAY - timedelta(days=n),
            shift="night",
            pending=f"p{n}",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = desk.get(reverse("desk_handover"))
    assert "p5" in section(response, "latest")


# --- the daily work ledger ----------------------------------------------------------------------


@pytest.fixture
def boss(client, supervisor):
    return login(client, supervisor)


def test_the_ledger_defaults_to_the_local_day(desk, sunshine, clock):
    clock.move_to(datetime(2026, 11, 24, 17, 30, tzinfo=UTC))  # 01:30 on the 25th in Shanghai

    response = desk.get(reverse("desk_ledger"))

    assert response.status_code == 200
    assert "Daily work ledger" in text(response) and "阳光花园 · 2026-11-25" in text(response)
    assert "Not signed yet." in text(response)


def test_the_ledger_shows_the_days_figures_and_handovers(desk, sunshine, lin, clerk, assistant):
    some_work(sunshine, clerk, lin.units.get())
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="day", pending="电梯维保明早九点"
    )

    response = desk.get(reverse("desk_ledger"), {"day": "2026-11-25"})

    assert count_of(response, "Visitors registered") == "2"
    handovers = section(response, "handovers")
    assert (
        "Day shift" in handovers
        and "电梯维保明早九点" in handovers
        and "Not taken over" in handovers
    )
    assert "Sign the ledger" not in text(response)  # a clerk does not sign


def test_the_supervisor_signs_the_ledger_once(boss, sunshine, lin, clerk, supervisor):
    some_work(sunshine, clerk, lin.units.get())
    assert "Sign the ledger of 2026-11-25" in text(boss.get(reverse("desk_ledger")))

    response = boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-25", "note": "一切正常"})

    ledger = DailyLedger.objects.get()
    assert response.status_code == 302
    assert response.url == f"{reverse('desk_ledger')}?property={sunshine.pk}&day=2026-11-25"
    assert (ledger.day, ledger.signed_by, ledger.note, ledger.signed_at) == (
        TODAY,
        supervisor,
        "一切正常",
        NOW,
    )
    assert ledger.totals == shift_services.day_counts(sunshine, TODAY)

    # Later records do not change the figures as signed.
    registers_services.visitor_register(
        property=sunshine, by=clerk, name="晚来的", purpose="x", unit=lin.units.get()
    )
    page = boss.get(response.url)
    assert "Signed by 张主管 on 2026-11-25 10:00." in text(page)
    assert "一切正常" in text(page)
    assert count_of(page, "Visitors registered") == "2"
    assert "Sign the ledger" not in text(page)
    days = section(page, "days")
    assert "2026-11-25 Signed 张主管" in days and "2026-11-24 Not signed" in days

    again = boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-25", "note": "再签"})
    assert again.status_code == 400
    assert "The ledger of 2026-11-25 is already signed." in text(again)
    assert list(DailyLedger.objects.values_list("note", flat=True)) == ["一切正常"]


def test_a_clerk_cannot_sign_the_ledger(desk, sunshine):
    response = desk.post(reverse("desk_ledger_sign"), {"day": "2026-11-25", "note": "我签"})

    assert response.status_code == 403
    assert "Only a supervisor signs the daily ledger." in text(response)
    assert not DailyLedger.objects.exists()


def test_a_day_not_yet_come_cannot_be_signed(boss, sunshine):
    page = boss.get(reverse("desk_ledger"), {"day": "2026-11-26"})
    response = boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-26"})

    assert "This day has not happened yet." in text(page) and "Sign the ledger" not in text(page)
    assert response.status_code == 400
    assert "A day that has not happened yet cannot be signed." in text(response)
    assert not DailyLedger.objects.exists()


def test_a_past_day_is_signed_with_that_days_figures(boss, sunshine, lin, clerk, clock):
    clock.move_to(NOW - timedelta(days=2))
    some_work(sunshine, clerk, lin.units.get())
    clock.move_to(NOW)

    boss.post(reverse("desk_ledger_sign"), {"day": "2026-11-23"})

    ledger = DailyLedger.objects.get()
    assert ledger.day == date(2026, 11, 23) and ledger.totals["visitors_arrived"] == 2
    days = section(boss.get(reverse("desk_ledger")), "days")
    assert "2026-11-23 Signed" in days and "2026-11-25 Not signed" in days
    assert "2026-11-12" in days and "2026-11-11" not in days  # fourteen days


def test_a_malformed_day_is_refused(desk, sunshine):
    response = desk.get(reverse("desk_ledger"), {"day": "25/11/2026"})

    assert response.status_code == 400
    assert "Give the day as YYYY-MM-DD." in text(response)


def test_another_propertys_ledger_is_not_found(boss, elsewhere):
    page = boss.get(reverse("desk_ledger"), {"property": elsewhere.pk})
    sign = boss.post(
        f"{reverse('desk_ledger_sign')}?property={elsewhere.pk}", {"day": "2026-11-25"}
    )

    assert (page.status_code, sign.status_code) == (404, 404)
    assert not DailyLedger.objects.exists()


def test_the_ledger_page_runs_a_fixed_number_of_queries(
    desk, sunshine, clerk, assistant, supervisor, django_assert_num_queries
):
    shift_services.handover_record(property=sunshine, by=clerk, day=TODAY, shift="day", pending="a")
    shift_services.ledger_sign(property=sunshine, by=supervisor, day=TODAY - timedelta(days=1))
    url = f"{reverse('desk_ledger')}?day=2026-11-25"
    with CaptureQueriesContext(connection) as one:
        assert desk.get(url).status_code == 200
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="evening", pending="b"
    )
    shift_services.handover_record(
        property=sunshine, by=clerk, day=TODAY, shift="night", pending="c"
    )
    for n in range(2, 6):
        shift_services.ledger_sign(property=sunshine, by=supervisor, day=TODAY - timedelta(days=n))

    with django_assert_num_queries(len(one.captured_queries)):
        response = desk.get(url)
    assert "Night shift" in section(response, "handovers")


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
