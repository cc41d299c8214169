"""The desk's lists and the unit list are read lean: each row is, field for field, what the
list's serializer gives for the same record, its columns empty or all filled."""

import pytest

from frontdesk.api import UnitSerializer
from frontdesk.desk.callers_api import PhoneMessageSerializer, VisitorSerializer
from frontdesk.desk.custody_api import KeySerializer, LostItemSerializer, ParcelSerializer
from frontdesk.desk.permits_api import DecorationSerializer, ReleasePassSerializer
from frontdesk.desk.shift_api import HandoverSerializer, LedgerSerializer
from tests.clock import frozen_at
from tests.factories import UnitFactory
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
from tests.lean_lists import assert_same_rows, fill_every_column, listed_and_rich

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
