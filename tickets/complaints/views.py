"""The complaint pages of the front desk and the departments: intake from every channel, the
complaint page with one small form per allowed action, the department's own list, and the
escalations waiting to be acknowledged. Thin: reads come from tickets.complaints.queries, every
change is one call to tickets.complaints.services."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from frontdesk import policy
from frontdesk import queries as frontdesk_queries
from frontdesk.models import Property, Resident
from frontdesk.views import staff_required
from tickets.complaints import escalations, forms, queries, records, services
from tickets.models import Complaint, Escalation
from visits.views import span_text, time_left_text

State = Complaint.State


# --- intake ------------------------------------------------------------------------------------


def _resident_or_404(request, pk: str) -> Resident:
    if not pk.isdigit():
        raise Http404
    try:
        return frontdesk_queries.resident_card(request.user, int(pk))
    except Resident.DoesNotExist:
        raise Http404 from None


def _intake_property(request, resident: Resident | None) -> tuple[Property | None, list]:
    """The property the complaint is taken for: the resident's, the only one the user works
    the desk at, or the one chosen (?property=); None with the choices while none is chosen."""
    if resident is not None:
        if not policy.allows(request.user, "complaint.take", resident):
            raise PermissionDenied
        return resident.property, []
    properties = list(policy.properties_with(request.user, "complaint.take").order_by("name"))
    if not properties:
        raise PermissionDenied
    if len(properties) == 1:
        return properties[0], properties
    chosen = request.GET.get("property", "")
    for prop in properties:
        if str(prop.pk) == chosen:
            return prop, properties
    return None, properties


@staff_required
def complaint_new(request):
    """Take a complaint or suggestion from any channel: from a resident (their card, with
    ?resident=) or a visitor. The handling advice for the complainant's temperament and the
    words never to say are on the page."""
    resident = None
    if request.GET.get("resident"):
        resident = _resident_or_404(request, request.GET["resident"])
    prop, properties = _intake_property(request, resident)
    context = {
        "resident": resident,
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "never_say": forms.NEVER_SAY,
    }
    if prop is None:  # several properties: choose one first
        context["advice"] = forms.advice_items()
        return render(request, "tickets/complaint_new.html", context)
    with timezone.override(prop.zone):
        data = request.POST if request.method == "POST" else None
        form = forms.ComplaintIntakeForm(data, property=prop, resident=resident)
        if data is not None and form.is_valid():
            try:
                complaint = services.complaint_receive(by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Complaint %(number)s received.") % {"number": complaint.number}
                )
                return redirect("complaint_detail", pk=complaint.pk)
        chosen = form["temperament"].value() or ""
        context.update(form=form, advice=forms.advice_items(chosen))
        return render(
            request,
            "tickets/complaint_new.html",
            context,
            status=400 if data is not None else 200,
        )


# --- the complaint page --------------------------------------------------------------------------


def _detail_or_404(request, pk: int) -> Complaint:
    try:
        return queries.complaint_detail(request.user, pk)
    except Complaint.DoesNotExist:
        raise Http404 from None


def _allowed(user, complaint: Complaint) -> set[str]:
    """The actions this user may take in the complaint's current state: the desk runs it, the
    responsible department records its work and its fix, its manager may say it cannot."""
    state = complaint.state
    allowed = set()

    def may(capability: str) -> bool:
        return policy.allows(user, capability, complaint)

    if may("complaint.dispatch") and state in records.DISPATCHABLE:
        allowed |= {"dispatch", "expect"}
    if may("complaint.resolve") and state in services.RESOLVABLE:
        allowed |= {"action", "resolve"}
    if may("complaint.cannot_solve") and state in services.RESOLVABLE:
        allowed.add("cannot_solve")
    if (
        may("complaint.reply")
        and complaint.replied_at is None
        and state != State.ARCHIVED
        and not complaint.is_letter
    ):
        allowed.add("reply")
    if (
        may("complaint.corrective")
        and state in services.AFTER_RESOLUTION
        and queries.one_to_one(complaint, "corrective_action") is None
    ):
        allowed.add("corrective")
    if may("complaint.archive") and state == State.CONFIRMED:
        allowed.add("archive")
    return allowed


FORMS = {
    "dispatch": lambda c, data=None: forms.DispatchForm(data, complaint=c),
    "expect": lambda _c, data=None: forms.ExpectForm(data),
    "action": lambda _c, data=None: forms.ActionForm(data),
    "cannot_solve": lambda _c, data=None: forms.CannotSolveForm(data),
    "resolve": lambda _c, data=None: forms.ResolveForm(data),
    "reply": lambda _c, data=None: forms.ReplyForm(data),
    "corrective": lambda _c, data=None: forms.CorrectiveForm(data),
    "archive": lambda _c, data=None: forms.ArchiveForm(data),
}


def _clock(label: str, due, done=None, done_label: str = "") -> dict:
    """One deadline: when it falls due, and either how it was met or the time left."""
    row = {"label": label, "due": due, "done": done, "done_label": done_label, "left": ""}
    if done is not None:
        row["late"] = done > due
    else:
        left = due - timezone.now()
        row["left"], row["late"] = time_left_text(left), left <= timedelta(0)
    return row


def _clocks(c: Complaint) -> list[dict]:
    clocks = []
    if c.fix_due_at:
        clocks.append(_clock(_("Fix due"), c.fix_due_at, c.resolved_at, _("fixed")))
    if c.day_ends_at and not c.resolved_at:
        clocks.append(_clock(_("Solve the same day, by"), c.day_ends_at))
    if c.expected_fix_at:
        clocks.append(
            _clock(
                _("Expected fix told to the complainant"),
                c.expected_fix_at,
                c.resolved_at,
                _("fixed"),
            )
        )
    if c.reply_due_at:
        clocks.append(_clock(_("Reply due"), c.reply_due_at, c.replied_at, _("replied")))
    return clocks


def _detail_page(request, pk: int, *, bound: dict | None = None, errors=(), status: int = 200):
    c = _detail_or_404(request, pk)
    with timezone.override(c.property.zone):
        allowed = _allowed(request.user, c)
        action_forms = {name: FORMS[name](c) for name in allowed}
        action_forms.update(bound or {})
        # One query for the page, however many steps the ladder took.
        mine = set(
            c.escalations.filter(policy.addressed_to(request.user)).values_list("pk", flat=True)
        )
        escalations = [
            {"e": e, "may_acknowledge": e.acknowledged_at is None and e.pk in mine}
            for e in c.escalations.all()
        ]
        callbacks = list(c.callbacks.all())
        return render(
            request,
            "tickets/complaint_detail.html",
            {
                "c": c,
                "allowed": allowed,
                "forms": action_forms,
                "errors": errors,
                "clocks": _clocks(c),
                "advice": forms.ADVICE.get(c.temperament),
                "never_say": forms.NEVER_SAY,
                "escalations": escalations,
                "callbacks": callbacks,
                "letter": queries.one_to_one(c, "written_reply"),
                "report": queries.one_to_one(c, "corrective_action"),
                "desk": policy.allows(request.user, "complaint.take", c),
            },
            status=status,
        )


@staff_required
def complaint_detail(request, pk: int):
    return _detail_page(request, pk)


# --- actions: each a small POST form calling one service -------------------------------------


def _complaint_for_action(request, pk: int) -> Complaint:
    """The complaint, if the user may see it; another property's is not found (404)."""
    try:
        return policy.complaints_for(request.user).select_related("property").get(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404 from None


# Each action on the complaint page: the capability it needs, the one service it calls, and the
# message on success. The URL is /complaints/<pk>/<path>/, named complaint_<name>.
ACTIONS = {
    "dispatch": (
        "complaint.dispatch",
        services.complaint_dispatch,
        gettext_lazy("The service order for %(number)s is sent."),
    ),
    "expect": (
        "complaint.dispatch",
        services.complaint_expect,
        gettext_lazy("The expected fix time for %(number)s is recorded."),
    ),
    "action": (
        "complaint.resolve",
        services.complaint_record_action,
        gettext_lazy("The department's action on %(number)s is recorded."),
    ),
    "cannot_solve": (
        "complaint.cannot_solve",
        services.complaint_cannot_solve,
        gettext_lazy("Complaint %(number)s is passed to the project manager."),
    ),
    "resolve": (
        "complaint.resolve",
        services.complaint_resolve,
        gettext_lazy(
            "Complaint %(number)s is resolved: the satisfaction callback is in the queue."
        ),
    ),
    "reply": (
        "complaint.reply",
        services.complaint_reply,
        gettext_lazy("The reply to %(number)s is recorded."),
    ),
    "corrective": (
        "complaint.corrective",
        services.complaint_file_corrective,
        gettext_lazy("The corrective action report for %(number)s is filed."),
    ),
    "archive": (
        "complaint.archive",
        services.complaint_archive,
        gettext_lazy("Complaint %(number)s is summarised and archived."),
    ),
}


@staff_required
@require_POST
def complaint_act(request, pk: int, name: str):
    """Check who acts, validate the action's form and make the one service call, in the
    complaint's zone. A refusal or bad input re-shows the page with the message (400) and
    changes nothing."""
    capability, service, done = ACTIONS[name]
    c = _complaint_for_action(request, pk)
    with timezone.override(c.property.zone):
        form = FORMS[name](c, request.POST)
        try:
            policy.require(request.user, capability, c)
            if not form.is_valid():
                raise ValidationError(_("Correct the marked fields below."))
            service(complaint=c, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, done % {"number": c.number})
            return redirect("complaint_detail", pk=c.pk)
    return _detail_page(request, c.pk, bound={name: form}, errors=errors, status=400)


# --- the department's list and the escalations ---------------------------------------------------


def _rows(complaints: list[Complaint], now) -> list[dict]:
    rows = []
    for c in complaints:
        left = None
        if c.fix_due_at and c.resolved_at is None:
            left = time_left_text(c.fix_due_at - now)
        rows.append({"c": c, "left": left, "late": bool(left) and c.fix_due_at <= now})
    return rows


@staff_required
def complaint_department(request):
    """The department's own complaints: those waiting for a fix first, most pressing first."""
    now = timezone.now()
    return render(
        request,
        "tickets/complaint_department.html",
        {
            "open_rows": _rows(queries.department_open(request.user), now),
            "recent_rows": _rows(queries.department_recent(request.user), now),
            "recent_limit": queries.RECENT_LIMIT,
        },
    )


def _escalation_rows(escalations: list[Escalation], mine: set[int], now) -> list[dict]:
    return [
        {
            "e": e,
            "c": e.complaint,
            "waited": span_text(now - e.at),
            "may_acknowledge": e.pk in mine,
        }
        for e in escalations
    ]


def _escalations_page(request, *, errors=(), status: int = 200):
    if not queries.may_see_escalations(request.user):
        raise Http404
    now = timezone.now()
    supervises = policy.properties_with(request.user, "escalation.waiting").exists()
    climbs_to = policy.properties_with(request.user, "escalation.addressed").exists()
    to_me = queries.escalations_to_me(request.user) if climbs_to else []
    mine = {e.pk for e in to_me}
    return render(
        request,
        "tickets/complaint_escalations.html",
        {
            "supervises": supervises,
            "climbs_to": climbs_to,
            "waiting": _escalation_rows(
                queries.escalations_waiting(request.user) if supervises else [], mine, now
            ),
            "mine": _escalation_rows(to_me, mine, now),
            "errors": errors,
        },
        status=status,
    )


@staff_required
def complaint_escalations(request):
    """For supervisors and project managers: every escalation nobody has acknowledged yet,
    oldest first; for department and project managers: those addressed to them."""
    return _escalations_page(request)


@staff_required
@require_POST
def escalation_acknowledge(request, pk: int):
    """The person escalated to says they have it; from the complaint page or the list."""
    try:
        escalation = queries.escalation_for(request.user, pk)
    except Escalation.DoesNotExist:
        raise Http404 from None
    complaint = escalation.complaint
    from_detail = request.POST.get("back") == "detail"
    try:
        escalations.escalation_acknowledge(escalation=escalation, by=request.user)
    except ValidationError as exc:
        if from_detail:
            return _detail_page(request, complaint.pk, errors=exc.messages, status=400)
        return _escalations_page(request, errors=exc.messages, status=400)
    messages.success(
        request,
        _("Escalation of %(number)s acknowledged.") % {"number": complaint.number},
    )
    if from_detail:
        return redirect("complaint_detail", pk=complaint.pk)
    return redirect("complaint_escalations")


urlpatterns = [
    path("complaints/new/", complaint_new, name="complaint_new"),
    path("complaints/department/", complaint_department, name="complaint_department"),
    path("complaints/escalations/", complaint_escalations, name="complaint_escalations"),
    path(
        "complaints/escalations/<int:pk>/acknowledge/",
        escalation_acknowledge,
        name="complaint_escalation_acknowledge",
    ),
    path("complaints/<int:pk>/", complaint_detail, name="complaint_detail"),
    *(
        path(
            f"complaints/<int:pk>/{name.replace('_', '-')}/",
            complaint_act,
            {"name": name},
            name=f"complaint_{name}",
        )
        for name in ACTIONS
    ),
]
