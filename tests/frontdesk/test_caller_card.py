"""The caller card (/card/): whatever the clerk types (a phone fragment, a room, a name) opens
one page for the unit, with its people and everything open for it, in a fixed number of
queries; several units give a pick list; another property's unit is never shown."""

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import FeeNotice
from billing.payments import payment_take
from frontdesk.desk import caller_card, registers_services
from frontdesk.desk.models import KeyDeposit, Parcel, Visitor
from frontdesk.services import PhoneInput
from tests.clock import frozen_at
from tests.conftest import LIN_PHONE, staff_at
from tests.factories import (
    BuildingFactory,
    ResidentFactory,
    UnitFactory,
    complaint_received,
    repair_completed,
    repair_received,
)
from tests.helpers import browser
from tickets.models import Complaint, RepairOrder
from visits.models import Callback

D = Decimal
# Billing months, each used once (one monthly notice per unit and month): 2020-01, 2020-02...
PERIODS = (date(2020 + m // 12, m % 12 + 1, 1) for m in itertools.count())
T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 on the 24th in Shanghai


frozen = frozen_at(T)


@pytest.fixture
def desk_browser(clerk):
    return browser(clerk)


@pytest.fixture
def room(sunshine):
    return UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")


@pytest.fixture
def lin_fields(room):
    """He lives in 2-1503, is best called after seven, and his wife answers his mobile."""
    return {
        "unit": room,
        "best_time_to_call": "晚上七点后",
        "phones": [PhoneInput(number=LIN_PHONE, answered_by="林太太", relation="妻子")],
    }


@pytest.fixture
def wu(sunshine, room):
    """A tenant of the same unit who has moved out."""
    wu = ResidentFactory(
        property=sunshine,
        name="吴敏",
        kind="tenant",
        company="星海贸易",
        phones=["15000001111"],
        unit=room,
    )
    wu.moved_out_on = date(2026, 10, 31)
    wu.save(update_fields=["moved_out_on"])
    return wu


def notice(unit, total, period, number) -> FeeNotice:
    return FeeNotice.objects.create(
        property=unit.building.property,
        unit=unit,
        period=period,
        number=number,
        issued_at=datetime(period.year, period.month, 1, 1, 0, tzinfo=UTC),
        due_date=date(period.year, period.month, 20),
        total=D(total),
    )


def fill(unit, resident, clerk, engineer, *, tag: str, n: int = 1) -> dict:
    """Items of every kind for the unit, ``n`` of each shown on the card, and one of each
    that the card must leave out. Returns what the card should show."""
    prop = unit.building.property
    shown: dict = {
        k: []
        for k in ("repairs", "complaints", "callbacks", "parcels", "keys", "visitors", "messages")
    }
    for i in range(n):
        open_repair = repair_received(prop, by=clerk, resident=resident)
        done = repair_completed(prop, clerk=clerk, engineer=engineer, resident=resident)
        shown["repairs"] += [open_repair.pk, done.pk]
        shown["callbacks"].append(done.callbacks.get().pk)  # the 72-hour repair callback
        complaint = complaint_received(prop, by=clerk, resident=resident)  # its reply is due
        shown["complaints"].append(complaint.pk)
        shown["callbacks"].append(complaint.callbacks.get().pk)
        owed = notice(unit, "300.00", next(PERIODS), f"{tag}-N{i}")
        shown["callbacks"].append(
            Callback.objects.create(
                property=prop,
                kind=Callback.Kind.DUNNING,
                fee_notice=owed,
                created_at=T,
                due_at=T + timedelta(days=1 + i),
                next_try_at=T,
            ).pk
        )
        parcel = registers_services.parcel_register(
            property=prop, by=clerk, unit=unit, carrier="顺丰", shelf=f"A-{i}"
        )
        shown["parcels"].append(parcel.pk)
        kept = registers_services.key_deposit(
            property=prop,
            by=clerk,
            unit=unit,
            label=f"{tag}-K{i}",
            description="大门钥匙",
            deposited_by=resident.name,
            authorised="林太太",
        )
        lent = registers_services.key_deposit(
            property=prop,
            by=clerk,
            unit=unit,
            label=f"{tag}-L{i}",
            description="信箱钥匙",
            deposited_by=resident.name,
            authorised="装修师傅",
        )
        registers_services.key_hand_out(key=lent, by=clerk, person="装修师傅老张", signed_name="张")
        shown["keys"] += [kept.pk, lent.pk]
        walked_in = registers_services.visitor_register(
            property=prop, by=clerk, name=f"访客{i}", purpose="送货", unit=unit
        )
        announced = registers_services.visitor_announce(
            resident=resident,
            unit=unit,
            name=f"朋友{i}",
            expected_on=date(2026, 11, 24),
            purpose="",
            by=clerk,
        )
        shown["visitors"] += [walked_in.pk, announced.pk]
        message = registers_services.message_take(
            property=prop, by=clerk, caller_name="快递员", text="明天再送", for_resident=resident
        )
        shown["messages"].append(message.pk)

        # Left out: closed/cancelled repairs, archived complaints, done callbacks, collected
        # parcels, withdrawn keys, yesterday's visitors, read messages.
        cancelled = repair_received(prop, by=clerk, resident=resident)
        RepairOrder.objects.filter(pk=cancelled.pk).update(state=RepairOrder.State.CANCELLED)
        archived = complaint_received(prop, by=clerk, resident=resident)
        Complaint.objects.filter(pk=archived.pk).update(state=Complaint.State.ARCHIVED)
        archived.callbacks.update(status=Callback.Status.DONE)
        collected = registers_services.parcel_register(
            property=prop, by=clerk, unit=unit, carrier="京东", shelf="B"
        )
        registers_services.parcel_hand_over(
            parcel=collected, by=clerk, collected_by_name="林", code=collected.pickup_code
        )
        gone = registers_services.key_deposit(
            property=prop,
            by=clerk,
            unit=unit,
            label=f"{tag}-W{i}",
            description="旧钥匙",
            deposited_by=resident.name,
            authorised="-",
        )
        KeyDeposit.objects.filter(pk=gone.pk).update(withdrawn_at=T)
        yesterday = registers_services.visitor_register(
            property=prop, by=clerk, name="昨天的访客", purpose="看房", unit=unit
        )
        # 23:30 on the 23rd in Shanghai: yesterday at the desk, though the same UTC day.
        Visitor.objects.filter(pk=yesterday.pk).update(
            arrived_at=datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
        )
        read = registers_services.message_take(
            property=prop, by=clerk, caller_name="物业", text="已读", for_resident=resident
        )
        registers_services.message_mark_read(message=read, by=clerk)
    return shown


@pytest.fixture
def full_unit(sunshine, room, lin, wu, clerk, engineer):
    """2-1503 with items of every kind; 300.00 owed on one notice, 50.00 credit."""
    shown = fill(room, lin, clerk, engineer, tag="a")
    # Two days ago (Shanghai), the first parcel arrived.
    Parcel.objects.filter(pk=shown["parcels"][0]).update(
        received_at=datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 07:00 on the 22nd
    )
    paid = notice(room, "200.00", date(2026, 11, 1), "a-PAID")
    payment_take(
        unit=room,
        by=clerk,
        notices=[paid],
        method="cash",
        amount=D("250.00"),
        received=D("250.00"),
    )
    return shown


@pytest.fixture
def other_unit_items(sunshine, clerk, engineer):
    """Another unit of the same property, with its own items: none may show on 2-1503's card."""
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="0101")
    neighbour = ResidentFactory(property=sunshine, name="邻居", phones=["13900000000"], unit=unit)
    fill(unit, neighbour, clerk, engineer, tag="x")
    notice(unit, "999.00", date(2026, 11, 1), "x-OWED")
    return unit


def pks(rows):
    return [r.pk for r in rows]


def test_the_card_shows_every_kind_of_item_of_the_unit_and_nothing_else(
    clerk, room, lin, wu, full_unit, other_unit_items, django_assert_num_queries
):
    unit = caller_card.card_unit(clerk, room.pk)

    with django_assert_num_queries(12):
        card = caller_card.unit_card(clerk, unit)

    assert [r.name for r in card.people] == ["林晓峰", "吴敏"]  # moved out last
    assert card.people[1].moved_out_on == date(2026, 10, 31)
    assert sorted(pks(card.repairs)) == sorted(full_unit["repairs"])
    assert pks(card.complaints) == full_unit["complaints"]
    assert sorted(pks(card.callbacks)) == sorted(full_unit["callbacks"])
    assert card.owed == D("300.00")
    assert card.credit == D("50.00")
    assert pks(card.parcels) == full_unit["parcels"]
    assert card.parcels[0].days_waiting == 2
    assert sorted(pks(card.keys)) == sorted(full_unit["keys"])
    assert [(k.label, k.is_out, k.out_with) for k in card.keys] == [
        ("a-K0", False, None),
        ("a-L0", True, "装修师傅老张"),
    ]
    assert sorted(pks(card.visitors)) == sorted(full_unit["visitors"])
    assert pks(card.messages) == full_unit["messages"]
    assert card.today == date(2026, 11, 24)
    assert card.may_pay


def test_the_card_costs_the_same_queries_with_many_more_rows(
    clerk, room, lin, wu, full_unit, engineer, django_assert_num_queries
):
    fill(room, lin, clerk, engineer, tag="more", n=4)
    for i in range(4):
        ResidentFactory(property=room.building.property, unit=room, phones=[f"1370000{i:04d}"])
    unit = caller_card.card_unit(clerk, room.pk)

    with django_assert_num_queries(12):
        card = caller_card.unit_card(clerk, unit)

    assert len(card.people) == 6
    assert len(card.repairs) == 10
    assert len(card.callbacks) == 15
    assert len(card.keys) == 10
    assert card.owed == D("1500.00")


def test_the_page_shows_the_figures_with_links_in_a_fixed_number_of_queries(
    clerk, desk_browser, room, lin, wu, full_unit, engineer
):
    url = reverse("caller_card") + f"?unit={room.pk}"
    desk_browser.get(url)  # warm-up: content types and the like
    with CaptureQueriesContext(connection) as few:
        page = desk_browser.get(url)
    fill(room, lin, clerk, engineer, tag="more", n=3)
    with CaptureQueriesContext(connection) as many:
        bigger = desk_browser.get(url)

    assert len(few.captured_queries) == len(many.captured_queries)
    html = page.content.decode()
    assert "2-1503" in html
    assert "138****5678" in html and "13812345678" not in html
    assert "also answered by 林太太 (妻子)" in html
    assert "晚上七点后" in html
    assert "星海贸易" in html and "moved out 2026-10-31" in html
    assert '<strong id="card-owed">300.00</strong>' in html
    assert '<dd id="card-credit">50.00</dd>' in html
    assert "2 days" in html
    assert "with 装修师傅老张" in html
    assert "expected" in html
    assert "明天再送" in html and "已读" not in html
    repair = RepairOrder.objects.get(pk=full_unit["repairs"][0])
    complaint = Complaint.objects.get(pk=full_unit["complaints"][0])
    for link in (
        reverse("repair_detail", args=[repair.pk]),
        reverse("complaint_detail", args=[complaint.pk]),
        reverse("callback_record", args=[full_unit["callbacks"][0]]),
        reverse("billing_pay", args=[room.pk]),
        reverse("billing_notices") + f"?building={room.building_id}",
        reverse("resident_card", args=[lin.pk]),
    ):
        assert f'href="{link}"' in html, link
    assert repair.number in html and complaint.number in html
    assert len(re.findall(r'href="/repairs/\d+/"', bigger.content.decode())) == 8


def test_an_engineer_sees_the_card_without_the_payment_button(
    client, engineer, room, lin, full_unit
):
    page = browser(engineer).get(reverse("caller_card"), {"unit": room.pk})

    assert page.context["card"].unit == room
    assert not page.context["card"].may_pay
    assert reverse("billing_pay", args=[room.pk]) not in page.content.decode()


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["5678", "138 1234", "2-1503", " 2 - 1503 ", "晓峰", "林晓峰"])
def test_a_phone_fragment_a_room_or_a_name_opens_the_one_units_card(desk_browser, room, lin, typed):
    page = desk_browser.get(reverse("caller_card"), {"q": typed})

    assert page.status_code == 200
    assert page.context["card"].unit == room
    assert [r.name for r in page.context["card"].people] == ["林晓峰"]


