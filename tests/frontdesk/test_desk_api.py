"""The desk's day through the REST API: each list and detail scoped to the caller's properties
(another property's record is not found), filters, lists in a fixed number of queries, and
every action's effect through the services, their refusals as 400 with the message."""

import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageDraw

from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.desk.models import (
    DailyLedger,
    DecorationApplication,
    KeyDeposit,
    LostItem,
    Parcel,
    PhoneMessage,
    ReleasePass,
    ShiftHandover,
    Visitor,
)
from frontdesk.models import Notification, Property, Resident, Unit, User
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, DepartmentFactory, ResidentFactory, UnitFactory

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 on the 24th in Shanghai
TODAY = date(2026, 11, 24)


frozen = frozen_at(T)


@dataclass
class Place:
    """One property with a unit, its resident and its desk."""

    prop: Property
    unit: Unit
    resident: Resident
    clerk: User
    supervisor: User


@pytest.fixture
def here(sunshine, clerk, supervisor):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")
    lin = ResidentFactory(property=sunshine, name="林晓峰", phones=["13812345678"], unit=unit)
    return Place(sunshine, unit, lin, clerk, supervisor)


@pytest.fixture
def there(elsewhere):
    unit = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0101")
    resident = ResidentFactory(property=elsewhere, name="外人", phones=["13800009999"], unit=unit)
    return Place(
        elsewhere,
        unit,
        resident,
        staff_at(elsewhere, "clerk", username="there-clerk"),
        staff_at(elsewhere, "supervisor", username="there-boss"),
    )


@pytest.fixture
def api(clerk_client):
    """The clerk's API client, in English."""
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return clerk_client


def post(client, url, body=None, **kwargs):
    return client.post(url, body or {}, content_type="application/json", **kwargs)


def detail(name, obj, action=None):
    if action is None:
        return reverse(f"{name}-detail", args=[obj.pk])
    return reverse(f"{name}-{action}", args=[obj.pk])


def refused(response, text):
    assert response.status_code == 400, response.content
    assert text in str(response.json()), response.json()


# --- makers: one record of each kind at a place, through the services -----------------------------

_seq = itertools.count(1)


def make_visitor(p: Place):
    return registers_services.visitor_register(
        property=p.prop, by=p.clerk, name="访客", purpose="送货", unit=p.unit
    )


def make_message(p: Place):
    return registers_services.message_take(
        property=p.prop, by=p.clerk, caller_name="快递员", text="明天再送", for_resident=p.resident
    )


def make_parcel(p: Place):
    return registers_services.parcel_register(
        property=p.prop, by=p.clerk, unit=p.unit, carrier="顺丰", shelf="A"
    )


def make_key(p: Place):
    return registers_services.key_deposit(
        property=p.prop,
        by=p.clerk,
        unit=p.unit,
        label=f"K{next(_seq)}",
        description="大门钥匙",
        deposited_by=p.resident.name,
        authorised="林太太",
    )


def make_lost(p: Place):
    return registers_services.lost_item_register(
        property=p.prop,
        by=p.clerk,
        description="黑色雨伞",
        found_where="大堂",
        found_by="保安",
        stored_where="前台柜",
    )


def make_pass(p: Place):
    return permits_services.release_pass_request(
        property=p.prop, by=p.clerk, unit=p.unit, carrier_name="搬家公司", items="沙发一张"
    )


def make_decoration(p: Place):
    return permits_services.decoration_apply(
        resident=p.resident,
        unit=p.unit,
        by=p.clerk,
        contractor="好家装修",
        contractor_phone="13911112222",
        work="厨房翻新",
        starts=date(2026, 12, 1),
        ends=date(2026, 12, 20),
    )


def make_handover(p: Place):
    return shift_services.handover_record(
        property=p.prop,
        by=p.clerk,
        day=TODAY - timedelta(days=next(_seq)),
        shift="day",
        pending="2-1503 钥匙未还",
    )


def make_ledger(p: Place):
    return shift_services.ledger_sign(
        property=p.prop, by=p.supervisor, day=TODAY - timedelta(days=next(_seq))
    )


