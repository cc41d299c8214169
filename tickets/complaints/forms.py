"""The complaint pages' forms: they read and type the input; the complaint services decide what
is allowed and say why not. Times are typed as local times of the complaint's property (the
views make its zone the current one)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontdesk import policy
from frontdesk.models import Department, Property, Resident, Unit, User, phone_validator
from tickets.models import Complaint

Channel = Complaint.Channel
Temperament = Complaint.Temperament

# How to handle each temperament (seed 000), shown to the clerk while the complainant talks.
ADVICE = {
    Temperament.RATIONAL: _(
        "Listen carefully, then state the facts plainly and say what will be done and when."
    ),
    Temperament.DISAPPOINTED: _(
        "Show that you understand the disappointment and ask what they would like done; "
        "agree on the next step with them."
    ),
    Temperament.ANGRY: _(
        "Let them vent without interrupting. Lower your voice, restate the cause of the "
        "problem in your own words, and say clearly what you can do and what you cannot."
    ),
}

# Words the desk never says (seed 001), in Chinese as they are, with what they mean.
NEVER_SAY = [
    ("不清楚", _("“it is not clear”")),
    ("不知道", _("“I don't know”")),
    ("没办法解决", _("“there is no way to solve it”")),
    ("我们不管", _("“that is none of our business”")),
]

# What the desk takes: everything except the resident portal's own online complaints.
DESK_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.ONLINE]


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(label, rows: int = 2, **kwargs):
    """A free-text field left optional here: the service says what is missing."""
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def person_name(user: User) -> str:
    return user.get_full_name() or user.username


def advice_items(chosen: str = "") -> list[dict]:
    """The three temperaments with their advice, the chosen one marked."""
    return [
        {"value": value, "label": label, "advice": ADVICE[value], "chosen": value == chosen}
        for value, label in Temperament.choices
    ]


class ComplaintIntakeForm(forms.Form):
    """A complaint or suggestion taken by the desk, for one property: from a resident (their
    card) or from a visitor, whose unit is chosen from the property's units."""

    kind = forms.ChoiceField(
        label=_("Complaint or suggestion"),
        choices=Complaint.Kind.choices,
        initial=Complaint.Kind.COMPLAINT,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=_("How the complaint came in"),
        choices=DESK_CHANNELS,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    complainant_name = forms.CharField(label=_("Complainant"), max_length=60, required=False)
    complainant_company = forms.CharField(label=_("Company"), max_length=100, required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=20, required=False, validators=[phone_validator]
    )
    happened_at = forms.DateTimeField(
        label=_("When it happened"), required=False, widget=_datetime_input()
    )
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what the complaint is about.")},
    )
    direct_impact = forms.BooleanField(
        label=_("Affects the complainant directly"),
        required=False,
        help_text=_("The department must then fix it within the fix window."),
    )
    temperament = forms.ChoiceField(
        label=_("Temperament"),
        choices=[("", _("Not noted"))] + list(Temperament.choices),
        required=False,
        widget=forms.RadioSelect,
    )
    answered_on_spot = forms.BooleanField(
        label=_("Answered on the spot"),
        required=False,
        help_text=_("Otherwise the complainant gets a reply within three days."),
    )
    owner = forms.ModelChoiceField(
        label=_("Assistant who will follow it"),
        queryset=User.objects.none(),
        required=False,
        empty_label="—",
        help_text=_(
            "A complaint taken face to face is handed to a customer-service assistant "
            "(unless you are one)."
        ),
    )
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Not yet"),
        help_text=_("Naming the department sends the service order at once."),
    )
    service_order = _text(
        _("Service order to the department"),
        rows=3,
        help_text=_("What the department must do; the description is used if left empty."),
    )

    def __init__(self, *args, property: Property, resident: Resident | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.property, self.resident = property, resident
        if resident is not None:
            del self.fields["complainant_name"], self.fields["complainant_company"]
            self.fields["unit"].queryset = resident.units.select_related("building")
            units = list(resident.units.all())  # prefetched by the resident card
            if len(units) == 1:
                self.initial.setdefault("unit", units[0].pk)
            phones = list(resident.phones.all())
            if phones:
                self.initial.setdefault("contact_phone", phones[0].number)
        else:
            self.fields["complainant_name"].required = True
            self.fields["complainant_name"].error_messages["required"] = _(
                "Give the complainant's name."
            )
            self.fields["unit"].queryset = Unit.objects.filter(
                building__property=property
            ).select_related("building")
        self.fields["owner"].queryset = policy.staff_holding(property.pk, "complaint.own")
        self.fields["owner"].label_from_instance = person_name
        self.fields["department"].queryset = Department.objects.filter(property=property)

    def service_kwargs(self) -> dict:
        """What complaint_receive takes, from the cleaned input."""
        data = dict(self.cleaned_data)
        data["property"] = self.property
        data["resident"] = self.resident
        return data


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        error_messages={"required": _("Choose the department.")},
    )
    service_order = _text(_("Service order"), rows=3)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault("prefix", "dispatch")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            property_id=complaint.property_id
        )
        if complaint.department_id:
            self.initial.setdefault("department", complaint.department_id)


class ExpectForm(forms.Form):
    expected_fix_at = forms.DateTimeField(
        label=_("Expected fix time told to the complainant"),
        widget=_datetime_input(),
        error_messages={"required": _("Give the expected fix time.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "expect")
        super().__init__(*args, **kwargs)


class ActionForm(forms.Form):
    note = _text(_("What the department did so far"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "action")
        super().__init__(*args, **kwargs)


class CannotSolveForm(forms.Form):
    reason = _text(_("Why the department cannot solve it"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cannot_solve")
        super().__init__(*args, **kwargs)


class ResolveForm(forms.Form):
    resolution = _text(_("How it was handled and the result"), rows=3)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "resolve")
        super().__init__(*args, **kwargs)


class ReplyForm(forms.Form):
    via = forms.ChoiceField(
        label=_("Replied how"),
        choices=[
            (value, label)
            for value, label in Complaint.ReplyVia.choices
            if value != Complaint.ReplyVia.LETTER
        ],
        initial=Complaint.ReplyVia.PHONE,
    )
    text = _text(_("What was said"), rows=3)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reply")
        super().__init__(*args, **kwargs)


class CorrectiveForm(forms.Form):
    cause = _text(pgettext_lazy("corrective action", "Cause"))
    correction = _text(_("Correction"))
    prevention = _text(_("Prevention"))
    owner = forms.CharField(
        label=pgettext_lazy("person responsible", "Owner"), max_length=60, required=False
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date the actions are due.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "corrective")
        super().__init__(*args, **kwargs)


class ArchiveForm(forms.Form):
    cause = _text(_("What caused it"))
    lessons = _text(_("What was learned"))
    changes = _text(_("What changes"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "archive")
        super().__init__(*args, **kwargs)
