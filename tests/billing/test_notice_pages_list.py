"""The desk's notice list: filters, totals, keyset pages, its queries; the fee pages are staff's."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from billing import desk_queries
from billing.dunning import dunning_advance
from billing.models import DunningStage
from tests.billing.conftest import DEC, NOV, D, bill, notice_of, table_rows
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import MembershipFactory, ResidentFactory, UnitFactory, UserFactory
from tests.helpers import EN, same_queries, text

_tenth_of_december = frozen_at("2026-12-10 10:00 +0800")


# --- the notice list ---------------------------------------------------------------------------------


def test_the_list_shows_each_notice_with_its_figures_and_the_totals_of_the_filter(
    clerk_client, november, foreign
):
    page = text(clerk_client.get(reverse("billing_notices"), **EN))

    rows = table_rows(page, "billing-notices")
    assert rows == [
        # number, unit, period, total, paid, outstanding, due date + mark, dunning step
        "202611-1-1011-1012026-11100.000.00100.002026-11-16Overdue—Takepayment",
        "202611-1-1021-1022026-11300.00300.000.002026-11-16Settled—",
        "202611-2-2012-2012026-11200.000.00200.002026-11-16Overdue—Takepayment",
    ]
    assert 'id="totals-count">3<' in page
    assert 'id="totals-total">600.00<' in page
    assert 'id="totals-paid">300.00<' in page
    assert 'id="totals-outstanding">300.00<' in page
    assert reverse("billing_pay", args=[november.u["101"].pk]) in page
    assert reverse("billing_pay", args=[november.u["102"].pk]) not in page  # settled
    assert reverse("billing_notice", args=[notice_of(november.u["201"]).pk]) in page
    assert "翠湖大厦" not in page
    assert reverse("billing_notice", args=[foreign.notice.pk]) not in page
    assert 'name="property"' not in page  # one property: no property filter


@pytest.mark.parametrize(
    ("query", "expected", "total"),
    [
        ({"status": "owed"}, ["202611-1-101", "202611-2-201"], "300.00"),
        ({"status": "settled"}, ["202611-1-102"], "300.00"),
        (
            {"kind": "monthly", "period": "2026-11"},
            ["202611-1-101", "202611-1-102", "202611-2-201"],
            "600.00",
        ),
        ({"period": "2026-10"}, [], "0.00"),
        ({"kind": "opening"}, [], "0.00"),
    ],
)
def test_the_list_filters_by_payment_month_and_kind(clerk_client, november, query, expected, total):
    page = text(clerk_client.get(reverse("billing_notices"), query, **EN))

    shown = re.findall(r"202611-\d-\d{3}(?=</a>)", page)
    assert shown == expected
    assert f'id="totals-total">{total}<' in page


def test_the_building_filter_shows_its_notices_and_offers_the_print_batch(clerk_client, november):
    page = text(
        clerk_client.get(
            reverse("billing_notices"), {"building": november.b2.pk, "period": "2026-11"}, **EN
        )
    )

    assert re.findall(r"202611-\d-\d{3}(?=</a>)", page) == ["202611-2-201"]
    assert 'id="totals-total">200.00<' in page
    assert reverse("billing_notice_batch", args=[november.b2.pk, "2026-11"]) in page
    assert reverse("billing_notice_batch_pdf", args=[november.b2.pk, "2026-11"]) in page


def test_a_malformed_month_or_another_propertys_building_is_refused(
    clerk_client, november, foreign
):
    bad_month = clerk_client.get(reverse("billing_notices"), {"period": "2026-13"}, **EN)
    foreign_building = clerk_client.get(
        reverse("billing_notices"), {"building": foreign.building.pk}, **EN
    )

    assert bad_month.status_code == 400
    assert "Enter a month as YYYY-MM" in text(bad_month)
    assert foreign_building.status_code == 400
    for response in (bad_month, foreign_building):
        assert "202611-" not in text(response)


def test_someone_at_two_properties_may_filter_by_property(client, november, foreign, elsewhere):
    both = staff_at(november.prop, "clerk", username="both")
    MembershipFactory(user=both, property=elsewhere, role="clerk")
    client.force_login(both)

    everything = text(client.get(reverse("billing_notices"), **EN))
    only_there = text(client.get(reverse("billing_notices"), {"property": elsewhere.pk}, **EN))

    assert 'name="property"' in everything
    foreign_link = reverse("billing_notice", args=[foreign.notice.pk])
    assert foreign_link in everything and "202611-1-102" in everything
    assert "翠湖大厦" in everything  # each row says whose it is
    assert 'id="totals-count">4<' in everything
    assert foreign_link in only_there and "202611-1-102" not in only_there
    assert 'id="totals-total">240.00<' in only_there


def test_the_list_is_newest_month_first_then_building_and_unit_fifty_a_page(
    clerk_client, november, monkeypatch
):
    bill(november.prop, DEC)
    monkeypatch.setattr(desk_queries, "PAGE_SIZE", 2)
    numbers = re.compile(r"2026\d\d-\d-\d{3}(?=</a>)")

    seen, url, pages = [], reverse("billing_notices") + "?status=", 0
    while url:
        page = text(clerk_client.get(url, **EN))
        seen += numbers.findall(page)
        pages += 1
        found = re.search(r'href="\?([^"]*)" rel="next"', page)
        url = reverse("billing_notices") + "?" + found[1].replace("&amp;", "&") if found else None
        assert 'id="totals-count">6<' in page  # the totals are the filter's, not the page's

    assert pages == 3
    assert seen == [
        "202612-1-101",
        "202612-1-102",
        "202612-2-201",
        "202611-1-101",
        "202611-1-102",
        "202611-2-201",
    ]
    assert len(set(seen)) == 6


def test_a_made_up_page_link_is_refused(clerk_client, november):
    response = clerk_client.get(reverse("billing_notices"), {"after": "bm90LWEtY3Vyc29y"}, **EN)

    assert response.status_code == 400
    assert "That page link is not valid" in text(response)


def test_the_list_runs_a_fixed_number_of_queries(
    clerk_client, estate, clerk, django_assert_num_queries
):
    bill(estate.prop, NOV)
    for number in range(300, 310):
        UnitFactory(building=estate.b1, number=str(number), area_m2=D("60"))
    bill(estate.prop, DEC)
    DunningStage.objects.create(property=estate.prop, step=1, kind="reminder", days_overdue=1)
    dunning_advance(now=datetime(2026, 12, 10, 2, 0, tzinfo=UTC))

    response = same_queries(
        clerk_client,
        reverse("billing_notices") + f"?period=2026-11&building={estate.b2.pk}",
        reverse("billing_notices") + f"?building={estate.b1.pk}",
        django_assert_num_queries,
        **EN,
    )
    assert "1. Reminder notice" in text(response)
    assert 'id="totals-count">14<' in text(response)


@pytest.mark.parametrize(
    "name",
    ["billing_notices", "billing_dunning", "billing_collection", "billing_generate"],
)
def test_the_pages_are_for_staff_only(client, estate, name):
    assert client.get(reverse(name)).status_code == 302  # to sign in
    resident = ResidentFactory(property=estate.prop, unit=estate.u["101"])
    resident.user = UserFactory(username="13800001111")
    resident.save()
    client.force_login(resident.user)

    assert client.get(reverse(name)).status_code == 404
