"""The REST API: filters, writes through the services, clear errors, schema, token auth."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from frontdesk.models import Resident
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory


@pytest.fixture
def units(sunshine):
    one = BuildingFactory(property=sunshine, number="1")
    two = BuildingFactory(property=sunshine, number="2")
    return {
        "1-1203": UnitFactory(building=one, number="1203", floor=12),
        "2-0802": UnitFactory(building=two, number="0802", floor=8),
    }


def new_resident(unit_ids, **overrides):
    body = {
        "name": "新住户",
        "kind": "tenant",
        "company": "星海贸易",
        "units": unit_ids,
        "phones": [{"number": "13700001111", "answered_by": "前台", "relation": "同事"}],
        "move_in_date": "2026-11-24",
    }
    body.update(overrides)
    return body


def test_resident_filters(clerk_client, sunshine, units):
    lin = ResidentFactory(
        property=sunshine, name="林晓峰", unit=units["1-1203"], phones=["13812345678"]
    )
    wu = ResidentFactory(
        property=sunshine, name="吴敏", unit=units["2-0802"], phones=["15000001111"], kind="tenant"
    )
    url = reverse("resident-list")

    def ids(**params):
        return [r["id"] for r in clerk_client.get(url, params).json()["results"]]

    assert ids(building="2") == [wu.pk]
    assert ids(phone="0001111") == [wu.pk]
    assert ids(name="晓峰") == [lin.pk]
    assert ids(kind="tenant") == [wu.pk]
    assert ids(unit=units["1-1203"].pk) == [lin.pk]
    assert ids(archive_number=lin.archive_number) == [lin.pk]


def test_unit_filters(clerk_client, units):
    response = clerk_client.get(reverse("unit-list"), {"building": "2"}).json()

    assert [u["label"] for u in response["results"]] == ["2-0802"]


def test_api_creates_a_resident_with_an_archive_number(clerk_client, units):
    body = new_resident([units["1-1203"].pk])

    response = clerk_client.post(reverse("resident-list"), body, content_type="application/json")

    assert response.status_code == 201, response.json()
    resident = Resident.objects.get()
    assert response.json()["archive_number"] == resident.archive_number == "261124001"
    assert resident.phones.get().relation == "同事"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"units": []}, "units"),
        ({"units": [999999]}, "units"),
        ({"phones": []}, "phones"),
        ({"phones": [{"number": "call me"}]}, "phones"),
        ({"move_in_date": "24/11/2026"}, "move_in_date"),
        ({"kind": "landlord"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_api_input_is_refused_with_the_field_and_changes_nothing(
    clerk_client, units, change, field
):
    body = new_resident([units["1-1203"].pk], **change)

    response = clerk_client.post(
        reverse("resident-list"), body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Resident.objects.exists()


def test_units_of_two_properties_are_refused(client, sunshine, elsewhere, units):
    both = staff_at(sunshine, "clerk", username="both")
    staff_at(elsewhere, "clerk", username="both")
    there = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0101")
    client.force_login(both)

    body = new_resident([units["1-1203"].pk, there.pk])
    response = client.post(reverse("resident-list"), body, content_type="application/json")

    assert response.status_code == 400
    assert "units" in response.json()
    assert not Resident.objects.exists()


def test_patch_changes_one_field_and_keeps_phones_and_units(clerk_client, sunshine, units):
    lin = ResidentFactory(property=sunshine, unit=units["1-1203"], phones=["13812345678"])

    response = clerk_client.patch(
        reverse("resident-detail", args=[lin.pk]),
        {"best_time_to_call": "周末"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    lin.refresh_from_db()
    assert lin.best_time_to_call == "周末"
    assert [p.digits for p in lin.phones.all()] == ["13812345678"]
    assert list(lin.units.all()) == [units["1-1203"]]


def test_engineer_may_read_but_not_write(client, sunshine, units):
    client.force_login(staff_at(sunshine, "engineer", username="eng"))
    body = new_resident([units["1-1203"].pk])

    listed = client.get(reverse("resident-list"))
    created = client.post(reverse("resident-list"), body, content_type="application/json")

    assert listed.status_code == 200
    assert created.status_code == 403
    assert not Resident.objects.exists()


def test_token_auth_and_list_query_count_is_fixed(
    client, clerk, sunshine, units, django_assert_num_queries
):
    token = Token.objects.create(user=clerk)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    for _ in range(3):
        ResidentFactory(property=sunshine, unit=units["1-1203"])
    client.get(reverse("resident-list"), **auth)  # warm-up: content types and the like

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("resident-list"), **auth).status_code == 200
    for _ in range(20):
        ResidentFactory(property=sunshine, unit=units["2-0802"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("resident-list"), **auth)

    assert len(response.json()["results"]) == 23
    assert len(few.captured_queries) == len(many.captured_queries)


def test_schema_and_docs_are_served(clerk_client):
    schema = clerk_client.get(reverse("api_schema"))
    docs = clerk_client.get(reverse("api_docs"))

    assert schema.status_code == 200
    assert b"/api/residents/" in schema.content
    assert docs.status_code == 200


def test_token_is_issued_for_a_right_password_only(client, clerk):
    good = client.post(reverse("api_token"), {"username": "clerk", "password": "secret-pass-123"})
    bad = client.post(reverse("api_token"), {"username": "clerk", "password": "wrong"})

    assert good.status_code == 200
    assert good.json()["token"] == Token.objects.get(user=clerk).key
    assert bad.status_code == 400
