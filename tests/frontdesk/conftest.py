"""What the desk's page tests share (test_desk_registers_*_pages.py, test_desk_permits_pages.py,
test_desk_shift_pages.py, test_desk_portal_pages.py): building 1 at sunshine with its units
1203 and 1204 and a neighbour in 1204, another property's clerk, unit and resident, the signed-in
browsers, and the helpers that make records and read pages.

林晓峰 himself stays each module's: where he lives and whether he has a portal account a module
says by overriding `lin_fields` and `lin_account` (tests/conftest.py); overriding them here
would change him for every module of tests/frontdesk.

The API's tests (test_desk_api_*.py) share two places, `here` and `there`, the clerk's API
client, the request helpers and one maker for each kind of record: the last section."""

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from frontdesk.desk import permits_services, registers_services, shift_services
from frontdesk.models import Property, Resident, Unit, User
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, portal_user_for
from tests.helpers import text

# The permits, shift and portal tests stop the clock (`clock = frozen_at(NOW)`) at 10:00 in
# Shanghai on Wednesday 25 November 2026. The registers' tests run on the Tuesday before, at
# a NOW of their own.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


# --- who is at the desk --------------------------------------------------------------------------


def english(client, user):
    """`user` signed in, asking for English (the registers' tests)."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, user):
    """`user` signed in, in English by cookie and by header (the permits and shift tests)."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults.update({"HTTP_ACCEPT_LANGUAGE": "en"})
    return client


@pytest.fixture
def browser(clerk_client):
    """The clerk's browser, asking for English."""
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return clerk_client


@pytest.fixture
def far_clerk(elsewhere):
    return staff_at(elsewhere, "clerk", username="far-clerk")


# --- where ----------------------------------------------------------------------------------------


@pytest.fixture
def building(sunshine):
    return BuildingFactory(property=sunshine, number="1")


@pytest.fixture
def unit(building):
    return UnitFactory(building=building, number="1203")


@pytest.fixture
def other_unit(building):
    return UnitFactory(building=building, number="1204")


@pytest.fixture
def neighbour(sunshine, other_unit):
    """A resident of the same property, in another unit."""
    resident = ResidentFactory(
        property=sunshine, name="邻居", phones=["13900001111"], unit=other_unit
    )
    portal_user_for(resident, "neighbour")
    return resident


@pytest.fixture
def far_unit(elsewhere):
    return UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="901")


@pytest.fixture
def far_resident(elsewhere):
    far_unit = UnitFactory(building=BuildingFactory(property=elsewhere, number="8"), number="801")
    return ResidentFactory(property=elsewhere, name="外人", phones=["13800009999"], unit=far_unit)


# --- records ---------------------------------------------------------------------------------------


def found(prop, by, description="黑色雨伞"):
    return registers_services.lost_item_register(
        property=prop,
        by=by,
        description=description,
        found_where="2号楼大堂",
        found_by="保洁",
        stored_where="前台柜 2",
    )


def request_pass(prop, by, unit, carrier="搬家公司小张", items="沙发一张, 纸箱三个"):
    return permits_services.release_pass_request(
        property=prop, by=by, unit=unit, carrier_name=carrier, items=items
    )


def apply_for(resident, by, **fields):
    data = {
        "contractor": "好家装修公司",
        "contractor_phone": "13700001234",
        "work": "厨房改造, 更换地砖",
        "starts": TODAY + timedelta(days=3),
        "ends": TODAY + timedelta(days=30),
    }
    data.update(fields)
    return permits_services.decoration_apply(
        resident=resident, unit=resident.units.get(), by=by, **data
    )


# --- pages ------------------------------------------------------------------------------------------


def page_url(name, prop):
    return f"{reverse(name)}?property={prop.pk}"


