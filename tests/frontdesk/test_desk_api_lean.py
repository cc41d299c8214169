"""The desk's lists and the unit list are read lean: each row is, field for field, what the
list's serializer gives for the same record, its columns empty or all filled."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from frontdesk.api import ResidentSerializer, UnitSerializer
from frontdesk.desk.callers_api import PhoneMessageSerializer, VisitorSerializer
from frontdesk.desk.custody_api import KeySerializer, LostItemSerializer, ParcelSerializer
from frontdesk.desk.permits_api import DecorationSerializer, ReleasePassSerializer
from frontdesk.desk.shift_api import HandoverSerializer, LedgerSerializer
from frontdesk.models import Resident
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UnitFactory
from tests.frontdesk.conftest import (
    API_NOW,
    make_decoration,
    make_handover,
    make_key,
    make_ledger,
    make_lost,
    make_message,
    make_parcel,
    make_pass,
    make_visitor,
)
from tests.lean_lists import assert_same_rows, fill_every_column, listed_and_rich, rich

frozen = frozen_at(API_NOW)

KINDS = [
    ("visitor", make_visitor, VisitorSerializer),
    ("phone-message", make_message, PhoneMessageSerializer),
    ("parcel", make_parcel, ParcelSerializer),
    ("key", make_key, KeySerializer),
    ("lost-item", make_lost, LostItemSerializer),
    ("release-pass", make_pass, ReleasePassSerializer),
    ("decoration", make_decoration, DecorationSerializer),
    ("handover", make_handover, HandoverSerializer),
    ("ledger", make_ledger, LedgerSerializer),
]


@pytest.mark.parametrize(("name", "make", "serializer"), KINDS)
def test_each_desk_list_shows_its_records_as_their_serializer_does(
    api, here, name, make, serializer
):
    make(here)
    fill_every_column(make(here))

    rows, expected = listed_and_rich(api, name, serializer, here.prop.zone)

    assert len(rows) == 2
    assert_same_rows(rows, expected)


def test_the_unit_list_shows_each_unit_as_its_serializer_does(api, here):
    fill_every_column(UnitFactory(building=here.unit.building, number="1504"))

    rows, expected = listed_and_rich(api, "unit", UnitSerializer, here.prop.zone)

    assert [row["label"] for row in rows] == ["2-1503", "2-1504"]
    assert_same_rows(rows, expected)


@pytest.mark.parametrize("role", ["clerk", "engineer"])
def test_the_resident_list_shows_each_resident_as_its_serializer_does(client, here, role):
    """Full numbers for the desk, masked for other staff; a resident's units and phones in
    the order the detail shows them."""
    user = here.clerk if role == "clerk" else staff_at(here.prop, "engineer", username="eng")
    other = UnitFactory(building=here.unit.building, number="0101")
    two = ResidentFactory(
        property=here.prop, name="吴敏", phones=["13900001111", "05718888"], unit=other
    )
    two.units.add(here.unit)
    fill_every_column(two)
    client.force_login(user)

    rows = client.get(reverse("resident-list")).json()["results"]

    residents = Resident.objects.in_bulk([row["id"] for row in rows])
    expected = rich(
        ResidentSerializer,
        [residents[row["id"]] for row in rows],
        here.prop.zone,
        request=SimpleNamespace(user=user),
    )
    assert len(rows) == 2
    assert rows[1]["phones"][0]["number"] == ("13900001111" if role == "clerk" else "139****1111")
    assert_same_rows(rows, expected)
