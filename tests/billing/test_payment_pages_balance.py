"""The balance on the resident card, and the move-out refused while anything is owed."""

from datetime import date

import pytest
from django.urls import reverse

from billing.payments import unit_credit, units_owed
from frontdesk.models import Resident
from tests.billing.conftest import OCT, D, owe, pay_url, take
from tests.factories import UnitFactory
from tests.helpers import count_queries, text


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


# --- the resident card ---------------------------------------------------------------------------


def test_the_resident_card_shows_what_each_unit_owes_and_its_credit(desk, unit, lin, clerk):
    second = UnitFactory(building=unit.building, number="1204")
    lin.units.add(second)
    owe(unit, "1000.00", period=OCT)
    paid = owe(second, "200.00")
    take(second, clerk, [paid], "250.00", "250.00")  # 50.00 left as credit

    response = desk.get(reverse("resident_card", args=[lin.pk]))

    page = text(response)
    balance = response.context["resident"].balance
    assert [(b.unit, b.owed, b.credit) for b in balance.units] == [
        (unit, D("1000.00"), D("0.00")),
        (second, D("0.00"), D("50.00")),
    ]
    assert balance.owed == units_owed([unit, second]) == D("1000.00")
    assert balance.credit == unit_credit(second) == D("50.00")
    assert 'id="balance-owed">1000.00<' in page
    assert f"{pay_url(unit)}?resident={lin.pk}" in page
    assert f"{pay_url(second)}?resident={lin.pk}" not in page  # nothing owed there
    assert reverse("resident_move_out", args=[lin.pk]) in page


def test_the_resident_card_query_count_does_not_grow_with_notices_payments_or_units(
    desk, unit, lin, clerk, django_assert_num_queries
):
    url = reverse("resident_card", args=[lin.pk])
    notice = owe(unit, "100.00", period=date(2026, 6, 1))
    take(unit, clerk, [notice], "100.00", "100.00", key="a")
    one, _ = count_queries(desk, url)
    for number in ("1204", "1205"):
        extra = UnitFactory(building=unit.building, number=number)
        lin.units.add(extra)
        for month in (7, 8, 9):
            n = owe(extra, "100.00", period=date(2026, month, 1))
            take(extra, clerk, [n], "150.00", "150.00", key=f"{number}-{month}")

    with django_assert_num_queries(one):
        response = desk.get(url)

    assert len(response.context["resident"].balance.units) == 3


def test_move_out_is_refused_while_anything_is_owed(desk, unit, lin):
    owe(unit, "1234.50")

    response = desk.post(reverse("resident_move_out", args=[lin.pk]), {"on": "2026-12-31"})

    assert response.status_code == 400
    assert "Move-out refused: 1234.50 yuan is still owed on 1 fee notice." in text(response)
    assert Resident.objects.get(pk=lin.pk).moved_out_on is None


def test_move_out_is_recorded_once_everything_is_paid(desk, unit, lin, clerk):
    notice = owe(unit, "1234.50")
    take(unit, clerk, [notice], "1234.50", "1300.00")

    response = desk.post(reverse("resident_move_out", args=[lin.pk]), {"on": "2026-12-31"})

    assert response.status_code == 302
    assert response.url == reverse("resident_card", args=[lin.pk])
    assert Resident.objects.get(pk=lin.pk).moved_out_on == date(2026, 12, 31)
    card = text(desk.get(response.url))
    assert "Moved out on" in card and "2026-12-31" in card
    assert reverse("resident_move_out", args=[lin.pk]) not in card


def test_move_out_needs_a_date_and_another_propertys_resident_is_not_found(
    desk, lin, foreign_resident
):
    missing = desk.post(reverse("resident_move_out", args=[lin.pk]), {"on": ""})
    foreign = desk.post(
        reverse("resident_move_out", args=[foreign_resident.pk]), {"on": "2026-12-31"}
    )

    assert missing.status_code == 400 and "Enter the move-out date." in text(missing)
    assert foreign.status_code == 404
    assert not Resident.objects.filter(moved_out_on__isnull=False).exists()
