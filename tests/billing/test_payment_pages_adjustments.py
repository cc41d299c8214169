"""Voids and refunds asked for at the desk and decided by a supervisor on the approvals page."""

from datetime import date

import pytest
from django.urls import reverse

from billing.models import PaymentAdjustment
from billing.payments import adjustment_decide, adjustment_request
from tests.billing.conftest import D, owe, take
from tests.conftest import staff_at
from tests.helpers import browser, count_queries, fresh, text


@pytest.fixture
def boss(supervisor):
    return browser(supervisor)


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
