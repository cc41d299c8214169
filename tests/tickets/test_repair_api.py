"""The repair API: scoped lists and details, creation, each transition, clear errors."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import staff_at
from tests.factories import PriceItemFactory, ResidentFactory, UserFactory, repair_received
from tests.helpers import post_json
from tickets.models import RepairOrder


def test_clerk_creates_an_order_and_walks_it_to_closed(
    client, clerk, engineer, engineering, sunshine
):
    resident = ResidentFactory(property=sunshine)
    tap = PriceItemFactory(property=sunshine)
    client.force_login(clerk)

    created = post_json(
        client,
        "repair-list",
        resident=resident.pk,
        unit=resident.units.first().pk,
        channel="phone",
        category="water",
        description="水龙头漏水",
        chargeable=True,
        appointment_start="2026-11-25T09:00:00+08:00",
        appointment_end="2026-11-25T11:00:00+08:00",
    )
    pk = created.json()["id"]
    post_json(client, "repair-quote", pk, lines=[{"price_item": tap.pk, "quantity": "1"}])
    post_json(client, "repair-agree", pk, via="phone")
    dispatched = post_json(
        client, "repair-dispatch-order", pk, department=engineering.pk, engineer=engineer.pk
    )
    client.force_login(engineer)
    post_json(client, "repair-accept", pk)
    post_json(
        client,
        "repair-complete",
        pk,
        cause="老化",
        work_done="更换",
        lines=[{"price_item": tap.pk, "quantity": "1"}],
    )
    client.force_login(clerk)
    post_json(client, "repair-sign-off", pk, signed_name="林晓峰")
    post_json(client, "repair-pay", pk, amount="35.00", method="cash")
    closed = post_json(client, "repair-close", pk)

    assert created.status_code == 201
    assert dispatched.json()["state"] == "dispatched"
    assert closed.status_code == 200, closed.json()
    assert closed.json()["state"] == "closed"
    assert [e["kind"] for e in closed.json()["events"]] == [
        "received",
        "quoted",
        "agreed",
        "dispatched",
        "accepted",
        "completed",
        "signed_off",
        "paid",
        "closed",
    ]
    assert RepairOrder.objects.get(pk=pk).payments.get().amount == Decimal("35.00")


def test_illegal_transition_is_a_400_with_the_reason(client, clerk, sunshine):
    order = repair_received(sunshine, by=clerk)
    client.force_login(clerk)

    response = post_json(client, "repair-close", order.pk)

    assert response.status_code == 400
    assert "cannot be closed now" in response.json()["detail"][0]
    assert RepairOrder.objects.get(pk=order.pk).state == "received"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "water", "description": "x"}, "channel"),
        ({"channel": "phone", "category": "plumbing", "description": "x"}, "category"),
        ({"channel": "phone", "category": "water", "description": ""}, "description"),
    ],
)
def test_bad_create_input_names_the_field_and_creates_nothing(client, clerk, sunshine, body, field):
    resident = ResidentFactory(property=sunshine)
    client.force_login(clerk)

    response = post_json(
        client, "repair-list", resident=resident.pk, unit=resident.units.first().pk, **body
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not RepairOrder.objects.exists()


def test_another_propertys_orders_are_not_found(client, clerk, elsewhere):
    foreign_clerk = staff_at(elsewhere, "clerk", username="foreign")
    order = repair_received(elsewhere, by=foreign_clerk)
    client.force_login(clerk)

    listed = client.get(reverse("repair-list")).json()["results"]
    detail = client.get(reverse("repair-detail", args=[order.pk]))
    cancel = post_json(client, "repair-cancel", order.pk, reason="x")

    assert listed == []
    assert detail.status_code == 404
    assert cancel.status_code == 404
    assert RepairOrder.objects.get(pk=order.pk).state == "received"


def test_resident_sees_only_their_units_orders(client, clerk, sunshine):
    mine = repair_received(sunshine, by=clerk)
    theirs = repair_received(sunshine, by=clerk)
    me = UserFactory(username="13800000000")
    mine.resident.user = me
    mine.resident.save()
    client.force_login(me)

    listed = [o["id"] for o in client.get(reverse("repair-list")).json()["results"]]

    assert listed == [mine.pk]
    assert client.get(reverse("repair-detail", args=[theirs.pk])).status_code == 404
    assert post_json(client, "repair-cancel", mine.pk, reason="x").status_code == 403


def test_list_filters_and_runs_fixed_queries(client, clerk, sunshine):
    client.force_login(clerk)
    repair_received(sunshine, by=clerk, category="lift")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("repair-list"))
    for _ in range(15):
        repair_received(sunshine, by=clerk)
    with CaptureQueriesContext(connection) as many:
        lifts = client.get(reverse("repair-list"), {"category": "lift"}).json()["results"]
        client.get(reverse("repair-list"))

    assert len(lifts) == 1
    assert len(many.captured_queries) == 2 * len(few.captured_queries)
