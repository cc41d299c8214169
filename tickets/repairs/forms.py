"""The desk's repair forms: they read and type the input; the services decide what is allowed."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from frontdesk.models import Property, Resident, Unit, phone_validator
from tickets.models import PriceItem, RepairOrder, RepairPayment
from tickets.repairs.services import LineInput

Channel = RepairOrder.Channel


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _appointment_fields():
    """The appointment window, typed as local time (the current zone is the property's)."""
    return (
        forms.DateTimeField(label=_("Appointment from"), required=False, widget=_datetime_input()),
        forms.DateTimeField(label=_("Appointment until"), required=False, widget=_datetime_input()),
    )


class IntakeForm(forms.Form):
    """A repair request taken at the desk, for one of the resident's units or a public area.
    Without a resident it is a public-area repair."""

    property = forms.ModelChoiceField(label=_("Property"), queryset=Property.objects.none())
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.WALK_IN, Channel.WALK_IN.label)],
        widget=forms.RadioSelect,
        initial=Channel.PHONE,
    )
    is_public_area = forms.BooleanField(label=_("Public area"), required=False)
    unit = forms.IntegerField(label=_("Unit"), required=False, widget=forms.Select)
    location = forms.CharField(
        label=_("Where exactly"),
        max_length=200,
        required=False,
        help_text=_("Room or spot; for a public area, where the fault is."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=RepairOrder.Category.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=RepairOrder.Urgency.choices,
        initial=RepairOrder.Urgency.NORMAL,
    )
    description = forms.CharField(
        label=_("What is broken"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe what is broken.")},
    )
    preferred_times = forms.CharField(
        label=_("Times that suit the resident"), max_length=200, required=False
    )
    appointment_start, appointment_end = _appointment_fields()
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=20, required=False, validators=[phone_validator]
    )
    chargeable = forms.BooleanField(label=_("Chargeable (paid repair)"), required=False)
    address_confirmed = forms.BooleanField(
        label=_("I read the address back to the caller"),
        error_messages={"required": _("Read the address back to the caller and tick the box.")},
    )

    def __init__(self, *args, resident: Resident | None, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        if resident is None:
            # A repair without a resident is a public-area repair of one of the user's
            # properties.
            del self.fields["unit"], self.fields["is_public_area"], self.fields["chargeable"]
            self.fields["location"].required = True
            self.fields["location"].error_messages["required"] = _(
                "Say where in the public area the fault is."
            )
            self.fields["property"].queryset = properties
            self.only_property = properties[0] if len(properties) == 1 else None
            if self.only_property is not None:
                del self.fields["property"]
            self.fields["category"].initial = RepairOrder.Category.PUBLIC_AREA
        else:
            del self.fields["property"]
            self.units = list(resident.units.all())
            self.fields["unit"].widget.choices = [("", "—")] + [(u.pk, u.label) for u in self.units]
            if len(self.units) == 1:
                self.initial.setdefault("unit", self.units[0].pk)
            phones = list(resident.phones.all())
            if phones:
                self.initial.setdefault("contact_phone", phones[0].number)

    def clean_unit(self):
        pk = self.cleaned_data.get("unit")
        if pk is None:
            return None
        unit = Unit.objects.select_related("building").filter(pk=pk).first()
        if unit is None:
            raise forms.ValidationError(_("Choose the unit the repair is in."))
        # A unit of another property goes on to the service, which refuses it with its message.
        if unit.building.property_id == self.resident.property_id and unit not in self.units:
            raise forms.ValidationError(_("Choose one of the resident's units."))
        return unit

    def clean(self):
        cleaned = super().clean()
        if (
            self.resident is not None
            and not cleaned.get("is_public_area")
            and cleaned.get("unit") is None
            and "unit" not in self.errors
        ):
            self.add_error("unit", _("Choose the unit the repair is in."))
        return cleaned

    def service_kwargs(self) -> dict:
        """What repair_receive takes, from the cleaned input."""
        data = dict(self.cleaned_data)
        if self.resident is None:
            data.update(is_public_area=True, unit=None, chargeable=False)
            data.setdefault("property", self.only_property)
        else:
            data["property"] = self.resident.property
        data["resident"] = self.resident
        return data


class QuoteLineForm(forms.Form):
    price_item = forms.TypedChoiceField(label=_("Item"), coerce=int, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("9999"),
    )

    def __init__(self, *args, items: list[PriceItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_item"].choices = [("", "—")] + [
            (item.pk, f"{item.name} · {item.price}/{item.unit}") for item in items
        ]

    def clean(self):
        cleaned = super().clean()
        item, quantity = cleaned.get("price_item"), cleaned.get("quantity")
        if item and quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        if quantity is not None and not item:
            self.add_error("price_item", _("Choose the item from the price list."))
        return cleaned


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=0, max_num=20, validate_max=True)


def quote_formset(data=None, *, items: list[PriceItem], quoted=(), rows: int = 4):
    """The quote's rows: the lines already quoted, and empty rows to add more."""
    initial = [{"price_item": line.price_item_id, "quantity": line.quantity} for line in quoted]
    formset = QuoteLineFormSet(data, initial=initial, prefix="lines", form_kwargs={"items": items})
    if data is None:
        formset.extra = max(rows - len(initial), 1)
    return formset


def quote_lines(formset, items: list[PriceItem]) -> list[LineInput]:
    by_id = {item.pk: item for item in items}
    return [
        LineInput(by_id[f.cleaned_data["price_item"]], f.cleaned_data["quantity"])
        for f in formset.forms
        if f.cleaned_data.get("price_item")
    ]


class AgreeForm(forms.Form):
    via = forms.ChoiceField(
        label=_("The resident agreed"),
        choices=[
            (v, label)
            for v, label in RepairOrder.AgreedVia.choices
            if v != RepairOrder.AgreedVia.PORTAL
        ],
        initial="phone",
    )


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    engineer = forms.ModelChoiceField(
        label=_("Engineer"),
        queryset=None,
        required=False,
        empty_label=_("Any engineer of the department"),
    )
    appointment_start, appointment_end = _appointment_fields()

    def __init__(self, *args, departments, engineers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["engineer"].queryset = engineers
        self.fields["engineer"].label_from_instance = lambda u: u.get_full_name() or u.username


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=10, decimal_places=2)
    method = forms.ChoiceField(
        label=_("Method"), choices=RepairPayment.Method.choices, initial="cash"
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Transaction or receipt number; not needed for cash."),
    )
    # A new key each time the form is shown: sent twice (a double click, the back button), it
    # records one payment.
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class SignOffForm(forms.Form):
    signed_name = forms.CharField(label=_("Confirmed by (name)"), max_length=60, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
