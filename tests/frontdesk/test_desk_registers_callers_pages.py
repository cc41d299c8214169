"""The desk's callers: who has the day pages, and the visitors and phone messages pages. Each
action changes what it says, bad input changes nothing and says why (400), another property's
rows are not found (404), and each page runs the same queries for one row or several."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontdesk.desk import registers_services
from frontdesk.desk.models import LostItem, PhoneMessage, Visitor
from tests.clock import at
from tests.factories import ResidentFactory, UnitFactory
from tests.frontdesk.conftest import between, english, found, page_url
from tests.helpers import text

# 10:00 in Shanghai on a Tuesday.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


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
