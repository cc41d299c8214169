"""The generate page: who may bill a month, the notices it makes (once), refusals, the runs."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import BillingRun, FeeNotice
from frontdesk.models import Role
from tests.billing.conftest import DEC, NOV, D, bill, issued, table_rows
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, UnitFactory
from tests.helpers import EN, text

_tenth_of_december = frozen_at("2026-12-10 10:00 +0800")


# --- generating a month ----------------------------------------------------------------------------


@pytest.fixture
def boss_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_the_desk_clerk_may_not_generate(clerk_client, estate):
    assert clerk_client.get(reverse("billing_generate")).status_code == 403
    response = clerk_client.post(
        reverse("billing_generate"), {"property": estate.prop.pk, "month": "2026-12"}
    )
    assert response.status_code == 403
    assert not FeeNotice.objects.exists()


def test_generating_a_month_makes_its_notices_and_again_makes_nothing_new(boss_client, estate):
    url = reverse("billing_generate")

    first = boss_client.post(
        url, {"property": estate.prop.pk, "month": "2026-12"}, follow=True, **EN
    )
    again = boss_client.post(
        url, {"property": estate.prop.pk, "month": "2026-12"}, follow=True, **EN
    )

    assert (
        "阳光花园 2026-12: 3 notices made now; the month has 3 notices, and 0 units have nothing to bill."
        in text(first)
    )
    assert (
        "阳光花园 2026-12: 0 notices made now; the month has 3 notices, and 0 units have nothing to bill."
        in text(again)
    )
    assert FeeNotice.objects.filter(period=DEC).count() == 3
    assert sorted(FeeNotice.objects.values_list("total", flat=True)) == [
        D("100.00"),
        D("200.00"),
        D("300.00"),
    ]
    assert FeeNotice.objects.get(unit=estate.u["101"]).due_date == date(2026, 12, 25)
    runs = table_rows(text(again), "billing-runs")
    assert len(runs) == 1 and runs[0].startswith("2026-12阳光花园3") and "600.00" in runs[0]


def test_a_unit_with_nothing_to_bill_is_counted_as_skipped(boss_client, estate):
    UnitFactory(building=estate.b2, number="202", area_m2=D("0"))

    page = text(
        boss_client.post(
            reverse("billing_generate"),
            {"property": estate.prop.pk, "month": "2026-12"},
            follow=True,
            **EN,
        )
    )

    assert "3 notices made now; the month has 3 notices, and 1 units have nothing to bill." in page


@pytest.mark.parametrize("month", ["2026-13", "12/2026", "", "2026-1"])
def test_a_malformed_month_is_refused_and_nothing_is_made(boss_client, estate, month):
    response = boss_client.post(
        reverse("billing_generate"), {"property": estate.prop.pk, "month": month}, **EN
    )

    assert response.status_code == 400
    assert "Nothing was generated" in text(response)
    assert not FeeNotice.objects.exists() and not BillingRun.objects.exists()


def test_another_propertys_month_cannot_be_generated(boss_client, estate, elsewhere):
    UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), area_m2=D("10"))

    response = boss_client.post(
        reverse("billing_generate"), {"property": elsewhere.pk, "month": "2026-12"}, **EN
    )

    assert response.status_code == 400
    assert not FeeNotice.objects.exists() and not BillingRun.objects.exists()


def test_finance_may_generate_and_sees_runs_that_stopped_part_way(client, estate, elsewhere):
    finance = staff_at(estate.prop, Role.FINANCE, username="finance")
    client.force_login(finance)
    bill(estate.prop, NOV)
    BillingRun.objects.create(property=estate.prop, period=DEC, started_at=issued(DEC), made=1)
    BillingRun.objects.create(property=elsewhere, period=DEC, started_at=issued(DEC), made=9)

    page = text(client.get(reverse("billing_generate"), **EN))

    runs = table_rows(page, "billing-runs")
    assert len(runs) == 2  # not 翠湖大厦's
    assert runs[0].startswith("2026-12阳光花园1") and "Stoppedpart-way" in runs[0]
    assert runs[1].startswith("2026-11阳光花园30600.00")
    assert "Stopped" not in runs[1]


def test_the_generate_page_runs_a_fixed_number_of_queries(
    boss_client, estate, elsewhere, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as none:
        assert boss_client.get(reverse("billing_generate")).status_code == 200
    for month in range(1, 12):
        bill(estate.prop, date(2026, month, 1))
    with django_assert_num_queries(len(none.captured_queries)):
        page = text(boss_client.get(reverse("billing_generate"), **EN))
    assert len(table_rows(page, "billing-runs")) == 11
