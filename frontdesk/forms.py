import base64
import binascii
import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from frontdesk import uploads
from frontdesk.models import Notification, Property, Resident, Unit, phone_validator
from frontdesk.services import PhoneInput

UNIT_LABEL = re.compile(r"^([0-9A-Za-z]+)-([0-9A-Za-z]+)$")


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or phone"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class ResidentForm(forms.ModelForm):
    """The resident's details. Units are typed the way the desk says them: "1-1203, 1-1204"."""

    property = forms.ModelChoiceField(queryset=Property.objects.none(), label=_("Property"))
    unit_labels = forms.CharField(
        label=_("Units"),
        help_text=_('Building-unit, separated by commas, e.g. "1-1203, 1-1204".'),
    )

    class Meta:
        model = Resident
        fields = [
            "name",
            "kind",
            "company",
            "move_in_date",
            "best_time_to_call",
            "preferred_language",
            "email",
            "notes",
        ]
        widgets = {
            "move_in_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties
        if self.instance.pk:
            # A resident stays with their property; the archive number depends on it.
            del self.fields["property"]
            self.initial["unit_labels"] = ", ".join(u.label for u in self.instance.units.all())
        elif len(properties) == 1:
            self.initial["property"] = properties[0]

    def clean(self):
        cleaned = super().clean()
        property = cleaned.get("property") or (self.instance.pk and self.instance.property)
        labels = cleaned.get("unit_labels")
        if property and labels:
            cleaned["units"] = self._resolve_units(property, labels)
        return cleaned

    def _resolve_units(self, property, text):
        wanted = [part.strip() for part in re.split(r"[,，\s]+", text) if part.strip()]
        bad = [label for label in wanted if not UNIT_LABEL.match(label)]
        if bad:
            self.add_error(
                "unit_labels",
                _('"%(label)s" is not a unit: write building-unit, like 1-1203.')
                % {"label": bad[0]},
            )
            return []
        found = {
            unit.label: unit
            for unit in Unit.objects.select_related("building").filter(
                building__property=property,
                building__number__in=[UNIT_LABEL.match(w)[1] for w in wanted],
            )
        }
        missing = [label for label in wanted if label not in found]
        if missing:
            self.add_error(
                "unit_labels",
                _("No unit %(label)s at %(property)s.")
                % {"label": ", ".join(missing), "property": property},
            )
            return []
        return [found[label] for label in wanted]


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Phone"), max_length=20, validators=[phone_validator])
    label = forms.CharField(
        label=_("Label"),
        max_length=30,
        required=False,
        help_text=_("Mobile, home, office..."),
    )
    answered_by = forms.CharField(label=_("Also answered by"), max_length=60, required=False)
    relation = forms.CharField(label=_("Their relation"), max_length=30, required=False)

    def as_input(self) -> PhoneInput:
        return PhoneInput(**self.cleaned_data)


PhoneFormSet = forms.formset_factory(
    PhoneForm, extra=0, min_num=1, validate_min=True, max_num=5, validate_max=True
)


def phone_formset(data=None, resident=None) -> forms.BaseFormSet:
    initial = None
    if resident is not None:
        initial = [
            {
                "number": p.number,
                "label": p.label,
                "answered_by": p.answered_by,
                "relation": p.relation,
            }
            for p in resident.phones.all()
        ]
    formset = PhoneFormSet(data, initial=initial, prefix="phones")
    if data is None:
        formset.extra = 1 if initial else 0
    return formset


class InviteForm(forms.Form):
    send_by = forms.ChoiceField(
        label=_("Deliver the code"),
        choices=[
            ("", _("Print a slip")),
            (Notification.Channel.SMS, _("By SMS")),
            (Notification.Channel.EMAIL, _("By email")),
        ],
        required=False,
    )


class ActivateForm(forms.Form):
    phone = forms.CharField(label=_("Your phone number"), max_length=20)
    code = forms.CharField(label=_("Activation code"), max_length=12)
    password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("Kind"),
        choices=[("0", _("Statutory holiday (rest)")), ("1", _("Make-up working day"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(label=_("Name"), max_length=60, required=False)

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day.year != self.year:
            raise forms.ValidationError(_("This list is for %(year)s.") % {"year": self.year})
        return day


SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_BYTES = 1024 * 1024  # a phone-screen signature PNG is tens of kilobytes
SIGNATURE_MAX_CHARS = len(SIGNATURE_PREFIX) + (SIGNATURE_MAX_BYTES * 4) // 3 + 4
SIGNATURE_MAX_PIXELS = 4_000_000


class SignOffForm(forms.Form):
    """A signed name and a signature drawn on the screen: the engineer's sign-off, the parcel
    hand-over and the key movements extend it."""

    signed_name = forms.CharField(label=gettext_lazy("Name of the person signing"), max_length=60)
    # The canvas drawing as a PNG data URL (static/js/signature.js); checked in clean.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, strip=True)

    def clean_signature(self) -> uploads.VerifiedImage:
        raw = self.cleaned_data["signature"]
        if not raw:
            raise ValidationError(_("Draw the signature."))
        unreadable = ValidationError(_("The signature could not be read. Clear it and sign again."))
        if len(raw) > SIGNATURE_MAX_CHARS or not raw.startswith(SIGNATURE_PREFIX):
            raise unreadable
        try:
            data = base64.b64decode(raw[len(SIGNATURE_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise unreadable from None
        try:
            image = uploads.verified_image(
                ContentFile(data),
                max_bytes=SIGNATURE_MAX_BYTES,
                max_pixels=SIGNATURE_MAX_PIXELS,
                encode_as=uploads.PNG,
            )
        except ValidationError:
            raise unreadable from None
        if not uploads.has_ink(image):
            raise ValidationError(_("Draw the signature."))
        return image
