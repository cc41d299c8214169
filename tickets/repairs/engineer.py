"""The engineer's phone pages: my orders, and on one order: accept it (接单), record the
resident's materials, complete it with the fee items used, and have the resident sign on the
phone's screen. Only orders dispatched to me, or to my department with no engineer named;
anyone who is not an engineer gets 404."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontdesk import policy
from frontdesk.forms import SignOffForm
from frontdesk.models import ResidentPhone, User
from tickets.models import PriceItem, RepairEvent, RepairLine, RepairOrder, RepairPhoto
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

State = RepairOrder.State
ON_MY_LIST = (State.DISPATCHED, State.ACCEPTED)


def engineer_list(user: User) -> QuerySet[RepairOrder]:
    """My open orders, soonest appointment first, with what the list shows."""
    return (
        policy.repairs_for_engineer(user)
        .filter(state__in=ON_MY_LIST)
        .select_related("unit__building", "resident", "property")
        .prefetch_related(
            Prefetch("resident__phones", queryset=ResidentPhone.objects.order_by("id"))
        )
        .order_by(F("appointment_start").asc(nulls_last=True), "id")
    )


def engineer_required(view):
    """Engineer pages: a signed-in engineer, or the login page. Anyone else gets 404."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if "repair.work" not in policy.held_anywhere(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


