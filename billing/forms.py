"""The desk's payment forms: they read and type the input; billing.payments decides what is
allowed and says why not (a negative amount, cash short of the amount, a missing reference,
a notice of another unit)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import FeeNotice, Payment, PaymentAdjustment
from frontdesk.models import Resident
from frontdesk.money import ZERO, money

Method = Payment.Method


class NoticeIdsField(forms.Field):
    """The ticked notices, as ids: which of them the user may see, and whose unit they are,
    is checked afterwards (the service names a notice of another unit)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose the fee notices from the list.")) from None


def _money_field(label, **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        localize=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


class PaymentForm(forms.Form):
    """A payment at the desk for one unit. The notices are resolved with ``notices_lookup``
    (ids → the notices the user may see); a blank amount is the total the chosen notices
    owe."""

    notices = NoticeIdsField(
        label=_("Fee notices"),
        required=False,
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, initial=Method.CASH, widget=forms.RadioSelect
    )
    amount = _money_field(
        _("Amount to pay (yuan)"),
        required=False,
        help_text=_("The total of the chosen notices; change it for a part payment."),
    )
    received = _money_field(
        _("Cash received (yuan)"),
        required=False,
        help_text=_("Cash only: what the resident handed over."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("WeChat Pay, Alipay, bank or card: the transaction number."),
    )
    payer = forms.TypedChoiceField(label=_("Paid by"), coerce=int, required=False, empty_value=None)
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, open_notices: list[FeeNotice], payers: list[Resident], **kwargs):
        super().__init__(*args, **kwargs)
        self.open_notices = open_notices
        self.payers = {p.pk: p for p in payers}
        self.fields["payer"].choices = [("", "—")] + [(p.pk, p.name) for p in payers]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("notices", [n.pk for n in open_notices])
            self.initial.setdefault(
                "amount", money(sum((n.outstanding for n in open_notices), ZERO))
            )
            if len(payers) == 1:
                self.initial.setdefault("payer", payers[0].pk)

    def ticked(self) -> set[int]:
        """The notices shown ticked: all of them at first, then what was submitted."""
        if not self.is_bound:
            return {n.pk for n in self.open_notices}
        try:
            return set(self.fields["notices"].to_python(self.data.getlist("notices")))
        except forms.ValidationError:
            return set()

    def clean_payer(self):
        pk = self.cleaned_data.get("payer")
        if pk is None:
            return None
        if pk not in self.payers:
            raise forms.ValidationError(_("Choose one of the unit's residents."))
        return self.payers[pk]

    def clean(self):
        cleaned = super().clean()
        if "notices" in cleaned and not cleaned["notices"]:
            self.add_error("notices", _("Tick at least one fee notice to pay."))
        return cleaned

    def service_kwargs(self, chosen: list[FeeNotice]) -> dict:
        """What payment_take takes, from the cleaned input and the resolved notices."""
        data = self.cleaned_data
        amount = data["amount"]
        if amount is None:
            amount = money(sum((n.outstanding for n in chosen), ZERO))
        return {
            "notices": chosen,
            "method": data["method"],
            "amount": amount,
            "received": data["received"] if data["method"] == Method.CASH else None,
            "reference": data["reference"],
            "idempotency_key": data["idempotency_key"],
            "resident": data["payer"],
        }


class AdjustmentForm(forms.Form):
    """Ask for a void (the whole receipt) or a refund (part of it), with the reason."""

    kind = forms.ChoiceField(
        label=_("Request"),
        choices=PaymentAdjustment.Kind.choices,
        initial=PaymentAdjustment.Kind.VOID,
        widget=forms.RadioSelect,
    )
    amount = _money_field(
        _("Refund amount (yuan)"), required=False, help_text=_("For a refund only.")
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        refund = data["kind"] == PaymentAdjustment.Kind.REFUND
        return {
            "kind": data["kind"],
            "reason": data["reason"],
            "amount": data["amount"] if refund else None,
        }


class DecisionForm(forms.Form):
    """A supervisor's decision on a void or refund; the note is required to reject (the
    service says so)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages={"required": _("Approve or reject the request.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict:
        return {
            "approve": self.cleaned_data["decision"] == "approve",
            "note": self.cleaned_data["note"],
        }


class MoveOutForm(forms.Form):
    on = forms.DateField(
        label=_("Move-out date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the move-out date.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())
