"""The desk's API for who comes and calls: visitors, announced or walk-in, and phone messages."""

from datetime import UTC, datetime

from django.urls import reverse

from frontdesk.desk import registers_services
from frontdesk.desk.models import PhoneMessage, Visitor
from frontdesk.models import Notification
from tests.clock import frozen_at
from tests.factories import DepartmentFactory
from tests.frontdesk.conftest import API_NOW, API_TODAY, detail, make_visitor, post, refused

frozen = frozen_at(API_NOW)


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
    assert visitor.arrived_at == API_NOW and visitor.registered_by == here.clerk

    left = post(api, detail("visitor", visitor, "leave"))
    again = post(api, detail("visitor", visitor, "leave"))

    assert left.json()["state"] == "left"
    visitor.refresh_from_db()
    assert visitor.left_at == API_NOW
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
        expected_on=API_TODAY,
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
        arrived_at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC), left_at=API_NOW
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