def test_the_archive_number_opens_the_card(desk_browser, room, lin):
    page = desk_browser.get(reverse("caller_card"), {"q": lin.archive_number})

    assert page.context["card"].unit == room


def test_a_room_nobody_lives_in_still_opens_its_card(desk_browser, sunshine):
    empty = UnitFactory(building=BuildingFactory(property=sunshine, number="3"), number="0901")

    page = desk_browser.get(reverse("caller_card"), {"q": "3-0901"})

    assert page.context["card"].unit == empty
    assert page.context["card"].people == []
    assert "Nobody is registered at this unit." in page.content.decode()


def test_a_resident_with_two_units_gives_a_pick_list(desk_browser, sunshine, room, lin):
    shop = UnitFactory(building=BuildingFactory(property=sunshine, number="5"), number="0102")
    lin.units.add(shop)

    page = desk_browser.get(reverse("caller_card"), {"q": "12345678"})

    html = page.content.decode()
    assert page.context["card"] is None
    assert [u.label for u in page.context["found"].units] == ["2-1503", "5-0102"]
    assert f'href="/card/?unit={room.pk}"' in html
    assert f'href="/card/?unit={shop.pk}"' in html
    assert 'Several units match "12345678": pick one' in html


def test_a_name_several_units_share_gives_a_pick_list(desk_browser, sunshine, room, lin):
    other = UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="0808")
    ResidentFactory(property=sunshine, name="林小红", phones=["13600000000"], unit=other)

    page = desk_browser.get(reverse("caller_card"), {"q": "林"})

    assert [u.label for u in page.context["found"].units] == ["1-0808", "2-1503"]
    html = page.content.decode()
    assert "林小红" in html and "林晓峰" in html


