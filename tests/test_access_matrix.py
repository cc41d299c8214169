"""Every route, every role, every kind of resident: the status the policy implies."""

# The resolver lists every URL pattern and API route; each must have an entry in
# tests/access_routes.py naming the capability it needs (or who it is for) and the real record
# it is tried on. For each person of one property (each staff role, a resident who lives in the
# unit now, one who moved out of it before the records were filed, a neighbour of another unit,
# a resident of another property and an anonymous visitor) the test makes the request and
# compares:
#
# - allowed: the page answers (lists and details show the record), a POST is not refused;
# - refused: 403 or 404, or (a POST) 400 carrying a refusal of the policy; a list leaves the
#   record out.
#
# Staff expectations come from `policy.allows` on the record, so the pages, the API and the
# policy cannot disagree without this test failing. A route with no entry fails
# tests/test_access_routes.py.

import html
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from billing.models import FeeNotice
from billing.payments import adjustment_request, payment_take
from frontdesk import policy, uploads
from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.models import Role
from frontdesk.services import resident_move_out
from tests.access_routes import ROUTES, Route, World
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
