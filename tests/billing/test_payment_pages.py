"""The desk's payment pages: taking a payment for a unit's notices (唱收唱付: total due,
received, change on screen and on the receipt), bad input refused with the message and
nothing recorded, a double submit recorded once, the receipt and its 80 mm / A4 print, voids
and refunds asked for at the desk and decided by a supervisor, the balance on the resident
card and the move-out refused while anything is owed."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Allocation, FeeNotice, FeeNoticeLine, Payment, PaymentAdjustment
from billing.payments import (
    adjustment_decide,
    adjustment_request,
    payment_take,
    unit_credit,
    units_owed,
)
from frontdesk.models import Resident
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory
from tests.helpers import browser, count_queries, fresh, text

D = Decimal
OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)
T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def owe(unit, total, period=NOV, number=None) -> FeeNotice:
    """A fee notice of the unit with one line for the whole amount."""
    notice = FeeNotice.objects.create(
        property=unit.building.property,
        unit=unit,
        period=period,
        number=number or f"{period:%Y%m}-{unit.label}",
        issued_at=datetime(period.year, period.month, 1, 1, 0, tzinfo=UTC),
        due_date=date(period.year, period.month, 20),
        total=D(total),
    )
    FeeNoticeLine.objects.create(
        notice=notice,
        description="物业管理费",
        quantity=D("1"),
        unit_price=D(total),
        amount=D(total),
    )
    return notice


def pay_url(unit) -> str:
    return reverse("billing_pay", args=[unit.pk])


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


@pytest.fixture
def unit(sunshine):
    return UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


@pytest.fixture
def boss(supervisor):
    return browser(supervisor)


def take(unit, by, notices, amount, received=None, method="cash", reference="", key=""):
    with at(T):
        return payment_take(
            unit=unit,
            by=by,
            notices=notices,
            method=method,
            amount=D(amount),
            received=None if received is None else D(received),
            reference=reference,
            idempotency_key=key,
        )


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

    with at(T):
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


# --- voids and refunds ---------------------------------------------------------------------------


def test_a_void_asked_at_the_desk_and_approved_by_the_supervisor_reverses_the_payment(
    desk, boss, unit, clerk, supervisor
):
    notice = owe(unit, "1234.50")
    payment = take(unit, clerk, [notice], "1234.50", "1300.00")

    asked = desk.post(
        reverse("billing_adjustment_request", args=[payment.pk]),
        {"kind": "void", "reason": "收错了户"},
    )

    adjustment = PaymentAdjustment.objects.get()
    assert asked.status_code == 302
    assert (adjustment.kind, adjustment.status, adjustment.amount) == (
        "void",
        "pending",
        D("1234.50"),
    )
    assert fresh(notice).paid == D("1234.50")  # nothing changes until approved
    waiting = boss.get(reverse("billing_approvals"))
    assert payment.number in text(waiting) and "收错了户" in text(waiting)
    assert [r["adjustment"] for r in waiting.context["rows"]] == [adjustment]

    decided = boss.post(
        reverse("billing_adjustment_decide", args=[adjustment.pk]),
        {f"a{adjustment.pk}-decision": "approve", f"a{adjustment.pk}-note": ""},
    )

    assert decided.status_code == 302
    assert fresh(adjustment).status == "approved" and adjustment.decided_by == supervisor
    assert fresh(payment).voided
    assert fresh(notice).paid == D("0.00") and not notice.settled
    assert list(payment.allocations.values_list("amount", flat=True)) == [
        D("1234.50"),
        D("-1234.50"),
    ]
    page = text(desk.get(reverse("billing_receipt", args=[payment.pk])))
    assert "VOID" in page
    assert "-1234.50" in page and "reversal" in page  # the payment and its reversal
    assert "收错了户" in page and "approved by 张主管" in page and "asked by 王前台" in page
    assert "Ask for a void or a refund" not in page
    assert "VOID" in text(desk.get(reverse("billing_receipt_print", args=[payment.pk])))
    after = boss.get(reverse("billing_approvals"))
    assert after.context["rows"] == [] and list(after.context["decided"]) == [adjustment]


def test_a_refund_of_part_is_approved_and_marked(desk, boss, unit, clerk):
    notice = owe(unit, "1234.50")
    payment = take(unit, clerk, [notice], "1234.50", "1234.50")
    desk.post(
        reverse("billing_adjustment_request", args=[payment.pk]),
        {"kind": "refund", "amount": "100.00", "reason": "多收了一个月车位费"},
    )
    adjustment = PaymentAdjustment.objects.get()

    boss.post(
        reverse("billing_adjustment_decide", args=[adjustment.pk]),
        {f"a{adjustment.pk}-decision": "approve"},
    )

    assert fresh(payment).refunded == D("100.00") and not payment.voided
    assert fresh(notice).paid == D("1134.50")
    assert "REFUNDED 100.00" in text(desk.get(reverse("billing_receipt", args=[payment.pk])))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "void", "reason": " "}, "Give the reason for the void or refund."),
        ({"kind": "refund", "amount": "5000", "reason": "退款"}, "A refund is more than zero"),
        ({"kind": "refund", "amount": "", "reason": "退款"}, "A refund is more than zero"),
    ],
)
def test_a_bad_request_is_refused_with_the_message(desk, unit, clerk, data, message):
    notice = owe(unit, "100.00")
    payment = take(unit, clerk, [notice], "100.00", "100.00")

    response = desk.post(reverse("billing_adjustment_request", args=[payment.pk]), data)

    assert response.status_code == 400
    assert message in text(response)
    assert not PaymentAdjustment.objects.exists()


def test_a_rejection_needs_a_note_and_changes_nothing(desk, boss, unit, clerk):
    notice = owe(unit, "100.00")
    payment = take(unit, clerk, [notice], "100.00", "100.00")
    adjustment = adjustment_request(payment=payment, by=clerk, kind="void", reason="住户要求")
    url = reverse("billing_adjustment_decide", args=[adjustment.pk])

    refused = boss.post(url, {f"a{adjustment.pk}-decision": "reject", f"a{adjustment.pk}-note": ""})

    assert refused.status_code == 400
    assert "Say why the request is rejected." in text(refused)
    assert fresh(adjustment).status == "pending"

    done = boss.post(
        url, {f"a{adjustment.pk}-decision": "reject", f"a{adjustment.pk}-note": "款项无误"}
    )

    assert done.status_code == 302
    assert fresh(adjustment).status == "rejected" and adjustment.decision_note == "款项无误"
    assert not fresh(payment).voided and fresh(notice).paid == D("100.00")
    page = text(desk.get(reverse("billing_receipt", args=[payment.pk])))
    assert "rejected by 张主管" in page and "款项无误" in page and "VOID" not in page


def test_a_clerk_may_not_approve(desk, unit, clerk):
    notice = owe(unit, "100.00")
    payment = take(unit, clerk, [notice], "100.00", "100.00")
    adjustment = adjustment_request(payment=payment, by=clerk, kind="void", reason="错")

    assert desk.get(reverse("billing_approvals")).status_code == 404
    response = desk.post(
        reverse("billing_adjustment_decide", args=[adjustment.pk]),
        {f"a{adjustment.pk}-decision": "approve"},
    )

    assert response.status_code == 404
    assert fresh(adjustment).status == "pending" and not fresh(payment).voided


def test_a_supervisor_elsewhere_does_not_see_or_decide_this_propertys_requests(
    unit, clerk, elsewhere
):
    notice = owe(unit, "100.00")
    payment = take(unit, clerk, [notice], "100.00", "100.00")
    adjustment = adjustment_request(payment=payment, by=clerk, kind="void", reason="错")
    other = browser(staff_at(elsewhere, "supervisor"))

    page = other.get(reverse("billing_approvals"))
    decide = other.post(
        reverse("billing_adjustment_decide", args=[adjustment.pk]),
        {f"a{adjustment.pk}-decision": "approve"},
    )

    assert page.status_code == 200 and payment.number not in text(page)
    assert decide.status_code == 404 and fresh(adjustment).status == "pending"


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


def test_the_approvals_page_runs_a_fixed_number_of_queries(
    boss, unit, clerk, supervisor, django_assert_num_queries
):
    def request_void(n):
        notice = owe(unit, "100.00", period=date(2026, n, 1))
        payment = take(unit, clerk, [notice], "100.00", "100.00", key=f"k{n}")
        return adjustment_request(payment=payment, by=clerk, kind="void", reason="错")

    adjustment_decide(adjustment=request_void(1), by=supervisor, approve=True)
    request_void(2)
    one, _ = count_queries(boss, reverse("billing_approvals"))
    for n in (3, 4, 5):
        adjustment_decide(adjustment=request_void(n), by=supervisor, approve=False, note="否")
    for n in (6, 7, 8):
        request_void(n)

    with django_assert_num_queries(one):
        response = boss.get(reverse("billing_approvals"))

    assert len(response.context["rows"]) == 4 and len(response.context["decided"]) == 4


# --- the resident card ---------------------------------------------------------------------------


def test_the_resident_card_shows_what_each_unit_owes_and_its_credit(desk, unit, lin, clerk):
    second = UnitFactory(building=unit.building, number="1204")
    lin.units.add(second)
    owe(unit, "1000.00", period=OCT)
    paid = owe(second, "200.00")
    take(second, clerk, [paid], "250.00", "250.00")  # 50.00 left as credit

    response = desk.get(reverse("resident_card", args=[lin.pk]))

    page = text(response)
    balance = response.context["resident"].balance
    assert [(b.unit, b.owed, b.credit) for b in balance.units] == [
        (unit, D("1000.00"), D("0.00")),
        (second, D("0.00"), D("50.00")),
    ]
    assert balance.owed == units_owed([unit, second]) == D("1000.00")
    assert balance.credit == unit_credit(second) == D("50.00")
    assert 'id="balance-owed">1000.00<' in page
    assert f"{pay_url(unit)}?resident={lin.pk}" in page
    assert f"{pay_url(second)}?resident={lin.pk}" not in page  # nothing owed there
    assert reverse("resident_move_out", args=[lin.pk]) in page


def test_the_resident_card_query_count_does_not_grow_with_notices_payments_or_units(
    desk, unit, lin, clerk, django_assert_num_queries
):
    url = reverse("resident_card", args=[lin.pk])
    notice = owe(unit, "100.00", period=date(2026, 6, 1))
    take(unit, clerk, [notice], "100.00", "100.00", key="a")
    one, _ = count_queries(desk, url)
    for number in ("1204", "1205"):
        extra = UnitFactory(building=unit.building, number=number)
        lin.units.add(extra)
        for month in (7, 8, 9):
            n = owe(extra, "100.00", period=date(2026, month, 1))
            take(extra, clerk, [n], "150.00", "150.00", key=f"{number}-{month}")

    with django_assert_num_queries(one):
        response = desk.get(url)

    assert len(response.context["resident"].balance.units) == 3


def test_move_out_is_refused_while_anything_is_owed(desk, unit, lin):
    owe(unit, "1234.50")

    response = desk.post(reverse("resident_move_out", args=[lin.pk]), {"on": "2026-12-31"})

    assert response.status_code == 400
    assert "Move-out refused: 1234.50 yuan is still owed on 1 fee notice." in text(response)
    assert Resident.objects.get(pk=lin.pk).moved_out_on is None


def test_move_out_is_recorded_once_everything_is_paid(desk, unit, lin, clerk):
    notice = owe(unit, "1234.50")
    take(unit, clerk, [notice], "1234.50", "1300.00")

    response = desk.post(reverse("resident_move_out", args=[lin.pk]), {"on": "2026-12-31"})

    assert response.status_code == 302
    assert response.url == reverse("resident_card", args=[lin.pk])
    assert Resident.objects.get(pk=lin.pk).moved_out_on == date(2026, 12, 31)
    card = text(desk.get(response.url))
    assert "Moved out on" in card and "2026-12-31" in card
    assert reverse("resident_move_out", args=[lin.pk]) not in card


def test_move_out_needs_a_date_and_another_propertys_resident_is_not_found(
    desk, lin, foreign_resident
):
    missing = desk.post(reverse("resident_move_out", args=[lin.pk]), {"on": ""})
    foreign = desk.post(
        reverse("resident_move_out", args=[foreign_resident.pk]), {"on": "2026-12-31"}
    )

    assert missing.status_code == 400 and "Enter the move-out date." in text(missing)
    assert foreign.status_code == 404
    assert not Resident.objects.filter(moved_out_on__isnull=False).exists()
