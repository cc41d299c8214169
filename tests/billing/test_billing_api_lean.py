"""The fee notice and payment lists are read lean: each row is, field for field, what the
list's serializer gives for the same record, its columns empty or all filled."""

from datetime import UTC, datetime

import pytest

from billing.api import FeeNoticeSerializer, PaymentSerializer
from tests.clock import frozen_at
from tests.lean_lists import assert_same_rows, fill_every_column, listed_and_rich

_tenth_of_december = frozen_at(datetime(2026, 12, 10, 2, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("name", "serializer"), [("fee-notice", FeeNoticeSerializer), ("payment", PaymentSerializer)]
)
def test_each_fees_list_shows_its_records_as_their_serializer_does(
    client, clerk, lins, name, serializer
):
    fill_every_column(lins.second if name == "payment" else lins.december)
    client.force_login(clerk)

    rows, expected = listed_and_rich(client, name, serializer, lins.prop.zone)

    assert len(rows) >= 2
    assert_same_rows(rows, expected)
