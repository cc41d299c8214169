"""The back office (/admin/): every record kind of the project has its page, a superuser opens
every list and a real record of each, business records are never added, edited or deleted
there, and its actions go through the services (with the signed-in user as `by`), so a
refusal shows the service's message and changes nothing. Clocks travel with time-machine."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from billing.dunning import dunning_advance
from billing.models import (
    Charge,
    DunningStage,
    FeeItem,
    FeeNotice,
    MeterReading,
    Payment,
    PaymentAdjustment,
    PriceStandard,
    Subscription,
)
from billing.notices import notices_generate
from billing.payments import adjustment_request, payment_take
from frontdesk import services as frontdesk
from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.models import (
    Building,
    Department,
    Holiday,
    HolidayYear,
    Membership,
    Property,
    Unit,
    User,
)
from frontdesk.uploads import verified_image
from reports import review
from tests.clock import at
from tests.factories import (
    PriceItemFactory,
    ResidentFactory,
    complaint_received,
    repair_completed,
    repair_received,
)
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Escalation, PriceItem, RepairEvent, RepairOrder
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput
from visits import services as callbacks
from visits.models import Callback

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
APPS = ["frontdesk", "tickets", "visits", "billing", "reports"]
# What the back office configures: edited here. Every other row is a business record.
CONFIGURATION = {
    User,
    Membership,
    Property,
    Building,
    Unit,
    Department,
    Holiday,
    HolidayYear,
    PriceItem,
    FeeItem,
    PriceStandard,
    Subscription,
    DunningStage,
}


def concrete_models():
    return [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    ]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def shown(response) -> list[tuple[str, str]]:
    """The messages the list showed after the action (each shown once)."""
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def act(client, model, action: str, records, reason: str = ""):
    """What the changelist's action bar posts; followed back to the list."""
    return client.post(
        url(model, "changelist"),
        {
            "action": action,
            "index": 0,
            "_selected_action": [record.pk for record in records],
            "reason": reason,
        },
        follow=True,
    )


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.com", "secret-pass-123")