def between(page: str, start: str, end: str) -> str:
    """The part of the page from one section's id to the next one's."""
    return page.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def plain(html: str) -> str:
    """An HTML fragment's text: tags dropped, each run of white space one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(response, id_: str) -> str:
    """The text of the page's section with that id."""
    page = text(response)
    assert f'id="{id_}"' in page, f"no section {id_}"
    start = page.index(f'id="{id_}"')
    return plain(page[start : page.index("</section>", start)])


# --- the desk's API (test_desk_api_*.py) -----------------------------------------------------------
# Those tests stop the clock (`frozen = frozen_at(API_NOW)`) at 10:00 in Shanghai on Tuesday
# 24 November 2026, and make their records through the services at a Place: `here`, the
# clerk's, or `there`, another property's.

API_NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
API_TODAY = date(2026, 11, 24)


@dataclass
class Place:
    """One property with a unit, its resident and its desk."""

    prop: Property
    unit: Unit
    resident: Resident
    clerk: User
    supervisor: User


@pytest.fixture
def here(sunshine, clerk, supervisor):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")
    lin = ResidentFactory(property=sunshine, name="林晓峰", phones=["13812345678"], unit=unit)
    return Place(sunshine, unit, lin, clerk, supervisor)


@pytest.fixture
def there(elsewhere):
    unit = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0101")
    resident = ResidentFactory(property=elsewhere, name="外人", phones=["13800009999"], unit=unit)
    return Place(
        elsewhere,
        unit,
        resident,
        staff_at(elsewhere, "clerk", username="there-clerk"),
        staff_at(elsewhere, "supervisor", username="there-boss"),
    )


@pytest.fixture
def api(clerk_client):
    """The clerk's API client, in English."""
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return clerk_client


def post(client, url, body=None, **kwargs):
    return client.post(url, body or {}, content_type="application/json", **kwargs)


def detail(name, obj, action=None):
    if action is None:
        return reverse(f"{name}-detail", args=[obj.pk])
    return reverse(f"{name}-{action}", args=[obj.pk])


def refused(response, text):
    assert response.status_code == 400, response.content
    assert text in str(response.json()), response.json()


# --- makers: one record of each kind at a place, through the services -----------------------------

_seq = itertools.count(1)


def make_visitor(p: Place):
    return registers_services.visitor_register(
        property=p.prop, by=p.clerk, name="访客", purpose="送货", unit=p.unit
    )


def make_message(p: Place):
    return registers_services.message_take(
        property=p.prop, by=p.clerk, caller_name="快递员", text="明天再送", for_resident=p.resident
    )


def make_parcel(p: Place):
    return registers_services.parcel_register(
        property=p.prop, by=p.clerk, unit=p.unit, carrier="顺丰", shelf="A"
    )


def make_key(p: Place):
    return registers_services.key_deposit(
        property=p.prop,
        by=p.clerk,
        unit=p.unit,
        label=f"K{next(_seq)}",
        description="大门钥匙",
        deposited_by=p.resident.name,
        authorised="林太太",
    )


def make_lost(p: Place):
    return registers_services.lost_item_register(
        property=p.prop,
        by=p.clerk,
        description="黑色雨伞",
        found_where="大堂",
        found_by="保安",
        stored_where="前台柜",
    )


def make_pass(p: Place):
    return permits_services.release_pass_request(
        property=p.prop, by=p.clerk, unit=p.unit, carrier_name="搬家公司", items="沙发一张"
    )


def make_decoration(p: Place):
    return permits_services.decoration_apply(
        resident=p.resident,
        unit=p.unit,
        by=p.clerk,
        contractor="好家装修",
        contractor_phone="13911112222",
        work="厨房翻新",
        starts=date(2026, 12, 1),
        ends=date(2026, 12, 20),
    )


def make_handover(p: Place):
    return shift_services.handover_record(
        property=p.prop,
        by=p.clerk,
        day=API_TODAY - timedelta(days=next(_seq)),
        shift="day",
        pending="2-1503 钥匙未还",
    )


def make_ledger(p: Place):
    return shift_services.ledger_sign(
        property=p.prop, by=p.supervisor, day=API_TODAY - timedelta(days=next(_seq))
    )
