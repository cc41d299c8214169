"""The complaint list is read lean, for staff and for the complainant: each row is, field for
field, what the list's serializer gives for the same complaint, its columns empty or all
filled, its written reply issued, drafted or none."""

import pytest

from tests.clock import at
from tests.factories import complaint_received
from tests.lean_lists import AT, assert_same_rows, fill_every_column, listed_and_rich
from tests.tickets.conftest import T
from tickets.complaints import services as complaints
from tickets.complaints.serializers import ComplaintSerializer, ResidentComplaintSerializer


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def lins_complaints(sunshine, clerk, lin, assistant, engineering):
    """Three of Lin's letters: one answered by an issued written reply, one with a draft, and
    one with every column filled."""
    with at(T):
        issued, drafted, filled = (
            complaint_received(
                sunshine, by=clerk, resident=lin, channel="letter", department=engineering
            )
            for _ in range(3)
        )
        complaints.written_reply_draft(complaint=issued, by=clerk, body="回复")
        complaints.written_reply_issue(complaint=issued, by=clerk)
        complaints.written_reply_draft(complaint=drafted, by=clerk, body="草稿")
    fill_every_column(filled)
    return issued, drafted, filled


def test_the_staff_list_shows_each_complaint_as_its_serializer_does(
    client, clerk, sunshine, lins_complaints
):
    client.force_login(clerk)

    rows, expected = listed_and_rich(client, "complaint", ComplaintSerializer, sunshine.zone)

    assert len(rows) == 3
    assert_same_rows(rows, expected)


def test_the_complainants_list_shows_each_complaint_as_its_serializer_does(
    client, lin, sunshine, lins_complaints
):
    issued, drafted, filled = lins_complaints
    client.force_login(lin.user)

    rows, expected = listed_and_rich(
        client, "complaint", ResidentComplaintSerializer, sunshine.zone
    )

    letters = {row["id"]: row["written_reply"] for row in rows}
    assert letters[issued.pk]["body"] == "回复"
    assert letters[drafted.pk] is None
    assert next(r for r in rows if r["id"] == filled.pk)["resolved_at"] == (
        AT.astimezone(sunshine.zone).isoformat()
    )
    assert_same_rows(rows, expected)