def test_the_pick_list_picks_the_unit(desk_browser, sunshine, room, lin):
    lin.units.add(UnitFactory(building=BuildingFactory(property=sunshine, number="5")))

    page = desk_browser.get(reverse("caller_card"), {"unit": room.pk})

    assert page.context["card"].unit == room


def test_nothing_matched_says_so(desk_browser, room, lin):
    page = desk_browser.get(reverse("caller_card"), {"q": "不存在的人"})

    assert page.context["card"] is None
    assert 'Nothing matches "不存在的人".' in page.content.decode()


# --- scope --------------------------------------------------------------------------------------


def test_another_propertys_unit_is_not_found_and_not_matched(
    desk_browser, sunshine, elsewhere, foreign_resident, room, lin
):
    foreign_unit = foreign_resident.units.get()
    # The same room number at sunshine: the room matches that one only.
    same_label = UnitFactory(
        building=BuildingFactory(property=sunshine, number=foreign_unit.building.number),
        number=foreign_unit.number,
    )

    by_id = desk_browser.get(reverse("caller_card"), {"unit": foreign_unit.pk})
    by_phone = desk_browser.get(reverse("caller_card"), {"q": "9999"})
    by_name = desk_browser.get(reverse("caller_card"), {"q": "外人"})
    by_room = desk_browser.get(reverse("caller_card"), {"q": foreign_unit.label})

    assert by_id.status_code == 404
    for page in (by_phone, by_name):
        assert page.context["card"] is None
        assert page.context["found"].units == []
        assert "Nothing matches" in page.content.decode()
    assert by_room.context["card"].unit == same_label
    assert by_room.context["card"].people == []


def test_a_bad_unit_id_is_not_found(desk_browser):
    assert desk_browser.get(reverse("caller_card"), {"unit": "abc"}).status_code == 404
    assert desk_browser.get(reverse("caller_card"), {"unit": "999999"}).status_code == 404


def test_staff_only(client, sunshine, room, lin):
    anonymous = client.get(reverse("caller_card"), {"unit": room.pk})
    lin.user = staff_at(sunshine, "clerk", username="temp")  # a portal account…
    lin.user.memberships.all().delete()  # …of a resident, not staff
    lin.save(update_fields=["user"])
    resident = browser(lin.user).get(reverse("caller_card"), {"unit": room.pk})

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    assert resident.status_code == 404
