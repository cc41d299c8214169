"""The collection rate page: collected over billed against the target, by building and month."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.billing.conftest import DEC, NOV, D, bill, notice_of, pay_cash, table_rows
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, MembershipFactory, UnitFactory
from tests.helpers import EN, text

_tenth_of_december = frozen_at("2026-12-10 10:00 +0800")


# --- the collection rate ---------------------------------------------------------------------------------


def test_the_collection_rate_is_collected_over_billed_against_the_target(
    clerk_client, sunshine, fee, clerk
):
    building = BuildingFactory(property=sunshine, number="1")
    small = UnitFactory(building=building, number="101", area_m2=D("50"))
    large = UnitFactory(building=building, number="102", area_m2=D("150"))
    bill(sunshine, NOV)
    pay_cash(large, clerk, notice_of(large), amount="300.00")

    page = text(clerk_client.get(reverse("billing_collection"), **EN))

    assert notice_of(small).total == D("100.00")
    assert '<strong id="overall-rate">75.0%</strong>' in page
    assert "target 95.0%" in page and "below target" in page
    assert "2026-01 to 2026-12" in page  # this year to date
    row = "阳光花园2400.00300.0075.0%▼belowtarget95.0%"
    assert table_rows(page, 'billing-rates" id="rate-overall') == [row]
    assert table_rows(page, 'billing-rates" id="rate-by-building') == [
        "Building12400.00300.0075.0%▼belowtarget95.0%"
    ]
    assert table_rows(page, 'billing-rates" id="rate-by-month') == [
        "2026-112400.00300.0075.0%▼belowtarget95.0%"
    ]
    assert 'id="rate-by-property"' not in page  # one property


def test_the_collection_rate_breaks_down_by_building_and_month_for_a_chosen_range(
    clerk_client, arrears
):
    """October: 600.00 billed, 500.00 collected; November: 600.00 billed, 200.00 collected."""
    everything = text(clerk_client.get(reverse("billing_collection"), **EN))
    october = text(
        clerk_client.get(
            reverse("billing_collection"), {"start": "2026-10", "end": "2026-10"}, **EN
        )
    )

    assert '<strong id="overall-rate">58.3%</strong>' in everything  # 700 / 1200
    assert table_rows(everything, 'billing-rates" id="rate-by-building') == [
        "Building14800.00300.0037.5%▼belowtarget95.0%",
        "Building22400.00400.00100.0%95.0%",
    ]
    assert table_rows(everything, 'billing-rates" id="rate-by-month') == [
        "2026-103600.00500.0083.3%▼belowtarget95.0%",
        "2026-113600.00200.0033.3%▼belowtarget95.0%",
    ]
    assert '<strong id="overall-rate">83.3%</strong>' in october
    assert "2026-11" not in "".join(table_rows(october, 'billing-rates" id="rate-by-month'))


def test_a_month_at_the_target_meets_it(clerk_client, estate, clerk):
    bill(estate.prop, DEC)
    for number in ("101", "102", "201"):
        unit = estate.u[number]
        pay_cash(unit, clerk, notice_of(unit, DEC), amount=notice_of(unit, DEC).total)

    page = text(
        clerk_client.get(
            reverse("billing_collection"), {"start": "2026-12", "end": "2026-12"}, **EN
        )
    )

    assert '<strong id="overall-rate">100.0%</strong>' in page
    assert "meets the target" in page and "▼" not in page


def test_a_range_backwards_or_another_propertys_figures_are_refused(
    clerk_client, november, elsewhere
):
    backwards = clerk_client.get(
        reverse("billing_collection"), {"start": "2026-11", "end": "2026-10"}, **EN
    )
    foreign = clerk_client.get(reverse("billing_collection"), {"property": elsewhere.pk}, **EN)

    assert backwards.status_code == 400
    assert "The first month comes after the last one." in text(backwards)
    assert foreign.status_code == 400
    for response in (backwards, foreign):
        assert "overall-rate" not in text(response)


def test_someone_at_two_properties_sees_them_side_by_side(client, november, foreign, elsewhere):
    both = staff_at(november.prop, "supervisor", username="both")
    MembershipFactory(user=both, property=elsewhere, role="supervisor")
    client.force_login(both)

    page = text(client.get(reverse("billing_collection"), {"property": elsewhere.pk}, **EN))

    assert '<strong id="overall-rate">0.0%</strong>' in page  # 翠湖大厦: nothing paid
    assert table_rows(page, 'billing-rates" id="rate-by-property') == [
        "翠湖大厦1240.000.000.0%▼belowtarget95.0%",
        "阳光花园3600.00300.0050.0%▼belowtarget95.0%",
    ]


def test_the_collection_page_runs_a_fixed_number_of_queries(
    clerk_client, estate, clerk, django_assert_num_queries
):
    bill(estate.prop, NOV)
    with CaptureQueriesContext(connection) as one_month:
        assert clerk_client.get(reverse("billing_collection")).status_code == 200
    for number in range(300, 310):
        UnitFactory(
            building=BuildingFactory(property=estate.prop, number=str(number)),
            number="1",
            area_m2=D("20"),
        )
    for month in range(1, 11):
        bill(estate.prop, date(2026, month, 1))

    with django_assert_num_queries(len(one_month.captured_queries)):
        page = text(clerk_client.get(reverse("billing_collection"), **EN))
    assert len(table_rows(page, 'billing-rates" id="rate-by-month')) == 11
    assert len(table_rows(page, 'billing-rates" id="rate-by-building')) == 12
