"""The resident portal's fees: what I owe now for each of my homes (and any credit), my fee
notices (交费通知单) with their state, my payments with their receipt numbers; one notice
with its lines; one receipt with the figures said at the desk (total due, received, change).
Only the signed-in resident's own units'; staff and anyone else get 404."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from billing import queries
from billing.models import Allocation, FeeNotice, FeeNoticeLine, Payment
from billing.payments import unit_credit, units_owed
from frontdesk import policy
from frontdesk.money import ZERO
from frontdesk.views import PORTAL_PAGE_SIZE as PAGE_SIZE
from frontdesk.views import resident_required

PAID, PARTLY_PAID, OWED, OVERDUE = "paid", "partly_paid", "owed", "overdue"
STATE_LABELS = {
    PAID: gettext_lazy("Paid"),
    PARTLY_PAID: gettext_lazy("Partly paid"),
    OWED: gettext_lazy("Owed"),
    OVERDUE: gettext_lazy("Overdue"),
}


def notice_state(notice: FeeNotice, today) -> str:
    """Paid in full; past its due date and not paid in full; partly paid; or owed."""
    if notice.settled or notice.paid >= notice.total:
        return PAID
    if notice.due_date < today:
        return OVERDUE
    if notice.paid > 0:
        return PARTLY_PAID
    return OWED


def _with_state(notices, today):
    for notice in notices:
        notice.state = notice_state(notice, today)
        notice.state_label = STATE_LABELS[notice.state]
    return notices


def price_shown(price: Decimal) -> str:
    """A unit price of up to 4 decimals, as the desk writes it: 2.50, 4.10, 0.5625."""
    cents = price.quantize(Decimal("0.01"))
    return str(cents) if cents == price else str(price.normalize())


def _my_payments(user):
    return policy.payments_for(user)


def _balances(units) -> list[dict]:
    """What each of my homes owes now, and the credit kept for it (a few queries a home)."""
    return [
        {"unit": unit, "owed": units_owed([unit]), "credit": unit_credit(unit)} for unit in units
    ]


@resident_required
def fees(request):
    """What I owe now, my notices newest first, my payments with their receipts."""
    user = request.user
    units = list(policy.units_for(user).select_related("building__property").order_by("pk"))
    balances = _balances(units)
    notices = (
        queries.notices_for(user)
        .select_related("unit__building")
        .order_by("-period", "-issued_at", "-id")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_state(page.object_list, timezone.localdate())
    payments = _my_payments(user).select_related("unit__building").order_by("-received_at", "-id")
    receipts = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("receipts"))
    return render(
        request,
        "billing/portal_fees.html",
        {
            "balances": balances,
            "owed_total": sum((b["owed"] for b in balances), ZERO),
            "credit_total": sum((b["credit"] for b in balances), ZERO),
            "page": page,
            "receipts": receipts,
        },
    )


@resident_required
def notice_detail(request, pk: int):
    """One of my notices: its lines, the earlier arrears when it was issued, the due date,
    what is paid (and by which receipts) and what is still owed."""
    notice = get_object_or_404(
        queries.notices_for(request.user)
        .select_related("property", "unit__building")
        .prefetch_related(
            Prefetch("lines", queryset=FeeNoticeLine.objects.order_by("id")),
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("payment").order_by("at", "id"),
            ),
        ),
        pk=pk,
    )
    _with_state([notice], timezone.localdate())
    lines = list(notice.lines.all())
    for line in lines:
        line.price_shown = price_shown(line.unit_price)
    return render(
        request,
        "billing/portal_notice.html",
        {"notice": notice, "lines": lines, "allocations": list(notice.allocations.all())},
    )


@resident_required
def receipt_detail(request, pk: int):
    """One of my receipts: for cash the three figures said aloud (total due, received,
    change), the notices it paid, and what was kept as credit."""
    payment = get_object_or_404(
        _my_payments(request.user)
        .select_related("property", "unit__building", "resident")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("notice").order_by("at", "id"),
            )
        ),
        pk=pk,
    )
    allocations = list(payment.allocations.all())
    applied = sum((a.amount for a in allocations), Decimal(0))
    credit = ZERO if payment.voided else payment.amount - payment.refunded - applied
    return render(
        request,
        "billing/portal_receipt.html",
        {
            "payment": payment,
            "allocations": allocations,
            "is_cash": payment.method == Payment.Method.CASH,
            "credit": max(credit, ZERO),
        },
    )


urlpatterns = [
    path("portal/fees/", fees, name="portal_fees"),
    path("portal/fees/notices/<int:pk>/", notice_detail, name="portal_notice"),
    path("portal/fees/receipts/<int:pk>/", receipt_detail, name="portal_receipt"),
]
