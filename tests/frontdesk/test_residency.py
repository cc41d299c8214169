"""Residency is dated: after moving out, a former tenant reads what they filed or paid while
they lived there, read-only, and nothing the unit's next occupants file, pay or receive;
through the portal and through an API token alike."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from billing.models import FeeNotice
from billing.payments import payment_take
from frontdesk.models import Resident
from frontdesk.services import resident_move_out
from tests.clock import at, frozen_at
from tests.factories import (
    BuildingFactory,
    PriceItemFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
    repair_received,
)
from tickets.models import RepairOrder
from tickets.repairs import services as repairs

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
MOVED_OUT_ON = date(2026, 10, 31)
BEFORE = datetime(2026, 10, 15, 2, 0, tzinfo=UTC)  # while the former tenant lived there


frozen = frozen_at(T)


def notice(unit, period: date, number: str) -> FeeNotice:
    return FeeNotice.objects.create(
        property=unit.building.property,
        unit=unit,
        kind="monthly",
        period=period,
        number=number,
        issued_at=T,
        due_date=period.replace(day=16),
        total=Decimal("100.00"),
        arrears_before=Decimal("0"),
    )


def quoted(order, clerk):
    item = PriceItemFactory(property=order.property)
    return repairs.repair_quote(order=order, by=clerk, lines=[repairs.LineInput(item, 1)])


@pytest.fixture
def unit(sunshine):
    return UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")


@pytest.fixture
def history(sunshine, clerk, unit):
    """The former tenant's repair (quoted, waiting for agreement), fee notice and payment;
    then the move-out; then the new tenant's repair (quoted too), notice and payment."""
    with at(BEFORE):
        former = ResidentFactory(
            property=sunshine, unit=unit, name="旧租户", user=UserFactory(username="13800000001")
        )
        old_repair = quoted(repair_received(sunshine, by=clerk, resident=former), clerk)
        old_notice = notice(unit, date(2026, 10, 1), "202610-2-1503")
        old_payment = payment_take(
            unit=unit,
            by=clerk,
            notices=[old_notice],
            method="cash",
            amount=Decimal("100.00"),
            received=Decimal("100.00"),
            resident=former,
        )
        resident_move_out(resident=former, by=clerk, on=MOVED_OUT_ON)
    tenant = ResidentFactory(
        property=sunshine,
        unit=unit,
        name="新租户",
        user=UserFactory(username="13800000002"),
        move_in_date=date(2026, 11, 1),
    )
    new_repair = quoted(repair_received(sunshine, by=clerk, resident=tenant), clerk)
    new_notice = notice(unit, date(2026, 11, 1), "202611-2-1503")
    new_payment = payment_take(
        unit=unit,
        by=clerk,
        notices=[new_notice],
        method="cash",
        amount=Decimal("100.00"),
        received=Decimal("100.00"),
        resident=tenant,
    )
    return {
        "former": former,
        "tenant": tenant,
        "old_repair": old_repair,
        "new_repair": new_repair,
        "old_notice": old_notice,
        "new_notice": new_notice,
        "old_payment": old_payment,
        "new_payment": new_payment,
    }


def portal_client(resident: Resident) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(resident.user)
    return client


def token_client(resident: Resident) -> Client:
    token = Token.objects.create(user=resident.user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def test_after_moving_out_the_portal_shows_nothing_filed_for_the_unit_later(history):
    h = history
    former = portal_client(h["former"])

    for name, record in [
        ("portal_repair", "new_repair"),
        ("portal_notice", "new_notice"),
        ("portal_receipt", "new_payment"),
    ]:
        assert former.get(reverse(name, args=[h[record].pk])).status_code == 404, name
    agreed = former.post(reverse("portal_repair_agree", args=[h["new_repair"].pk]))

    assert agreed.status_code == 404
    h["new_repair"].refresh_from_db()
    assert (h["new_repair"].state, h["new_repair"].agreed_at) == (
        RepairOrder.State.AWAITING_AGREEMENT,
        None,
    )
    repairs_page = former.get(reverse("portal_repairs")).content.decode()
    fees_page = former.get(reverse("portal_fees")).content.decode()
    assert h["old_repair"].number in repairs_page
    assert h["new_repair"].number not in repairs_page
    assert h["old_notice"].number in fees_page and h["new_notice"].number not in fees_page


def test_the_former_tenant_reads_their_own_history_read_only(history):
    h = history
    former = portal_client(h["former"])

    page = former.get(reverse("portal_repair", args=[h["old_repair"].pk]))
    receipt = former.get(reverse("portal_receipt", args=[h["old_payment"].pk]))
    agreed = former.post(reverse("portal_repair_agree", args=[h["old_repair"].pk]))
    filed = former.post(reverse("portal_repair_new"), {"description": "又坏了"})

    assert page.status_code == 200 and h["old_repair"].number in page.content.decode()
    assert reverse("portal_repair_agree", args=[h["old_repair"].pk]) not in page.content.decode()
    assert receipt.status_code == 200
    assert agreed.status_code == 400
    assert "Only the resident or the desk can agree to the quote." in agreed.content.decode()
    h["old_repair"].refresh_from_db()
    assert h["old_repair"].agreed_at is None
    assert filed.status_code == 403
    assert "You have moved out" in filed.content.decode()
    assert RepairOrder.objects.count() == 2


def test_a_portal_account_with_no_current_home_lands_on_a_page_saying_so(history):
    former = portal_client(history["former"]).get(reverse("portal")).content.decode()
    tenant = portal_client(history["tenant"]).get(reverse("portal")).content.decode()

    assert "You no longer live at any of these homes" in former
    assert "Moved out on" in former
    assert "You no longer live at any of these homes" not in tenant


def test_an_api_token_reaches_what_the_portal_reaches(history):
    h = history
    former, tenant = token_client(h["former"]), token_client(h["tenant"])

    def ids(client, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(former, "repair-list") == {h["old_repair"].pk}
    assert ids(tenant, "repair-list") == {h["new_repair"].pk}  # not the former tenant's
    assert ids(tenant, "fee-notice-list") == {h["new_notice"].pk}
    assert ids(tenant, "payment-list") == {h["new_payment"].pk}
    assert ids(former, "fee-notice-list") == {h["old_notice"].pk}
    assert ids(former, "payment-list") == {h["old_payment"].pk}
    for name, record in [
        ("repair-detail", "new_repair"),
        ("fee-notice-detail", "new_notice"),
        ("payment-detail", "new_payment"),
    ]:
        assert former.get(reverse(name, args=[h[record].pk])).status_code == 404, name
    assert former.get(reverse("repair-detail", args=[h["old_repair"].pk])).status_code == 200
    agree = reverse("repair-agree", args=[h["old_repair"].pk])
    refused = former.post(agree, {}, content_type="application/json")
    assert refused.status_code == 403
    assert ids(former, "unit-list") == set()
    h["old_repair"].refresh_from_db()
    assert h["old_repair"].agreed_at is None


def test_the_new_tenant_agrees_to_their_own_quote_in_the_portal(history):
    h = history
    tenant = portal_client(h["tenant"])

    agreed = tenant.post(reverse("portal_repair_agree", args=[h["new_repair"].pk]))

    assert agreed.status_code == 302
    h["new_repair"].refresh_from_db()
    assert h["new_repair"].state == RepairOrder.State.RECEIVED and h["new_repair"].agreed_at == T
