"""The front desk's repair pages: intake, the order list, the order page with one small form
per action, and the four-copy printed form. Thin: reads come from tickets.repairs.queries, every
change is one call to tickets.repairs.services."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontdesk import policy
from frontdesk import queries as frontdesk_queries
from frontdesk.models import Department, Resident
from frontdesk.pages import Page
from frontdesk.views import staff_required
from tickets.models import RepairLine, RepairOrder
from tickets.repairs import forms, queries, records, services

State = RepairOrder.State

# Who may act on an order from the desk's page (reading is open to every staff role there).

COPIES = [
    gettext_lazy("Front desk copy"),
    gettext_lazy("Engineering copy"),
    gettext_lazy("Finance copy"),
    gettext_lazy("Archive copy"),
]


def _resident_or_404(request, pk: str) -> Resident:
    if not pk.isdigit():
        raise Http404
    try:
        return frontdesk_queries.resident_card(request.user, int(pk))
    except Resident.DoesNotExist:
        raise Http404 from None


@staff_required
def repair_new(request):
    """Take a repair request: for one of the resident's units (from their card), or without a
    resident for a public area."""
    resident = None
    if request.GET.get("resident"):
        resident = _resident_or_404(request, request.GET["resident"])
        if not policy.allows(request.user, "repair.take", resident):
            raise PermissionDenied
    properties = policy.properties_with(request.user, "repair.take")
    if resident is None and not properties.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.IntakeForm(data, resident=resident, properties=properties)
    if data is not None and form.is_valid():
        try:
            order = services.repair_receive(by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Repair %(number)s received.") % {"number": order.number})
            return redirect("repair_detail", pk=order.pk)
    return render(
        request,
        "tickets/repair_new.html",
        {"form": form, "resident": resident, "units": getattr(form, "units", [])},
        status=400 if data is not None else 200,
    )


@staff_required
def repair_list(request):
    """The orders of the user's properties, newest first, filtered, 50 a page by keyset."""
    filterset = queries.RepairListFilter(request.GET, user=request.user)
    error = None
    page = Page(rows=[], older=None)
    if filterset.is_valid():
        try:
            page = queries.repair_page(filterset.qs, before=request.GET.get("before"))
        except ValueError:
            error = _("That page link is not valid: start again from the newest orders.")
    older_query = None
    if page.older:
        params = request.GET.copy()
        params["before"] = page.older
        older_query = params.urlencode()
    newest_query = request.GET.copy()
    newest_query.pop("before", None)
    return render(
        request,
        "tickets/repair_list.html",
        {
            "filter": filterset,
            "orders": page.rows,
            "older_query": older_query,
            "newest_query": newest_query.urlencode(),
            "paged": bool(request.GET.get("before")),
            "error": error,
        },
        status=400 if error or not filterset.is_valid() else 200,
    )


def _detail_or_404(request, pk: int) -> RepairOrder:
    try:
        return queries.repair_detail(request.user, pk)
    except RepairOrder.DoesNotExist:
        raise Http404 from None


def _allowed(user, order: RepairOrder, due) -> set[str]:
    """The actions this user may take in the order's current state."""
    state = order.state
    desk = policy.allows(user, "repair.take", order)
    cashier = policy.allows(user, "repair.pay", order)
    allowed = set()
    if desk:
        if state in records.QUOTABLE and not order.is_public_area:
            allowed.add("quote")
        if state == State.AWAITING_AGREEMENT:
            allowed.add("agree")
        if state in records.DISPATCHABLE and not (order.chargeable and order.agreed_at is None):
            allowed.add("dispatch")
        if state in records.CANCELLABLE:
            allowed.add("cancel")
        if state in records.REOPENABLE:
            allowed.add("reopen")
        if state == State.COMPLETED and order.signed_at is None:
            allowed.add("sign_off")
        if state == State.COMPLETED and order.signed_at is not None and due <= 0:
            allowed.add("close")
    if cashier and state in {State.COMPLETED, State.CLOSED} and due > 0:
        allowed.add("pay")
    return allowed


