"""The dunning list (by amount owed, by age, by building) and a unit's dunning letter."""

import re
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.notices import notices_generate
from tests.billing.conftest import NOV, D, bill, issued, table_rows
from tests.clock import frozen_at
from tests.factories import UnitFactory
from tests.helpers import EN, squeeze, text

_tenth_of_december = frozen_at("2026-12-10 10:00 +0800")


# --- the dunning list and letter --------------------------------------------------------------------


def test_the_dunning_list_is_one_row_per_unit_by_amount_owed(clerk_client, arrears, foreign):
    page = text(clerk_client.get(reverse("billing_dunning"), **EN))

    # unit, owed, oldest due date, days overdue, notices, step reached
    assert table_rows(page, "billing-dunning") == [
        "1-102300.002026-11-162411.RemindernoticeTakepaymentDunningletter",
        "1-101200.002026-10-165522.PhonecallTakepaymentDunningletter",
    ]
    assert "2 units owe 500.00 yuan on overdue notices." in page
    assert reverse("billing_pay", args=[arrears.u["101"].pk]) in page
    assert reverse("billing_dunning_letter", args=[arrears.u["102"].pk]) in page
    assert "翠湖" not in page and reverse("billing_pay", args=[foreign.unit.pk]) not in page


def test_the_dunning_list_sorts_by_the_oldest_due_date(clerk_client, arrears):
    page = text(clerk_client.get(reverse("billing_dunning"), {"order": "age"}, **EN))

    assert [row[:5] for row in table_rows(page, "billing-dunning")] == ["1-101", "1-102"]
    assert '<strong aria-current="true">Oldest due date</strong>' in page
    assert 'href="?order=amount"' in page


def test_the_dunning_list_filters_by_building_and_keeps_the_filter_when_sorting(
    clerk_client, arrears
):
    UnitFactory(building=arrears.b2, number="202", area_m2=D("10"))
    notices_generate(property=arrears.prop, period=NOV, now=issued(NOV))  # bills 2-202

    page = text(clerk_client.get(reverse("billing_dunning"), {"building": arrears.b2.pk}, **EN))

    assert [row[:5] for row in table_rows(page, "billing-dunning")] == ["2-202"]
    assert "1 unit owes 20.00 yuan on overdue notices." in page
    assert f'href="?building={arrears.b2.pk}&amp;order=age"' in page


def test_a_paid_up_estate_has_nothing_to_chase(clerk_client, estate):
    page = text(clerk_client.get(reverse("billing_dunning"), **EN))

    assert "Nothing is overdue." in page and "0 units owe 0" in page


def test_the_dunning_letter_lists_the_overdue_notices_and_the_total_owed(clerk_client, arrears):
    response = clerk_client.get(reverse("billing_dunning_letter", args=[arrears.u["101"].pk]), **EN)

    page = text(response)
    assert response.status_code == 200
    assert "size: A4 portrait" in page
    assert "<h1>阳光花园</h1>" in page and "Service phone: 0571-88886666" in page
    assert "Formal dunning letter" in page
    assert "周先生<br>Unit 1-101" in page and "Dear 周先生," in page
    assert "the following 2 fee notices for unit 1-101 are overdue" in page
    table = squeeze(re.sub(r"<[^>]+>", " ", page.split("<table>")[1].split("</table>")[0]))
    assert "202610-1-1012026-102026-10-1655100.000.00100.00" in table
    assert "202611-1-1012026-112026-11-1624100.000.00100.00" in table
    assert "Totalowed200.00" in table
    assert "Please pay the total owed of 200.00 yuan" in page
    assert "please call our service centre on 0571-88886666" in page
    assert "阳光花园 Service Centre<br>" in page and "Dec. 10, 2026" in page


def test_a_unit_owing_nothing_overdue_has_no_letter_to_print(clerk_client, arrears):
    page = text(
        clerk_client.get(reverse("billing_dunning_letter", args=[arrears.u["201"].pk]), **EN)
    )

    assert "Unit 2-201 has no overdue fee notices" in page and "<table>" not in page


def test_another_propertys_unit_has_no_dunning_letter(clerk_client, arrears, foreign):
    assert (
        clerk_client.get(reverse("billing_dunning_letter", args=[foreign.unit.pk])).status_code
        == 404
    )


def test_another_propertys_building_is_not_a_dunning_filter(clerk_client, arrears, foreign):
    response = clerk_client.get(reverse("billing_dunning"), {"building": foreign.building.pk}, **EN)

    assert response.status_code == 400
    assert "Correct the marked filters." in text(response)
    assert "Nothing is overdue." in text(response)


def test_the_dunning_list_and_letter_run_a_fixed_number_of_queries(
    clerk_client, arrears, clerk, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as two_units:
        assert clerk_client.get(reverse("billing_dunning")).status_code == 200
    with CaptureQueriesContext(connection) as one_notice:
        assert (
            clerk_client.get(
                reverse("billing_dunning_letter", args=[arrears.u["102"].pk])
            ).status_code
            == 200
        )
    for number in range(300, 310):
        UnitFactory(building=arrears.b2, number=str(number), area_m2=D("33"))
    bill(arrears.prop, date(2026, 9, 1))

    with django_assert_num_queries(len(two_units.captured_queries)):
        page = text(clerk_client.get(reverse("billing_dunning"), **EN))
    with django_assert_num_queries(len(one_notice.captured_queries)):
        letter = text(
            clerk_client.get(reverse("billing_dunning_letter", args=[arrears.u["101"].pk]), **EN)
        )
    assert len(table_rows(page, "billing-dunning")) == 13
    assert "the following 3 fee notices for unit 1-101" in letter
