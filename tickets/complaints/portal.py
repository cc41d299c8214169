"""The resident portal's complaint pages: my complaints and suggestions, make one online, and
see how it stands: the state, the reply given, how it was handled, the written reply once
issued. Never the desk's internal handling (timeline notes, escalations, the department).
Only the signed-in resident's own complaints; staff and anyone else get 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk import policy
from frontdesk.models import ResidentPhone, Unit, User
from frontdesk.views import PORTAL_PAGE_SIZE as PAGE_SIZE
from frontdesk.views import resident_required
from tickets.complaints import services as complaints
from tickets.models import Complaint, WrittenReply


def receive_online(
    user: User,
    *,
    unit: Unit | None,
    kind: str,
    category: str,
    description: str,
    happened_at=None,
    direct_impact: bool = False,
    contact_phone: str = "",
) -> Complaint:
    """A resident's own complaint or suggestion, made online (portal or API): filed as their
    resident record at the unit's property (their only record when no unit is named), with
    their first phone unless they give another. The service tells the desk.

    `unit` must already be one of the user's units (policy.units_for)."""
    residents = policy.current_residencies(user).select_related("property").order_by("pk")
    if unit is not None:
        resident = residents.filter(units=unit).first()
    else:
        mine = list(residents[:2])
        resident = mine[0] if len(mine) == 1 else None
    if resident is None:
        if not residents.exists():
            raise policy.Refused(policy.MOVED_OUT)
        raise ValidationError(_("Choose which of your homes it is about."))
    if not contact_phone.strip():
        contact_phone = (
            ResidentPhone.objects.filter(resident=resident)
            .order_by("id")
            .values_list("number", flat=True)
            .first()
            or ""
        )
    return complaints.complaint_receive(
        property=resident.property,
        by=user,
        channel=Complaint.Channel.ONLINE,
        kind=kind,
        category=category,
        description=description,
        resident=resident,
        unit=unit,
        contact_phone=contact_phone,
        happened_at=happened_at,
        direct_impact=direct_impact,
    )


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Is it a complaint or a suggestion?"),
        choices=Complaint.Kind.choices,
        initial=Complaint.Kind.COMPLAINT,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        label=gettext_lazy("What is it about"), choices=Complaint.Category.choices
    )
    description = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    happened_at = forms.DateTimeField(
        label=gettext_lazy("When it happened"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    unit = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Which home"), empty_label=None)
    direct_impact = forms.BooleanField(
        label=gettext_lazy("It affects me directly"),
        required=False,
        help_text=gettext_lazy(
            "For example: I am stuck in a lift, or have no water or power at home."
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.building.property} {u.label}"


def _my_complaints(user):
    return policy.complaints_for(user).select_related("unit__building")


@resident_required
def complaint_list(request):
    """My complaints and suggestions, newest first, a page at a time."""
    mine = _my_complaints(request.user).order_by("-received_at", "-id")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/portal_complaints.html", {"page": page})


@resident_required
@policy.residing
def complaint_new(request):
    """Make a complaint or a suggestion about one of my homes."""
    units = policy.units_for(request.user).select_related("building__property").order_by("pk")
    data = request.POST if request.method == "POST" else None
    form = ComplaintForm(data, units=units)
    if data is not None and form.is_valid():
        fields = form.cleaned_data
        try:
            complaint = receive_online(
                request.user,
                unit=fields["unit"],
                kind=fields["kind"],
                category=fields["category"],
                description=fields["description"],
                happened_at=fields["happened_at"],
                direct_impact=fields["direct_impact"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if complaint.kind == Complaint.Kind.SUGGESTION:
                text = _("Thank you: your suggestion %(number)s has reached the service centre.")
            else:
                text = _(
                    "Your complaint %(number)s has reached the service centre: "
                    "we will reply within three days."
                )
            messages.success(request, text % {"number": complaint.number})
            return redirect("portal_complaint", pk=complaint.pk)
    return render(
        request,
        "tickets/portal_complaint_new.html",
        {"form": form, "has_units": units.exists()},
        status=400 if data is not None else 200,
    )


@resident_required
def complaint_detail(request, pk: int):
    """How my complaint stands, in the words given to me: never the internal handling."""
    complaint = get_object_or_404(
        _my_complaints(request.user).select_related("written_reply"), pk=pk
    )
    try:
        letter = complaint.written_reply
    except WrittenReply.DoesNotExist:
        letter = None
    return render(
        request,
        "tickets/portal_complaint.html",
        {
            "complaint": complaint,
            # A draft is the desk's work in progress: only the issued letter is shown.
            "letter": letter if letter is not None and letter.issued_at else None,
            "spoken_reply": complaint.replied_at
            and complaint.reply_via != Complaint.ReplyVia.LETTER,
        },
    )


urlpatterns = [
    path("portal/complaints/", complaint_list, name="portal_complaints"),
    path("portal/complaints/new/", complaint_new, name="portal_complaint_new"),
    path("portal/complaints/<int:pk>/", complaint_detail, name="portal_complaint"),
]
