"""What several of the tickets tests share: unit 1-1203 at sunshine (where the desk pages' 林晓峰
lives), the complaint pages' moment T, Lin's dispatched lift complaint for the pages and for the
API, and the complaint pages' URL and action helpers.

林晓峰 himself stays each module's: where he lives and whether he has a portal account a module
says by overriding `lin_fields` and `lin_account` (tests/conftest.py), here with `unit_1203`;
overriding them here would change him for every module of tests/tickets."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.clock import at
from tests.factories import BuildingFactory, UnitFactory, complaint_received

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


@pytest.fixture
def unit_1203(sunshine):
    """Unit 1203 of building 1 at sunshine: a module's `lin_fields` puts 林晓峰 there."""
    return UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")


# --- complaints ----------------------------------------------------------------------------------


@pytest.fixture
def lift(sunshine, clerk, lin, assistant, engineering):
    """Lin's angry, direct-impact lift complaint, taken by phone at T and sent to engineering;
    the assistant follows it (the complaint pages' tests)."""
    with at(T):
        return complaint_received(
            sunshine, by=clerk, resident=lin, owner=assistant, department=engineering
        )


@pytest.fixture
def dispatched(sunshine, clerk, assistant, engineering, lin):
    """Lin's lift complaint, taken by phone, followed by the assistant, sent to engineering
    (the API's tests)."""
    return complaint_received(
        sunshine, by=clerk, resident=lin, owner=assistant, department=engineering
    )


@pytest.fixture
def detail():
    """The complaint page's URL: `detail(complaint)`."""

    def detail(c) -> str:
        return reverse("complaint_detail", args=[c.pk])

    return detail


@pytest.fixture
def act():
    """Post one of the complaint page's action forms: `act(client, complaint, "resolve", ...)`."""

    def act(client, c, name, **data):
        return client.post(reverse(f"complaint_{name}", args=[c.pk]), data)

    return act
