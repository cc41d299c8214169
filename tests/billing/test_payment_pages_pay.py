"""Taking a payment at the desk (唱收唱付), who may take money, the receipt and its print."""

import re
from datetime import date

import pytest
from django.urls import reverse

from billing.models import Allocation, Payment, PaymentAdjustment
from billing.payments import adjustment_request
from tests.billing.conftest import NOV, OCT, TAKEN_AT, D, owe, pay_url, take
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory
from tests.helpers import browser, count_queries, fresh, text


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


def form_data(notices, **overrides) -> dict:
    data = {
        "notices": [n.pk for n in notices],
        "method": "cash",
        "amount": str(sum((n.outstanding for n in notices), D("0"))),
        "received": "",
        "reference": "",
        "payer": "",
        "idempotency_key": "key-0001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- the pay page ------------------------------------------------------------------------------


def test_the_pay_page_lists_the_open_notices_oldest_first_all_ticked(desk, unit, clerk, lin):
    settled = owe(unit, "100.00", period=date(2026, 9, 1))
    take(unit, clerk, [settled], "100.00", "100.00")
    nov = owe(unit, "234.50", period=NOV)
    oct_ = owe(unit, "1000.00", period=OCT)
    other = owe(UnitFactory(building=unit.building, number="1204"), "88.00")

    response = desk.get(pay_url(unit))

    page = text(response)
    assert response.status_code == 200
    assert [n.pk for n in response.context["notices"]] == [oct_.pk, nov.pk]
    assert page.index(oct_.number) < page.index(nov.number)
    assert settled.number not in page and other.number not in page
    for notice in (oct_, nov):
        assert re.search(rf'name="notices" value="{notice.pk}"[^>]*checked', page)
    assert "2026-10" in page and "1000.00" in page and "234.50" in page
    # The amount defaults to what the ticked notices owe; the figures show it, grouped.
    assert re.search(r'name="amount" value="1234.50"', page)
    assert 'id="sing-total_due" class="sing-value">1,234.50<' in page
    assert "Total due" in page and "Received" in page and "Change" in page
    # A fresh idempotency key each time the page renders.
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)[1]
    again = re.search(
        r'name="idempotency_key" value="([0-9a-f]{32})"', text(desk.get(pay_url(unit)))
    )
    assert key != again[1]
    # The resident living there is the payer by default.
    assert re.search(rf'<option value="{lin.pk}" selected>林晓峰</option>', page)
    assert response.context["credit"] == D("0.00")


def test_cash_is_recorded_and_the_receipt_shows_total_due_received_and_change(
    desk, unit, clerk, lin
):
    notice = owe(unit, "1234.50")

    with at(TAKEN_AT):
        response = desk.post(
            pay_url(unit), form_data([notice], received="1300.00", payer=str(lin.pk))
        )

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("billing_receipt", args=[payment.pk])
    assert (payment.total_due, payment.amount, payment.received, payment.change) == (
        D("1234.50"),
        D("1234.50"),
        D("1300.00"),
        D("65.50"),
    )
    assert payment.method == "cash" and payment.resident == lin and payment.received_by == clerk
    assert fresh(notice).paid == D("1234.50") and notice.settled
    receipt = desk.get(response.url)
    page = text(receipt)
    assert payment.number in page and payment.number.startswith("SJ261124")
    assert 'id="receipt-total_due">1,234.50<' in page
    assert 'id="receipt-received">1,300.00<' in page
    assert 'id="receipt-change">65.50<' in page
    assert "receipt-amount" not in page  # paid what was due: three figures only
    assert "1-1203" in page and "林晓峰" in page and notice.number in page
    assert "2026-11-24 10:00" in page  # the property's time, not UTC
    assert f"Payment recorded: receipt {payment.number}." in page


