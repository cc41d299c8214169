"""Forms of the resident portal's day page: a visitor announced for one of my homes, my
decision on a pass, my decoration application. The services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontdesk.desk.permits_forms import DECISIONS, date_input
from frontdesk.models import Unit

# --- the resident portal ------------------------------------------------------------------------


def _my_unit_field(label):
    return forms.ModelChoiceField(
        label=label,
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your homes.")},
    )


class _MyUnitForm(forms.Form):
    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.building.property} {u.label}"


class VisitorAnnounceForm(_MyUnitForm):
    prefix = "visitor"
    unit = _my_unit_field(_("Visiting which home"))
    name = forms.CharField(label=_("Visitor's name"), max_length=60)
    expected_on = forms.DateField(label=_("Coming on"), widget=date_input())
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class MyDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISIONS)


class MyDecorationForm(_MyUnitForm):
    prefix = "decoration"
    unit = _my_unit_field(_("Which home"))
    contractor = forms.CharField(label=_("Contractor"), max_length=100)
    contractor_phone = forms.CharField(label=_("Contractor's phone"), max_length=20)
    work = forms.CharField(label=_("Work planned"), widget=forms.Textarea(attrs={"rows": 3}))
    starts = forms.DateField(label=_("From"), widget=date_input())
    ends = forms.DateField(label=_("Until"), widget=date_input())
