"""Every route, every role, every kind of resident: the status the policy implies.

The resolver lists every URL pattern and API route; each must have an entry below naming the
capability it needs (or who it is for) and the real record it is tried on. For each person of
one property (each staff role, a resident who lives in the unit now, one who moved out of it
before the records were filed, a neighbour of another unit, a resident of another property and
an anonymous visitor) the test makes the request and compares:

- allowed: the page answers (lists and details show the record), a POST is not refused;
- refused: 403 or 404, or (a POST) 400 carrying a refusal of the policy; a list leaves the
  record out.

Staff expectations come from `policy.allows` on the record, so the pages, the API and the
policy cannot disagree without this test failing. A route with no entry fails it too.
"""

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from PIL import Image

from billing.models import FeeNotice
from billing.payments import adjustment_request, payment_take
from frontdesk import policy, uploads
from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.models import Role
from frontdesk.services import resident_move_out
from tests.clock import frozen_at
from tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    MembershipFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
    complaint_received,
    repair_completed,
    repair_received,
)
from tickets.complaints import services as complaints
from tickets.models import Escalation, RepairOrder
from tickets.repairs import services as repairs
from visits.models import Callback

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
MOVED_OUT_ON = date(2026, 10, 31)

STAFF_ROLES = list(Role.values)
RESIDENT_KINDS = ["current", "moved_out", "neighbour", "outsider"]
EVERYONE = [*STAFF_ROLES, *RESIDENT_KINDS, "anonymous"]


frozen = frozen_at(T)