def test_a_cashless_payment_needs_its_reference_and_has_no_change(desk, unit):
    notice = owe(unit, "300.00")

    response = desk.post(
        pay_url(unit), form_data([notice], method="wechat", reference=" 4200001234 ")
    )

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert payment.reference == "4200001234"
    assert (payment.received, payment.change) == (D("300.00"), D("0.00"))
    page = text(desk.get(response.url))
    assert "WeChat Pay" in page and "4200001234" in page
    assert "receipt-change" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "0"}, "The amount paid must be more than zero."),
        ({"amount": "-50.00", "received": "100.00"}, "The amount paid must be more than zero."),
        (
            {"received": "1000.00"},
            "The cash received (1000.00) is less than the amount paid (1234.50).",
        ),
        ({"received": ""}, "Enter the cash received."),
        (
            {"method": "alipay", "reference": "  "},
            "Enter the transaction reference of the payment.",
        ),
        ({"amount": "12.345", "received": "20"}, "Ensure that there are no more than 2 decimal"),
        ({"method": "cheque", "received": "1300"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_the_message_and_nothing_is_recorded(
    desk, unit, overrides, message
):
    notice = owe(unit, "1234.50")

    response = desk.post(pay_url(unit), form_data([notice], **overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert Payment.objects.count() == 0
    assert fresh(notice).paid == D("0.00")
    # The page keeps what was typed and the same key, so the corrected form records once.
    assert 'value="key-0001"' in text(response)


def test_a_notice_of_another_unit_is_refused_and_nothing_is_recorded(desk, unit):
    mine = owe(unit, "100.00")
    neighbour = owe(UnitFactory(building=unit.building, number="1204"), "200.00")

    response = desk.post(
        pay_url(unit), form_data([mine, neighbour], amount="300.00", received="300.00")
    )

    assert response.status_code == 400
    assert "A payment covers notices of one unit only." in text(response)
    assert Payment.objects.count() == 0
    assert fresh(mine).paid == 0 and fresh(neighbour).paid == 0


def test_a_notice_of_another_property_is_not_found(desk, unit, elsewhere):
    mine = owe(unit, "100.00")
    foreign = owe(UnitFactory(building=BuildingFactory(property=elsewhere)), "200.00")

    response = desk.post(
        pay_url(unit), form_data([mine, foreign], amount="300.00", received="300.00")
    )

    assert response.status_code == 400
    assert "A chosen fee notice was not found" in text(response)
    assert Payment.objects.count() == 0 and fresh(foreign).paid == 0


def test_no_notice_ticked_is_refused(desk, unit):
    notice = owe(unit, "100.00")

    response = desk.post(pay_url(unit), form_data([], amount="100.00", received="100.00"))

    assert response.status_code == 400
    assert "Tick at least one fee notice to pay." in text(response)
    assert Payment.objects.count() == 0 and fresh(notice).paid == 0


def test_the_same_form_sent_twice_records_one_payment_and_shows_the_same_receipt(desk, unit):
    notice = owe(unit, "1234.50")
    data = form_data([notice], received="1300.00", idempotency_key="4f1c0de0a1b2c3d4")

    first = desk.post(pay_url(unit), data)
    second = desk.post(pay_url(unit), data)

    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Payment.objects.count() == 1 and Allocation.objects.count() == 1
    assert fresh(notice).paid == D("1234.50")


def test_a_part_payment_leaves_the_rest_owed_and_the_receipt_says_what_was_paid(desk, unit):
    notice = owe(unit, "1234.50")

    response = desk.post(pay_url(unit), form_data([notice], amount="500.00", received="500.00"))

    payment = Payment.objects.get()
    assert (payment.total_due, payment.amount, payment.change) == (
        D("1234.50"),
        D("500.00"),
        D("0.00"),
    )
    assert fresh(notice).paid == D("500.00") and not notice.settled
    page = text(desk.get(response.url))
    assert 'id="receipt-total_due">1,234.50<' in page
    assert 'id="receipt-amount">500.00<' in page and "Paying now" in page
    # The next visit to the pay page shows the rest.
    again = desk.get(pay_url(unit))
    assert [n.outstanding for n in again.context["notices"]] == [D("734.50")]
    assert re.search(r'name="amount" value="734.50"', text(again))


def test_one_payment_covers_two_notices_oldest_first(desk, unit):
    oct_ = owe(unit, "1000.00", period=OCT)
    nov = owe(unit, "234.50", period=NOV)

    response = desk.post(pay_url(unit), form_data([nov, oct_], received="1234.50"))

    payment = Payment.objects.get()
    assert fresh(oct_).settled and fresh(nov).settled
    assert list(payment.allocations.values_list("notice_id", "amount")) == [
        (oct_.pk, D("1000.00")),
        (nov.pk, D("234.50")),
    ]
    page = text(desk.get(response.url))
    assert page.index(oct_.number) < page.index(nov.number)
    assert "1000.00" in page and "234.50" in page


def test_a_blank_amount_is_what_the_ticked_notices_owe(desk, unit):
    oct_ = owe(unit, "1000.00", period=OCT)
    nov = owe(unit, "234.50", period=NOV)

    desk.post(pay_url(unit), form_data([oct_], amount="", received="1000.00"))

    assert Payment.objects.get().amount == D("1000.00")
    assert fresh(oct_).settled and fresh(nov).paid == 0


def test_paying_more_than_owed_leaves_credit_shown_on_the_receipt_and_the_next_pay_page(desk, unit):
    notice = owe(unit, "1234.50")

    response = desk.post(pay_url(unit), form_data([notice], amount="1300.00", received="1300.00"))

    assert response.status_code == 302
    assert text(desk.get(response.url)).count("65.50") >= 1
    assert desk.get(response.url).context["credit"] == D("65.50")
    december = owe(unit, "100.00", period=date(2026, 12, 1))
    assert desk.get(pay_url(unit)).context["credit"] == D("65.50")

    # The clerk applies the credit to December's notice.
    applied = desk.post(reverse("billing_credit_apply", args=[unit.pk]), follow=True)
    assert "65.50 yuan of credit applied" in text(applied)
    assert fresh(december).paid == D("65.50")
    assert applied.context["credit"] == D("0.00")


# --- who may take money --------------------------------------------------------------------------


def test_another_propertys_unit_and_receipt_are_not_found(desk, elsewhere, clerk):
    foreign_unit = UnitFactory(building=BuildingFactory(property=elsewhere))
    notice = owe(foreign_unit, "100.00")
    payment = take(foreign_unit, staff_at(elsewhere), [notice], "100.00", "100.00")

    assert desk.get(pay_url(foreign_unit)).status_code == 404
    post = desk.post(pay_url(foreign_unit), form_data([notice], received="100.00"))
    assert post.status_code == 404
    assert desk.get(reverse("billing_receipt", args=[payment.pk])).status_code == 404
    assert desk.get(reverse("billing_receipt_print", args=[payment.pk])).status_code == 404
    adjust = desk.post(
        reverse("billing_adjustment_request", args=[payment.pk]),
        {"kind": "void", "reason": "录错"},
    )
    assert adjust.status_code == 404
    assert Payment.objects.count() == 1 and not PaymentAdjustment.objects.exists()


def test_an_engineer_may_not_take_money(sunshine, unit):
    notice = owe(unit, "100.00")
    engineer = browser(staff_at(sunshine, "engineer"))

    assert engineer.get(pay_url(unit)).status_code == 403
    post = engineer.post(pay_url(unit), form_data([notice], received="100.00"))
    assert post.status_code == 403
    assert Payment.objects.count() == 0


def test_finance_takes_money(sunshine, unit):
    notice = owe(unit, "100.00")
    finance = browser(staff_at(sunshine, "finance"))

    response = finance.post(pay_url(unit), form_data([notice], received="100.00"))

    assert response.status_code == 302 and fresh(notice).settled


# --- the printed receipt --------------------------------------------------------------------------


def test_the_80mm_and_a4_prints_show_the_property_number_figures_and_items(desk, unit, clerk):
    notice = owe(unit, "1234.50")
    payment = take(unit, clerk, [notice], "1234.50", "1300.00")
    url = reverse("billing_receipt_print", args=[payment.pk])

    narrow = text(desk.get(url, {"size": "80mm"}))
    wide = text(desk.get(url, {"size": "a4"}))
    default = desk.get(url)

    assert "size: 80mm auto" in narrow and "size: A4" not in narrow
    assert "size: A4" in wide and "80mm auto" not in wide
    assert default.context["size"] == "80mm"
    for page in (narrow, wide):
        assert "阳光花园" in page and payment.number in page and notice.number in page
        assert ">1,234.50<" in page and ">1,300.00<" in page and ">65.50<" in page
        assert "2026-11-24 10:00" in page


# --- a fixed number of queries --------------------------------------------------------------------


def test_the_pay_page_runs_a_fixed_number_of_queries(desk, unit, lin, django_assert_num_queries):
    owe(unit, "100.00", period=date(2026, 6, 1))
    one, _ = count_queries(desk, pay_url(unit))
    for month in (7, 8, 9, 10):
        owe(unit, "100.00", period=date(2026, month, 1))
    ResidentFactory(property=unit.building.property, unit=unit)

    with django_assert_num_queries(one):
        response = desk.get(pay_url(unit))

    assert len(response.context["notices"]) == 5


def test_the_receipt_and_its_print_run_a_fixed_number_of_queries(
    desk, unit, clerk, django_assert_num_queries
):
    first = owe(unit, "100.00", period=date(2026, 6, 1))
    small = take(unit, clerk, [first], "100.00", "100.00", key="a")
    several = [owe(unit, "100.00", period=date(2026, m, 1)) for m in (7, 8, 9, 10)]
    big = take(unit, clerk, several, "400.00", "500.00", key="b")
    adjustment_request(payment=big, by=clerk, kind="refund", amount=D("1"), reason="x")

    for name in ("billing_receipt", "billing_receipt_print"):
        one, _ = count_queries(desk, reverse(name, args=[small.pk]))
        with django_assert_num_queries(one):
            response = desk.get(reverse(name, args=[big.pk]))
        assert len(response.context["lines"]) == 4
