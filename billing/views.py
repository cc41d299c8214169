"""The desk's payment pages: take a payment for a unit (唱收唱付: total due, received, change
said aloud and printed), the receipt and its 80 mm / A4 print, voids and refunds asked for at
the desk and decided by a supervisor, and the move-out from the resident card. Thin: reads
come from billing.payment_queries, every change is one call to billing.payments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import forms, payment_queries, payments
from billing.models import Payment, PaymentAdjustment
from frontdesk import policy
from frontdesk.models import Unit
from frontdesk.money import ZERO, money
from frontdesk.views import staff_required

PRINT_SIZES = {"80mm", "a4"}


# --- the pay page -------------------------------------------------------------------------------


def _unit_or_404(request, unit_id: int) -> Unit:
    """The unit, if the user sees its property (else 404) and takes money there (else 403)."""
    try:
        unit = payment_queries.unit_for_payment(request.user, unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None
    if not policy.allows(request.user, "payment.take", unit.building.property_id):
        raise PermissionDenied
    return unit


@staff_required
def pay(request, unit_id: int):
    """The unit's open notices, ticked, and the payment: cash with the three figures said
    aloud, or a cashless method with its reference. Bad input re-shows the page with the
    message (400) and records nothing; the same form sent twice records one payment."""
    unit = _unit_or_404(request, unit_id)
    notices = payment_queries.open_notices(request.user, unit)
    payers = payment_queries.unit_payers(unit)
    data = request.POST if request.method == "POST" else None
    form = forms.PaymentForm(data, open_notices=notices, payers=payers)
    if data is None and request.GET.get("resident", "").isdigit():
        form.initial["payer"] = int(request.GET["resident"])
    errors = []
    if data is not None:
        if form.is_valid():
            chosen = payment_queries.chosen_notices(request.user, form.cleaned_data["notices"])
            if len(chosen) != len(form.cleaned_data["notices"]):
                errors = [_("A chosen fee notice was not found: reload the page.")]
            else:
                try:
                    payment = payments.payment_take(
                        unit=unit, by=request.user, **form.service_kwargs(chosen)
                    )
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    messages.success(
                        request, _("Payment recorded: receipt %(number)s.") % {"number": payment}
                    )
                    return redirect("billing_receipt", pk=payment.pk)
        else:
            errors = [_("Correct the marked fields below.")]
    cleaned = getattr(form, "cleaned_data", {})
    cash = form["method"].value() == Payment.Method.CASH
    figures = payment_queries.pay_figures(
        notices,
        form.ticked(),
        cleaned.get("amount"),
        cleaned.get("received") if cash else None,
    )
    return render(
        request,
        "billing/pay.html",
        {
            "unit": unit,
            "notices": notices,
            "ticked": form.ticked(),
            "owed": money(sum((n.outstanding for n in notices), ZERO)),
            "credit": payments.unit_credit(unit),
            "form": form,
            "errors": errors,
            "figures": figures,
        },
        status=400 if data is not None else 200,
    )


@staff_required
@require_POST
def credit_apply(request, unit_id: int):
    """Apply the unit's earlier credit to its open notices, oldest first."""
    unit = _unit_or_404(request, unit_id)
    try:
        applied = payments.credit_apply(unit=unit, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(amount)s yuan of credit applied to the open notices.") % {"amount": applied},
        )
    return redirect("billing_pay", unit_id=unit.pk)


# --- receipts -----------------------------------------------------------------------------------


def _receipt_or_404(request, pk: int) -> Payment:
    try:
        payment = payment_queries.receipt(request.user, pk)
    except Payment.DoesNotExist:
        raise Http404 from None
    return payment


def _receipt_context(payment: Payment) -> dict:
    return {
        "payment": payment,
        "figures": payment_queries.receipt_figures(payment),
        "lines": payment_queries.receipt_lines(payment),
        "adjustments": list(payment.adjustments.all()),
        "credit": payments.unit_credit(payment.unit),
    }


