"""The desk's own day as services: visitors in and out, messages that reach their recipient,
parcels handed over once, keys out and back with a key that is out never shown as in, release
passes approved only by the unit's residents, decoration steps in order, the handover and the
ledger drawn from the day's records and signed once."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.desk.models import (
    DecorationApplication,
    KeyDeposit,
    KeyMovement,
    Parcel,
    PhoneMessage,
    ReleasePass,
    Visitor,
)
from frontdesk.models import Notification
from tests.clock import at
from tests.conftest import LIN_PHONE, staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory
from tests.helpers import fresh

T = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def unit(sunshine):
    return UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


@pytest.fixture
def lin_account():
    """His mobile number is the username; the account has no name."""
    return {"username": LIN_PHONE, "first_name": ""}


# --- visitors -------------------------------------------------------------------------------------


def test_a_visitor_comes_and_goes_with_only_four_characters_of_the_document(sunshine, clerk, unit):
    with at(T):
        visitor = registers_services.visitor_register(
            property=sunshine,
            by=clerk,
            name="王师傅",
            purpose="送家具",
            unit=unit,
            id_type="id_card",
            id_last4="123x",
        )
    assert visitor.arrived_at == T and visitor.id_last4 == "123X"
    with at(T + timedelta(hours=1)):
        registers_services.visitor_leave(visitor=visitor, by=clerk)
    assert fresh(visitor).left_at == T + timedelta(hours=1)
    with pytest.raises(ValidationError, match="not in the building"):
        registers_services.visitor_leave(visitor=visitor, by=clerk)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id_type": "id_card", "id_last4": "12345"}, "last four"),
        ({"id_last4": "1234"}, "kind of document"),
        ({"name": " "}, "name"),
        ({"unit": None}, "whom"),
    ],
)
def test_bad_visitor_input_registers_nobody(sunshine, clerk, unit, fields, message):
    kwargs = {"name": "王师傅", "purpose": "送家具", "unit": unit} | fields
    with pytest.raises(ValidationError, match=message):
        registers_services.visitor_register(property=sunshine, by=clerk, **kwargs)
    assert not Visitor.objects.exists()


def test_an_announced_visitor_waits_on_the_days_list_then_arrives(sunshine, clerk, lin, unit):
    with at(T):
        visitor = registers_services.visitor_announce(
            resident=lin,
            unit=unit,
            name="林母",
            expected_on=date(2026, 11, 25),
            purpose="探亲",
            by=lin.user,
        )
    assert visitor.arrived_at is None and visitor.announced_by == lin
    registers_services.visitor_arrive(visitor=visitor, by=clerk)
    with pytest.raises(ValidationError, match="already arrived"):
        registers_services.visitor_arrive(visitor=visitor, by=clerk)


def test_a_resident_announces_visitors_for_their_own_unit_only(sunshine, lin):
    other = UnitFactory(building=BuildingFactory(property=sunshine, number="9"))
    with pytest.raises(ValidationError, match="your own unit"):
        registers_services.visitor_announce(
            resident=lin,
            unit=other,
            name="x",
            expected_on=date(2030, 1, 1),
            purpose="",
            by=lin.user,
        )
    assert not Visitor.objects.exists()


# --- messages -------------------------------------------------------------------------------------


def test_a_message_reaches_its_recipient_who_marks_it_read(sunshine, clerk, engineer):
    message = registers_services.message_take(
        property=sunshine,
        by=clerk,
        caller_name="李先生",
        text="请回电 13900001111",
        for_user=engineer,
    )
    assert Notification.objects.filter(recipient_user=engineer, subject__contains="李先生").exists()
    with pytest.raises(ValidationError, match="Only the person"):
        registers_services.message_mark_read(message=message, by=clerk)
    registers_services.message_mark_read(message=message, by=engineer)
    assert fresh(message).read_by == engineer
    assert not Notification.objects.filter(recipient_user=engineer, read_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="already been read"):
        registers_services.message_mark_read(message=message, by=engineer)


def test_a_message_for_a_department_is_read_by_one_of_its_people(
    sunshine, clerk, engineer, engineering
):
    message = registers_services.message_take(
        property=sunshine,
        by=clerk,
        caller_name="物业公司",
        text="明早停水",
        for_department=engineering,
    )
    assert Notification.objects.filter(recipient_user=engineer).exists()
    registers_services.message_mark_read(message=message, by=engineer)
    assert fresh(message).read_at is not None


def test_a_message_has_exactly_one_recipient(sunshine, clerk, engineer, lin):
    with pytest.raises(ValidationError, match="one person or one department"):
        registers_services.message_take(
            property=sunshine,
            by=clerk,
            caller_name="x",
            text="y",
            for_user=engineer,
            for_resident=lin,
        )
    assert not PhoneMessage.objects.exists()


def test_unread_messages_past_the_limit_are_shown_to_the_supervisor(sunshine, clerk, lin):
    with at(T):
        message = registers_services.message_take(
            property=sunshine, by=clerk, caller_name="快递员", text="包裹放门口", for_resident=lin
        )
    assert not registers_services.messages_unread_too_long(
        sunshine, T + timedelta(minutes=119)
    ).exists()
    assert list(
        registers_services.messages_unread_too_long(sunshine, T + timedelta(minutes=120))
    ) == [message]


# --- parcels ----------------------------------------------------------------------------------------


def test_a_parcel_is_announced_with_its_code_and_handed_over_once(sunshine, clerk, lin, unit):
    parcel = registers_services.parcel_register(
        property=sunshine, by=clerk, unit=unit, carrier="顺丰", shelf="A-3", tracking_number="SF1"
    )
    sms = Notification.objects.get(recipient_resident=lin, channel="sms")
    assert parcel.pickup_code in sms.subject and len(parcel.pickup_code) == 6
    with pytest.raises(ValidationError, match="does not match"):
        registers_services.parcel_hand_over(
            parcel=parcel, by=clerk, collected_by_name="林晓峰", code="000000x"
        )
    with pytest.raises(ValidationError, match="does not match"):
        registers_services.parcel_hand_over(
            parcel=parcel, by=clerk, collected_by_name="林晓峰", code="取件码"
        )
    full_width = parcel.pickup_code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    registers_services.parcel_hand_over(
        parcel=parcel, by=clerk, collected_by_name="林晓峰", code=full_width
    )
    parcel = fresh(parcel)
    assert parcel.collected_with == "code" and parcel.handed_over_by == clerk
    with pytest.raises(ValidationError, match="already handed over"):
        registers_services.parcel_hand_over(
            parcel=parcel, by=clerk, collected_by_name="别人", code=parcel.pickup_code
        )
    assert fresh(parcel).collected_by_name == "林晓峰"


def test_an_uncollected_parcel_is_reminded_once(sunshine, clerk, lin, unit):
    with at(T):
        registers_services.parcel_register(
            property=sunshine, by=clerk, unit=unit, carrier="京东", shelf="B-1"
        )
    assert registers_services.parcels_remind(now=T + timedelta(days=2)) == 0
    assert registers_services.parcels_remind(now=T + timedelta(days=3)) == 1
    assert registers_services.parcels_remind(now=T + timedelta(days=4)) == 0
    # Once: an SMS and a portal notice, written in the resident's language (Chinese).
    reminders = Notification.objects.filter(recipient_resident=lin, subject__startswith="提醒")
    assert reminders.count() == 2


# --- keys ----------------------------------------------------------------------------------------------


@pytest.fixture
def key(sunshine, clerk, unit):
    return registers_services.key_deposit(
        property=sunshine,
        by=clerk,
        unit=unit,
        label="K-07",
        description="入户门钥匙2把",
        deposited_by="林晓峰",
        authorised="林晓峰; 保洁阿姨 张桂花",
    )


def test_a_key_goes_out_and_comes_back_and_is_never_both(sunshine, clerk, key):
    with pytest.raises(ValidationError, match="not out"):
        registers_services.key_return(key=key, by=clerk, person="张桂花", signed_name="张桂花")
    registers_services.key_hand_out(key=key, by=clerk, person="张桂花", signed_name="张桂花")
    assert fresh(key).is_out
    with pytest.raises(ValidationError, match="already out"):
        registers_services.key_hand_out(key=key, by=clerk, person="别人", signed_name="别人")
    registers_services.key_return(key=key, by=clerk, person="张桂花", signed_name="张桂花")
    assert not fresh(key).is_out
    assert list(KeyMovement.objects.values_list("kind", flat=True)) == ["out", "in"]


def test_a_tag_is_on_one_key_at_a_time(sunshine, clerk, key, unit):
    with pytest.raises(ValidationError, match="already on another key"):
        registers_services.key_deposit(
            property=sunshine,
            by=clerk,
            unit=unit,
            label="K-07",
            description="x",
            deposited_by="y",
            authorised="z",
        )
    assert KeyDeposit.objects.count() == 1


# --- release passes ------------------------------------------------------------------------------------


def test_a_release_pass_needs_a_resident_of_that_unit(sunshine, clerk, lin, unit):
    release = permits_services.release_pass_request(
        property=sunshine, by=clerk, unit=unit, carrier_name="搬家公司", items="旧沙发一套"
    )
    neighbour = ResidentFactory(
        property=sunshine, unit=UnitFactory(building=unit.building, number="1504")
    )
    with pytest.raises(ValidationError, match="not a resident of 2-1503"):
        permits_services.release_pass_decide(
            release=release, resident=neighbour, approve=True, by=clerk
        )
    with pytest.raises(ValidationError, match="cannot go out"):
        permits_services.release_pass_release(release=release, by=clerk)
    assert fresh(release).state == ReleasePass.State.REQUESTED

    permits_services.release_pass_decide(release=release, resident=lin, approve=True, by=lin.user)
    guard = staff_at(sunshine, "engineer")
    permits_services.release_pass_release(release=release, by=guard)
    release = fresh(release)
    assert release.state == "released" and release.approved_by == lin


# --- decoration ----------------------------------------------------------------------------------------


def test_decoration_goes_through_its_steps_in_order(sunshine, clerk, lin, unit):
    app = permits_services.decoration_apply(
        resident=lin,
        unit=unit,
        by=clerk,
        contractor="好家装饰",
        contractor_phone="0755-1234",
        work="厨房翻新",
        starts=date(2026, 12, 1),
        ends=date(2026, 12, 20),
    )
    with pytest.raises(ValidationError, match="does not apply now"):
        permits_services.decoration_permit(app=app, by=clerk)
    permits_services.decoration_review(app=app, by=clerk, passed=True)
    with at(T):
        app = permits_services.decoration_permit(app=app, by=clerk)
    assert app.permit_number == "ZX261124001"
    notice = permits_services.decoration_rectify(
        app=app, by=clerk, issue="施工噪音超时", deadline=date(2026, 12, 5)
    )
    assert fresh(app).state == DecorationApplication.State.RECTIFYING
    with pytest.raises(ValidationError, match="does not apply now"):
        permits_services.decoration_finish(app=app, by=clerk)
    permits_services.rectification_resolve(notice=notice, by=clerk)
    assert permits_services.decoration_finish(app=fresh(app), by=clerk).state == "finished"


# --- handover and ledger -------------------------------------------------------------------------------


def test_the_handover_and_the_ledger_are_drawn_from_the_days_records(
    sunshine, clerk, assistant, supervisor, unit, lin
):
    with at(T):
        registers_services.visitor_register(
            property=sunshine, by=clerk, name="访客", purpose="看房", unit=unit
        )
        registers_services.parcel_register(
            property=sunshine, by=clerk, unit=unit, carrier="顺丰", shelf="A"
        )
        handover = shift_services.handover_record(
            property=sunshine,
            by=clerk,
            day=date(2026, 11, 24),
            shift="day",
            pending="2-1503 钥匙未还",
        )
    assert handover.done["visitors_arrived"] == 1 and handover.done["parcels_waiting"] == 1
    with pytest.raises(ValidationError, match="already handed over"):
        shift_services.handover_record(
            property=sunshine, by=clerk, day=date(2026, 11, 24), shift="day", pending=""
        )
    with pytest.raises(ValidationError, match="next shift"):
        shift_services.handover_take_over(handover=handover, by=clerk)
    shift_services.handover_take_over(handover=handover, by=assistant)

    with at(T + timedelta(hours=12)):
        with pytest.raises(ValidationError, match="supervisor"):
            shift_services.ledger_sign(property=sunshine, by=clerk, day=date(2026, 11, 24))
        ledger = shift_services.ledger_sign(
            property=sunshine, by=supervisor, day=date(2026, 11, 24)
        )
        with pytest.raises(ValidationError, match="already signed"):
            shift_services.ledger_sign(property=sunshine, by=supervisor, day=date(2026, 11, 24))
        with pytest.raises(ValidationError, match="not happened"):
            shift_services.ledger_sign(property=sunshine, by=supervisor, day=date(2026, 11, 26))
    assert ledger.totals["visitors_arrived"] == 1 and ledger.totals["parcels_registered"] == 1


def test_another_propertys_unit_is_refused(sunshine, elsewhere, clerk):
    foreign = UnitFactory(building=BuildingFactory(property=elsewhere))
    with pytest.raises(ValidationError, match="another property"):
        registers_services.parcel_register(
            property=sunshine, by=clerk, unit=foreign, carrier="顺丰", shelf="A"
        )
    assert not Parcel.objects.exists()
