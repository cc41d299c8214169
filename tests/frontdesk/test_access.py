"""Another property's records are invisible (404) on every page and endpoint; a resident sees
their own records only."""

import pytest
from django.urls import reverse

from frontdesk.models import Resident
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

STAFF_DETAIL_PAGES = [
    ("get", "resident_card"),
    ("get", "resident_edit"),
    ("post", "resident_edit"),
    ("get", "resident_phones"),
    ("post", "resident_invite"),
]


@pytest.mark.parametrize(("method", "name"), STAFF_DETAIL_PAGES)
def test_another_propertys_resident_is_not_found_on_every_page(
    clerk_client, foreign_resident, method, name
):
    response = getattr(clerk_client, method)(reverse(name, args=[foreign_resident.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_another_propertys_resident_is_not_found_in_the_api(clerk_client, foreign_resident, method):
    url = reverse("resident-detail", args=[foreign_resident.pk])

    response = getattr(clerk_client, method)(url, {"name": "x"}, content_type="application/json")

    assert response.status_code == 404
    foreign_resident.refresh_from_db()
    assert foreign_resident.name == "外人"


def test_another_propertys_unit_is_not_found_in_the_api(clerk_client, foreign_resident):
    unit = foreign_resident.units.get()

    assert clerk_client.get(reverse("unit-detail", args=[unit.pk])).status_code == 404


def test_lists_and_lookup_leave_out_another_property(clerk_client, sunshine, foreign_resident):
    own = ResidentFactory(property=sunshine, name="自己人", phones=["13900009999"])

    lookup = clerk_client.get(reverse("lookup"), {"q": "9999"})
    residents = clerk_client.get(reverse("resident-list")).json()["results"]
    units = clerk_client.get(reverse("unit-list")).json()["results"]

    assert own.name in lookup.content.decode()
    assert foreign_resident.name not in lookup.content.decode()
    assert [r["id"] for r in residents] == [own.pk]
    assert [u["id"] for u in units] == [own.units.get().pk]


def test_clerk_cannot_put_a_resident_on_another_propertys_unit(clerk_client, foreign_resident):
    foreign_unit = foreign_resident.units.get()
    body = {
        "name": "新住户",
        "kind": "owner",
        "units": [foreign_unit.pk],
        "phones": [{"number": "13700001111"}],
        "move_in_date": "2026-11-24",
    }

    response = clerk_client.post(reverse("resident-list"), body, content_type="application/json")

    assert response.status_code == 400
    assert "units" in response.json()
    assert not Resident.objects.filter(name="新住户").exists()


@pytest.fixture
def resident_client(client, sunshine, clerk):
    from tests.factories import UserFactory

    user = UserFactory(username="13812345678")
    me = ResidentFactory(property=sunshine, name="林晓峰", phones=["13812345678"])
    Resident.objects.filter(pk=me.pk).update(user=user)
    client.force_login(user)
    client.me = me
    return client


def test_resident_sees_only_their_own_record_in_the_api(resident_client, sunshine):
    neighbour = ResidentFactory(property=sunshine, name="邻居")

    listed = resident_client.get(reverse("resident-list")).json()["results"]
    other = resident_client.get(reverse("resident-detail", args=[neighbour.pk]))
    other_unit = resident_client.get(reverse("unit-detail", args=[neighbour.units.get().pk]))

    assert [r["id"] for r in listed] == [resident_client.me.pk]
    assert other.status_code == 404
    assert other_unit.status_code == 404


def test_resident_cannot_change_their_record_through_the_api(resident_client):
    url = reverse("resident-detail", args=[resident_client.me.pk])

    response = resident_client.patch(url, {"name": "改名"}, content_type="application/json")

    assert response.status_code == 403
    resident_client.me.refresh_from_db()
    assert resident_client.me.name == "林晓峰"


@pytest.mark.parametrize("name", ["lookup", "resident_new"])
def test_resident_gets_not_found_on_staff_pages(resident_client, name):
    assert resident_client.get(reverse(name)).status_code == 404


def test_resident_gets_not_found_on_a_staff_card_even_their_own(resident_client):
    url = reverse("resident_card", args=[resident_client.me.pk])

    assert resident_client.get(url).status_code == 404


def test_portal_shows_own_units_only(resident_client, sunshine):
    ResidentFactory(
        property=sunshine,
        name="邻居",
        unit=UnitFactory(building=BuildingFactory(property=sunshine), number="0801"),
    )

    page = resident_client.get(reverse("portal")).content.decode()

    assert "林晓峰" in page
    assert "邻居" not in page
    assert "1-0801" not in page


def test_engineer_can_read_but_not_edit_residents(client, sunshine):
    engineer = staff_at(sunshine, "engineer", username="eng")
    resident = ResidentFactory(property=sunshine)
    client.force_login(engineer)

    card = client.get(reverse("resident_card", args=[resident.pk]))
    edit = client.get(reverse("resident_edit", args=[resident.pk]))

    assert card.status_code == 200
    assert edit.status_code == 404


def test_anonymous_is_sent_to_sign_in_and_api_refuses(client, foreign_resident):
    page = client.get(reverse("resident_card", args=[foreign_resident.pk]))
    api = client.get(reverse("resident-list"))

    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))
    assert api.status_code in (401, 403)