@pytest.fixture
def office(root):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # Signed in on the machine's clock: the session outlives every frozen step of the tests,
    # which all lie before it, whatever the date the suite runs on.
    client.force_login(root)
    return client


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("tap.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def world(
    settings,
    tmp_path,
    sunshine,
    clerk,
    supervisor,
    assistant,
    engineer,
    engineering,
    engineering_manager,
    project_manager,
):
    """A record of every kind, made the way the app makes it: through the services (the
    configuration, a charge and a meter reading, which have no service, as rows)."""
    settings.MEDIA_ROOT = tmp_path
    with at(T):
        frontdesk.property_holidays_prefill(property=sunshine, year=2026)
        lin = ResidentFactory(property=sunshine, name="林晓峰")
        wu = ResidentFactory(property=sunshine, name="吴敏")
        unit = lin.units.get()
        frontdesk.portal_invite_issue(resident=lin, by=clerk)
        frontdesk.sweep_mark(name="sweep", started_at=T, result={"ok": 1})

        # A paid repair: photo, quote, lines, payment, timeline, and its callback tried once.
        tap = PriceItemFactory(property=sunshine)
        order = repairs.repair_receive_with_photos(
            photos=[verified_image(jpeg())],
            property=sunshine,
            by=clerk,
            resident=lin,
            unit=unit,
            channel="phone",
            category="water",
            description="厨房水龙头漏水",
            chargeable=True,
            appointment_start=T + timedelta(hours=2),
            appointment_end=T + timedelta(hours=4),
        )
        repairs.repair_quote(order=order, by=clerk, lines=[LineInput(tap, Decimal("1"))])
        repairs.repair_agree(order=order, by=clerk, via="phone")
        repairs.repair_dispatch(order=order, by=clerk, department=engineering, engineer=engineer)
        order = repairs.repair_accept(order=order, by=engineer)
        used = [LineInput(tap, Decimal("1"))]
        order = repairs.repair_complete(
            order=order, by=engineer, cause="阀芯老化", work_done="更换", used=used
        )
        repairs.repair_sign_off(order=order, by=clerk, via="phone", signed_name=lin.name)
        repairs.repair_pay(order=order, by=clerk, amount=Decimal("35.00"), method="cash")
        callbacks.callback_record_unreached(callback=order.callbacks.get(), by=clerk)

        # A complaint escalated, answered in writing, resolved, with its corrective report.
        complaint = complaint_received(
            sunshine, by=clerk, resident=lin, owner=assistant, department=engineering
        )
        complaints.written_reply_draft(complaint=complaint, by=clerk, body="林先生:您好……")
    with at(T + timedelta(hours=3)):
        escalations.complaints_escalate(now=T + timedelta(hours=3))
        complaints.complaint_resolve(complaint=complaint, by=engineer, resolution="更换门机板")
        complaints.complaint_file_corrective(
            complaint=complaint,
            by=engineering_manager,
            cause="门机板老化",
            correction="更换",
            prevention="每月检查",
            owner="赵经理",
            due_date=date(2026, 12, 31),
        )

        # The desk's day.
        registers_services.visitor_register(
            property=sunshine, by=clerk, name="访客", purpose="送货", unit=unit
        )
        registers_services.message_take(
            property=sunshine, by=clerk, caller_name="快递员", text="明天再送", for_resident=lin
        )
        registers_services.parcel_register(
            property=sunshine, by=clerk, unit=unit, carrier="顺丰", shelf="A"
        )
        key = registers_services.key_deposit(
            property=sunshine,
            by=clerk,
            unit=unit,
            label="K1",
            description="大门钥匙",
            deposited_by=lin.name,
            authorised="林太太",
        )
        registers_services.key_hand_out(key=key, by=clerk, person="张师傅", signed_name="张")
        registers_services.lost_item_register(
            property=sunshine,
            by=clerk,
            description="黑色雨伞",
            found_where="大堂",
            found_by="保安",
            stored_where="前台柜",
        )
        permits_services.release_pass_request(
            property=sunshine, by=clerk, unit=unit, carrier_name="搬家公司", items="沙发一张"
        )
        works = permits_services.decoration_apply(
            resident=lin,
            unit=unit,
            by=clerk,
            contractor="好家装修",
            contractor_phone="13911112222",
            work="厨房翻新",
            starts=date(2026, 12, 1),
            ends=date(2026, 12, 20),
        )
        works = permits_services.decoration_review(app=works, by=clerk, passed=True)
        works = permits_services.decoration_permit(app=works, by=clerk)
        permits_services.decoration_rectify(
            app=works, by=clerk, issue="施工超时", deadline=date(2026, 12, 5)
        )
        shift_services.handover_record(
            property=sunshine, by=clerk, day=date(2026, 11, 24), shift="day", pending="K1 未还"
        )
        shift_services.ledger_sign(property=sunshine, by=supervisor, day=date(2026, 11, 23))

        # Fees: October's notices (with a charge and a metered line), one paid and asked to
        # be voided, the other left to dunning.
        area = FeeItem.objects.create(property=sunshine, name="物业管理费", basis="area")
        water = FeeItem.objects.create(property=sunshine, name="水费", basis="metered")
        service = FeeItem.objects.create(property=sunshine, name="有偿服务", basis="service")
        parking = FeeItem.objects.create(property=sunshine, name="车位租金", basis="fixed")
        for item, price in ((area, "2.80"), (water, "4.10"), (service, "0"), (parking, "300")):
            PriceStandard.objects.create(
                fee_item=item, price=Decimal(price), effective_from=date(2026, 1, 1)
            )
        Subscription.objects.create(unit=unit, fee_item=parking, starts=date(2026, 1, 1))
        MeterReading.objects.create(
            unit=unit,
            fee_item=water,
            period=date(2026, 10, 1),
            previous=Decimal("100"),
            current=Decimal("112"),
            read_at=T,
            entered_by=clerk,
        )
        Charge.objects.create(
            property=sunshine,
            unit=unit,
            fee_item=service,
            description="疏通下水道",
            amount=Decimal("50.00"),
            created_at=T,
            created_by=clerk,
        )
        DunningStage.objects.create(property=sunshine, step=1, kind="reminder", days_overdue=1)
        notices_generate(property=sunshine, period=date(2026, 10, 1))
        notice = FeeNotice.objects.get(unit=unit)
        payment = payment_take(
            unit=unit,
            by=clerk,
            notices=[notice],
            method="cash",
            amount=notice.total,
            received=notice.total,
        )
        adjustment_request(payment=payment, by=clerk, kind="void", reason="收错户")
        assert FeeNotice.objects.get(unit=wu.units.get()).settled is False

        review.review_sign(property=sunshine, by=supervisor, day=date(2026, 11, 23))
        review.digests_send(now=T + timedelta(hours=3))
    with at(T + timedelta(days=30)):
        dunning_advance(now=T + timedelta(days=30))


# --- every record kind has its page ------------------------------------------------------------


def test_every_concrete_model_of_the_project_is_in_the_admin():
    missing = [
        model._meta.label for model in concrete_models() if not admin.site.is_registered(model)
    ]

    assert missing == []