def _receipt_page(request, pk: int, *, form=None, errors=(), status=200):
    payment = _receipt_or_404(request, pk)
    context = _receipt_context(payment)
    pending = any(a.status == PaymentAdjustment.Status.PENDING for a in context["adjustments"])
    context.update(
        may_adjust=not payment.voided and not pending,
        form=form or forms.AdjustmentForm(),
        errors=errors,
    )
    return render(request, "billing/receipt.html", context, status=status)


@staff_required
def receipt(request, pk: int):
    return _receipt_page(request, pk)


@staff_required
def receipt_print(request, pk: int):
    """The printed receipt: 80 mm for the receipt printer (the default) or A4."""
    payment = _receipt_or_404(request, pk)
    size = request.GET.get("size", "80mm").lower()
    context = _receipt_context(payment)
    context["size"] = size if size in PRINT_SIZES else "80mm"
    return render(request, "billing/receipt_print.html", context)


@staff_required
@require_POST
def adjustment_request(request, pk: int):
    """Ask for a void or a refund of the receipt; a supervisor decides."""
    payment = _receipt_or_404(request, pk)
    form = forms.AdjustmentForm(request.POST)
    errors = [_("Correct the marked fields below.")]
    if form.is_valid():
        try:
            adjustment = payments.adjustment_request(
                payment=payment, by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("%(kind)s of receipt %(number)s asked for: a supervisor decides.")
                % {"kind": adjustment.get_kind_display(), "number": payment.number},
            )
            return redirect("billing_receipt", pk=payment.pk)
    return _receipt_page(request, pk, form=form, errors=errors, status=400)


# --- approvals ----------------------------------------------------------------------------------


def _approvals_page(request, *, bound=None, errors=(), status=200):
    if not payment_queries.approver(request.user):
        raise Http404
    pending = payment_queries.pending_adjustments(request.user)
    rows = []
    for adjustment in pending:
        form = forms.DecisionForm(prefix=f"a{adjustment.pk}")
        row_errors = []
        if bound is not None and bound[0] == adjustment.pk:
            form, row_errors = bound[1], errors
        rows.append({"adjustment": adjustment, "form": form, "errors": row_errors})
    return render(
        request,
        "billing/approvals.html",
        {"rows": rows, "decided": payment_queries.decided_adjustments(request.user)},
        status=status,
    )


@staff_required
def approvals(request):
    """Pending voids and refunds of the approver's properties, and the latest decisions."""
    return _approvals_page(request)


@staff_required
@require_POST
def adjustment_decide(request, pk: int):
    try:
        adjustment = payment_queries.adjustment_to_decide(request.user, pk)
    except PaymentAdjustment.DoesNotExist:
        raise Http404 from None
    form = forms.DecisionForm(request.POST, prefix=f"a{adjustment.pk}")
    errors = [_("Approve or reject the request.")]
    if form.is_valid():
        try:
            adjustment = payments.adjustment_decide(
                adjustment=adjustment, by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            done = (
                _("Approved: %(kind)s of receipt %(number)s is carried out.")
                if adjustment.status == PaymentAdjustment.Status.APPROVED
                else _("Rejected: %(kind)s of receipt %(number)s.")
            )
            messages.success(
                request,
                done % {"kind": adjustment.get_kind_display(), "number": adjustment.payment.number},
            )
            return redirect("billing_approvals")
    return _approvals_page(request, bound=(adjustment.pk, form), errors=errors, status=400)


urlpatterns = [
    path("billing/pay/<int:unit_id>/", pay, name="billing_pay"),
    path("billing/pay/<int:unit_id>/credit/", credit_apply, name="billing_credit_apply"),
    path("billing/receipts/<int:pk>/", receipt, name="billing_receipt"),
    path("billing/receipts/<int:pk>/print/", receipt_print, name="billing_receipt_print"),
    path(
        "billing/receipts/<int:pk>/adjust/", adjustment_request, name="billing_adjustment_request"
    ),
    path("billing/approvals/", approvals, name="billing_approvals"),
    path("billing/approvals/<int:pk>/", adjustment_decide, name="billing_adjustment_decide"),
]
