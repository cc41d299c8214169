"""The desk's permits: goods release passes and decoration applications. Every action's effect,
every page's content, bad input refused with the service's message and nothing changed, another
property's objects not found, and a fixed number of queries whatever the rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.desk import permits_services
from frontdesk.desk.models import DecorationApplication, RectificationNotice, ReleasePass
from frontdesk.models import Notification
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UnitFactory
from tests.frontdesk.conftest import NOW, TODAY, apply_for, login, request_pass, section
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