def _action_forms(order: RepairOrder, allowed: set[str]) -> dict:
    """An unbound form for each action the page offers."""
    built = {}
    if "quote" in allowed:
        quoted = [line for line in order.lines.all() if line.stage == RepairLine.Stage.QUOTED]
        items = queries.price_list(order)
        built["quote"] = forms.quote_formset(items=items, quoted=quoted)
        built["price_list_size"] = len(items)
    if "agree" in allowed:
        built["agree"] = forms.AgreeForm()
    if "dispatch" in allowed:
        departments = queries.departments_of(order)
        engineering = departments.filter(kind=Department.Kind.ENGINEERING).first()
        built["dispatch"] = forms.DispatchForm(
            initial={"department": order.department or engineering, "engineer": order.engineer},
            departments=departments,
            engineers=queries.engineers_of(order),
        )
    for name in ("cancel", "reopen"):
        if name in allowed:
            built[name] = forms.ReasonForm(prefix=name)
    if "pay" in allowed:
        built["pay"] = forms.PaymentForm()
    if "sign_off" in allowed:
        built["sign_off"] = forms.SignOffForm(initial={"signed_name": _resident_name(order)})
    if "close" in allowed:
        built["close"] = forms.CloseForm()
    return built


def _total(rows) -> Decimal:
    return sum((row.amount for row in rows), Decimal("0.00"))


def _resident_name(order: RepairOrder) -> str:
    return order.resident.name if order.resident_id else ""


def _detail_page(request, pk: int, *, bound: dict | None = None, errors=(), status: int = 200):
    order = _detail_or_404(request, pk)
    lines = list(order.lines.all())
    quoted = [line for line in lines if line.stage == RepairLine.Stage.QUOTED]
    used = [line for line in lines if line.stage == RepairLine.Stage.USED]
    payments = list(order.payments.all())
    due = services.amount_due(order)
    allowed = _allowed(request.user, order, due)
    action_forms = _action_forms(order, allowed)
    action_forms.update(bound or {})
    price_list_size = action_forms.pop("price_list_size", None)
    return render(
        request,
        "tickets/repair_detail.html",
        {
            "order": order,
            "quoted": quoted,
            "quoted_total": _total(quoted),
            "used": used,
            "used_total": _total(used),
            "payments": payments,
            "paid_total": _total(payments),
            "due": due,
            "allowed": allowed,
            "forms": action_forms,
            "price_list_size": price_list_size,
            "errors": errors,
            "awaiting_quote": order.chargeable
            and order.agreed_at is None
            and order.state in records.DISPATCHABLE,
        },
        status=status,
    )


@staff_required
def repair_detail(request, pk: int):
    return _detail_page(request, pk)


@staff_required
def repair_print(request, pk: int):
    """The paper form (工程维修单) in four copies, one A4 page each."""
    order = _detail_or_404(request, pk)
    lines = list(order.lines.all())
    quoted = [line for line in lines if line.stage == RepairLine.Stage.QUOTED]
    used = [line for line in lines if line.stage == RepairLine.Stage.USED]
    payments = list(order.payments.all())
    return render(
        request,
        "tickets/repair_print.html",
        {
            "order": order,
            "copies": COPIES,
            "quoted": quoted,
            "quoted_total": _total(quoted),
            "used": used,
            "used_total": _total(used),
            "paid_total": _total(payments),
            "due": services.amount_due(order),
        },
    )


# --- actions: each a small POST form calling one service --------------------------------------


def _order_for_action(request, pk: int, capability: str) -> RepairOrder:
    """The order, if the user may see it (else 404) and act on it (else 403, with why)."""
    order = get_object_or_404(policy.repairs_for(request.user).select_related("property"), pk=pk)
    if not policy.allows(request.user, capability, order):
        raise PermissionDenied(policy.CAPABILITIES[capability].refusal)
    return order