KINDS = [
    ("visitor", make_visitor),
    ("phone-message", make_message),
    ("parcel", make_parcel),
    ("key", make_key),
    ("lost-item", make_lost),
    ("release-pass", make_pass),
    ("decoration", make_decoration),
    ("handover", make_handover),
    ("ledger", make_ledger),
]


# --- scope and query counts ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "make"), KINDS)
def test_lists_and_details_show_only_the_callers_properties(api, here, there, name, make):
    mine, theirs = make(here), make(there)

    listed = api.get(reverse(f"{name}-list")).json()
    shown = api.get(detail(name, mine))
    hidden = api.get(detail(name, theirs))

    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert shown.status_code == 200
    assert shown.json()["property"] == here.prop.pk
    assert hidden.status_code == 404


@pytest.mark.parametrize(("name", "make"), KINDS)
def test_list_query_count_is_the_same_for_one_row_and_five(api, here, name, make):
    url = reverse(f"{name}-list")
    make(here)
    api.get(url)  # warm-up: content types and the like
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url).json()["results"]) == 1
    for _ in range(4):
        make(here)
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(url).json()["results"]) == 5

    assert len(one.captured_queries) == len(five.captured_queries)


@pytest.mark.parametrize(
    ("name", "make", "action", "body"),
    [
        ("visitor", make_visitor, "leave", {}),
        ("phone-message", make_message, "read", {}),
        ("parcel", make_parcel, "hand-over", {"collected_by_name": "外人", "code": "000000"}),
        ("key", make_key, "hand-out", {"person": "外人", "signed_name": "外人"}),
        ("lost-item", make_lost, "claim", {"claimed_by": "外人"}),
        ("release-pass", make_pass, "release", {}),
        ("decoration", make_decoration, "permit", {}),
        ("handover", make_handover, "take-over", {}),
    ],
)
def test_an_action_on_another_propertys_record_is_not_found_and_changes_nothing(
    api, there, name, make, action, body
):
    theirs = make(there)
    before = type(theirs).objects.get(pk=theirs.pk)

    response = post(api, detail(name, theirs, action), body)

    assert response.status_code == 404
    after = type(theirs).objects.get(pk=theirs.pk)
    assert [getattr(after, f.attname) for f in after._meta.concrete_fields] == [
        getattr(before, f.attname) for f in before._meta.concrete_fields
    ]


def test_a_resident_sees_none_of_the_desks_records(client, here):
    visitor = make_visitor(here)
    here.resident.user = User.objects.create_user("13812345678", password="x")
    here.resident.save(update_fields=["user"])
    client.force_login(here.resident.user)

    assert client.get(reverse("visitor-list")).json()["results"] == []
    assert client.get(detail("visitor", visitor)).status_code == 404


def test_anonymous_callers_are_refused(client, here):
    make_parcel(here)

    assert client.get(reverse("parcel-list")).status_code in (401, 403)


