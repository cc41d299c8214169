"""The desk's day forms: they read and type the input; frontdesk.desk.registers_services decides what is
allowed and says why not. An on-screen signature is read and verified by the engineer's
sign-off form (frontdesk.forms.SignOffForm), which these forms extend."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from frontdesk.desk.models import IdType, last_four_validator
from frontdesk.desk.registers_queries import Recipients
from frontdesk.forms import SignOffForm
from frontdesk.models import Unit, phone_validator

ID_TYPE_CHOICES = [("", "—"), *IdType.choices]


def _unit_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Unit.objects.none(), empty_label="—", label=_("Unit"), **kwargs
    )


def _last_four_field(label) -> forms.CharField:
    # No max_length: five characters get the same message as the service's, not Django's.
    return forms.CharField(
        label=label,
        required=False,
        validators=[last_four_validator],
        widget=forms.TextInput(
            attrs={
                "maxlength": "4",
                "size": "5",
                "autocomplete": "off",
                "pattern": "[0-9A-Za-z]{4}",
            }
        ),
    )


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# --- visitors ---------------------------------------------------------------------------------


class VisitorForm(forms.Form):
    """A walk-in visitor, registered as arrived now."""

    name = forms.CharField(label=_("Visitor's name"), max_length=60)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    unit = _unit_field(required=False)
    visiting = forms.CharField(
        label=_("Or visiting (company or person)"), max_length=100, required=False
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    id_type = forms.ChoiceField(label=_("Document"), choices=ID_TYPE_CHOICES, required=False)
    id_last4 = _last_four_field(_("Last four characters of the document"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ArriveForm(forms.Form):
    """An announced visitor arrives: the document is optional, its last four only."""

    id_type = forms.ChoiceField(label=_("Document"), choices=ID_TYPE_CHOICES, required=False)
    id_last4 = _last_four_field(_("Last four"))


# --- phone messages ------------------------------------------------------------------------------


class MessageForm(forms.Form):
    """A message for one resident, one staff member or one department, chosen in one select."""

    caller_name = forms.CharField(label=_("Caller"), max_length=60)
    caller_phone = forms.CharField(
        label=_("Caller's phone"), max_length=20, required=False, validators=[phone_validator]
    )
    recipient = forms.ChoiceField(
        label=_("For"),
        error_messages={"required": _("Choose whom the message is for.")},
    )
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["recipient", "caller_name", "caller_phone", "text"]

    def __init__(self, *args, recipients: Recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets: dict[str, tuple[str, object]] = {}
        residents, staff, departments = [], [], []
        for resident in recipients.residents:
            units = ", ".join(u.label for u in resident.units.all())
            label = f"{resident.name} · {units}" if units else resident.name
            residents.append(self._target("for_resident", "r", resident, label))
        for user in recipients.staff:
            staff.append(self._target("for_user", "u", user, user.get_full_name() or user.username))
        for department in recipients.departments:
            departments.append(self._target("for_department", "d", department, department.name))
        self.fields["recipient"].choices = [
            ("", "—"),
            (_("Residents"), residents),
            (_("Staff"), staff),
            (_("Departments"), departments),
        ]

    def _target(self, kwarg: str, prefix: str, obj, label: str) -> tuple[str, str]:
        key = f"{prefix}{obj.pk}"
        self.targets[key] = (kwarg, obj)
        return key, label

    def clean_recipient(self):
        return self.targets[self.cleaned_data["recipient"]]

    def service_kwargs(self) -> dict:
        kwarg, target = self.cleaned_data["recipient"]
        return {
            "caller_name": self.cleaned_data["caller_name"],
            "caller_phone": self.cleaned_data["caller_phone"],
            "text": self.cleaned_data["text"],
            kwarg: target,
        }


# --- parcels ----------------------------------------------------------------------------------------


class ParcelForm(forms.Form):
    unit = _unit_field()
    recipient_name = forms.CharField(label=_("Recipient"), max_length=60, required=False)
    carrier = forms.CharField(
        label=_("Carrier"), max_length=40, widget=forms.TextInput(attrs={"list": "carriers"})
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60, required=False)
    shelf = forms.CharField(label=_("Shelf"), max_length=20)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class HandOverForm(SignOffForm):
    """The collector's name, and the pickup code or a signature drawn on the screen."""

    signed_name = None
    collected_by_name = forms.CharField(label=_("Collected by"), max_length=60)
    code = forms.CharField(
        label=_("Pickup code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "8"}),
    )

    field_order = ["collected_by_name", "code", "signature"]

    def clean_code(self) -> str:
        # Digits typed with a Chinese input method arrive full-width (１２３): read them as
        # digits. Anything else is not a pickup code (and must not reach the service's
        # constant-time comparison, which refuses non-ASCII text with a TypeError).
        code = unicodedata.normalize("NFKC", self.cleaned_data["code"]).strip()
        if code and not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("The pickup code is six digits."))
        return code

    def clean_signature(self):
        # Optional here: without a code, the service asks for one or the other.
        if not self.cleaned_data["signature"]:
            return None
        return super().clean_signature()


# --- keys ------------------------------------------------------------------------------------------


class KeyDepositForm(forms.Form):
    unit = _unit_field()
    label = forms.CharField(label=_("Key tag"), max_length=20)
    description = forms.CharField(label=_("Which keys"), max_length=100)
    deposited_by = forms.CharField(label=_("Deposited by"), max_length=60)
    authorised = forms.CharField(
        label=_("Who may collect it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names (and phones) the owner authorised."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class KeyMoveForm(SignOffForm):
    """A key handed out or brought back: who, their signed name, and their signature."""

    person = forms.CharField(label=_("Person"), max_length=60)
    signed_name = forms.CharField(label=_("Signed name"), max_length=60)

    field_order = ["person", "signed_name", "signature"]


# --- lost and found --------------------------------------------------------------------------------


class LostItemForm(forms.Form):
    description = forms.CharField(label=_("What was found"), max_length=200)
    found_where = forms.CharField(label=_("Found where"), max_length=100)
    found_by = forms.CharField(label=_("Found by"), max_length=60, required=False)
    stored_where = forms.CharField(label=_("Kept where"), max_length=60)
    found_at = forms.DateTimeField(
        label=_("Found at"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Leave empty for now."),
    )


class ClaimForm(forms.Form):
    claimed_by = forms.CharField(
        label=_("Claimed by"), max_length=60, widget=forms.TextInput(attrs={"size": "12"})
    )
    claimant_id_last4 = _last_four_field(_("Last four of their document"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["claimant_id_last4"]
        field.required = True
        field.error_messages["required"] = _(
            "Write down the last four characters of the document the claimant shows."
        )
