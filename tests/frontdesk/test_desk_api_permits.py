"""The desk's API for goods release passes and decoration applications, step by step."""

from django.urls import reverse

from frontdesk.desk.models import DecorationApplication, ReleasePass
from tests.clock import frozen_at
from tests.factories import ResidentFactory, UnitFactory
from tests.frontdesk.conftest import API_NOW, detail, make_pass, post, refused

frozen = frozen_at(API_NOW)


# --- release passes --------------------------------------------------------------------------------


def test_a_pass_is_requested_approved_by_a_resident_and_released_once(api, here):
    created = post(
        api,
        reverse("release-pass-list"),
        {"unit": here.unit.pk, "carrier_name": "搬家公司", "items": "沙发一张, 纸箱三个"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "requested"
    release = ReleasePass.objects.get(pk=created.json()["id"])

    early = post(api, detail("release-pass", release, "release"))
    decided = post(
        api,
        detail("release-pass", release, "decide"),
        {"resident": here.resident.pk, "approve": True},
    )
    again = post(
        api,
        detail("release-pass", release, "decide"),
        {"resident": here.resident.pk, "approve": False},
    )
    released = post(api, detail("release-pass", release, "release"))
    twice = post(api, detail("release-pass", release, "release"))

    refused(early, "The items cannot go out: the pass is Waiting for the resident.")
    assert decided.json()["state"] == "approved"
    assert decided.json()["approved_by"] == here.resident.pk
    refused(again, "This pass has already been decided.")
    assert released.json()["state"] == "released"
    refused(twice, "These items have already been let out.")
    assert (
        api.get(reverse("release-pass-list"), {"state": "released"}).json()["results"][0]["id"]
        == release.pk
    )


def test_only_a_resident_of_the_unit_decides_a_pass(api, here, there):
    release = make_pass(here)
    neighbour = ResidentFactory(property=here.prop, name="邻居", phones=["13900000000"])

    foreign = post(
        api,
        detail("release-pass", release, "decide"),
        {"resident": there.resident.pk, "approve": True},
    )
    not_theirs = post(
        api, detail("release-pass", release, "decide"), {"resident": neighbour.pk, "approve": True}
    )

    assert foreign.json() == {"resident": ["Not found."]}
    refused(not_theirs, "邻居 is not a resident of 2-1503")
    release.refresh_from_db()
    assert release.state == "requested"


# --- decoration ------------------------------------------------------------------------------------


def test_a_decoration_goes_through_review_permit_rectification_and_finish(api, here):
    created = post(
        api,
        reverse("decoration-list"),
        {
            "resident": here.resident.pk,
            "unit": here.unit.pk,
            "contractor": "好家装修",
            "contractor_phone": "13911112222",
            "work": "厨房翻新",
            "starts": "2026-12-01",
            "ends": "2026-12-20",
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "applied"
    app = DecorationApplication.objects.get(pk=created.json()["id"])

    early_permit = post(api, detail("decoration", app, "permit"))
    no_reason = post(api, detail("decoration", app, "review"), {"passed": False})
    reviewed = post(api, detail("decoration", app, "review"), {"passed": True, "note": "图纸齐全"})
    permitted = post(api, detail("decoration", app, "permit"))
    rectify = post(
        api,
        detail("decoration", app, "rectify"),
        {"issue": "承重墙不得拆改", "deadline": "2026-12-05"},
    )
    early_finish = post(api, detail("decoration", app, "finish"))

    refused(early_permit, "The application is Applied: this step does not apply now.")
    refused(no_reason, "Say why the application is rejected.")
    assert reviewed.json()["state"] == "reviewed"
    assert permitted.json()["state"] == "permitted"
    assert permitted.json()["permit_number"] == "ZX261124001"
    assert rectify.json()["state"] == "rectifying"
    [notice] = rectify.json()["rectifications"]
    assert (notice["issue"], notice["deadline"], notice["resolved_at"]) == (
        "承重墙不得拆改",
        "2026-12-05",
        None,
    )
    refused(early_finish, "The application is Rectification required")

    resolved = post(api, reverse("decoration-resolve", args=[app.pk, notice["id"]]))
    finished = post(api, detail("decoration", app, "finish"))

    assert resolved.json()["state"] == "permitted"
    assert resolved.json()["rectifications"][0]["resolved_at"] is not None
    assert finished.json()["state"] == "finished"
    assert (
        api.get(reverse("decoration-list"), {"state": "finished"}).json()["results"][0]["id"]
        == app.pk
    )
    assert api.get(reverse("decoration-list"), {"active_on": "2026-12-10"}).json()["results"]
    assert not api.get(reverse("decoration-list"), {"active_on": "2027-01-10"}).json()["results"]


def test_a_decoration_for_another_residents_unit_is_refused(api, here):
    other = UnitFactory(building=here.unit.building, number="0101")

    response = post(
        api,
        reverse("decoration-list"),
        {
            "resident": here.resident.pk,
            "unit": other.pk,
            "contractor": "好家装修",
            "contractor_phone": "139",
            "work": "x",
            "starts": "2026-12-01",
            "ends": "2026-12-20",
        },
    )

    refused(response, "Apply for one of the resident's own units.")
    assert not DecorationApplication.objects.exists()