def test_an_engineer_sees_no_visitors_as_on_the_page_and_cannot_register_one(
    client, here, engineer
):
    client.force_login(engineer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    make_visitor(here)

    listed = client.get(reverse("visitor-list"))
    created = post(
        client,
        reverse("visitor-list"),
        {"unit": here.unit.pk, "name": "张三", "purpose": "拜访"},
    )

    assert listed.json()["results"] == []
    assert created.status_code == 403
    assert created.json()["detail"] == "Only the front desk can do this."
    assert Visitor.objects.count() == 1


# --- visitors --------------------------------------------------------------------------------------


def test_a_walk_in_visitor_is_registered_arrived_then_leaves_once(api, here):
    created = post(
        api,
        reverse("visitor-list"),
        {
            "unit": here.unit.pk,
            "name": "张三",
            "purpose": "送家具",
            "id_type": "id_card",
            "id_last4": "123x",
        },
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["unit_label"], body["id_last4"]) == ("in", "2-1503", "123X")
    assert body["property"] == here.prop.pk
    visitor = Visitor.objects.get(pk=body["id"])
    assert visitor.arrived_at == T and visitor.registered_by == here.clerk

    left = post(api, detail("visitor", visitor, "leave"))
    again = post(api, detail("visitor", visitor, "leave"))

    assert left.json()["state"] == "left"
    visitor.refresh_from_db()
    assert visitor.left_at == T
    refused(again, "is not in the building")


def test_an_office_visitor_names_the_property_and_whom_they_visit(api, here, there):
    created = post(
        api,
        reverse("visitor-list"),
        {"property": here.prop.pk, "name": "李四", "purpose": "面试", "visiting": "星海贸易"},
    )
    theirs = post(
        api,
        reverse("visitor-list"),
        {"property": there.prop.pk, "name": "李四", "purpose": "面试", "visiting": "星海贸易"},
    )
    nobody = post(
        api, reverse("visitor-list"), {"property": here.prop.pk, "name": "王五", "purpose": "?"}
    )

    assert created.status_code == 201
    assert created.json()["visiting"] == "星海贸易" and created.json()["unit"] is None
    assert theirs.status_code == 400 and "property" in theirs.json()
    refused(nobody, "Say whom the visitor is visiting")
    assert Visitor.objects.count() == 1


def test_another_propertys_unit_is_not_found(api, here, there):
    response = post(
        api, reverse("visitor-list"), {"unit": there.unit.pk, "name": "张三", "purpose": "x"}
    )

    assert response.status_code == 400
    assert response.json() == {"unit": ["Not found."]}
    assert not Visitor.objects.exists()


def test_an_announced_visitor_arrives_once(api, here):
    announced = registers_services.visitor_announce(
        resident=here.resident,
        unit=here.unit,
        name="朋友",
        expected_on=TODAY,
        purpose="",
        by=here.clerk,
    )
    expected = api.get(reverse("visitor-list"), {"state": "expected"}).json()["results"]

    arrived = post(
        api, detail("visitor", announced, "arrive"), {"id_type": "passport", "id_last4": "E123"}
    )
    again = post(api, detail("visitor", announced, "arrive"))

    assert [v["id"] for v in expected] == [announced.pk]
    assert arrived.status_code == 200
    assert (arrived.json()["state"], arrived.json()["id_type"]) == ("in", "passport")
    refused(again, "has already arrived")


def test_visitors_are_filtered_by_the_local_day_and_state(api, here):
    today = make_visitor(here)
    late_yesterday = make_visitor(here)  # 23:30 on the 23rd in Shanghai, 15:30 UTC
    Visitor.objects.filter(pk=late_yesterday.pk).update(
        arrived_at=datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    )
    early_today = make_visitor(here)  # 00:30 on the 24th in Shanghai, still the 23rd in UTC
    Visitor.objects.filter(pk=early_today.pk).update(
        arrived_at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC), left_at=T
    )

    def ids(**params):
        return sorted(v["id"] for v in api.get(reverse("visitor-list"), params).json()["results"])

    assert ids(day="2026-11-24") == sorted([today.pk, early_today.pk])
    assert ids(day="2026-11-23") == [late_yesterday.pk]
    assert ids(state="left") == [early_today.pk]
    assert ids(state="in", day="2026-11-24") == [today.pk]
    assert ids(property=here.prop.pk, unit=here.unit.pk) == sorted(
        [today.pk, late_yesterday.pk, early_today.pk]
    )


# --- phone messages --------------------------------------------------------------------------------


def test_a_message_for_a_resident_is_sent_on_and_read_once(api, here):
    created = post(
        api,
        reverse("phone-message-list"),
        {"for_resident": here.resident.pk, "caller_name": "快递员", "text": "明天上午再送"},
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["property"], body["for_resident"]) == (
        "unread",
        here.prop.pk,
        here.resident.pk,
    )
    assert Notification.objects.filter(
        recipient_resident=here.resident, channel="sms", address="13812345678"
    ).exists()
    message = PhoneMessage.objects.get(pk=body["id"])
    assert (
        api.get(reverse("phone-message-list"), {"state": "unread"}).json()["results"][0]["id"]
        == message.pk
    )

    read = post(api, detail("phone-message", message, "read"))
    again = post(api, detail("phone-message", message, "read"))

    assert read.json()["state"] == "read" and read.json()["read_by"] == here.clerk.pk
    refused(again, "This message has already been read.")
    assert api.get(reverse("phone-message-list"), {"state": "unread"}).json()["results"] == []