class MaterialsForm(forms.Form):
    materials = forms.CharField(
        label=gettext_lazy("Materials supplied by the resident"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    inspection = forms.CharField(
        label=gettext_lazy("Inspection of those materials"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompleteForm(forms.Form):
    cause = forms.CharField(
        label=gettext_lazy("Cause"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    work_done = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    advice = forms.CharField(
        label=gettext_lazy("Advice to the resident"),
        help_text=gettext_lazy("How to avoid it next time."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items=(), quoted=None, **kwargs):
        """`items`: the price list's active items (only for a chargeable order); `quoted`:
        quantities quoted per item, offered as the starting values."""
        super().__init__(*args, **kwargs)
        self.items = list(items)
        quoted = quoted or {}
        for item in self.items:
            self.fields[self._key(item)] = forms.DecimalField(
                label=f"{item.name} ({item.price}/{item.unit})",
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal("9999"),
                decimal_places=2,
                initial=quoted.get(item.pk),
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
                ),
            )

    @staticmethod
    def _key(item: PriceItem) -> str:
        return f"item_{item.pk}"

    def text_fields(self):
        return [self[name] for name in ("cause", "work_done", "advice")]

    def item_fields(self):
        return [self[self._key(item)] for item in self.items]

    def used(self) -> list[LineInput]:
        return [
            LineInput(price_item=item, quantity=self.cleaned_data[self._key(item)])
            for item in self.items
            if self.cleaned_data.get(self._key(item))
        ]


@engineer_required
def order_list(request):
    return render(
        request, "tickets/engineer_orders.html", {"orders": list(engineer_list(request.user))}
    )


def _order_or_404(request, pk: int) -> RepairOrder:
    return get_object_or_404(
        policy.repairs_for_engineer(request.user)
        .select_related("unit__building", "resident", "property", "department")
        .prefetch_related(
            Prefetch("resident__phones", queryset=ResidentPhone.objects.order_by("id")),
            Prefetch("lines", queryset=RepairLine.objects.order_by("id")),
            Prefetch("photos", queryset=RepairPhoto.objects.order_by("id")),
            Prefetch("events", queryset=RepairEvent.objects.select_related("by")),
        ),
        pk=pk,
    )


def _complete_form(order: RepairOrder, data=None) -> CompleteForm:
    if not order.chargeable:
        return CompleteForm(data)
    items = PriceItem.objects.filter(property_id=order.property_id, active=True).order_by("name")
    quoted = {
        line.price_item_id: line.quantity
        for line in order.lines.all()
        if line.stage == RepairLine.Stage.QUOTED
    }
    return CompleteForm(data, items=items, quoted=quoted)


def _detail(
    request,
    order: RepairOrder,
    *,
    materials_form=None,
    complete_form=None,
    sign_form=None,
    error=None,
    status=200,
):
    lines = list(order.lines.all())
    quoted = [line for line in lines if line.stage == RepairLine.Stage.QUOTED]
    used = [line for line in lines if line.stage == RepairLine.Stage.USED]
    is_mine = order.engineer_id == request.user.pk
    accepted = order.state == State.ACCEPTED and is_mine
    may_sign = order.state == State.COMPLETED and order.signed_at is None and is_mine
    for form, shown in (
        (materials_form, accepted),
        (complete_form, accepted),
        (sign_form, may_sign),
    ):
        if error is None and form is not None and form.errors and not shown:
            # The order moved on (or was never in that state): say why, above the page.
            error = next(m for messages_ in form.errors.values() for m in messages_)
    return render(
        request,
        "tickets/engineer_order.html",
        {
            "order": order,
            "quoted": quoted,
            "quoted_total": sum((line.amount for line in quoted), Decimal("0.00")),
            "used": used,
            "used_total": sum((line.amount for line in used), Decimal("0.00")),
            "may_accept": order.state == State.DISPATCHED,
            "may_complete": accepted,
            "may_sign": may_sign,
            "materials_form": materials_form
            or MaterialsForm(
                initial={
                    "materials": order.resident_materials,
                    "inspection": order.materials_inspection,
                }
            ),
            "complete_form": complete_form or (_complete_form(order) if accepted else None),
            "sign_form": sign_form or SignOffForm(),
            "error": error,
        },
        status=status,
    )


@engineer_required
def order_detail(request, pk: int):
    return _detail(request, _order_or_404(request, pk))


@engineer_required
@require_POST
def order_accept(request, pk: int):
    order = _order_or_404(request, pk)
    try:
        order = repairs.repair_accept(order=order, by=request.user)
    except ValidationError as exc:
        return _detail(request, order, error=exc.messages[0], status=400)
    messages.success(
        request,
        _("Accepted at %(time)s.")
        % {"time": timezone.localtime(order.accepted_at).strftime("%H:%M")},
    )
    return redirect("engineer_order", pk=order.pk)


@engineer_required
@require_POST
def order_materials(request, pk: int):
    order = _order_or_404(request, pk)
    form = MaterialsForm(request.POST)
    if form.is_valid():
        try:
            repairs.repair_record_materials(
                order=order,
                by=request.user,
                materials=form.cleaned_data["materials"],
                inspection=form.cleaned_data["inspection"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("engineer_order", pk=order.pk)
    return _detail(request, order, materials_form=form, status=400)


@engineer_required
@require_POST
def order_complete(request, pk: int):
    order = _order_or_404(request, pk)
    form = _complete_form(order, request.POST)
    if form.is_valid():
        try:
            repairs.repair_complete(
                order=order,
                by=request.user,
                cause=form.cleaned_data["cause"],
                work_done=form.cleaned_data["work_done"],
                advice=form.cleaned_data["advice"],
                used=form.used(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Completed. Now ask the resident to test it and sign."))
            return redirect("engineer_order", pk=order.pk)
    return _detail(request, order, complete_form=form, status=400)


@engineer_required
@require_POST
def order_sign_off(request, pk: int):
    """On site: the resident tests the repair, types their name and signs on the screen."""
    order = _order_or_404(request, pk)
    if order.engineer_id != request.user.pk:
        return _detail(
            request,
            order,
            error=_("Only the engineer of this order can take the signature."),
            status=400,
        )
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            repairs.repair_sign_off(
                order=order,
                by=request.user,
                via=RepairOrder.SignOff.ON_SITE,
                signed_name=form.cleaned_data["signed_name"],
                signature=form.cleaned_data["signature"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Signed off. Thank you."))
            return redirect("engineer_order", pk=order.pk)
    return _detail(request, order, sign_form=form, status=400)


urlpatterns = [
    path("engineer/orders/", order_list, name="engineer_orders"),
    path("engineer/orders/<int:pk>/", order_detail, name="engineer_order"),
    path("engineer/orders/<int:pk>/accept/", order_accept, name="engineer_order_accept"),
    path("engineer/orders/<int:pk>/materials/", order_materials, name="engineer_order_materials"),
    path("engineer/orders/<int:pk>/complete/", order_complete, name="engineer_order_complete"),
    path("engineer/orders/<int:pk>/sign-off/", order_sign_off, name="engineer_order_sign_off"),
]