def test_a_superuser_opens_every_list_searched_and_a_real_record_of_each_kind(world, office):
    with at(T + timedelta(days=1)):
        for model in concrete_models():
            record = model.objects.order_by("pk").first()
            assert record is not None, f"no {model._meta.label} to open"
            listed = office.get(url(model, "changelist"))
            searched = office.get(url(model, "changelist"), {"q": "x"})
            opened = office.get(url(model, "change", record.pk))

            assert listed.status_code == 200, model._meta.label
            assert listed.context["cl"].result_count >= 1, model._meta.label
            assert searched.status_code == 200, model._meta.label
            assert opened.status_code == 200, model._meta.label


def test_business_records_are_never_added_edited_or_deleted_in_the_admin(world, office):
    records = [model for model in concrete_models() if model not in CONFIGURATION]
    assert len(records) > 30

    with at(T + timedelta(days=1)):
        for model in records:
            record = model.objects.order_by("pk").first()
            label = model._meta.label
            choices = office.get(url(model, "changelist")).context["action_form"]
            actions = dict(choices.fields["action"].choices) if choices else {}

            assert office.get(url(model, "add")).status_code == 403, label
            assert office.post(url(model, "add"), {}).status_code == 403, label
            assert "delete_selected" not in actions, label
            deleted = office.post(url(model, "delete", record.pk), {"post": "yes"})
            assert deleted.status_code == 403, label
            assert model.objects.filter(pk=record.pk).exists(), label


def test_records_written_by_the_services_are_shown_not_edited(world, office):
    order = RepairOrder.objects.get()
    page = office.get(url(RepairOrder, "change", order.pk))
    changed = office.post(url(RepairOrder, "change", order.pk), {"state": "closed"})

    assert changed.status_code == 403
    assert fresh(order).state == RepairOrder.State.COMPLETED
    html = page.content.decode()
    assert "厨房水龙头漏水" in html and "更换水龙头" in html  # the order and its lines
    assert 'name="state"' not in html and 'name="lines-0-quantity"' not in html


def test_the_price_list_is_configuration_and_is_edited_here(sunshine, office):
    tap = PriceItemFactory(property=sunshine, price=Decimal("35.00"))

    changed = office.post(
        url(PriceItem, "change", tap.pk),
        {"property": sunshine.pk, "name": tap.name, "unit": "个", "price": "40.00", "active": ""},
    )

    assert changed.status_code == 302
    assert fresh(tap).price == Decimal("40.00") and tap.active is False
    assert office.get(url(PriceItem, "add")).status_code == 200


# --- actions go through the services ------------------------------------------------------------


def test_cancelling_a_received_repair_goes_through_the_service(sunshine, clerk, root, office):
    with at(T):
        order = repair_received(sunshine, by=clerk)
    with at(T + timedelta(hours=1)):
        done = act(office, RepairOrder, "cancel", [order], reason="住户自行修好")

    assert done.redirect_chain == [(url(RepairOrder, "changelist"), 302)]
    assert shown(done) == [("success", "1 order cancelled.")]
    assert "1 order cancelled." in done.content.decode()
    assert 'name="reason"' in done.content.decode()  # the action bar asks for the reason
    order = fresh(order)
    assert order.state == RepairOrder.State.CANCELLED and order.cancel_reason == "住户自行修好"
    event = order.events.last()
    assert (event.kind, event.by, event.note) == (RepairEvent.Kind.CANCELLED, root, "住户自行修好")
    assert event.at == T + timedelta(hours=1)


def test_a_refused_cancellation_shows_the_services_message_and_changes_nothing(
    sunshine, clerk, engineer, engineering, office
):
    with at(T):
        received = repair_received(sunshine, by=clerk)
        completed = repair_completed(
            sunshine, clerk=clerk, engineer=engineer, department=engineering
        )
    events = {order.pk: order.events.count() for order in (received, completed)}

    with at(T + timedelta(hours=1)):
        no_reason = act(office, RepairOrder, "cancel", [received], reason="  ")
        too_late = act(office, RepairOrder, "cancel", [completed, received], reason="重复报修")

    assert shown(no_reason) == [("error", f"{received.number}: Give the reason for cancelling.")]
    assert shown(too_late) == [
        (
            "error",
            f"{completed.number}: Order {completed.number} is Completed: "
            "it cannot be cancelled now.",
        ),
        ("success", "1 order cancelled."),
    ]
    assert fresh(completed).state == RepairOrder.State.COMPLETED
    assert completed.events.count() == events[completed.pk]
    assert fresh(received).state == RepairOrder.State.CANCELLED
    assert received.events.count() == events[received.pk] + 1