def png(name="s.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class World:
    people: dict = field(default_factory=dict)
    r: dict = field(default_factory=dict)  # the records, by name


@pytest.fixture
def world(sunshine, elsewhere):
    w = World()
    engineering = DepartmentFactory(property=sunshine, kind="engineering", name="工程部")
    for role in STAFF_ROLES:
        user = UserFactory(username=f"m-{role}")
        department = engineering if role in {Role.ENGINEER, Role.DEPARTMENT_MANAGER} else None
        MembershipFactory(user=user, property=sunshine, role=role, department=department)
        w.people[role] = user
    clerk, engineer = w.people[Role.CLERK], w.people[Role.ENGINEER]
    supervisor = w.people[Role.SUPERVISOR]
    building = BuildingFactory(property=sunshine, number="2")
    unit = UnitFactory(building=building, number="1503")
    next_door = UnitFactory(building=building, number="1504")
    far_unit = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"))

    def resident(kind, unit_, prop=sunshine, **extra):
        user = UserFactory(username=f"r-{kind}")
        w.people[kind] = user
        return ResidentFactory(property=prop, unit=unit_, name=f"住户{kind}", user=user, **extra)

    # The former tenant filed a repair while living there, then moved out; the new one moved in.
    former = resident("moved_out", unit, move_in_date=date(2025, 1, 1))
    w.r["own_old_repair"] = repair_received(sunshine, by=clerk, resident=former)
    resident_move_out(resident=former, by=clerk, on=MOVED_OUT_ON)
    tenant = resident("current", unit, move_in_date=MOVED_OUT_ON + timedelta(days=1))
    resident("neighbour", next_door)
    resident("outsider", far_unit, prop=elsewhere)
    w.r["unit"], w.r["resident"], w.r["property"] = unit, tenant, sunshine

    photo = uploads.verified_image(png("p.png"))
    w.r["repair"] = repairs.repair_receive_with_photos(
        photos=[photo],
        property=sunshine,
        by=clerk,
        channel="phone",
        category="water",
        description="厨房水龙头漏水",
        resident=tenant,
        unit=unit,
        address_confirmed=True,
    )
    w.r["photo"] = w.r["repair"].photos.get()
    signed = repair_completed(
        sunshine, clerk=clerk, engineer=engineer, resident=tenant, department=engineering
    )
    w.r["signed_repair"] = repairs.repair_sign_off(
        order=signed,
        by=clerk,
        via=RepairOrder.SignOff.ON_SITE,
        signed_name="住户",
        signature=png(),
    )
    w.r["callback"] = Callback.objects.get(repair=signed)

    w.r["complaint"] = complaint_received(
        sunshine, by=clerk, resident=tenant, department=engineering
    )
    w.r["escalation"] = Escalation.objects.create(
        complaint=w.r["complaint"],
        level=Escalation.Level.DEPARTMENT_MANAGER,
        reason=Escalation.Reason.FIX_WINDOW,
        at=T,
    )

    complaints.written_reply_draft(complaint=w.r["complaint"], by=clerk, body="尊敬的住户:")
    w.r["visitor"] = registers_services.visitor_register(
        property=sunshine, by=clerk, name="访客", purpose="送货", unit=unit
    )
    w.r["message"] = registers_services.message_take(
        property=sunshine, by=clerk, caller_name="快递员", text="明天再送", for_resident=tenant
    )
    w.r["parcel"] = registers_services.parcel_register(
        property=sunshine, by=clerk, unit=unit, carrier="顺丰", shelf="A"
    )
    w.r["collected"] = registers_services.parcel_hand_over(
        parcel=registers_services.parcel_register(
            property=sunshine, by=clerk, unit=unit, carrier="圆通", shelf="B"
        ),
        by=clerk,
        collected_by_name="住户",
        signature=png(),
    )
    w.r["key"] = registers_services.key_deposit(
        property=sunshine,
        by=clerk,
        unit=unit,
        label="K1",
        description="大门钥匙",
        deposited_by=tenant.name,
        authorised="林太太",
    )
    w.r["key_movement"] = registers_services.key_hand_out(
        key=w.r["key"], by=clerk, person="林太太", signed_name="林太太", signature=png()
    )
    w.r["lost_item"] = registers_services.lost_item_register(
        property=sunshine,
        by=clerk,
        description="黑色雨伞",
        found_where="大堂",
        found_by="保安",
        stored_where="前台柜",
    )
    w.r["pass"] = permits_services.release_pass_request(
        property=sunshine, by=clerk, unit=unit, carrier_name="搬家公司", items="沙发一张"
    )
    w.r["decoration"] = permits_services.decoration_apply(
        resident=tenant,
        unit=unit,
        by=clerk,
        contractor="好家装修",
        contractor_phone="13911112222",
        work="厨房翻新",
        starts=date(2026, 12, 1),
        ends=date(2026, 12, 20),
    )
    permits_services.decoration_review(app=w.r["decoration"], by=clerk, passed=True)
    permits_services.decoration_permit(app=w.r["decoration"], by=clerk)
    permits_services.decoration_rectify(
        app=w.r["decoration"], by=clerk, issue="占用消防通道", deadline=date(2026, 11, 30)
    )
    w.r["rectification"] = w.r["decoration"].rectifications.get()
    w.r["handover"] = shift_services.handover_record(
        property=sunshine, by=clerk, day=date(2026, 11, 23), shift="day", pending="钥匙未还"
    )
    w.r["ledger"] = shift_services.ledger_sign(
        property=sunshine, by=supervisor, day=date(2026, 11, 23)
    )

    w.r["notice"] = FeeNotice.objects.create(
        property=sunshine,
        unit=unit,
        kind="monthly",
        period=date(2026, 11, 1),
        number="202611-2-1503",
        issued_at=T,
        due_date=date(2026, 11, 16),
        total=Decimal("100.00"),
        arrears_before=Decimal("0"),
    )
    w.r["payment"] = payment_take(
        unit=unit,
        by=clerk,
        notices=[w.r["notice"]],
        method="cash",
        amount=Decimal("100.00"),
        received=Decimal("100.00"),
        reference="",
        resident=tenant,
    )
    w.r["adjustment"] = adjustment_request(
        payment=w.r["payment"], by=clerk, kind="void", reason="收错"
    )
    w.r["notification"] = clerk.notifications.order_by("pk").first()
    return w


# --- what each route is, and who it is for ----------------------------------------------------

Args = Callable[[World], list]


@dataclass(frozen=True)
class Route:
    """`cap`: the capability staff need, tried on `record` (None: any staff member); `kinds`:
    the residents it is for (portal routes and the API); `shows`: text an allowed person sees
    (lists); `api`: a REST route (anonymous gets 401/403 instead of the login page)."""

    method: str = "get"
    args: Args = lambda w: []
    cap: str | None = None
    record: str = "property"
    staff: bool = True
    kinds: tuple = ()
    shows: Callable[[World], str] | None = None
    api: bool = False
    public: bool = False


def pk(name) -> Args:
    return lambda w: [w.r[name].pk]


def page(cap=None, record="property", args=None, **kw):
    return Route(cap=cap, record=record, args=args or pk("property"), **kw)


def post(cap=None, record="property", args=lambda w: [], **kw):
    return Route(method="post", cap=cap, record=record, args=args, **kw)


def portal(kinds, args=lambda w: [], method="get", shows=None):
    return Route(method=method, args=args, staff=False, kinds=tuple(kinds), shows=shows)


NONE = lambda w: []  # noqa: E731
LIVES = ("current",)
ANY_RESIDENT = ("current", "moved_out", "neighbour", "outsider")
LIVE_SOMEWHERE = ("current", "neighbour", "outsider")  # who may file something new
REPAIR_NUMBER = lambda w: w.r["repair"].number  # noqa: E731


def api(cap, record, *, method="get", args=None, kinds=(), shows=None):
    return Route(
        method=method,
        args=args if args is not None else pk(record),
        cap=cap,
        record=record,
        kinds=kinds,
        shows=shows,
        api=True,
    )


def api_list(cap, record, kinds=()):
    return Route(
        args=NONE,
        cap=cap,
        record=record,
        kinds=kinds,
        api=True,
        shows=lambda w: f'"id":{w.r[record].pk},',
    )


PUBLIC = Route(public=True)

ROUTES: dict[str, Route] = {
    "home": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "health": PUBLIC,
    "set_language": PUBLIC,
    "portal_activate": PUBLIC,
    "api_token": PUBLIC,
    "api_schema": PUBLIC,
    "api_docs": PUBLIC,
    "api-root": PUBLIC,
    "notices": PUBLIC,  # everyone's own notices
    "notice_open": PUBLIC,  # one of one's own: another's is not found (tested with notices)
    "portal": PUBLIC,
    # residents
    "lookup": page(args=NONE),
    "resident_new": page("resident.edit", args=NONE),
    "resident_card": page("resident.read", "resident", pk("resident")),
    "resident_edit": page("resident.edit", "resident", pk("resident")),
    "resident_phones": page("resident.phone.full", "resident", pk("resident")),
    "resident_invite": post("resident.invite", "resident", pk("resident")),
    "resident_move_out": post("resident.move_out", "resident", pk("resident")),
    "holidays": page("holiday.edit", args=lambda w: [w.r["property"].pk, 2026]),
    "caller_card": page(args=NONE),
    # repairs at the desk
    "repair_list": page("repair.read", args=NONE, shows=REPAIR_NUMBER),
    "repair_new": page("repair.take", args=NONE),
    "repair_detail": page("repair.read", "repair", pk("repair")),
    "repair_print": page("repair.read", "repair", pk("repair")),
    "repair_quote": post("repair.take", "repair", pk("repair")),
    "repair_agree": post("repair.take", "repair", pk("repair")),
    "repair_dispatch": post("repair.take", "repair", pk("repair")),
    "repair_cancel": post("repair.take", "repair", pk("repair")),
    "repair_reopen": post("repair.take", "repair", pk("repair")),
    "repair_pay": post("repair.pay", "repair", pk("repair")),
    "repair_sign_off": post("repair.take", "repair", pk("repair")),
    "repair_close": post("repair.take", "repair", pk("repair")),
    "repair_photo": Route(
        args=lambda w: [w.r["repair"].pk, w.r["photo"].pk],
        cap="repair.read",
        record="repair",
        kinds=LIVES,
    ),
    "repair_signature": Route(
        args=pk("signed_repair"), cap="repair.read", record="signed_repair", kinds=LIVES
    ),
    # the engineer's pages
    "engineer_orders": page("repair.work", args=NONE),
    "engineer_order": page("repair.work", "repair", pk("signed_repair")),
    "engineer_order_accept": post("repair.work", "repair", pk("signed_repair")),
    "engineer_order_materials": post("repair.work", "repair", pk("signed_repair")),
    "engineer_order_complete": post("repair.work", "repair", pk("signed_repair")),
    "engineer_order_sign_off": post("repair.work", "repair", pk("signed_repair")),
    # the resident's repairs
    "portal_repairs": portal(LIVES, shows=REPAIR_NUMBER),
    "portal_repair_new": portal(ANY_RESIDENT),
    "portal_repair": portal(LIVES, pk("repair")),
    "portal_repair_agree": portal(LIVES, pk("repair"), "post"),
    "portal_repair_confirm": portal(LIVES, pk("repair"), "post"),
    # complaints
    "complaint_register": page("complaint.read", args=NONE),
    "complaint_register_xlsx": page("complaint.read", args=NONE),
    "complaint_register_csv": page("complaint.read", args=NONE),
    "complaint_register_print": page("complaint.read", args=NONE),
    "complaint_new": page("complaint.take", args=NONE),
    "complaint_department": page(
        "complaint.department", "complaint", NONE, shows=lambda w: w.r["complaint"].number
    ),
    "complaint_escalations": page("escalation.read", args=NONE),
    "complaint_escalation_acknowledge": post(
        "escalation.acknowledge", "escalation", pk("escalation")
    ),
    "complaint_detail": page("complaint.read", "complaint", pk("complaint")),
    "complaint_dispatch": post("complaint.dispatch", "complaint", pk("complaint")),
    "complaint_expect": post("complaint.dispatch", "complaint", pk("complaint")),
    "complaint_action": post("complaint.resolve", "complaint", pk("complaint")),
    "complaint_cannot_solve": post("complaint.cannot_solve", "complaint", pk("complaint")),
    "complaint_resolve": post("complaint.resolve", "complaint", pk("complaint")),
    "complaint_reply": post("complaint.reply", "complaint", pk("complaint")),
    "complaint_corrective": post("complaint.corrective", "complaint", pk("complaint")),
    "complaint_archive": post("complaint.archive", "complaint", pk("complaint")),
    "complaint_letter": page("complaint.read", "complaint", pk("complaint")),
    "complaint_letter_print": page("complaint.read", "complaint", pk("complaint")),
    "complaint_letter_pdf": page("complaint.read", "complaint", pk("complaint")),
    "portal_complaints": portal(ANY_RESIDENT),
    "portal_complaint_new": portal(ANY_RESIDENT),
    "portal_complaint": portal(LIVES, pk("complaint")),
    # callbacks
    "callback_queue": page("callback.work", args=NONE),
    "callback_queue_rows": page("callback.work", args=NONE),
    "callback_flagged": page("callback.supervise", args=NONE),
    "callback_record": page("callback.work", "callback", pk("callback")),
    "callback_close": post("callback.supervise", "callback", pk("callback")),
    # fees and payments
    "billing_pay": page("payment.take", args=pk("unit")),
    "billing_credit_apply": post("payment.take", args=pk("unit")),
    "billing_receipt": page("payment.read", "payment", pk("payment")),
    "billing_receipt_print": page("payment.read", "payment", pk("payment")),
    "billing_adjustment_request": post("payment.take", "payment", pk("payment")),
    "billing_approvals": page("payment.approve", args=NONE),
    "billing_adjustment_decide": post("payment.approve", "payment", pk("adjustment")),
    "billing_notices": page("fee_notice.read", args=NONE),
    "billing_notice": page("fee_notice.read", "notice", pk("notice")),
    "billing_notice_batch": page(
        "fee_notice.read", args=lambda w: [w.r["unit"].building_id, "2026-11"]
    ),
    "billing_notice_batch_pdf": page(
        "fee_notice.read", args=lambda w: [w.r["unit"].building_id, "2026-11"]
    ),
    "billing_generate": page("fees.generate", args=NONE),
    "billing_dunning": page("fee_notice.read", args=NONE),
    "billing_dunning_letter": page("fee_notice.read", args=pk("unit")),
    "billing_collection": page("fee_notice.read", args=NONE),
    "billing_import": page("fees.import", args=NONE),
    "portal_fees": portal(ANY_RESIDENT),
    "portal_notice": portal(("current",), pk("notice")),
    "portal_receipt": portal(("current",), pk("payment")),
    # the desk's registers
    "desk_visitors": page("visitor.read", args=NONE),
    "desk_visitor_new": post("visitor.write"),
    "desk_visitor_arrive": post("visitor.write", "visitor", pk("visitor")),
    "desk_visitor_leave": post("visitor.write", "visitor", pk("visitor")),
    "desk_messages": page("message.read", args=NONE),
    "desk_message_new": post("message.write"),
    "my_messages": page(args=NONE),
    "desk_message": page("message.read", "message", pk("message")),
    "desk_message_read": post("message.read", "message", pk("message")),
    "desk_parcels": page("parcel.read", args=NONE),
    "desk_parcel_new": post("parcel.write"),
    "desk_parcel_hand_over": post("parcel.write", "parcel", pk("parcel")),
    "desk_parcel_signature": page("parcel.read", "collected", pk("collected")),
    "desk_keys": page("key.read", args=NONE),
    "desk_key_new": post("key.write"),
    "desk_key": page("key.read", "key", pk("key")),
    "desk_key_hand_out": post("key.write", "key", pk("key")),
    "desk_key_return": post("key.write", "key", pk("key")),
    "desk_key_signature": page(
        "key.read", "key", lambda w: [w.r["key"].pk, w.r["key_movement"].pk]
    ),
    "desk_lost": page("lost_item.read", args=NONE),
    "desk_lost_new": post("lost_item.write"),
    "desk_lost_claim": post("lost_item.write", "lost_item", pk("lost_item")),
    "desk_passes": page("pass.read", args=NONE),
    "desk_pass_new": post("pass.write"),
    "desk_pass_decide": post("pass.write", "pass", pk("pass")),
    "desk_pass_release": post("pass.release", "pass", pk("pass")),
    "desk_decoration": page("decoration.read", args=NONE),
    "desk_decoration_new": post("decoration.write"),
    "desk_decoration_detail": page("decoration.read", "decoration", pk("decoration")),
    "desk_decoration_review": post("decoration.write", "decoration", pk("decoration")),
    "desk_decoration_permit": post("decoration.write", "decoration", pk("decoration")),
    "desk_decoration_rectify": post("decoration.write", "decoration", pk("decoration")),
    "desk_rectification_resolve": post(
        "decoration.write",
        "decoration",
        lambda w: [w.r["decoration"].pk, w.r["rectification"].pk],
    ),
    "desk_decoration_finish": post("decoration.write", "decoration", pk("decoration")),
    "desk_handover": page("handover.read", args=NONE),
    "desk_handover_record": post("handover.write"),
    "desk_handover_take_over": post("handover.write", "handover", pk("handover")),
    "desk_ledger": page("ledger.read", args=NONE),
    "desk_ledger_sign": post("ledger.sign"),
    "portal_day": portal(ANY_RESIDENT),
    "portal_day_visitor": portal(LIVE_SOMEWHERE, method="post"),
    "portal_pass_decide": portal(LIVES, pk("pass"), "post"),
    "portal_message_read": portal(LIVES, pk("message"), "post"),
    "portal_decoration_apply": portal(LIVE_SOMEWHERE, method="post"),
    "portal_pass": portal(LIVES, pk("pass")),
    # the supervisor's figures
    "reports_dashboard": page("report.read", args=NONE),
    "reports_dashboard_xlsx": page("report.read", args=NONE),
    "reports_dashboard_csv": page("report.read", args=NONE),
    "reports_drill": page("report.read", args=lambda w: ["satisfaction"]),
    "reports_monthly_pdf": page("report.read", args=lambda w: ["2026-10"]),
    "reports_review": page("review.sign", args=NONE),
    "reports_review_sign": post("review.sign"),
    # the API: the same capabilities on the same records
    "resident-list": api_list("resident.read", "resident", kinds=("current",)),
    "resident-detail": api("resident.read", "resident", kinds=("current",)),
    "unit-list": api_list("resident.read", "unit", kinds=("current",)),
    "unit-detail": api("resident.read", "unit", kinds=("current",)),
    "repair-list": api_list("repair.read", "repair", kinds=LIVES),
    "repair-detail": api("repair.read", "repair", kinds=LIVES),
    "repair-accept": api("repair.work", "repair", method="post"),
    "repair-agree": api("repair.agree", "repair", method="post", kinds=LIVES),
    "repair-cancel": api("repair.take", "repair", method="post"),
    "repair-close": api("repair.take", "repair", method="post"),
    "repair-complete": api("repair.work", "repair", method="post"),
    "repair-dispatch-order": api("repair.take", "repair", method="post"),
    "repair-pay": api("repair.pay", "repair", method="post"),
    "repair-quote": api("repair.take", "repair", method="post"),
    "repair-reopen": api("repair.take", "repair", method="post"),
    "repair-sign-off": api("repair.sign_off", "repair", method="post", kinds=LIVES),
    "complaint-list": api_list("complaint.read", "complaint", kinds=LIVES),
    "complaint-detail": api("complaint.read", "complaint", kinds=LIVES),
    "complaint-acknowledge": api(
        "escalation.acknowledge",
        "escalation",
        method="post",
        args=lambda w: [w.r["complaint"].pk, w.r["escalation"].pk],
    ),
    "complaint-archive": api("complaint.archive", "complaint", method="post"),
    "complaint-cannot-solve": api("complaint.cannot_solve", "complaint", method="post"),
    "complaint-corrective": api("complaint.corrective", "complaint", method="post"),
    "complaint-dispatch": api("complaint.dispatch", "complaint", method="post"),
    "complaint-expect": api("complaint.dispatch", "complaint", method="post"),
    "complaint-issue-letter": api("complaint.reply", "complaint", method="post"),
    "complaint-letter": api("complaint.reply", "complaint", method="post"),
    "complaint-action": api("complaint.resolve", "complaint", method="post"),
    "complaint-reply": api("complaint.reply", "complaint", method="post"),
    "complaint-resolve": api("complaint.resolve", "complaint", method="post"),
    "fee-notice-list": api_list("fee_notice.read", "notice", kinds=("current",)),
    "fee-notice-detail": api("fee_notice.read", "notice", kinds=("current",)),
    "payment-list": api_list("payment.read", "payment", kinds=("current",)),
    "payment-detail": api("payment.read", "payment", kinds=("current",)),
    "collection-rate-list": api("fee_notice.read", "property", args=NONE),
    "visitor-list": api_list("visitor.read", "visitor"),
    "visitor-detail": api("visitor.read", "visitor"),
    "visitor-arrive": api("visitor.write", "visitor", method="post"),
    "visitor-leave": api("visitor.write", "visitor", method="post"),
    "phone-message-list": api_list("message.read", "message", kinds=LIVES),
    "phone-message-detail": api("message.read", "message", kinds=LIVES),
    "phone-message-read": api("message.read", "message", method="post", kinds=LIVES),
    "parcel-list": api_list("parcel.read", "parcel"),
    "parcel-detail": api("parcel.read", "parcel"),
    "parcel-hand-over": api("parcel.write", "parcel", method="post"),
    "key-list": api_list("key.read", "key"),
    "key-detail": api("key.read", "key"),
    "key-hand-out": api("key.write", "key", method="post"),
    "key-return": api("key.write", "key", method="post"),
    "lost-item-list": api_list("lost_item.read", "lost_item"),
    "lost-item-detail": api("lost_item.read", "lost_item"),
    "lost-item-claim": api("lost_item.write", "lost_item", method="post"),
    "release-pass-list": api_list("pass.read", "pass"),
    "release-pass-detail": api("pass.read", "pass"),
    "release-pass-decide": api("pass.write", "pass", method="post"),
    "release-pass-release": api("pass.release", "pass", method="post"),
    "decoration-list": api_list("decoration.read", "decoration"),
    "decoration-detail": api("decoration.read", "decoration"),
    "decoration-finish": api("decoration.write", "decoration", method="post"),
    "decoration-permit": api("decoration.write", "decoration", method="post"),
    "decoration-rectify": api("decoration.write", "decoration", method="post"),
    "decoration-resolve": api(
        "decoration.write",
        "decoration",
        method="post",
        args=lambda w: [w.r["decoration"].pk, w.r["rectification"].pk],
    ),
    "decoration-review": api("decoration.write", "decoration", method="post"),
    "handover-list": api_list("handover.read", "handover"),
    "handover-detail": api("handover.read", "handover"),
    "handover-take-over": api("handover.write", "handover", method="post"),
    "ledger-list": api_list("ledger.read", "ledger"),
    "ledger-sign": api("ledger.sign", "property", method="post", args=NONE),
    "ledger-detail": api("ledger.read", "ledger"),
    "dashboard-list": api("report.read", "property", args=NONE),
}


def route_names() -> list[str]:
    """Every named route of the project (the admin's own and format-suffix twins aside)."""

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace != "admin" and entry.name:
                yield entry.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_route_has_an_entry():
    assert sorted(set(route_names()) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(route_names())) == []


# --- the judgement -----------------------------------------------------------------------------


def refusals() -> set[str]:
    with translation.override("en"):
        texts = {str(c.refusal) for c in policy.CAPABILITIES.values() if c.refusal}
        return texts | {str(policy.MOVED_OUT)}


def expected(route: Route, who: str, w: World) -> bool:
    """Whether the policy lets `who` through this route (on its record)."""
    if who == "anonymous":
        return False
    if who in RESIDENT_KINDS:
        return who in route.kinds
    if not route.staff:
        return False
    if route.cap is None:
        return True
    return policy.allows(w.people[who], route.cap, w.r[route.record])


def judged(route: Route, response, w: World, refused_texts: set[str]) -> bool:
    """What the response says: let through (True) or refused (False)."""
    status = response.status_code
    if status in {401, 403, 404}:
        return False
    if status == 302 and "/login/" in response.get("Location", ""):
        return False
    body = b"".join(response) if response.streaming else response.content
    text = html.unescape(body.decode("utf-8", "replace"))
    if status == 400 and any(t in text for t in refused_texts):
        return False
    if route.shows is not None and status == 200:
        return route.shows(w) in text
    return True


def test_every_route_answers_each_person_as_the_policy_says(world):
    clients = {}
    for who in EVERYONE:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if who != "anonymous":
            client.force_login(world.people[who])
        clients[who] = client
    texts = refusals()
    wrong = []
    for name, route in sorted(ROUTES.items()):
        if route.public:
            continue
        url = reverse(name, args=route.args(world))
        for who in EVERYONE:
            with transaction.atomic():  # each request sees the same world
                call = getattr(clients[who], route.method)
                response = call(url, content_type="application/json") if route.api else call(url)
                transaction.set_rollback(True)
            if response.status_code == 405:
                wrong.append(f"{name}: 405, the entry names the wrong method")
                break
            if response.status_code >= 500:
                wrong.append(f"{name} as {who}: {response.status_code}")
                continue
            want = expected(route, who, world)
            got = judged(route, response, world, texts)
            if want != got:
                wrong.append(
                    f"{name} {route.method.upper()} as {who}: policy says "
                    f"{'allowed' if want else 'refused'}, got {response.status_code}"
                )
    assert wrong == [], "\n".join(wrong)
