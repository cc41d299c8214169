"""The supervisor's daily review page: yesterday's (or a chosen day's) complaints, escalations,
overdue items and the desk's handovers, and the form that signs the day off.

Thin: what the page shows comes from reports.review.review_day, the sign-off is one call to
reports.review.review_sign. Only the supervisors and project managers of the property see it;
anyone else (a clerk, another property's supervisor) gets 404. A refused sign-off re-shows the
page with the message (400) and changes nothing."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from frontdesk import policy
from frontdesk.models import Property
from frontdesk.views import staff_required
from reports import review


class ReviewSignForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Supervisor's note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _reviewed_properties(request) -> list[Property]:
    return list(policy.properties_with(request.user, "review.sign").order_by("name", "pk"))


def _pick(request) -> tuple[Property, list[Property]]:
    """The property the page is for (?property=, else the first the user reviews). A property
    the user does not supervise is not found, like a user who supervises none."""
    properties = _reviewed_properties(request)
    chosen = request.GET.get("property", "")
    for prop in properties:
        if not chosen or str(prop.pk) == chosen:
            return prop, properties
    raise Http404


def _url(prop: Property, day: date) -> str:
    return f"{reverse('reports_review')}?{urlencode({'property': prop.pk, 'day': day})}"


def _page(request, prop, properties, day, *, form=None, errors=(), status=200):
    now = timezone.now()
    data = review.review_day(prop, day, now)
    context = {
        "r": data,
        "property": prop,
        "properties": properties if len(properties) > 1 else [],
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < data.today else None,
        "may_sign": data.review is None and not data.future,
        "form": form or ReviewSignForm(initial={"day": day}),
        "errors": errors,
    }
    with timezone.override(prop.zone):
        return render(request, "reports/review.html", context, status=status)


@staff_required
@require_safe
def review_page(request):
    """The daily review of one local day of a property, by default yesterday."""
    prop, properties = _pick(request)
    yesterday = prop.today() - timedelta(days=1)
    text = request.GET.get("day", "")
    if not text:
        return _page(request, prop, properties, yesterday)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors = [_("Give the day as YYYY-MM-DD.")]
        return _page(request, prop, properties, yesterday, errors=errors, status=400)
    return _page(request, prop, properties, day)


@staff_required
@require_POST
def review_sign(request):
    prop, properties = _pick(request)
    form = ReviewSignForm(request.POST)
    if not form.is_valid():
        yesterday = prop.today() - timedelta(days=1)
        errors = [m for field_errors in form.errors.values() for m in field_errors]
        return _page(request, prop, properties, yesterday, form=form, errors=errors, status=400)
    day = form.cleaned_data["day"]
    try:
        review.review_sign(property=prop, by=request.user, day=day, note=form.cleaned_data["note"])
    except ValidationError as exc:
        return _page(request, prop, properties, day, form=form, errors=exc.messages, status=400)
    messages.success(request, _("The review of %(day)s is signed off.") % {"day": day.isoformat()})
    return redirect(_url(prop, day))


urlpatterns = [
    path("reports/review/", review_page, name="reports_review"),
    path("reports/review/sign/", review_sign, name="reports_review_sign"),
]
