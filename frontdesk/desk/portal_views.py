"""The resident portal's day with the service centre: announce a visitor, approve or refuse a
goods release pass, read the phone messages the desk took, apply for decoration.

Thin: reads come from frontdesk.desk.portal_queries (my own units, passes and messages only:
another resident's is not found), every change is one call to the desk's services. Bad input
or a refused step re-shows the page with the message (400) and changes nothing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from frontdesk import policy
from frontdesk.desk import permits_services, registers_services
from frontdesk.desk import portal_forms as forms
from frontdesk.desk import portal_queries as q
from frontdesk.desk.view_helpers import or_404
from frontdesk.models import Resident
from frontdesk.views import resident_required

# --- the resident portal ------------------------------------------------------------------------


def _portal_page(request, *, visitor_form=None, decoration_form=None, errors=(), status=200):
    user = request.user
    units = q.my_units(user)
    today = timezone.localdate()
    context = {
        "residents": q.my_residents(user),
        "visitor_form": visitor_form or forms.VisitorAnnounceForm(units=units),
        "visitors": q.my_announced_visitors(user, today),
        "pending": q.my_pending_passes(user),
        "decided": q.my_decided_passes(user),
        "unread": q.my_unread_messages(user),
        "decorations": q.my_decorations(user),
        "decoration_form": decoration_form or forms.MyDecorationForm(units=units),
        "today": today,
        "errors": errors,
    }
    return render(request, "frontdesk/desk/portal_day.html", context, status=status)


def _my_resident(request, unit_id: int) -> Resident:
    resident = q.my_resident_for_unit(request.user, unit_id)
    if resident is None:
        raise Http404
    return resident


@resident_required
@require_safe
def portal_day(request):
    """My day with the service centre: visitors I announce, passes for me to approve, the
    messages the desk took for me, my decoration applications."""
    return _portal_page(request)


@resident_required
@require_POST
@policy.residing
def portal_visitor(request):
    form = forms.VisitorAnnounceForm(request.POST, units=q.my_units(request.user))
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            visitor = registers_services.visitor_announce(
                resident=_my_resident(request, unit.pk),
                unit=unit,
                name=form.cleaned_data["name"],
                expected_on=form.cleaned_data["expected_on"],
                purpose=form.cleaned_data["purpose"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The service centre expects %(name)s on %(day)s.")
                % {"name": visitor.name, "day": visitor.expected_on.isoformat()},
            )
            return redirect("portal_day")
    return _portal_page(request, visitor_form=form, status=400)


@resident_required
@require_POST
def portal_pass_decide(request, pk: int):
    release = or_404(
        lambda: q.my_passes(request.user).select_related("property", "unit__building").get(pk=pk)
    )
    form = forms.MyDecisionForm(request.POST)
    if not form.is_valid():
        return _portal_page(request, errors=[_("Approve or refuse the pass.")], status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        permits_services.release_pass_decide(
            release=release,
            resident=_my_resident(request, release.unit_id),
            approve=approve,
            by=request.user,
        )
    except ValidationError as exc:
        return _portal_page(request, errors=exc.messages, status=400)
    if approve:
        done = _("You approved: %(name)s may take the items out.")
    else:
        done = _("You refused: %(name)s may not take the items out.")
    messages.success(request, done % {"name": release.carrier_name})
    return redirect("portal_day")


@resident_required
@require_safe
def portal_pass(request, pk: int):
    """Where the notice "please approve or refuse" links to: the pass on my day page."""
    release = or_404(lambda: q.my_passes(request.user).get(pk=pk))
    return redirect(f"{reverse('portal_day')}#pass-{release.pk}")


@resident_required
@require_POST
def portal_message_read(request, pk: int):
    message = or_404(lambda: q.my_messages(request.user).select_related("for_resident").get(pk=pk))
    try:
        registers_services.message_mark_read(message=message, by=request.user)
    except ValidationError as exc:
        return _portal_page(request, errors=exc.messages, status=400)
    messages.success(request, _("Marked as read."))
    return redirect("portal_day")


@resident_required
@require_POST
@policy.residing
def portal_decoration(request):
    form = forms.MyDecorationForm(request.POST, units=q.my_units(request.user))
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            permits_services.decoration_apply(
                resident=_my_resident(request, unit.pk), by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your decoration application for %(unit)s has been sent to the service centre.")
                % {"unit": unit.label},
            )
            return redirect("portal_day")
    return _portal_page(request, decoration_form=form, status=400)


urlpatterns = [
    path("portal/desk/", portal_day, name="portal_day"),
    path("portal/desk/visitors/", portal_visitor, name="portal_day_visitor"),
    path("portal/desk/passes/<int:pk>/decide/", portal_pass_decide, name="portal_pass_decide"),
    path("portal/desk/messages/<int:pk>/read/", portal_message_read, name="portal_message_read"),
    path("portal/desk/decoration/", portal_decoration, name="portal_decoration_apply"),
    path("portal/passes/<int:pk>/", portal_pass, name="portal_pass"),
]
