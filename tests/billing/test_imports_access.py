"""Who may import (finance, supervisors, managers; not the desk or a resident), and the page."""

import pytest

from billing.models import FeeNotice
from tests.billing.conftest import GOOD, URL, counts, csv_file, post, refused
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, UserFactory

# --- who may import -------------------------------------------------------------------------------


def test_the_desk_clerk_may_not_import(clerk_client, units):
    response = post(clerk_client, csv_file("unit,amount,as_of", GOOD), action="import")

    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_a_resident_gets_404(client, sunshine, units):
    resident = ResidentFactory(property=sunshine, unit=units["2-1503"])
    resident.user = UserFactory(username="lin")
    resident.save(update_fields=["user"])
    client.force_login(resident.user)

    assert client.get(URL).status_code == 404
    assert post(client, csv_file("unit,amount,as_of", GOOD), action="import").status_code == 404
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("role", ["supervisor", "project_manager", "finance"])
def test_supervisors_managers_and_finance_may_import(client, sunshine, units, role):
    client.force_login(staff_at(sunshine, role, username=role))

    response = post(client, csv_file("unit,amount,as_of", GOOD), action="import")

    assert response.status_code == 302
    assert FeeNotice.objects.get().unit == units["2-1504"]


def test_another_propertys_units_are_unknown_and_its_property_cannot_be_chosen(
    client, sunshine, elsewhere, units
):
    there = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0101")
    user = staff_at(sunshine, "finance", username="both")
    staff_at(elsewhere, "clerk", username="both")  # works there, but not as finance
    client.force_login(user)

    unknown = post(client, csv_file("unit,amount,as_of", "9-0101,5,2026-10-31"), property=sunshine)
    chosen = post(
        client,
        csv_file("unit,amount,as_of", "9-0101,5,2026-10-31"),
        property=elsewhere,
        action="import",
    )

    assert refused(unknown) == ["Row 2: unknown unit “9-0101”"]
    assert chosen.status_code == 400 and "property" in chosen.context["form"].errors
    assert not FeeNotice.objects.filter(unit=there).exists()


def test_the_page_offers_both_kinds_and_both_actions(finance_client):
    body = finance_client.get(URL).content.decode()

    assert 'name="kind" value="opening"' in body and 'name="kind" value="readings"' in body
    assert 'value="check"' in body and 'value="import"' in body
    assert 'enctype="multipart/form-data"' in body
