"""The resident portal's repair pages: my repairs, report a repair with photos, agree to a
quote, confirm the repair works. Only the signed-in resident's own units' orders; staff and
anyone else get 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontdesk import policy, uploads
from frontdesk.models import ResidentPhone
from frontdesk.views import PORTAL_PAGE_SIZE as PAGE_SIZE
from frontdesk.views import resident_required
from tickets.models import RepairEvent, RepairLine, RepairOrder, RepairPhoto
from tickets.repairs import services as repairs

MAX_PHOTOS = 6


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """`<input type=file multiple>`: cleans to the list of uploaded files (maybe empty)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(f, initial) for f in files if f]


class RepairRequestForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Which home"), empty_label=None)
    category = forms.ChoiceField(
        label=gettext_lazy("What kind of fault"),
        choices=[
            c for c in RepairOrder.Category.choices if c[0] != RepairOrder.Category.PUBLIC_AREA
        ],
    )
    description = forms.CharField(
        label=gettext_lazy("What is broken"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    location = forms.CharField(
        label=gettext_lazy("Where exactly"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: kitchen, under the sink."),
    )
    preferred_times = forms.CharField(
        label=gettext_lazy("Times that suit me"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: weekday evenings after 18:00."),
    )
    photos = MultiplePhotoField(
        label=gettext_lazy("Photos"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/*"}),
        help_text=gettext_lazy("Up to 6 photos (JPEG, PNG or WebP), at most 10 MB each."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.building.property} {u.label}"

    def clean_photos(self):
        files = self.cleaned_data["photos"]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("Attach at most %(max)s photos; you chose %(count)s.")
                % {"max": MAX_PHOTOS, "count": len(files)}
            )
        verified, errors = [], []
        for upload in files:
            try:
                verified.append(uploads.verified_image(upload))
            except ValidationError as exc:
                errors.append(
                    _("%(file)s: %(error)s") % {"file": upload.name, "error": exc.messages[0]}
                )
        if errors:
            raise ValidationError(errors)
        return verified


class ConfirmForm(forms.Form):
    signed_name = forms.CharField(label=gettext_lazy("Your name"), max_length=60)


def _my_units(user):
    return policy.units_for(user).select_related("building__property").order_by("pk")


def _my_repairs(user):
    return policy.repairs_for(user).select_related("unit__building", "property")


@resident_required
def repair_list(request):
    """My repairs, newest first, a page at a time."""
    orders = _my_repairs(request.user).order_by("-received_at", "-id")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/portal_repairs.html", {"page": page})


@resident_required
@policy.residing
def repair_new(request):
    """Report a repair in one of my homes, with up to six photos."""
    units = _my_units(request.user)
    data = request.POST if request.method == "POST" else None
    form = RepairRequestForm(data, request.FILES or None, units=units)
    if data is not None and form.is_valid():
        unit = form.cleaned_data["unit"]
        resident = (
            policy.current_residencies(request.user)
            .filter(units=unit)
            .select_related("property")
            .order_by("pk")
            .first()
        )
        phone = (
            ResidentPhone.objects.filter(resident=resident)
            .order_by("id")
            .values_list("number", flat=True)
            .first()
        )
        try:
            order = repairs.repair_receive_with_photos(
                photos=form.cleaned_data["photos"],
                property=unit.building.property,
                by=request.user,
                channel=RepairOrder.Channel.ONLINE,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                resident=resident,
                unit=unit,
                location=form.cleaned_data["location"],
                preferred_times=form.cleaned_data["preferred_times"],
                contact_phone=phone or "",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your repair request %(number)s has been sent to the service centre.")
                % {"number": order.number},
            )
            return redirect("portal_repair", pk=order.pk)
    return render(
        request,
        "tickets/portal_repair_new.html",
        {"form": form, "has_units": units.exists(), "max_photos": MAX_PHOTOS},
        status=400 if data is not None else 200,
    )


def _order_or_404(request, pk: int) -> RepairOrder:
    return get_object_or_404(
        _my_repairs(request.user).prefetch_related(
            Prefetch("lines", queryset=RepairLine.objects.order_by("id")),
            Prefetch("events", queryset=RepairEvent.objects.order_by("at", "id")),
            Prefetch("photos", queryset=RepairPhoto.objects.order_by("id")),
        ),
        pk=pk,
    )


def _detail(request, order: RepairOrder, *, confirm_form=None, error=None, status=200):
    lines = list(order.lines.all())
    quoted = [line for line in lines if line.stage == RepairLine.Stage.QUOTED]
    used = [line for line in lines if line.stage == RepairLine.Stage.USED]
    may_confirm = (
        order.state == RepairOrder.State.COMPLETED
        and order.signed_at is None
        and policy.allows(request.user, "repair.sign_off", order)
    )
    if error is None and confirm_form is not None and confirm_form.errors and not may_confirm:
        # The confirm form is not on the page: say why above it.
        error = next(m for messages_ in confirm_form.errors.values() for m in messages_)
    return render(
        request,
        "tickets/portal_repair.html",
        {
            "order": order,
            "quoted": quoted,
            "quoted_total": sum((line.amount for line in quoted), repairs.money(0)),
            "used": used,
            "used_total": sum((line.amount for line in used), repairs.money(0)),
            "may_agree": order.state == RepairOrder.State.AWAITING_AGREEMENT
            and policy.allows(request.user, "repair.agree", order),
            "may_confirm": may_confirm,
            "confirm_form": confirm_form or ConfirmForm(),
            "error": error,
        },
        status=status,
    )


@resident_required
def repair_detail(request, pk: int):
    return _detail(request, _order_or_404(request, pk))


@resident_required
@require_POST
def repair_agree(request, pk: int):
    """The resident presses "I agree to this price": the quote is accepted in the portal."""
    order = _order_or_404(request, pk)
    try:
        repairs.repair_agree(order=order, by=request.user, via="portal")
    except ValidationError as exc:
        return _detail(request, order, error=exc.messages[0], status=400)
    messages.success(request, _("Thank you: the service centre will arrange the visit."))
    return redirect("portal_repair", pk=order.pk)


@resident_required
@require_POST
def repair_confirm(request, pk: int):
    """The resident confirms "the repair works": the order is signed off in the portal."""
    order = _order_or_404(request, pk)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            repairs.repair_sign_off(
                order=order,
                by=request.user,
                via=RepairOrder.SignOff.PORTAL,
                signed_name=form.cleaned_data["signed_name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you for confirming the repair."))
            return redirect("portal_repair", pk=order.pk)
    return _detail(request, order, confirm_form=form, status=400)


urlpatterns = [
    path("portal/repairs/", repair_list, name="portal_repairs"),
    path("portal/repairs/new/", repair_new, name="portal_repair_new"),
    path("portal/repairs/<int:pk>/", repair_detail, name="portal_repair"),
    path("portal/repairs/<int:pk>/agree/", repair_agree, name="portal_repair_agree"),
    path("portal/repairs/<int:pk>/confirm/", repair_confirm, name="portal_repair_confirm"),
]
