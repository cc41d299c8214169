"""Forms of the desk's release passes and decoration pages. They read and type the input; the
services decide what is allowed (a resident of another unit is let through to the service,
which refuses it with its message)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontdesk.desk import permits_queries as q
from frontdesk.desk.registers_queries import property_units
from frontdesk.models import Property, Resident, Unit


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _resident_label(resident: Resident) -> str:
    return f"{resident.name} ({resident.archive_number})"


def _offer(field: forms.ModelChoiceField, offered, label, empty: bool = True) -> None:
    """Show only the offered objects, while the field still accepts any of its queryset."""
    choices = [("", "—")] if empty else []
    field.widget.choices = choices + [(obj.pk, label(obj)) for obj in offered]


class UnitLabelField(forms.CharField):
    """A unit typed the way the desk says it, "building-unit" (1-1203)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault("max_length", 41)
        kwargs.setdefault("help_text", _("Building-unit, for example 1-1203."))
        super().__init__(**kwargs)


def _unit_from_label(prop: Property, text: str) -> Unit:
    unit = q.unit_by_label(prop, text)
    if unit is None:
        raise forms.ValidationError(
            _("There is no unit %(unit)s at %(property)s.") % {"unit": text, "property": prop}
        )
    return unit


# --- release passes -----------------------------------------------------------------------------


class PassRequestForm(forms.Form):
    unit = UnitLabelField()
    carrier_name = forms.CharField(label=_("Who carries the items"), max_length=60)
    items = forms.CharField(label=_("Items"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, property: Property, **kwargs):
        super().__init__(*args, **kwargs)
        self.property = property

    def clean_unit(self):
        return _unit_from_label(self.property, self.cleaned_data["unit"])


DECISIONS = [("approve", _("Approved")), ("refuse", _("Refused"))]


class PassDecideForm(forms.Form):
    """The resident's decision given by phone: which resident of the unit, approve or refuse."""

    resident = forms.ModelChoiceField(
        label=_("Resident"),
        queryset=Resident.objects.none(),
        error_messages={"invalid_choice": _("Choose a resident of this property.")},
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)

    def __init__(self, *args, property_id: int, offered=(), **kwargs):
        kwargs.setdefault("prefix", "decide")
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.filter(property_id=property_id)
        _offer(self.fields["resident"], offered, _resident_label, empty=len(offered) != 1)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


# --- decoration ---------------------------------------------------------------------------------


class FindUnitForm(forms.Form):
    """Apply on behalf of a resident: first find the unit the work is in."""

    unit = UnitLabelField(required=False)


class DecorationApplyForm(forms.Form):
    resident = forms.ModelChoiceField(
        label=_("Resident"),
        queryset=Resident.objects.none(),
        error_messages={"invalid_choice": _("Choose a resident of this property.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("Choose a unit of this property.")},
    )
    contractor = forms.CharField(label=_("Contractor"), max_length=100)
    contractor_phone = forms.CharField(label=_("Contractor's phone"), max_length=20)
    work = forms.CharField(label=_("Work planned"), widget=forms.Textarea(attrs={"rows": 3}))
    starts = forms.DateField(label=_("From"), widget=date_input())
    ends = forms.DateField(label=_("Until"), widget=date_input())

    def __init__(self, *args, property: Property, residents=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = q.property_residents(property)
        self.fields["unit"].queryset = property_units(property)
        _offer(self.fields["resident"], residents, _resident_label, empty=len(residents) != 1)
        _offer(self.fields["unit"], units, lambda u: u.label, empty=len(units) != 1)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("First review"), choices=[("pass", _("Passed")), ("reject", _("Rejected"))]
    )
    note = forms.CharField(
        label=_("Review note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting: say why."),
    )

    @property
    def passed(self) -> bool:
        return self.cleaned_data["decision"] == "pass"


class RectifyForm(forms.Form):
    issue = forms.CharField(
        label=_("What must be put right"), widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("By"), widget=date_input())