def test_closing_and_reopening_a_repair_go_through_the_service(
    sunshine, clerk, engineer, engineering, root, office
):
    with at(T):
        order = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    callback = order.callbacks.get()

    with at(T + timedelta(hours=1)):
        unsigned = act(office, RepairOrder, "close", [order])
        repairs.repair_sign_off(order=order, by=clerk, via="phone", signed_name="林晓峰")
        closed = act(office, RepairOrder, "close", [order], reason="回访前归档")
    assert shown(unsigned) == [
        ("error", f"{order.number}: The resident has not signed the repair off yet.")
    ]
    assert shown(closed) == [("success", "1 order closed.")]
    assert fresh(order).state == RepairOrder.State.CLOSED
    assert fresh(order).closed_at == T + timedelta(hours=1)

    with at(T + timedelta(hours=2)):
        reopened = act(office, RepairOrder, "reopen", [order], reason="又漏水了")
    assert shown(reopened) == [("success", "1 order reopened.")]
    assert fresh(order).state == RepairOrder.State.REOPENED
    assert order.events.last().by == root
    assert fresh(callback).status == Callback.Status.CANCELLED  # the service's follow-up


def test_a_missed_callback_is_closed_through_the_service(
    sunshine, clerk, engineer, engineering, root, office
):
    with at(T):
        order = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    callback = order.callbacks.get()

    with at(T + timedelta(hours=80)):
        no_reason = act(office, Callback, "close_missed", [callback])
        closed = act(office, Callback, "close_missed", [callback], reason="号码停机")
        again = act(office, Callback, "close_missed", [callback], reason="号码停机")

    assert shown(no_reason) == [("error", f"{callback}: Give the reason for closing the callback.")]
    assert shown(closed) == [("success", "1 callback closed as missed.")]
    assert shown(again) == [("error", f"{callback}: This callback is already finished.")]
    callback = fresh(callback)
    assert (callback.status, callback.timing) == (Callback.Status.DONE, Callback.Timing.MISSED)
    assert (callback.done_by, callback.close_reason) == (root, "号码停机")
    assert callback.done_at == T + timedelta(hours=80)
    assert order.events.filter(kind="callback", by=root, note__contains="号码停机").exists()


def test_the_services_own_permission_check_refuses_a_staff_user_without_the_role(
    sunshine, clerk, engineer, engineering
):
    """The admin adds no role check: a clerk let into the back office is refused by the
    service, with its message."""
    with at(T):
        order = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    callback = order.callbacks.get()
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(Permission.objects.get(codename="view_callback"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(clerk)  # on the machine's clock, as the office client

    refused = act(client, Callback, "close_missed", [callback], reason="号码停机")

    assert shown(refused) == [
        ("error", f"{callback}: Only a supervisor can close a callback without the call.")
    ]
    assert fresh(callback).status == Callback.Status.OPEN


def test_an_escalation_is_acknowledged_through_the_service(
    sunshine, clerk, engineering, engineering_manager, root, office
):
    with at(T):
        complaint = complaint_received(sunshine, by=clerk, department=engineering)
    with at(T + timedelta(hours=2)):
        escalations.complaints_escalate(now=T + timedelta(hours=2))
    escalation = Escalation.objects.get()

    with at(T + timedelta(hours=2, minutes=5)):
        acknowledged = act(office, Escalation, "acknowledge", [escalation])
        again = act(office, Escalation, "acknowledge", [escalation])

    assert shown(acknowledged) == [("success", "1 escalation acknowledged.")]
    assert shown(again) == [
        ("error", f"{escalation}: This escalation has already been acknowledged.")
    ]
    escalation = fresh(escalation)
    assert escalation.acknowledged_by == root
    assert escalation.acknowledged_at == T + timedelta(hours=2, minutes=5)
    assert complaint.events.filter(kind="acknowledged", by=root).count() == 1


def test_a_void_is_approved_through_the_service(world, clerk, root, office):
    adjustment = PaymentAdjustment.objects.get()

    with at(T + timedelta(days=1)):
        no_reason = act(office, PaymentAdjustment, "reject", [adjustment])
        approved = act(office, PaymentAdjustment, "approve", [adjustment])

    assert shown(no_reason) == [("error", f"{adjustment}: Say why the request is rejected.")]
    assert shown(approved) == [("success", "1 request approved.")]
    adjustment = fresh(adjustment)
    assert (adjustment.status, adjustment.decided_by) == ("approved", root)
    payment = Payment.objects.get(pk=adjustment.payment_id)
    assert payment.voided is True
    assert FeeNotice.objects.get(pk=payment.allocations.first().notice_id).paid == 0