def _act(request, order: RepairOrder, name: str, form, call, done: str):
    """Validate the form and make the one service call. Bad input or a refused transition
    re-shows the page with the message (400) and changes nothing."""
    errors = []
    if form.is_valid():
        try:
            call()
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, done)
            return redirect("repair_detail", pk=order.pk)
    else:
        errors = [_("Correct the marked fields below.")]
    return _detail_page(request, order.pk, bound={name: form}, errors=errors, status=400)


@staff_required
@require_POST
def repair_quote(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    items = queries.price_list(order)
    formset = forms.quote_formset(request.POST, items=items)
    return _act(
        request,
        order,
        "quote",
        formset,
        lambda: services.repair_quote(
            order=order, by=request.user, lines=forms.quote_lines(formset, items)
        ),
        _("Quote saved: tell the resident the price and record their agreement."),
    )


@staff_required
@require_POST
def repair_agree(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    form = forms.AgreeForm(request.POST)
    return _act(
        request,
        order,
        "agree",
        form,
        lambda: services.repair_agree(order=order, by=request.user, via=form.cleaned_data["via"]),
        _("The resident's agreement is recorded."),
    )


@staff_required
@require_POST
def repair_dispatch(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    form = forms.DispatchForm(
        request.POST,
        departments=queries.departments_of(order),
        engineers=queries.engineers_of(order),
    )
    return _act(
        request,
        order,
        "dispatch",
        form,
        lambda: services.repair_dispatch(order=order, by=request.user, **form.cleaned_data),
        _("Dispatched."),
    )


@staff_required
@require_POST
def repair_cancel(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    form = forms.ReasonForm(request.POST, prefix="cancel")
    return _act(
        request,
        order,
        "cancel",
        form,
        lambda: services.repair_cancel(
            order=order, by=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The order is cancelled."),
    )


@staff_required
@require_POST
def repair_reopen(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    form = forms.ReasonForm(request.POST, prefix="reopen")
    return _act(
        request,
        order,
        "reopen",
        form,
        lambda: services.repair_reopen(
            order=order, by=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The order is reopened: dispatch it again."),
    )


@staff_required
@require_POST
def repair_pay(request, pk: int):
    order = _order_for_action(request, pk, "repair.pay")
    form = forms.PaymentForm(request.POST)
    return _act(
        request,
        order,
        "pay",
        form,
        lambda: services.repair_pay(order=order, by=request.user, **form.cleaned_data),
        _("Payment recorded."),
    )


@staff_required
@require_POST
def repair_sign_off(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    form = forms.SignOffForm(request.POST)
    return _act(
        request,
        order,
        "sign_off",
        form,
        lambda: services.repair_sign_off(
            order=order,
            by=request.user,
            via=RepairOrder.SignOff.PHONE,
            signed_name=form.cleaned_data["signed_name"],
        ),
        _("The resident's confirmation by phone is recorded."),
    )


@staff_required
@require_POST
def repair_close(request, pk: int):
    order = _order_for_action(request, pk, "repair.take")
    form = forms.CloseForm(request.POST)
    return _act(
        request,
        order,
        "close",
        form,
        lambda: services.repair_close(order=order, by=request.user, note=form.cleaned_data["note"]),
        _("The order is closed and archived."),
    )


urlpatterns = [
    path("repairs/", repair_list, name="repair_list"),
    path("repairs/new/", repair_new, name="repair_new"),
    path("repairs/<int:pk>/", repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/print/", repair_print, name="repair_print"),
    path("repairs/<int:pk>/quote/", repair_quote, name="repair_quote"),
    path("repairs/<int:pk>/agree/", repair_agree, name="repair_agree"),
    path("repairs/<int:pk>/dispatch/", repair_dispatch, name="repair_dispatch"),
    path("repairs/<int:pk>/cancel/", repair_cancel, name="repair_cancel"),
    path("repairs/<int:pk>/reopen/", repair_reopen, name="repair_reopen"),
    path("repairs/<int:pk>/pay/", repair_pay, name="repair_pay"),
    path("repairs/<int:pk>/sign-off/", repair_sign_off, name="repair_sign_off"),
    path("repairs/<int:pk>/close/", repair_close, name="repair_close"),
]