def test_a_message_for_a_department_and_refusals(api, here, there):
    department = DepartmentFactory(property=here.prop, name="工程部")
    foreign_department = DepartmentFactory(property=there.prop, name="工程部")

    ok = post(
        api,
        reverse("phone-message-list"),
        {
            "property": here.prop.pk,
            "for_department": department.pk,
            "caller_name": "业主",
            "text": "电梯异响",
        },
    )
    nobody = post(
        api,
        reverse("phone-message-list"),
        {"property": here.prop.pk, "caller_name": "业主", "text": "电梯异响"},
    )
    two = post(
        api,
        reverse("phone-message-list"),
        {
            "for_resident": here.resident.pk,
            "for_department": department.pk,
            "caller_name": "业主",
            "text": "电梯异响",
        },
    )
    foreign = post(
        api,
        reverse("phone-message-list"),
        {
            "property": here.prop.pk,
            "for_department": foreign_department.pk,
            "caller_name": "业主",
            "text": "x",
        },
    )

    assert ok.status_code == 201 and ok.json()["for_department"] == department.pk
    refused(nobody, "Leave the message for one person or one department.")
    refused(two, "Leave the message for one person or one department.")
    assert foreign.json() == {"for_department": ["Not found."]}
    assert PhoneMessage.objects.count() == 1


# --- parcels ---------------------------------------------------------------------------------------


