"""Forms of the shift handover and the daily ledger: what is pending for the next shift, and
the supervisor's note on signing (the figures come from the records)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontdesk.desk.models import ShiftHandover


class HandoverForm(forms.Form):
    shift = forms.ChoiceField(label=_("Shift"), choices=ShiftHandover.Shift.choices)
    pending = forms.CharField(
        label=_("Pending for the next shift"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the next shift must follow up: what was done is taken from the records."),
    )


class LedgerSignForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Supervisor's note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
