"""The engineer's phone pages: my orders, accept, materials, complete with fee items, and the
resident's drawn signature. Only my orders; anyone else gets 404; bad input changes nothing."""

import base64
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from tests.conftest import staff_at
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    PriceItemFactory,
    ResidentFactory,
    UserFactory,
    repair_received,
)
from tests.tickets.test_uploads import HTML, image_bytes
from tickets.models import RepairEvent, RepairLine, RepairOrder
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

State = RepairOrder.State
STORED_SIGNATURE = re.compile(r"^signatures/[A-Za-z0-9_-]{22}\.png$")


pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def engineer_client(client, engineer):
    client.force_login(engineer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def window(day, hour):
    """An appointment window of two hours, in UTC."""
    return {
        "appointment_start": datetime(2026, 11, day, hour, 0, tzinfo=UTC),
        "appointment_end": datetime(2026, 11, day, hour + 2, 0, tzinfo=UTC),
    }


def dispatched(property, *, clerk, department, engineer=None, when=None, **fields):
    order = repair_received(property, by=clerk, **(when or window(25, 1)), **fields)
    return repairs.repair_dispatch(order=order, by=clerk, department=department, engineer=engineer)


@pytest.fixture
def mine(sunshine, clerk, engineering, engineer):
    resident = ResidentFactory(property=sunshine, name="林晓峰", phones=["13812345678"])
    return dispatched(
        sunshine, clerk=clerk, department=engineering, engineer=engineer, resident=resident
    )


@pytest.fixture
def accepted(mine, engineer):
    return repairs.repair_accept(order=mine, by=engineer)


def signature_data_url(*, blank=False, size=(300, 120)) -> str:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        for x in range(20, 280):
            for dy in (-1, 0, 1):
                image.putpixel((x, 60 + dy + (x // 20) % 5), (17, 17, 17, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_my_orders_lists_mine_and_my_departments_soonest_first(
    engineer_client, sunshine, elsewhere, clerk, engineering, engineer
):
    later = dispatched(
        sunshine,
        clerk=clerk,
        department=engineering,
        engineer=engineer,
        when=window(26, 1),
        description="卫生间漏水",
    )
    sooner = dispatched(
        sunshine, clerk=clerk, department=engineering, when=window(25, 1), description="门锁坏了"
    )
    colleague = staff_at(sunshine, "engineer", username="colleague")
    theirs = dispatched(
        sunshine,
        clerk=clerk,
        department=engineering,
        engineer=colleague,
        description="同事的单",
    )
    other_department = dispatched(
        sunshine,
        clerk=clerk,
        department=DepartmentFactory(property=sunshine, name="保洁部"),
        description="别的部门",
    )
    not_yet = repair_received(sunshine, by=clerk, description="还没派单")
    far_clerk = staff_at(elsewhere, "clerk", username="far-clerk")
    far_engineering = DepartmentFactory(property=elsewhere, name="工程部")
    far = dispatched(elsewhere, clerk=far_clerk, department=far_engineering, description="外面的单")

    response = engineer_client.get(reverse("engineer_orders"))

    body = response.content.decode()
    assert response.status_code == 200
    assert [o.pk for o in response.context["orders"]] == [sooner.pk, later.pk]
    assert body.index("门锁坏了") < body.index("卫生间漏水")
    for hidden in (theirs, other_department, not_yet, far):
        assert hidden.description not in body
        assert reverse("engineer_order", args=[hidden.pk]) not in body
    assert later.resident.name in body
    assert later.resident.phones.first().number in body
    assert later.place in body


def test_accepted_orders_stay_on_my_list_and_completed_ones_leave(
    engineer_client, accepted, engineer
):
    assert accepted.number in engineer_client.get(reverse("engineer_orders")).content.decode()

    repairs.repair_complete(order=accepted, by=engineer, cause="老化", work_done="更换")

    assert accepted.number not in engineer_client.get(reverse("engineer_orders")).content.decode()


def test_my_orders_runs_the_same_number_of_queries_for_more_orders(
    engineer_client, sunshine, clerk, engineering, engineer
):
    dispatched(sunshine, clerk=clerk, department=engineering, engineer=engineer)
    with CaptureQueriesContext(connection) as one:
        engineer_client.get(reverse("engineer_orders"))
    for day in range(26, 30):
        dispatched(
            sunshine, clerk=clerk, department=engineering, engineer=engineer, when=window(day, 1)
        )
    with CaptureQueriesContext(connection) as five:
        response = engineer_client.get(reverse("engineer_orders"))

    assert len(response.context["orders"]) == 5
    assert len(five) == len(one)


def test_someone_who_is_not_an_engineer_gets_404(client, clerk, mine):
    resident_user = UserFactory(username="resident-user")
    for user in (clerk, resident_user):
        client.force_login(user)
        assert client.get(reverse("engineer_orders")).status_code == 404
        assert client.get(reverse("engineer_order", args=[mine.pk])).status_code == 404
        assert client.post(reverse("engineer_order_accept", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.state == State.DISPATCHED


def test_another_engineers_order_is_not_found(client, sunshine, mine, engineering):
    colleague = staff_at(sunshine, "engineer", username="colleague")
    MembershipFactory(user=colleague, property=sunshine, role="clerk")
    client.force_login(colleague)

    assert client.get(reverse("engineer_order", args=[mine.pk])).status_code == 404
    assert client.post(reverse("engineer_order_accept", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.state == State.DISPATCHED and mine.accepted_at is None


def test_an_order_of_another_property_is_not_found(engineer_client, elsewhere):
    far_clerk = staff_at(elsewhere, "clerk", username="far-clerk")
    far = dispatched(
        elsewhere, clerk=far_clerk, department=DepartmentFactory(property=elsewhere, name="工程部")
    )

    assert engineer_client.get(reverse("engineer_order", args=[far.pk])).status_code == 404
    assert engineer_client.post(reverse("engineer_order_accept", args=[far.pk])).status_code == 404


def test_the_order_page_shows_what_the_engineer_needs(engineer_client, mine):
    response = engineer_client.get(reverse("engineer_order", args=[mine.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert mine.number in body and mine.description in body and mine.place in body
    assert "林晓峰" in body and 'href="tel:13812345678"' in body
    assert "Accept this order" in body


def test_engineer_accepts_an_order(engineer_client, mine, engineer):
    response = engineer_client.post(reverse("engineer_order_accept", args=[mine.pk]))

    mine.refresh_from_db()
    assert response.status_code == 302
    assert mine.state == State.ACCEPTED and mine.accepted_at is not None
    assert mine.engineer == engineer
    event = mine.events.last()
    assert (event.kind, event.by) == (RepairEvent.Kind.ACCEPTED, engineer)


def test_an_engineer_of_the_department_accepts_an_order_sent_to_the_department(
    engineer_client, sunshine, clerk, engineering, engineer
):
    order = dispatched(sunshine, clerk=clerk, department=engineering)

    engineer_client.post(reverse("engineer_order_accept", args=[order.pk]))

    order.refresh_from_db()
    assert (order.state, order.engineer) == (State.ACCEPTED, engineer)


def test_accepting_twice_is_refused_with_a_message(engineer_client, accepted):
    accepted_at = accepted.accepted_at

    response = engineer_client.post(reverse("engineer_order_accept", args=[accepted.pk]))

    accepted.refresh_from_db()
    assert response.status_code == 400
    assert "it cannot be accepted now" in response.content.decode()
    assert accepted.accepted_at == accepted_at


def test_engineer_records_the_residents_materials(engineer_client, accepted, engineer):
    response = engineer_client.post(
        reverse("engineer_order_materials", args=[accepted.pk]),
        {"materials": "业主自购水龙头", "inspection": "合格，型号匹配"},
    )

    accepted.refresh_from_db()
    assert response.status_code == 302
    assert (accepted.resident_materials, accepted.materials_inspection) == (
        "业主自购水龙头",
        "合格，型号匹配",
    )
    assert accepted.events.last().kind == RepairEvent.Kind.MATERIALS


def test_materials_without_an_inspection_are_refused(engineer_client, accepted):
    response = engineer_client.post(
        reverse("engineer_order_materials", args=[accepted.pk]),
        {"materials": "业主自购水龙头", "inspection": ""},
    )

    accepted.refresh_from_db()
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert accepted.resident_materials == ""
    assert not accepted.events.filter(kind=RepairEvent.Kind.MATERIALS).exists()


def test_materials_before_accepting_are_refused_with_a_message(engineer_client, mine):
    response = engineer_client.post(
        reverse("engineer_order_materials", args=[mine.pk]),
        {"materials": "业主自购水龙头", "inspection": "合格"},
    )

    mine.refresh_from_db()
    assert response.status_code == 400
    assert "it cannot be changed now" in response.content.decode()
    assert mine.resident_materials == ""


@pytest.fixture
def chargeable(sunshine, clerk, engineering, engineer):
    tap = PriceItemFactory(property=sunshine, name="更换水龙头", unit="个", price=Decimal("35.00"))
    PriceItemFactory(property=sunshine, name="疏通下水道", unit="次", price=Decimal("80.00"))
    PriceItemFactory(property=sunshine, name="旧项目", price=Decimal("1.00"), active=False)
    order = repair_received(sunshine, by=clerk, chargeable=True)
    order = repairs.repair_quote(order=order, by=clerk, lines=[LineInput(tap, Decimal("1"))])
    order = repairs.repair_agree(order=order, by=clerk, via="phone")
    order = repairs.repair_dispatch(
        order=order, by=clerk, department=engineering, engineer=engineer
    )
    return repairs.repair_accept(order=order, by=engineer)


def test_engineer_completes_a_chargeable_repair_with_the_items_used(
    engineer_client, chargeable, engineer, sunshine
):
    tap = sunshine.price_items.get(name="更换水龙头")
    drain = sunshine.price_items.get(name="疏通下水道")
    page = engineer_client.get(reverse("engineer_order", args=[chargeable.pk]))
    assert "更换水龙头" in page.content.decode() and "旧项目" not in page.content.decode()

    response = engineer_client.post(
        reverse("engineer_order_complete", args=[chargeable.pk]),
        {
            "cause": "阀芯老化",
            "work_done": "更换水龙头两个",
            "advice": "冬天注意防冻",
            f"item_{tap.pk}": "2",
            f"item_{drain.pk}": "",
        },
    )

    chargeable.refresh_from_db()
    assert response.status_code == 302
    assert chargeable.state == State.COMPLETED and chargeable.completed_at is not None
    assert (chargeable.cause, chargeable.work_done, chargeable.advice) == (
        "阀芯老化",
        "更换水龙头两个",
        "冬天注意防冻",
    )
    used = list(chargeable.lines.filter(stage=RepairLine.Stage.USED))
    assert [(line.price_item, line.quantity, line.amount) for line in used] == [
        (tap, Decimal("2.00"), Decimal("70.00"))
    ]
    assert used[0].amount == tap.price * 2
    assert chargeable.events.last().kind == RepairEvent.Kind.COMPLETED


def test_a_free_repair_offers_no_fee_items_and_ignores_any_sent(
    engineer_client, accepted, sunshine
):
    tap = PriceItemFactory(property=sunshine, name="更换水龙头")
    page = engineer_client.get(reverse("engineer_order", args=[accepted.pk])).content.decode()
    assert "Complete the repair" in page and "更换水龙头" not in page

    engineer_client.post(
        reverse("engineer_order_complete", args=[accepted.pk]),
        {"cause": "松动", "work_done": "紧固", f"item_{tap.pk}": "3"},
    )

    accepted.refresh_from_db()
    assert accepted.state == State.COMPLETED
    assert not accepted.lines.exists()


def test_completing_without_a_cause_or_with_a_bad_quantity_is_refused(
    engineer_client, chargeable, sunshine
):
    tap = sunshine.price_items.get(name="更换水龙头")
    url = reverse("engineer_order_complete", args=[chargeable.pk])

    no_cause = engineer_client.post(url, {"cause": "", "work_done": "更换"})
    negative = engineer_client.post(
        url, {"cause": "老化", "work_done": "更换", f"item_{tap.pk}": "-1"}
    )

    chargeable.refresh_from_db()
    assert (no_cause.status_code, negative.status_code) == (400, 400)
    assert "This field is required." in no_cause.content.decode()
    assert "greater than or equal to 0.01" in negative.content.decode()
    assert chargeable.state == State.ACCEPTED
    assert not chargeable.lines.filter(stage=RepairLine.Stage.USED).exists()


@pytest.fixture
def completed(accepted, engineer):
    return repairs.repair_complete(order=accepted, by=engineer, cause="老化", work_done="更换")


def test_the_completed_order_offers_the_signature_pad(engineer_client, completed):
    body = engineer_client.get(reverse("engineer_order", args=[completed.pk])).content.decode()

    assert "<canvas" in body and 'name="signature"' in body and "js/signature.js" in body


def test_resident_signs_off_on_the_engineers_phone(engineer_client, completed, engineer, media):
    response = engineer_client.post(
        reverse("engineer_order_sign_off", args=[completed.pk]),
        {"signed_name": "林晓峰", "signature": signature_data_url()},
    )

    completed.refresh_from_db()
    assert response.status_code == 302
    assert completed.signed_via == RepairOrder.SignOff.ON_SITE
    assert completed.signed_name == "林晓峰" and completed.signed_at is not None
    assert STORED_SIGNATURE.match(completed.signature.name), completed.signature.name
    stored = media / completed.signature.name
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (300, 120))
    event = completed.events.last()
    assert (event.kind, event.by) == (RepairEvent.Kind.SIGNED_OFF, engineer)
    page = engineer_client.get(reverse("engineer_order", args=[completed.pk])).content.decode()
    assert reverse("repair_signature", args=[completed.pk]) in page


@pytest.mark.parametrize(
    ("signature", "says"),
    [
        ("", "Draw the signature."),
        (signature_data_url(blank=True), "Draw the signature."),
        ("data:image/png;base64,not base64!!", "The signature could not be read."),
        ("data:text/html;base64," + base64.b64encode(HTML).decode(), "could not be read"),
        (
            "data:image/png;base64," + base64.b64encode(image_bytes("GIF")).decode(),
            "could not be read",
        ),
        ("data:image/png;base64," + "A" * 2_000_000, "could not be read"),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_changes(
    engineer_client, completed, media, signature, says
):
    response = engineer_client.post(
        reverse("engineer_order_sign_off", args=[completed.pk]),
        {"signed_name": "林晓峰", "signature": signature},
    )

    completed.refresh_from_db()
    assert response.status_code == 400
    assert says in response.content.decode()
    assert completed.signed_at is None and not completed.signature
    assert not completed.events.filter(kind=RepairEvent.Kind.SIGNED_OFF).exists()
    assert not list(media.rglob("*.png"))


def test_a_signature_with_html_after_the_png_is_stored_re_encoded(
    engineer_client, completed, media
):
    polyglot = base64.b64encode(image_bytes("PNG") + HTML).decode()

    response = engineer_client.post(
        reverse("engineer_order_sign_off", args=[completed.pk]),
        {"signed_name": "林晓峰", "signature": "data:image/png;base64," + polyglot},
    )

    completed.refresh_from_db()
    assert response.status_code == 302
    stored = (media / completed.signature.name).read_bytes()
    assert stored.startswith(b"\x89PNG") and b"<script" not in stored


def test_signing_without_a_name_is_refused(engineer_client, completed):
    response = engineer_client.post(
        reverse("engineer_order_sign_off", args=[completed.pk]),
        {"signed_name": "", "signature": signature_data_url()},
    )

    completed.refresh_from_db()
    assert response.status_code == 400
    assert completed.signed_at is None


def test_signing_twice_is_refused_with_a_message(engineer_client, completed):
    url = reverse("engineer_order_sign_off", args=[completed.pk])
    engineer_client.post(url, {"signed_name": "林晓峰", "signature": signature_data_url()})
    completed.refresh_from_db()
    first = completed.signature.name

    response = engineer_client.post(url, {"signed_name": "别人", "signature": signature_data_url()})

    completed.refresh_from_db()
    assert response.status_code == 400
    assert "it cannot be signed off now" in response.content.decode() or "already signed" in (
        response.content.decode()
    )
    assert (completed.signed_name, completed.signature.name) == ("林晓峰", first)


def test_the_menu_links_staff_to_my_orders(engineer_client):
    body = engineer_client.get(reverse("engineer_orders")).content.decode()

    assert f'href="{reverse("engineer_orders")}"' in body
