"""The desk's day pages: visitors, phone messages, parcels, keys, lost and found. Each action
changes what it says, bad input changes nothing and says why (400), another property's rows
are not found (404), and each page runs the same queries for one row or several."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontdesk.desk import registers_services
from frontdesk.desk.models import KeyDeposit, KeyMovement, LostItem, Parcel, PhoneMessage, Visitor
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory
from tests.helpers import text
from tests.tickets.test_engineer_pages import signature_data_url

# 10:00 in Shanghai on a Tuesday.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("media")


def row(page: str, needle: str) -> str:
    """The table row that mentions `needle`."""
    return next(r for r in page.split("<tr")[1:] if needle in r)


def between(page: str, start: str, end: str) -> str:
    """The part of the page from one section's id to the next one's."""
    return page.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def english(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def browser(clerk_client):
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return clerk_client


@pytest.fixture
def unit(sunshine):
    return UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


@pytest.fixture
def far_clerk(elsewhere):
    return staff_at(elsewhere, "clerk", username="farclerk")


@pytest.fixture
def far_unit(elsewhere):
    return UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="901")


def page_url(name, prop):
    return f"{reverse(name)}?property={prop.pk}"


# --- who gets in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["desk_visitors", "desk_messages", "desk_parcels", "desk_keys", "desk_lost"]
)
def test_the_day_pages_are_the_desks(client, engineer, name):
    english(client, engineer)

    assert client.get(reverse(name)).status_code == 403


def test_a_clerk_of_two_properties_chooses_which_desk(client, sunshine, elsewhere, clerk):
    from tests.factories import MembershipFactory

    MembershipFactory(user=clerk, property=elsewhere, role="clerk")
    english(client, clerk)
    found(elsewhere, clerk, description="翠湖的伞")
    found(sunshine, clerk, description="阳光的伞")

    there = text(client.get(page_url("desk_lost", elsewhere)))
    here = text(client.get(page_url("desk_lost", sunshine)))
    response = client.post(
        page_url("desk_lost_new", elsewhere),
        {"description": "钥匙扣", "found_where": "大堂", "stored_where": "前台柜"},
    )

    assert f'<option value="{elsewhere.pk}" selected>' in there
    assert "翠湖的伞" in there and "阳光的伞" not in there
    assert "阳光的伞" in here and "翠湖的伞" not in here
    assert response.url == page_url("desk_lost", elsewhere)
    assert LostItem.objects.get(description="钥匙扣").property == elsewhere


# --- visitors -------------------------------------------------------------------------------------


def walk_in(sunshine, clerk, unit, name="周访客", **fields):
    return registers_services.visitor_register(
        property=sunshine, by=clerk, name=name, purpose="送文件", unit=unit, **fields
    )


def test_the_visitor_page_shows_today_expected_inside_and_left(
    browser, sunshine, clerk, unit, lin, far_clerk, far_unit, elsewhere
):
    with at(NOW - timedelta(days=1)):
        gone_yesterday = walk_in(sunshine, clerk, unit, name="昨日客")
        registers_services.visitor_leave(visitor=gone_yesterday, by=clerk)
        overnight = walk_in(sunshine, clerk, unit, name="过夜客")
    with at(NOW):
        registers_services.visitor_announce(
            resident=lin,
            unit=unit,
            name="林母",
            expected_on=NOW.date(),
            purpose="探亲",
            by=lin.user or clerk,
        )
        inside = walk_in(sunshine, clerk, unit, name="维修工", id_type="id_card", id_last4="123x")
        left = walk_in(sunshine, clerk, unit, name="快递员")
        registers_services.visitor_leave(visitor=left, by=clerk)
        registers_services.visitor_register(
            property=elsewhere, by=far_clerk, name="外人访客", purpose="x", unit=far_unit
        )
        page = text(browser.get(reverse("desk_visitors")))

    expected = between(page, "expected", "inside")
    in_building = between(page, "inside", "left")
    left_today = between(page, "left", "register")
    assert "林母" in expected and "探亲" in expected and "林晓峰" in expected
    assert reverse("desk_visitor_arrive", args=[Visitor.objects.get(name="林母").pk]) in expected
    assert "维修工" in in_building and "过夜客" in in_building and "···123X" in in_building
    assert reverse("desk_visitor_leave", args=[inside.pk]) in in_building
    assert reverse("desk_visitor_leave", args=[overnight.pk]) in in_building
    assert "快递员" in left_today and "昨日客" not in page
    assert "外人访客" not in page
    assert "Only the last four characters of the visitor's document are kept" in page
    assert "1-1203" in page  # the unit select


def test_a_walk_in_visitor_is_registered_as_arrived(browser, sunshine, clerk, unit):
    response = browser.post(
        page_url("desk_visitor_new", sunshine),
        {
            "name": "周访客",
            "phone": "13900001111",
            "unit": unit.pk,
            "purpose": "送文件",
            "id_type": "passport",
            "id_last4": "ab12",
        },
    )

    visitor = Visitor.objects.get()
    assert response.status_code == 302
    assert response.url == page_url("desk_visitors", sunshine)
    assert (visitor.name, visitor.unit, visitor.id_type, visitor.id_last4) == (
        "周访客",
        unit,
        "passport",
        "AB12",
    )
    assert visitor.arrived_at is not None and visitor.registered_by == clerk
    page = text(browser.get(response.url))
    assert "周访客 is registered as arrived." in page
    assert "周访客" in between(page, "inside", "left")


def test_a_visitor_for_a_company_needs_no_unit(browser, sunshine):
    browser.post(
        page_url("desk_visitor_new", sunshine),
        {"name": "钱律师", "visiting": "3楼 律师事务所", "purpose": "开会"},
    )

    assert Visitor.objects.get().visiting == "3楼 律师事务所"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"id_type": "id_card", "id_last4": "12345"},
            "Only the last four characters of the document, letters or digits.",
        ),
        ({"id_last4": "1234"}, "Choose the kind of document."),
        ({"unit": ""}, "Say whom the visitor is visiting: a unit or a company."),
    ],
)
def test_a_walk_in_with_bad_input_is_refused_and_nothing_saved(
    browser, sunshine, unit, fields, message
):
    data = {"name": "周访客", "unit": unit.pk, "purpose": "送文件", **fields}

    response = browser.post(page_url("desk_visitor_new", sunshine), data)

    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "Not saved: correct the form below." in page
    assert 'value="周访客"' in page  # what was typed is kept
    assert Visitor.objects.count() == 0


def test_an_announced_visitor_arrives_with_the_last_four_of_a_document(
    browser, sunshine, clerk, unit, lin
):
    visitor = registers_services.visitor_announce(
        resident=lin,
        unit=unit,
        name="林母",
        expected_on=timezone.localdate(),
        purpose="探亲",
        by=clerk,
    )

    response = browser.post(
        reverse("desk_visitor_arrive", args=[visitor.pk]),
        {"id_type": "id_card", "id_last4": "0012"},
    )

    visitor.refresh_from_db()
    assert response.status_code == 302
    assert visitor.arrived_at is not None and visitor.id_last4 == "0012"
    assert visitor.registered_by == clerk
    page = text(browser.get(response.url))
    assert "林母 has arrived." in page
    assert "林母" in between(page, "inside", "left")
    assert "林母" not in between(page, "expected", "inside")


def test_an_arrival_with_five_characters_is_refused(browser, clerk, unit, lin):
    visitor = registers_services.visitor_announce(
        resident=lin,
        unit=unit,
        name="林母",
        expected_on=timezone.localdate(),
        purpose="探亲",
        by=clerk,
    )

    response = browser.post(
        reverse("desk_visitor_arrive", args=[visitor.pk]),
        {"id_type": "id_card", "id_last4": "00123"},
    )

    visitor.refresh_from_db()
    assert response.status_code == 400
    assert "Only the last four characters of the document, letters or digits." in text(response)
    assert visitor.arrived_at is None and visitor.id_last4 == ""


def test_arriving_twice_is_refused(browser, clerk, unit, lin):
    visitor = registers_services.visitor_announce(
        resident=lin,
        unit=unit,
        name="林母",
        expected_on=timezone.localdate(),
        purpose="探亲",
        by=clerk,
    )
    url = reverse("desk_visitor_arrive", args=[visitor.pk])
    browser.post(url, {})
    first = Visitor.objects.get().arrived_at

    response = browser.post(url, {"id_type": "id_card", "id_last4": "9999"})

    assert response.status_code == 400
    assert "林母 has already arrived." in text(response)
    visitor.refresh_from_db()
    assert visitor.arrived_at == first and visitor.id_last4 == ""


def test_a_visitor_leaves(browser, sunshine, clerk, unit):
    visitor = walk_in(sunshine, clerk, unit)

    response = browser.post(reverse("desk_visitor_leave", args=[visitor.pk]))

    visitor.refresh_from_db()
    assert response.status_code == 302 and visitor.left_at is not None
    page = text(browser.get(response.url))
    assert "周访客 has left." in page
    assert "周访客" in between(page, "left", "register")


def test_a_visitor_who_never_arrived_cannot_leave(browser, clerk, unit, lin):
    visitor = registers_services.visitor_announce(
        resident=lin,
        unit=unit,
        name="林母",
        expected_on=timezone.localdate(),
        purpose="探亲",
        by=clerk,
    )

    response = browser.post(reverse("desk_visitor_leave", args=[visitor.pk]))

    assert response.status_code == 400
    assert "林母 is not in the building: nothing to sign out." in text(response)
    visitor.refresh_from_db()
    assert visitor.left_at is None and visitor.arrived_at is None


def test_another_propertys_visitor_is_not_found(browser, elsewhere, far_clerk, far_unit):
    visitor = registers_services.visitor_register(
        property=elsewhere, by=far_clerk, name="外人访客", purpose="x", unit=far_unit
    )

    arrive = browser.post(reverse("desk_visitor_arrive", args=[visitor.pk]), {})
    leave = browser.post(reverse("desk_visitor_leave", args=[visitor.pk]))

    assert (arrive.status_code, leave.status_code) == (404, 404)
    visitor.refresh_from_db()
    assert visitor.left_at is None


def test_a_visitor_walks_in_only_at_the_desks_own_property(browser, elsewhere, far_unit):
    """?property= of a property the clerk does not work at falls back to their own; a unit
    of the other property is not among the choices."""
    response = browser.post(
        page_url("desk_visitor_new", elsewhere),
        {"name": "周访客", "unit": far_unit.pk, "purpose": "送文件"},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    assert Visitor.objects.count() == 0


def test_the_visitor_page_runs_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk, unit, lin
):
    def some(n):
        for i in range(n):
            registers_services.visitor_announce(
                resident=lin,
                unit=unit,
                name=f"客{i}",
                expected_on=timezone.localdate(),
                purpose="探亲",
                by=clerk,
            )
            walk_in(sunshine, clerk, UnitFactory(building=unit.building), name=f"进{i}")
            registers_services.visitor_leave(
                visitor=walk_in(sunshine, clerk, unit, name=f"走{i}"), by=clerk
            )

    some(1)
    with CaptureQueriesContext(connection) as one:
        browser.get(reverse("desk_visitors"))
    some(4)

    with django_assert_num_queries(len(one.captured_queries)):
        page = text(browser.get(reverse("desk_visitors")))

    assert page.count(">走") >= 5


# --- phone messages ---------------------------------------------------------------------------------


@pytest.fixture
def engineer_browser(client, engineer):
    return english(client, engineer)


def take(sunshine, clerk, **recipient):
    return registers_services.message_take(
        property=sunshine,
        by=clerk,
        caller_name="物业公司王经理",
        caller_phone="13900002222",
        text="请回电确认明天停水时间",
        **recipient,
    )


def test_the_message_form_offers_residents_staff_and_departments(
    browser, lin, engineer, engineering
):
    page = text(browser.get(reverse("desk_messages")))

    assert f'value="r{lin.pk}"' in page and "林晓峰 · 1-1203" in page
    assert f'value="u{engineer.pk}"' in page and "陈师傅" in page
    assert f'value="d{engineering.pk}"' in page and "工程部" in page


@pytest.mark.parametrize("who", ["resident", "staff", "department"])
def test_a_message_is_taken_for_one_recipient(
    browser, sunshine, clerk, lin, engineer, engineering, who
):
    key, field, target = {
        "resident": (f"r{lin.pk}", "for_resident", lin),
        "staff": (f"u{engineer.pk}", "for_user", engineer),
        "department": (f"d{engineering.pk}", "for_department", engineering),
    }[who]

    response = browser.post(
        page_url("desk_message_new", sunshine),
        {
            "caller_name": "王经理",
            "caller_phone": "13900002222",
            "recipient": key,
            "text": "请回电",
        },
    )

    message = PhoneMessage.objects.get()
    assert response.status_code == 302
    assert getattr(message, field) == target
    assert (message.caller_name, message.text, message.taken_by) == ("王经理", "请回电", clerk)
    page = text(browser.get(response.url))
    assert "Message taken: the recipient is told." in page
    unread = between(page, "unread", "</section")
    assert reverse("desk_message", args=[message.pk]) in unread and "请回电" in unread


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"recipient": ""}, "Choose whom the message is for."),
        ({"recipient": "r999999"}, "Select a valid choice."),
        ({"text": ""}, "This field is required."),
    ],
)
def test_a_message_with_bad_input_is_refused(browser, sunshine, lin, fields, message):
    data = {"caller_name": "王经理", "recipient": f"r{lin.pk}", "text": "请回电", **fields}

    response = browser.post(page_url("desk_message_new", sunshine), data)

    assert response.status_code == 400
    assert message in text(response)
    assert PhoneMessage.objects.count() == 0


def test_a_resident_of_another_property_is_not_offered(browser, sunshine, foreign_resident):
    response = browser.post(
        page_url("desk_message_new", sunshine),
        {"caller_name": "王经理", "recipient": f"r{foreign_resident.pk}", "text": "请回电"},
    )

    assert response.status_code == 400
    assert "外人" not in text(browser.get(reverse("desk_messages")))
    assert PhoneMessage.objects.count() == 0


def test_the_recipient_reads_the_message_and_marks_it_read(
    engineer_browser, sunshine, clerk, engineer
):
    message = take(sunshine, clerk, for_user=engineer)

    page = text(engineer_browser.get(reverse("desk_message", args=[message.pk])))
    response = engineer_browser.post(reverse("desk_message_read", args=[message.pk]))

    assert "请回电确认明天停水时间" in page and "13900002222" in page and "Mark read" in page
    message.refresh_from_db()
    assert response.status_code == 302
    assert message.read_by == engineer and message.read_at is not None
    after = text(engineer_browser.get(response.url))
    assert "Marked read." in after and "Mark read</button>" not in after


def test_marking_read_twice_is_refused(engineer_browser, sunshine, clerk, engineer):
    message = take(sunshine, clerk, for_user=engineer)
    engineer_browser.post(reverse("desk_message_read", args=[message.pk]))
    first = PhoneMessage.objects.get().read_at

    response = engineer_browser.post(reverse("desk_message_read", args=[message.pk]))

    assert response.status_code == 400
    assert "This message has already been read." in text(response)
    assert PhoneMessage.objects.get().read_at == first


def test_the_desk_sees_a_staff_message_but_only_its_recipient_marks_it_read(
    browser, sunshine, clerk, engineer
):
    message = take(sunshine, clerk, for_user=engineer)

    page = text(browser.get(reverse("desk_message", args=[message.pk])))
    response = browser.post(reverse("desk_message_read", args=[message.pk]))

    assert "请回电确认明天停水时间" in page and "Mark read</button>" not in page
    assert response.status_code == 400
    assert "Only the person the message is for can mark it read." in text(response)
    assert PhoneMessage.objects.get().read_at is None


def test_the_desk_marks_a_residents_message_read_once_passed_on(browser, sunshine, clerk, lin):
    message = take(sunshine, clerk, for_resident=lin)

    browser.post(reverse("desk_message_read", args=[message.pk]))

    assert PhoneMessage.objects.get().read_by == clerk


def test_my_messages_are_mine_and_my_departments_unread_first(
    engineer_browser, sunshine, clerk, engineer, engineering, lin, supervisor
):
    with at(NOW - timedelta(hours=3)):
        read = take(sunshine, clerk, for_user=engineer)
        registers_services.message_mark_read(message=read, by=engineer)
    with at(NOW - timedelta(hours=2)):
        older = take(sunshine, clerk, for_department=engineering)
    with at(NOW - timedelta(hours=1)):
        newer = take(sunshine, clerk, for_user=engineer)
        not_mine = [
            take(sunshine, clerk, for_resident=lin),
            take(sunshine, clerk, for_user=supervisor),
        ]

    page = text(engineer_browser.get(reverse("my_messages")))

    links = [int(pk) for pk in re.findall(r'href="/desk/messages/(\d+)/"', page)]
    assert links == [newer.pk, older.pk, read.pk]
    assert not set(links) & {m.pk for m in not_mine}


def test_someone_the_message_is_not_for_does_not_find_it(engineer_browser, sunshine, clerk, lin):
    message = take(sunshine, clerk, for_resident=lin)

    assert engineer_browser.get(reverse("desk_message", args=[message.pk])).status_code == 404
    assert engineer_browser.post(reverse("desk_message_read", args=[message.pk])).status_code == 404
    assert PhoneMessage.objects.get().read_at is None


def test_another_propertys_message_is_not_found(browser, elsewhere, far_clerk, foreign_resident):
    message = take(elsewhere, far_clerk, for_resident=foreign_resident)

    assert browser.get(reverse("desk_message", args=[message.pk])).status_code == 404
    assert browser.post(reverse("desk_message_read", args=[message.pk])).status_code == 404
    assert "请回电" not in text(browser.get(reverse("desk_messages")))
    assert PhoneMessage.objects.get().read_at is None


def test_the_supervisor_sees_messages_unread_too_long(
    client, browser, sunshine, clerk, supervisor, lin
):
    sunshine.message_read_minutes = 120
    sunshine.save()
    with at(NOW):
        message = take(sunshine, clerk, for_resident=lin)
    english(client, supervisor)
    boss = client

    with at(NOW + timedelta(minutes=119)):
        early = text(boss.get(reverse("desk_messages")))
    with at(NOW + timedelta(minutes=121)):
        late = text(boss.get(reverse("desk_messages")))

    link = reverse("desk_message", args=[message.pk])
    assert "Unread longer than 120 minutes" in early
    assert link not in between(early, "overdue", "unread")
    assert link in between(late, "overdue", "unread")


def test_the_clerk_has_no_unread_too_long_section(browser, sunshine, clerk, lin):
    with at(NOW):
        take(sunshine, clerk, for_resident=lin)
    with at(NOW + timedelta(hours=5)):
        page = text(browser.get(reverse("desk_messages")))

    assert "Unread longer than" not in page and 'id="overdue"' not in page


def test_the_message_pages_run_the_same_queries_for_one_or_several(
    django_assert_num_queries, client, sunshine, clerk, supervisor, engineer, engineering, lin
):
    english(client, supervisor)

    def some():
        take(sunshine, clerk, for_resident=ResidentFactory(property=sunshine))
        take(sunshine, clerk, for_user=engineer)
        take(sunshine, clerk, for_department=engineering)

    with at(NOW):
        some()
    with at(NOW + timedelta(hours=3)), CaptureQueriesContext(connection) as one:
        client.get(reverse("desk_messages"))
    with at(NOW):
        some(), some(), some()
    with at(NOW + timedelta(hours=3)), django_assert_num_queries(len(one.captured_queries)):
        page = text(client.get(reverse("desk_messages")))
    assert between(page, "overdue", "unread").count("请回电") == 12

    client.force_login(engineer)
    with CaptureQueriesContext(connection) as mine:
        client.get(reverse("my_messages"))
    take(sunshine, clerk, for_user=engineer)
    take(sunshine, clerk, for_department=engineering)
    with django_assert_num_queries(len(mine.captured_queries)):
        client.get(reverse("my_messages"))


# --- parcels ---------------------------------------------------------------------------------------


def parcel(sunshine, clerk, unit, **fields):
    defaults = {"carrier": "顺丰速运", "shelf": "A3", "tracking_number": "SF123"}
    defaults.update(fields)
    return registers_services.parcel_register(property=sunshine, by=clerk, unit=unit, **defaults)


def test_a_parcel_is_registered_and_its_code_shown_once(browser, sunshine, clerk, unit, lin):
    response = browser.post(
        page_url("desk_parcel_new", sunshine),
        {
            "unit": unit.pk,
            "carrier": "京东物流",
            "tracking_number": "JD0001",
            "recipient_name": "林晓峰",
            "shelf": "B2",
        },
    )

    registered = Parcel.objects.get()
    assert response.status_code == 302
    assert (registered.unit, registered.carrier, registered.shelf) == (unit, "京东物流", "B2")
    assert (registered.registered_by, registered.collected_at) == (clerk, None)
    shown = text(browser.get(response.url))
    again = text(browser.get(response.url))
    assert f"Pickup code: {registered.pickup_code}" in shown
    assert registered.pickup_code not in again
    assert "JD0001" in between(again, "waiting", "register")


def test_a_parcel_without_a_shelf_is_refused(browser, sunshine, unit):
    response = browser.post(
        page_url("desk_parcel_new", sunshine), {"unit": unit.pk, "carrier": "京东物流"}
    )

    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert Parcel.objects.count() == 0


def test_waiting_parcels_oldest_first_with_days_and_reminder_due(browser, sunshine, clerk, unit):
    sunshine.parcel_reminder_days = 3
    sunshine.save()
    with at(NOW - timedelta(days=4)):
        old = parcel(sunshine, clerk, unit, tracking_number="OLD-1")
    with at(NOW - timedelta(days=1)):
        recent = parcel(sunshine, clerk, unit, tracking_number="NEW-1")
    with at(NOW - timedelta(days=1)):
        gone = parcel(sunshine, clerk, unit, tracking_number="GONE-1")
        registers_services.parcel_hand_over(
            parcel=gone, by=clerk, collected_by_name="林", code=gone.pickup_code
        )

    with at(NOW):
        page = text(browser.get(reverse("desk_parcels")))

    waiting = between(page, "waiting", "register")
    rows = waiting.split("<tr")
    old_row = next(r for r in rows if "OLD-1" in r)
    recent_row = next(r for r in rows if "NEW-1" in r)
    assert waiting.index("OLD-1") < waiting.index("NEW-1")
    assert "GONE-1" not in waiting
    assert "<td>4 <span" in old_row and "reminder due" in old_row
    assert "<td>1</td>" in recent_row and "reminder due" not in recent_row
    assert old.pickup_code not in page and recent.pickup_code not in page


def test_a_parcel_is_handed_over_against_its_code(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": item.pickup_code},
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.collected_by_name, item.collected_with, item.handed_over_by) == (
        "林晓峰",
        "code",
        clerk,
    )
    page = text(browser.get(response.url))
    assert "Parcel handed over to 林晓峰." in page
    assert "SF123" in between(page, "collected", "</section")
    assert "SF123" not in between(page, "waiting", "register")


def test_a_parcel_is_handed_over_against_a_signature(browser, sunshine, clerk, unit, media):
    item = parcel(sunshine, clerk, unit)
    panel = text(browser.get(f"{reverse('desk_parcels')}?hand_over={item.pk}"))

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林母", "signature": signature_data_url()},
    )

    assert 'data-signature="signature"' in panel
    assert reverse("desk_parcel_hand_over", args=[item.pk]) in panel
    item.refresh_from_db()
    assert response.status_code == 302
    assert item.collected_with == "signature" and item.signature.name.endswith(".png")
    image = browser.get(reverse("desk_parcel_signature", args=[item.pk]))
    assert image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    page = text(browser.get(response.url))
    assert reverse("desk_parcel_signature", args=[item.pk]) in page


def test_a_wrong_pickup_code_hands_nothing_over(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)
    wrong = "000000" if item.pickup_code != "000000" else "111111"

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": wrong},
    )

    assert response.status_code == 400
    page = text(response)
    assert "The pickup code does not match." in page
    assert 'value="林晓峰"' in page  # the panel is there to try again
    item.refresh_from_db()
    assert item.collected_at is None and item.collected_by_name == ""


def test_a_code_typed_in_full_width_digits_is_read_as_digits(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in item.pickup_code)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": full_width},
    )

    assert response.status_code == 302
    assert Parcel.objects.get().collected_with == "code"


def test_a_code_that_is_not_digits_is_refused(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": "一二三四五六"},
    )

    assert response.status_code == 400
    assert "The pickup code is six digits." in text(response)
    assert Parcel.objects.get().collected_at is None


def test_neither_code_nor_signature_hands_nothing_over(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]), {"collected_by_name": "林晓峰"}
    )

    assert response.status_code == 400
    assert "Ask for the pickup code or a signature." in text(response)
    assert Parcel.objects.get().collected_at is None


def test_handing_a_parcel_over_twice_is_refused(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)
    url = reverse("desk_parcel_hand_over", args=[item.pk])
    browser.post(url, {"collected_by_name": "林晓峰", "code": item.pickup_code})
    first = Parcel.objects.get()

    response = browser.post(url, {"collected_by_name": "冒领人", "code": item.pickup_code})

    assert response.status_code == 400
    assert "This parcel was already handed over" in text(response)
    assert "to 林晓峰." in text(response)
    again = Parcel.objects.get()
    assert (again.collected_at, again.collected_by_name) == (first.collected_at, "林晓峰")


def test_another_propertys_parcel_is_not_found(browser, elsewhere, far_clerk, far_unit):
    item = parcel(elsewhere, far_clerk, far_unit, tracking_number="FAR-1")

    post = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "冒领人", "code": item.pickup_code},
    )
    signature = browser.get(reverse("desk_parcel_signature", args=[item.pk]))
    panel = text(browser.get(f"{reverse('desk_parcels')}?hand_over={item.pk}"))

    assert (post.status_code, signature.status_code) == (404, 404)
    assert "FAR-1" not in panel
    assert Parcel.objects.get().collected_at is None


def test_the_parcel_page_runs_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk, unit
):
    def some(n):
        for _ in range(n):
            waiting = parcel(sunshine, clerk, UnitFactory(building=unit.building))
            done = parcel(sunshine, clerk, unit)
            registers_services.parcel_hand_over(
                parcel=done, by=clerk, collected_by_name="林", code=done.pickup_code
            )
        return waiting

    first = some(1)
    url = f"{reverse('desk_parcels')}?hand_over={first.pk}"
    with CaptureQueriesContext(connection) as one:
        browser.get(url)
    some(5)

    with django_assert_num_queries(len(one.captured_queries)):
        response = browser.get(url)

    assert len(response.context["waiting"]) == 6 and len(response.context["collected"]) == 6


# --- keys ------------------------------------------------------------------------------------------


def deposit(sunshine, clerk, unit, label="K-01"):
    return registers_services.key_deposit(
        property=sunshine,
        by=clerk,
        unit=unit,
        label=label,
        description="入户门钥匙 2 把",
        deposited_by="林晓峰",
        authorised="林母 13900003333",
    )


def move(signed="林母"):
    return {"person": "林母", "signed_name": signed, "signature": signature_data_url()}


def test_a_key_is_deposited_and_shown_in(browser, sunshine, clerk, unit):
    response = browser.post(
        page_url("desk_key_new", sunshine),
        {
            "unit": unit.pk,
            "label": "K-07",
            "description": "入户门钥匙 2 把",
            "deposited_by": "林晓峰",
            "authorised": "林母 13900003333",
        },
    )

    key = KeyDeposit.objects.get()
    assert response.status_code == 302
    assert (key.label, key.unit, key.is_out) == ("K-07", unit, False)
    page = text(browser.get(response.url))
    assert "Key K-07 is in custody." in page
    shown = row(page, "K-07")
    assert ">IN<" in shown and ">OUT<" not in shown and "林母 13900003333" in shown


def test_a_tag_already_on_another_key_is_refused(browser, sunshine, clerk, unit):
    deposit(sunshine, clerk, unit, label="K-07")

    response = browser.post(
        page_url("desk_key_new", sunshine),
        {
            "unit": unit.pk,
            "label": "K-07",
            "description": "车库钥匙",
            "deposited_by": "林晓峰",
            "authorised": "林母",
        },
    )

    assert response.status_code == 400
    assert "Tag K-07 is already on another key." in text(response)
    assert KeyDeposit.objects.count() == 1


def test_a_key_is_handed_out_with_a_signature_and_shown_out(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)
    form = text(browser.get(reverse("desk_key", args=[key.pk])))

    response = browser.post(reverse("desk_key_hand_out", args=[key.pk]), move())

    assert (
        reverse("desk_key_hand_out", args=[key.pk]) in form and 'data-signature="signature"' in form
    )
    key.refresh_from_db()
    movement = KeyMovement.objects.get()
    assert response.status_code == 302 and response.url == reverse("desk_key", args=[key.pk])
    assert key.is_out
    assert (movement.kind, movement.person, movement.signed_name, movement.by) == (
        "out",
        "林母",
        "林母",
        clerk,
    )
    assert movement.signature.name.endswith(".png")
    detail = text(browser.get(response.url))
    assert "Key K-01 handed out." in detail
    assert reverse("desk_key_signature", args=[key.pk, movement.pk]) in detail
    assert reverse("desk_key_return", args=[key.pk]) in detail
    assert reverse("desk_key_hand_out", args=[key.pk]) not in detail
    listing = text(browser.get(reverse("desk_keys")))
    shown = row(listing, "K-01")
    assert ">OUT<" in shown and ">IN<" not in shown and "with 林母" in shown
    image = browser.get(reverse("desk_key_signature", args=[key.pk, movement.pk]))
    assert image["Content-Type"] == "image/png"


def test_a_key_comes_back(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)
    registers_services.key_hand_out(key=key, by=clerk, person="林母", signed_name="林母")

    response = browser.post(reverse("desk_key_return", args=[key.pk]), move())

    key.refresh_from_db()
    assert response.status_code == 302 and not key.is_out
    assert list(KeyMovement.objects.values_list("kind", flat=True)) == ["out", "in"]
    page = text(browser.get(response.url))
    assert "Key K-01 is back." in page and reverse("desk_key_hand_out", args=[key.pk]) in page


def test_handing_a_key_out_twice_is_refused(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)
    browser.post(reverse("desk_key_hand_out", args=[key.pk]), move())

    response = browser.post(reverse("desk_key_hand_out", args=[key.pk]), move("冒领人"))

    assert response.status_code == 400
    page = text(response)
    assert "Key K-01 is already out." in page
    assert ">OUT<" in page and ">IN<" not in page
    assert KeyMovement.objects.count() == 1 and KeyDeposit.objects.get().is_out


def test_returning_a_key_that_is_not_out_is_refused(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)

    response = browser.post(reverse("desk_key_return", args=[key.pk]), move())

    assert response.status_code == 400
    assert "Key K-01 is not out: it cannot be returned." in text(response)
    assert KeyMovement.objects.count() == 0 and not KeyDeposit.objects.get().is_out


@pytest.mark.parametrize(
    ("signature", "message"),
    [("", "Draw the signature."), ("data:image/png;base64,!!", "The signature could not be read.")],
)
def test_a_key_is_not_handed_out_without_a_signature(
    browser, sunshine, clerk, unit, signature, message
):
    key = deposit(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_key_hand_out", args=[key.pk]),
        {"person": "林母", "signed_name": "林母", "signature": signature},
    )

    assert response.status_code == 400
    assert message in text(response)
    assert KeyMovement.objects.count() == 0 and not KeyDeposit.objects.get().is_out


def test_another_propertys_key_is_not_found(browser, elsewhere, far_clerk, far_unit):
    key = deposit(elsewhere, far_clerk, far_unit, label="FAR-K")
    movement = registers_services.key_hand_out(
        key=key, by=far_clerk, person="外人", signed_name="外人"
    )

    assert browser.get(reverse("desk_key", args=[key.pk])).status_code == 404
    assert browser.post(reverse("desk_key_return", args=[key.pk]), move()).status_code == 404
    assert browser.post(reverse("desk_key_hand_out", args=[key.pk]), move()).status_code == 404
    signature = browser.get(reverse("desk_key_signature", args=[key.pk, movement.pk]))
    assert signature.status_code == 404
    assert "FAR-K" not in text(browser.get(reverse("desk_keys")))
    assert KeyMovement.objects.count() == 1 and KeyDeposit.objects.get().is_out


def test_the_key_pages_run_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk, unit
):
    key = deposit(sunshine, clerk, unit)

    def turn(n):
        for i in range(n):
            registers_services.key_hand_out(
                key=key, by=clerk, person=f"人{i}", signed_name=f"人{i}"
            )
            registers_services.key_return(key=key, by=clerk, person=f"人{i}", signed_name=f"人{i}")
            registers_services.key_hand_out(
                key=deposit(sunshine, clerk, unit, label=f"T-{KeyDeposit.objects.count()}"),
                by=clerk,
                person="林母",
                signed_name="林母",
            )

    turn(1)
    with CaptureQueriesContext(connection) as list_one:
        browser.get(reverse("desk_keys"))
    with CaptureQueriesContext(connection) as detail_one:
        browser.get(reverse("desk_key", args=[key.pk]))
    turn(4)

    with django_assert_num_queries(len(list_one.captured_queries)):
        listing = browser.get(reverse("desk_keys"))
    with django_assert_num_queries(len(detail_one.captured_queries)):
        detail = browser.get(reverse("desk_key", args=[key.pk]))

    assert len(listing.context["keys"]) == 6
    assert len(detail.context["movements"]) == 10


# --- lost and found -----------------------------------------------------------------------------------


def found(prop, by, description="黑色雨伞"):
    return registers_services.lost_item_register(
        property=prop,
        by=by,
        description=description,
        found_where="2号楼大堂",
        found_by="保洁",
        stored_where="前台柜 2",
    )


def test_a_found_item_is_registered(browser, sunshine, clerk):
    response = browser.post(
        page_url("desk_lost_new", sunshine),
        {
            "description": "蓝色钱包",
            "found_where": "地下车库",
            "found_by": "保安小李",
            "stored_where": "保险柜",
            "found_at": "2026-11-24T08:30",
        },
    )

    item = LostItem.objects.get()
    assert response.status_code == 302
    assert (item.description, item.stored_where, item.registered_by) == (
        "蓝色钱包",
        "保险柜",
        clerk,
    )
    # 08:30 typed at the desk is 08:30 in Shanghai.
    assert item.found_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    page = text(browser.get(response.url))
    assert "蓝色钱包" in between(page, "unclaimed", "register")
    assert reverse("desk_lost_claim", args=[item.pk]) in page


def test_a_found_item_needs_where_it_is_kept(browser, sunshine):
    response = browser.post(
        page_url("desk_lost_new", sunshine), {"description": "蓝色钱包", "found_where": "车库"}
    )

    assert response.status_code == 400
    assert "Not saved: correct the form below." in text(response)
    assert LostItem.objects.count() == 0


def test_an_item_is_claimed(browser, sunshine, clerk):
    item = found(sunshine, clerk)

    response = browser.post(
        reverse("desk_lost_claim", args=[item.pk]),
        {"claimed_by": "林晓峰", "claimant_id_last4": "567x"},
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.claimed_by, item.claimant_id_last4, item.handed_by) == ("林晓峰", "567X", clerk)
    page = text(browser.get(response.url))
    assert "黑色雨伞 handed to 林晓峰." in page
    assert "黑色雨伞" not in between(page, "unclaimed", "register")
    assert "林晓峰" in between(page, "claimed", "</section")


def test_claiming_twice_is_refused(browser, sunshine, clerk):
    item = found(sunshine, clerk)
    url = reverse("desk_lost_claim", args=[item.pk])
    browser.post(url, {"claimed_by": "林晓峰", "claimant_id_last4": "5678"})

    response = browser.post(url, {"claimed_by": "冒领人", "claimant_id_last4": "0000"})

    assert response.status_code == 400
    assert "This item has already been claimed." in text(response)
    item.refresh_from_db()
    assert (item.claimed_by, item.claimant_id_last4) == ("林晓峰", "5678")


@pytest.mark.parametrize(
    ("last4", "message"),
    [
        ("56789", "Only the last four characters of the document, letters or digits."),
        ("", "Write down the last four characters of the document the claimant shows."),
    ],
)
def test_a_claim_without_four_characters_is_refused(browser, sunshine, clerk, last4, message):
    item = found(sunshine, clerk)

    response = browser.post(
        reverse("desk_lost_claim", args=[item.pk]),
        {"claimed_by": "林晓峰", "claimant_id_last4": last4},
    )

    assert response.status_code == 400
    assert message in text(response)
    assert LostItem.objects.get().claimed_at is None


def test_another_propertys_item_is_not_found(browser, elsewhere, far_clerk):
    item = found(elsewhere, far_clerk, description="外人的包")

    response = browser.post(
        reverse("desk_lost_claim", args=[item.pk]),
        {"claimed_by": "冒领人", "claimant_id_last4": "0000"},
    )

    assert response.status_code == 404
    assert "外人的包" not in text(browser.get(reverse("desk_lost")))
    assert LostItem.objects.get().claimed_at is None


def test_the_lost_page_runs_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk
):
    def some(n):
        for i in range(n):
            found(sunshine, clerk, description=f"伞{i}")
            registers_services.lost_item_claim(
                item=found(sunshine, clerk, description=f"包{i}"), by=clerk, claimed_by="林"
            )

    some(1)
    with CaptureQueriesContext(connection) as one:
        browser.get(reverse("desk_lost"))
    some(4)

    with django_assert_num_queries(len(one.captured_queries)):
        response = browser.get(reverse("desk_lost"))

    assert len(response.context["items"]) == 5 and len(response.context["claimed"]) == 5
