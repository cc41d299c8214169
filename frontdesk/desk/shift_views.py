"""The shift handover (交接班记录) and the signed daily work ledger (工作台帐), both drawn from
the day's records.

Thin: reads come from frontdesk.desk.shift_queries, every change is one call to
frontdesk.desk.shift_services. Bad input or a refused step re-shows the page with the message
(400) and changes nothing. Every page is a fixed number of queries, whatever the rows."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontdesk import policy
from frontdesk.desk import shift_forms as forms
from frontdesk.desk import shift_queries as q
from frontdesk.desk import shift_services
from frontdesk.desk.models import (
    ShiftHandover,
)
from frontdesk.desk.registers_queries import desk_properties
from frontdesk.desk.view_helpers import (
    form_errors,
    or_404,
    page_url,
    pick_property,
    render_at,
)
from frontdesk.views import staff_required

# --- the shift handover -------------------------------------------------------------------------


def _handover_page(request, prop, *, form=None, errors=(), status=200):
    properties = desk_properties(request.user)
    today = prop.today()
    latest = q.handovers_latest(prop)
    done_today = {h.shift for h in latest if h.day == today}
    if form is None:
        still = [s for s in ShiftHandover.Shift.values if s not in done_today]
        form = forms.HandoverForm(initial={"shift": still[0] if still else None})
    context = {
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "today": today,
        "counts": q.count_rows(shift_services.day_counts(prop, today)),
        "form": form,
        "latest": latest,
        "errors": errors,
    }
    return render_at(request, prop, "frontdesk/desk/handover.html", context, status)


@staff_required
@require_safe
def handover(request):
    """The shift's page: what the desk did today, from the records; what is pending; the
    latest handovers, to take over."""
    return _handover_page(request, pick_property(request, desk_properties(request.user)))


@staff_required
@require_POST
@policy.gate("handover.write")
def handover_record(request):
    prop = pick_property(request, desk_properties(request.user))
    form = forms.HandoverForm(request.POST)
    if form.is_valid():
        try:
            shift_services.handover_record(
                property=prop, by=request.user, day=prop.today(), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Handed over: the next shift takes over on this page."))
            return redirect(page_url("desk_handover", prop))
    return _handover_page(request, prop, form=form, status=400)


@staff_required
@require_POST
@policy.gate("handover.write")
def handover_take_over(request, pk: int):
    found = or_404(lambda: q.handover_for_action(request.user, pk))
    try:
        shift_services.handover_take_over(handover=found, by=request.user)
    except ValidationError as exc:
        return _handover_page(request, found.property, errors=exc.messages, status=400)
    messages.success(request, _("You have taken over the shift."))
    return redirect(page_url("desk_handover", found.property))


# --- the daily work ledger ----------------------------------------------------------------------


def _ledger_page(request, prop, day: date, *, form=None, errors=(), status=200):
    properties = desk_properties(request.user)
    today = prop.today()
    ledger = q.ledger_of(prop, day)
    may_sign = ledger is None and day <= today and policy.allows(request.user, "ledger.sign", prop)
    if ledger is not None:
        counts = ledger.totals
    else:
        counts = shift_services.day_counts(prop, day)
    context = {
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "day": day,
        "today": today,
        "future": day > today,
        "ledger": ledger,
        "counts": q.count_rows(counts),
        "handovers": q.handovers_of_day(prop, day),
        "marks": q.ledger_marks(prop, today),
        "may_sign": may_sign,
        "form": form or forms.LedgerSignForm(initial={"day": day}),
        "errors": errors,
    }
    return render_at(request, prop, "frontdesk/desk/ledger.html", context, status)


@staff_required
@require_safe
def ledger(request):
    """The day's work ledger: the figures from the records, the handovers and their pending
    notes; the supervisor signs it once, and then it shows the figures as signed."""
    prop = pick_property(request, desk_properties(request.user))
    text = request.GET.get("day", "")
    if not text:
        return _ledger_page(request, prop, prop.today())
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return _ledger_page(
            request,
            prop,
            prop.today(),
            errors=[_("Give the day as YYYY-MM-DD.")],
            status=400,
        )
    return _ledger_page(request, prop, day)


@staff_required
@require_POST
@policy.gate("ledger.sign")
def ledger_sign(request):
    prop = pick_property(request, desk_properties(request.user))
    form = forms.LedgerSignForm(request.POST)
    if not form.is_valid():
        return _ledger_page(
            request, prop, prop.today(), form=form, errors=form_errors(form), status=400
        )
    day = form.cleaned_data["day"]
    try:
        shift_services.ledger_sign(
            property=prop, by=request.user, day=day, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        return _ledger_page(request, prop, day, form=form, errors=exc.messages, status=400)
    messages.success(request, _("The ledger of %(day)s is signed.") % {"day": day.isoformat()})
    return redirect(page_url("desk_ledger", prop, day=day.isoformat()))


urlpatterns = [
    path("desk/handover/", handover, name="desk_handover"),
    path("desk/handover/record/", handover_record, name="desk_handover_record"),
    path("desk/handover/<int:pk>/take-over/", handover_take_over, name="desk_handover_take_over"),
    path("desk/ledger/", ledger, name="desk_ledger"),
    path("desk/ledger/sign/", ledger_sign, name="desk_ledger_sign"),
]
