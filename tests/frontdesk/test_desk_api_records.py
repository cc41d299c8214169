"""The desk's API as a whole: scoped to the caller's properties, query counts, access, admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.desk import registers_services
from frontdesk.desk.models import Visitor
from frontdesk.models import User
from tests.clock import frozen_at
from tests.frontdesk.conftest import (
    API_NOW,
    detail,
    make_decoration,
    make_handover,
    make_key,
    make_ledger,
    make_lost,
    make_message,
    make_parcel,
    make_pass,
    make_visitor,
    post,
)

frozen = frozen_at(API_NOW)


KINDS = [
    ("visitor", make_visitor),
    ("phone-message", make_message),
    ("parcel", make_parcel),
    ("key", make_key),
    ("lost-item", make_lost),
    ("release-pass", make_pass),
    ("decoration", make_decoration),
    ("handover", make_handover),
    ("ledger", make_ledger),
]


# --- scope and query counts ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "make"), KINDS)
def test_lists_and_details_show_only_the_callers_properties(api, here, there, name, make):
    mine, theirs = make(here), make(there)

    listed = api.get(reverse(f"{name}-list")).json()
    shown = api.get(detail(name, mine))
    hidden = api.get(detail(name, theirs))

    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert shown.status_code == 200
    assert shown.json()["property"] == here.prop.pk
    assert hidden.status_code == 404


@pytest.mark.parametrize(("name", "make"), KINDS)
def test_list_query_count_is_the_same_for_one_row_and_five(api, here, name, make):
    url = reverse(f"{name}-list")
    make(here)
    api.get(url)  # warm-up: content types and the like
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url).json()["results"]) == 1
    for _ in range(4):
        make(here)
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(url).json()["results"]) == 5

    assert len(one.captured_queries) == len(five.captured_queries)


@pytest.mark.parametrize(
    ("name", "make", "action", "body"),
    [
        ("visitor", make_visitor, "leave", {}),
        ("phone-message", make_message, "read", {}),
        ("parcel", make_parcel, "hand-over", {"collected_by_name": "外人", "code": "000000"}),
        ("key", make_key, "hand-out", {"person": "外人", "signed_name": "外人"}),
        ("lost-item", make_lost, "claim", {"claimed_by": "外人"}),
        ("release-pass", make_pass, "release", {}),
        ("decoration", make_decoration, "permit", {}),
        ("handover", make_handover, "take-over", {}),
    ],
)
def test_an_action_on_another_propertys_record_is_not_found_and_changes_nothing(
    api, there, name, make, action, body
):
    theirs = make(there)
    before = type(theirs).objects.get(pk=theirs.pk)

    response = post(api, detail(name, theirs, action), body)

    assert response.status_code == 404
    after = type(theirs).objects.get(pk=theirs.pk)
    assert [getattr(after, f.attname) for f in after._meta.concrete_fields] == [
        getattr(before, f.attname) for f in before._meta.concrete_fields
    ]


def test_a_resident_sees_none_of_the_desks_records(client, here):
    visitor = make_visitor(here)
    here.resident.user = User.objects.create_user("13812345678", password="x")
    here.resident.save(update_fields=["user"])
    client.force_login(here.resident.user)

    assert client.get(reverse("visitor-list")).json()["results"] == []
    assert client.get(detail("visitor", visitor)).status_code == 404


def test_anonymous_callers_are_refused(client, here):
    make_parcel(here)

    assert client.get(reverse("parcel-list")).status_code in (401, 403)


def test_an_engineer_sees_no_visitors_as_on_the_page_and_cannot_register_one(
    client, here, engineer
):
    client.force_login(engineer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    make_visitor(here)

    listed = client.get(reverse("visitor-list"))
    created = post(
        client,
        reverse("visitor-list"),
        {"unit": here.unit.pk, "name": "张三", "purpose": "拜访"},
    )

    assert listed.json()["results"] == []
    assert created.status_code == 403
    assert created.json()["detail"] == "Only the front desk can do this."
    assert Visitor.objects.count() == 1


# --- the back office -------------------------------------------------------------------------------


def test_the_admin_lists_the_desks_records_and_never_deletes_a_movement_or_handover(client, here):
    admin_user = User.objects.create_superuser("root", "root@example.com", "secret-pass-123")
    client.force_login(admin_user)
    key = make_key(here)
    movement = registers_services.key_hand_out(
        key=key, by=here.clerk, person="张师傅", signed_name="张"
    )
    handover = make_handover(here)
    for make in (make_visitor, make_message, make_parcel, make_lost, make_pass, make_decoration):
        make(here)
    make_ledger(here)

    for model in (
        "visitor",
        "phonemessage",
        "parcel",
        "keydeposit",
        "keymovement",
        "lostitem",
        "releasepass",
        "decorationapplication",
        "shifthandover",
        "dailyledger",
    ):
        page = client.get(reverse(f"admin:frontdesk_{model}_changelist"), {"q": "x"})
        assert page.status_code == 200, model
        assert client.get(reverse(f"admin:frontdesk_{model}_add")).status_code == 403, model
    filtered = client.get(
        reverse("admin:frontdesk_releasepass_changelist"),
        {"property__id__exact": here.prop.pk, "state__exact": "requested"},
    )
    assert filtered.context["cl"].result_count == 1

    for obj, model in ((movement, "keymovement"), (handover, "shifthandover")):
        shown = client.get(reverse(f"admin:frontdesk_{model}_change", args=[obj.pk]))
        deleted = client.post(
            reverse(f"admin:frontdesk_{model}_delete", args=[obj.pk]), {"post": "yes"}
        )
        changed = client.post(reverse(f"admin:frontdesk_{model}_change", args=[obj.pk]), {})
        assert shown.status_code == 200
        assert deleted.status_code == 403
        assert changed.status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()
    key_page = client.get(reverse("admin:frontdesk_keydeposit_change", args=[key.pk]))
    assert "张师傅" in key_page.content.decode()  # the movement, shown read-only
    assert 'name="movements-0-person"' not in key_page.content.decode()