def signature_png(ink=True) -> SimpleUploadedFile:
    image = Image.new("RGB", (120, 40), "white")
    if ink:
        ImageDraw.Draw(image).line((5, 30, 110, 8), fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("sig.png", out.getvalue(), content_type="image/png")


def test_a_parcel_is_registered_without_showing_its_code_and_handed_over_once(api, here):
    created = post(
        api,
        reverse("parcel-list"),
        {"unit": here.unit.pk, "carrier": "顺丰", "shelf": "A-3", "tracking_number": "SF1"},
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["unit_label"], body["shelf"]) == ("waiting", "2-1503", "A-3")
    assert "pickup_code" not in body
    parcel = Parcel.objects.get(pk=body["id"])
    assert Notification.objects.filter(
        recipient_resident=here.resident, subject__contains=parcel.pickup_code
    ).exists()

    wrong = post(
        api,
        detail("parcel", parcel, "hand-over"),
        {
            "collected_by_name": "林晓峰",
            "code": "999999" if parcel.pickup_code != "999999" else "1",
        },
    )
    handed = post(
        api,
        detail("parcel", parcel, "hand-over"),
        {"collected_by_name": "林晓峰", "code": parcel.pickup_code},
    )
    twice = post(
        api,
        detail("parcel", parcel, "hand-over"),
        {"collected_by_name": "林太太", "code": parcel.pickup_code},
    )

    refused(wrong, "The pickup code does not match.")
    assert handed.status_code == 200
    assert (handed.json()["state"], handed.json()["collected_with"]) == ("collected", "code")
    refused(twice, "This parcel was already handed over, on 2026-11-24 10:00, to 林晓峰.")
    parcel.refresh_from_db()
    assert parcel.collected_by_name == "林晓峰"
    assert api.get(reverse("parcel-list"), {"state": "waiting"}).json()["results"] == []


def test_a_parcel_is_handed_over_against_a_signature_file(api, here):
    parcel = make_parcel(here)

    handed = api.post(
        detail("parcel", parcel, "hand-over"),
        {"collected_by_name": "林太太", "signature": signature_png()},
    )

    assert handed.status_code == 200, handed.json()
    assert handed.json()["collected_with"] == "signature"
    parcel.refresh_from_db()
    assert parcel.signature.name.startswith("signatures/parcels/")
    assert parcel.signature.name.endswith(".png")  # re-encoded, under a new name
    with Image.open(parcel.signature) as stored:
        assert stored.format == "PNG"


def test_a_signature_that_is_not_an_image_is_refused(api, here):
    parcel = make_parcel(here)
    fake = SimpleUploadedFile("sig.png", b"<html><script>x</script></html>", "image/png")

    response = api.post(
        detail("parcel", parcel, "hand-over"), {"collected_by_name": "林太太", "signature": fake}
    )

    assert response.status_code == 400
    assert "signature" in response.json()
    parcel.refresh_from_db()
    assert parcel.collected_at is None


def test_a_hand_over_needs_the_code_or_a_signature(api, here):
    parcel = make_parcel(here)

    response = post(api, detail("parcel", parcel, "hand-over"), {"collected_by_name": "林太太"})

    refused(response, "Ask for the pickup code or a signature.")


# --- keys ------------------------------------------------------------------------------------------


def test_a_key_goes_out_and_comes_back_with_its_movements(api, here):
    created = post(
        api,
        reverse("key-list"),
        {
            "unit": here.unit.pk,
            "label": "K-017",
            "description": "大门钥匙两把",
            "deposited_by": "林晓峰",
            "authorised": "林太太; 好家装修 张师傅",
        },
    )
    assert created.status_code == 201, created.json()
    key = KeyDeposit.objects.get(pk=created.json()["id"])
    assert (created.json()["state"], created.json()["movements"]) == ("in", [])

    not_out = post(api, detail("key", key, "return"), {"person": "张师傅", "signed_name": "张"})
    out = api.post(
        detail("key", key, "hand-out"),
        {"person": "张师傅", "signed_name": "张", "signature": signature_png()},
    )
    out_again = post(api, detail("key", key, "hand-out"), {"person": "李", "signed_name": "李"})
    back = post(api, detail("key", key, "return"), {"person": "张师傅", "signed_name": "张"})

    refused(not_out, "Key K-017 is not out: it cannot be returned.")
    assert out.status_code == 200, out.json()
    assert out.json()["state"] == "out" and out.json()["is_out"] is True
    refused(out_again, "Key K-017 is already out.")
    assert back.json()["state"] == "in"
    assert [(m["kind"], m["person"], m["signed"], m["by"]) for m in back.json()["movements"]] == [
        ("out", "张师傅", True, here.clerk.pk),
        ("in", "张师傅", False, here.clerk.pk),
    ]
    key.refresh_from_db()
    assert not key.is_out


def test_a_key_tag_in_use_is_refused_and_keys_filter_by_state(api, here):
    kept = make_key(here)
    lent = make_key(here)
    registers_services.key_hand_out(key=lent, by=here.clerk, person="张", signed_name="张")

    duplicate = post(
        api,
        reverse("key-list"),
        {
            "unit": here.unit.pk,
            "label": kept.label,
            "description": "x",
            "deposited_by": "x",
            "authorised": "x",
        },
    )

    refused(duplicate, f"Tag {kept.label} is already on another key.")
    out = api.get(reverse("key-list"), {"state": "out"}).json()["results"]
    held = api.get(reverse("key-list"), {"state": "in"}).json()["results"]
    assert [k["id"] for k in out] == [lent.pk]
    assert [k["id"] for k in held] == [kept.pk]


# --- lost and found --------------------------------------------------------------------------------


def test_a_lost_item_is_registered_and_claimed_once(api, here):
    created = post(
        api,
        reverse("lost-item-list"),
        {
            "property": here.prop.pk,
            "description": "黑色雨伞",
            "found_where": "2号楼大堂",
            "found_by": "保安小刘",
            "stored_where": "前台柜 3",
        },
    )
    assert created.status_code == 201, created.json()
    item = LostItem.objects.get(pk=created.json()["id"])

    claimed = post(
        api, detail("lost-item", item, "claim"), {"claimed_by": "吴敏", "claimant_id_last4": "1234"}
    )
    again = post(api, detail("lost-item", item, "claim"), {"claimed_by": "别人"})

    assert claimed.json()["state"] == "claimed" and claimed.json()["claimed_by"] == "吴敏"
    refused(again, "This item has already been claimed.")
    item.refresh_from_db()
    assert (item.claimed_by, item.handed_by) == ("吴敏", here.clerk)
    assert api.get(reverse("lost-item-list"), {"state": "unclaimed"}).json()["results"] == []


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


# --- the shift and the day -------------------------------------------------------------------------


def test_a_shift_hands_over_with_the_days_figures_and_the_next_shift_takes_over(
    api, client, here, assistant
):
    make_parcel(here)
    make_visitor(here)
    created = post(
        api,
        reverse("handover-list"),
        {"property": here.prop.pk, "day": "2026-11-24", "shift": "day", "pending": "K-017 未还"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["shift"], body["pending"]) == ("pending", "day", "K-017 未还")
    assert body["done"]["parcels_registered"] == 1
    assert body["done"]["visitors_arrived"] == 1
    handover = ShiftHandover.objects.get(pk=body["id"])

    twice = post(
        api,
        reverse("handover-list"),
        {"property": here.prop.pk, "day": "2026-11-24", "shift": "day"},
    )
    by_self = post(api, detail("handover", handover, "take-over"))
    client.force_login(assistant)
    taken = post(client, detail("handover", handover, "take-over"))
    again = post(client, detail("handover", handover, "take-over"), HTTP_ACCEPT_LANGUAGE="en")

    refused(twice, "This shift has already handed over.")
    refused(by_self, "The next shift takes over, not the one handing over.")
    assert taken.json()["state"] == "taken" and taken.json()["taken_over_by"] == assistant.pk
    refused(again, "This handover has already been taken over.")
    assert [
        h["id"]
        for h in client.get(reverse("handover-list"), {"day": "2026-11-24"}).json()["results"]
    ] == [handover.pk]


def test_the_supervisor_signs_the_days_ledger_once(api, client, here, supervisor):
    make_parcel(here)

    by_clerk = post(api, reverse("ledger-sign"), {"property": here.prop.pk, "day": "2026-11-24"})
    client.force_login(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    signed = post(
        client,
        reverse("ledger-sign"),
        {"property": here.prop.pk, "day": "2026-11-24", "note": "正常"},
    )
    twice = post(client, reverse("ledger-sign"), {"property": here.prop.pk, "day": "2026-11-24"})
    tomorrow = post(client, reverse("ledger-sign"), {"property": here.prop.pk, "day": "2026-11-25"})

    assert by_clerk.status_code == 403
    assert by_clerk.json()["detail"] == "Only a supervisor signs the daily ledger."
    assert signed.status_code == 201, signed.json()
    assert signed.json()["totals"]["parcels_registered"] == 1
    assert signed.json()["signed_by"] == supervisor.pk and signed.json()["note"] == "正常"
    refused(twice, "The ledger of 2026-11-24 is already signed.")
    refused(tomorrow, "A day that has not happened yet cannot be signed.")
    assert DailyLedger.objects.count() == 1
    listed = client.get(reverse("ledger-list"), {"day_from": "2026-11-01"}).json()["results"]
    assert [row["day"] for row in listed] == ["2026-11-24"]


# --- the back office -------------------------------------------------------------------------------


def test_the_admin_lists_the_desks_records_and_never_deletes_a_movement_or_handover(client, here):
    admin_user = User.objects.create_superuser("root", "root@example.com", "secret-pass-123")
    client.force_login(admin_user)
    key = make_key(here)
    movement = registers_services.key_hand_out(
        key=key, by=here.clerk, person="张师傅", signed_name="张"
    )
    handover = make_handover(here)
    for make in (make_visitor, make_message, make_parcel, make_lost, make_pass, make_decoration):
        make(here)
    make_ledger(here)

    for model in (
        "visitor",
        "phonemessage",
        "parcel",
        "keydeposit",
        "keymovement",
        "lostitem",
        "releasepass",
        "decorationapplication",
        "shifthandover",
        "dailyledger",
    ):
        page = client.get(reverse(f"admin:frontdesk_{model}_changelist"), {"q": "x"})
        assert page.status_code == 200, model
        assert client.get(reverse(f"admin:frontdesk_{model}_add")).status_code == 403, model
    filtered = client.get(
        reverse("admin:frontdesk_releasepass_changelist"),
        {"property__id__exact": here.prop.pk, "state__exact": "requested"},
    )
    assert filtered.context["cl"].result_count == 1

    for obj, model in ((movement, "keymovement"), (handover, "shifthandover")):
        shown = client.get(reverse(f"admin:frontdesk_{model}_change", args=[obj.pk]))
        deleted = client.post(
            reverse(f"admin:frontdesk_{model}_delete", args=[obj.pk]), {"post": "yes"}
        )
        changed = client.post(reverse(f"admin:frontdesk_{model}_change", args=[obj.pk]), {})
        assert shown.status_code == 200
        assert deleted.status_code == 403
        assert changed.status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()
    key_page = client.get(reverse("admin:frontdesk_keydeposit_change", args=[key.pk]))
    assert "张师傅" in key_page.content.decode()  # the movement, shown read-only
    assert 'name="movements-0-person"' not in key_page.content.decode()
