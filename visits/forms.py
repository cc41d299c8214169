"""The callback forms: they read and type what the clerk entered; the services decide what is
allowed (a retry inside the window, a reply promised in the future...)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from visits.models import Callback

YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
SCORES = [(str(i), str(i)) for i in range(1, 6)]


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _score(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "—"), *SCORES],
        coerce=int,
        empty_value=None,
        required=False,
    )


class CallForm(forms.Form):
    """One call: reached or not, and what was learned. Typed times are the property's local
    time (the view makes the property's zone current)."""

    reached = forms.ChoiceField(
        label=_("Did you reach the resident?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you reached the resident.")},
    )
    # Not reached
    answered_by = forms.CharField(label=_("Who answered"), max_length=60, required=False)
    relation = forms.CharField(label=_("Their relation"), max_length=30, required=False)
    best_time = forms.CharField(
        label=_("Best time to reach the resident"), max_length=60, required=False
    )
    retry_at = forms.DateTimeField(
        label=_("Try again at"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Before the deadline. Empty: in two hours, or at the deadline if sooner."),
    )
    # Reached
    solved = forms.ChoiceField(
        label=_("Is the problem solved?"),
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    satisfaction = _score(_("Satisfaction (1-5)"))
    attitude = _score(_("Attitude (1-5)"))
    waiting = _score(_("Waiting time (1-5)"))
    price = _score(_("Price (1-5)"))
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    data_confirmed = forms.BooleanField(
        label=_("Basic data confirmed with the resident"), required=False
    )
    data_corrections = forms.CharField(
        label=_("Corrections to the basic data"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    question = forms.CharField(
        label=_("A question I could not answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reply_due_at = forms.DateTimeField(
        label=_("Reply promised by"), required=False, widget=_datetime_input()
    )

    UNREACHED_FIELDS = ("answered_by", "relation", "best_time", "retry_at")
    REACHED_FIELDS = (
        "solved",
        "satisfaction",
        "attitude",
        "waiting",
        "price",
        "comments",
        "data_confirmed",
        "data_corrections",
        "question",
        "reply_due_at",
    )

    def __init__(self, *args, callback: Callback, **kwargs):
        super().__init__(*args, **kwargs)
        self.callback = callback
        # A repair's and a complaint's callback ask whether it is solved and how satisfied.
        self.is_repair = callback.kind in {Callback.Kind.REPAIR, Callback.Kind.COMPLAINT}
        self.is_complaint_reply = callback.kind == Callback.Kind.COMPLAINT_REPLY
        # Required once "reached" is chosen: checked in clean(), marked on the page.
        self.required_if_reached = {"solved", "satisfaction"} if self.is_repair else set()
        if not self.is_repair:
            del self.fields["solved"]
        if self.is_complaint_reply:
            self.required_if_reached = {"comments"}
            self.fields["comments"].label = _("The reply given: what was said")

    def unreached_fields(self):
        return [self[name] for name in self.UNREACHED_FIELDS]

    def reached_fields(self):
        return [self[name] for name in self.REACHED_FIELDS if name in self.fields]

    def clean(self):
        data = super().clean()
        if data.get("reached") == YES:
            if self.is_repair:
                if not data.get("solved"):
                    self.add_error("solved", _("Ask whether the problem is solved."))
                if data.get("satisfaction") is None and "satisfaction" not in self.errors:
                    self.add_error("satisfaction", _("Record the satisfaction, from 1 to 5."))
            if self.is_complaint_reply and not (data.get("comments") or "").strip():
                self.add_error("comments", _("Write down what was said."))
            if (data.get("question") or "").strip() and data.get("reply_due_at") is None:
                if "reply_due_at" not in self.errors:
                    self.add_error("reply_due_at", _("Promise a time for the reply."))
            if data.get("reply_due_at") is not None and not (data.get("question") or "").strip():
                self.add_error("question", _("Write down the question the reply answers."))
        return data

    @property
    def reached_yes(self) -> bool:
        return self.cleaned_data["reached"] == YES

    def unreached_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.UNREACHED_FIELDS}

    def reached_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            name: data[name] for name in self.REACHED_FIELDS if name in data and name != "solved"
        }
        kwargs["solved"] = {YES: True, NO: False}.get(data.get("solved"))
        return kwargs


class CloseMissedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the callback cannot be made"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for closing the callback.")},
    )
