from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontdesk import policy, queries, services
from frontdesk.forms import ActivateForm, HolidayForm, InviteForm, ResidentForm, phone_formset
from frontdesk.models import Resident

PORTAL_PAGE_SIZE = 20  # the resident's lists, a phone screen at a time


def staff_required(view):
    """Staff pages: a signed-in staff member, or the login page. Residents get 404."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not policy.is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def resident_required(view):
    """Portal pages: a signed-in resident, or the login page. Staff get 404."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if policy.is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _resident_or_404(request, pk: int) -> Resident:
    try:
        return queries.resident_card(request.user, pk)
    except Resident.DoesNotExist:
        raise Http404 from None


@login_required
def home(request):
    if policy.is_staff_member(request.user):
        return redirect("lookup")
    return redirect("portal")


@staff_required
def lookup(request):
    """Resident lookup: as the clerk types, the results below the box update (htmx)."""
    text = request.GET.get("q", "")
    results = list(queries.resident_lookup(request.user, text))
    template = "frontdesk/_lookup_results.html" if request.htmx else "frontdesk/lookup.html"
    return render(request, template, {"q": text, "results": results})


@staff_required
@require_GET
def resident_phones(request, pk: int):
    """The unmasked numbers, opened on purpose by the clerk (the desk only)."""
    resident = _resident_or_404(request, pk)
    if not policy.allows(request.user, "resident.phone.full", resident):
        raise Http404
    return render(request, "frontdesk/_phones.html", {"resident": resident, "revealed": True})


def _resident_form_page(request, resident: Resident | None):
    properties = policy.properties_with(request.user, "resident.edit")
    if resident is not None and not properties.filter(pk=resident.property_id).exists():
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = ResidentForm(data, instance=resident, properties=properties)
    phones = phone_formset(data, resident)
    if data is not None and form.is_valid() & phones.is_valid():
        fields = {name: form.cleaned_data[name] for name in ResidentForm.Meta.fields}
        phone_inputs = [f.as_input() for f in phones.forms if f.cleaned_data]
        try:
            if resident is None:
                resident = services.resident_create(
                    property=form.cleaned_data["property"],
                    by=request.user,
                    units=form.cleaned_data["units"],
                    phones=phone_inputs,
                    **fields,
                )
            else:
                services.resident_update(
                    resident=resident,
                    by=request.user,
                    units=form.cleaned_data["units"],
                    phones=phone_inputs,
                    **fields,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("resident_card", pk=resident.pk)
    return render(
        request,
        "frontdesk/resident_form.html",
        {"form": form, "phones": phones, "resident": resident},
        status=400 if data is not None else 200,
    )


@staff_required
@policy.gate("resident.edit")
def resident_new(request):
    return _resident_form_page(request, None)


@staff_required
def resident_edit(request, pk: int):
    return _resident_form_page(request, _resident_or_404(request, pk))


@staff_required
@require_POST
def resident_invite(request, pk: int):
    """Issue a portal activation code: shown once on a printable slip, or sent."""
    resident = _resident_or_404(request, pk)
    if not policy.allows(request.user, "resident.invite", resident):
        raise Http404  # the card does not offer it: as if the page were not there
    form = InviteForm(request.POST)
    error = None
    if form.is_valid():
        try:
            invite, code = services.portal_invite_issue(
                resident=resident, by=request.user, send_by=form.cleaned_data["send_by"] or None
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return render(
                request,
                "frontdesk/invite_slip.html",
                {
                    "resident": resident,
                    "invite": invite,
                    "code": code,
                    "sent_by": form.cleaned_data["send_by"],
                },
            )
    else:
        error = _("Choose how to deliver the code.")
    messages.error(request, error)
    return redirect("resident_card", pk=resident.pk)


def portal_activate(request):
    """A resident turns the desk's activation code into a phone-number login."""
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.portal_account_activate(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. Sign in with your phone number."))
            return redirect("portal")
    status = 400 if request.method == "POST" else 200
    return render(request, "frontdesk/portal_activate.html", {"form": form}, status=status)


@login_required
def portal(request):
    """The resident's own page: their units and details. Staff have the desk instead."""
    if policy.is_staff_member(request.user):
        return redirect("lookup")
    residents = list(queries.resident_cards(policy.residents_for(request.user)))
    lives_here = any(r.moved_out_on is None for r in residents)
    return render(
        request, "frontdesk/portal.html", {"residents": residents, "lives_here": lives_here}
    )


def health(_request):
    """For monitoring: the database answers, the periodic sweep is running, and no step of
    its last run failed. A failing step is a 503 like a stopped beat: its deadlines are not
    being acted on either. Only the steps' names are shown here, never their errors (the
    page is public; the error is in the log and on the SweepRun record)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    stale, last, failed = queries.sweep_stale(timezone.now(), settings.SWEEP_STALE_AFTER_SECONDS)
    body = {
        "database": "ok",
        "sweep": "stale" if stale else "failing" if failed else "ok",
        "sweep_last_finished_at": last.isoformat() if last else None,
        "failed_steps": failed,
    }
    return JsonResponse(body, status=503 if stale or failed else 200)


@staff_required
def holidays(request, property_id: int, year: int):
    """A supervisor keeps the property's holidays and make-up working days for a year."""
    prop = policy.properties_with(request.user, "holiday.edit").filter(pk=property_id)
    prop = prop.first()
    if prop is None or not 2000 <= year <= 2100:
        raise Http404
    form, error = HolidayForm(year=year), None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = HolidayForm(request.POST, year=year)
                if form.is_valid():
                    services.holiday_set(property=prop, by=request.user, **form.cleaned_data)
                    return redirect("holidays", prop.pk, year)
            elif action == "remove":
                holiday = get_object_or_404(prop.holidays, pk=request.POST.get("holiday"))
                services.holiday_remove(holiday=holiday, by=request.user)
                return redirect("holidays", prop.pk, year)
            elif action == "prefill":
                added = services.property_holidays_prefill(property=prop, year=year)
                messages.success(request, _("%(count)d days added.") % {"count": added})
                return redirect("holidays", prop.pk, year)
            elif action == "confirm":
                services.holiday_year_confirm(property=prop, year=year, by=request.user)
                messages.success(request, _("The %(year)s list is complete.") % {"year": year})
                return redirect("holidays", prop.pk, year)
            else:
                error = _("Unknown action.")
        except ValidationError as exc:
            error = exc.messages[0]
    context = {
        "error": error,
        "property": prop,
        "year": year,
        "days": prop.holidays.filter(day__year=year),
        "confirmed": prop.holiday_years.filter(year=year).exists(),
        "form": form,
    }
    return render(
        request,
        "frontdesk/holidays.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
