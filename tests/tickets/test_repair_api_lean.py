"""The repair list is read lean: each row is, field for field, what the list's serializer
gives for the same order, whether its columns are empty or all filled."""

from django.urls import reverse

from tests.clock import at
from tests.factories import repair_completed, repair_received
from tests.lean_lists import assert_same_rows, fill_every_column, rich
from tests.tickets.conftest import T
from tickets.models import RepairOrder
from tickets.repairs.api import OrderSerializer


def test_the_list_shows_each_order_as_its_serializer_does(
    client, clerk, engineer, engineering, sunshine
):
    with at(T):
        taken = repair_received(sunshine, by=clerk)
        public = repair_received(sunshine, by=clerk, is_public_area=True, location="大堂")
        done = repair_completed(sunshine, clerk=clerk, engineer=engineer, department=engineering)
    fill_every_column(done)
    client.force_login(clerk)

    rows = client.get(reverse("repair-list")).json()["results"]

    orders = RepairOrder.objects.in_bulk([taken.pk, public.pk, done.pk])
    shown = [orders[row["id"]] for row in rows]
    assert {row["id"] for row in rows} == {taken.pk, public.pk, done.pk}
    filled = next(row for row in rows if row["id"] == done.pk)
    assert filled["closed_at"] == "2026-11-29T00:04:05.678901+08:00"  # Shanghai's clock
    assert filled["agreed_total"] == "7.50"
    assert_same_rows(rows, rich(OrderSerializer, shown, sunshine.zone))
