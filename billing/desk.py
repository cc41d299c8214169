"""The desk's fee pages: the notice list, one notice as the resident receives it (交费通知单),
a building's month of notices printed (A4, one a page) or as a PDF, generating a month's
notices, the dunning list (催缴) with its formal letter, and the collection rate (收缴率).

Thin: reads come from billing.desk_queries (scoped by the policy: another property's
notice, building or unit is not found), the notice's layout and PDF from billing.notice_pdf,
the one change (generation) from billing.notices. Every page is a fixed number of queries."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from billing import desk_queries as q
from billing import notice_pdf
from billing.models import FeeNotice
from billing.notices import first_of_month, notices_generate
from billing.queries import COLLECTION_TARGET
from frontdesk import policy
from frontdesk.models import Building, Unit
from frontdesk.views import staff_required


def _today() -> date:
    """Today on a list that spans the user's properties: in the zone the middleware activated
    (their first property's). A page of one record asks that record's property."""
    return timezone.localdate()


# --- the notice list -----------------------------------------------------------------------------


@staff_required
@require_safe
def notices(request):
    """The notices of the user's properties, newest month first, then by building and unit,
    filtered, 50 a page by keyset, with what the filtered notices add up to."""
    filterset = q.NoticeFilter(request.GET, user=request.user)
    error, totals = None, None
    page = q.Page(rows=[], after=None)
    if filterset.is_valid():
        totals = q.notice_totals(filterset.qs)
        try:
            page = q.notice_page(
                filterset.qs,
                today=_today(),
                after=request.GET.get("after"),
                size=q.PAGE_SIZE,
            )
        except ValueError:
            error = _("That page link is not valid: start again from the first page.")
    next_query = None
    if page.after:
        params = request.GET.copy()
        params["after"] = page.after
        next_query = params.urlencode()
    first_query = request.GET.copy()
    first_query.pop("after", None)
    stages = q.stage_names(policy.properties_for(request.user)) if page.rows else {}
    rows = [{"n": n, "stage": stages.get((n.property_id, n.dunning_step))} for n in page.rows]
    return render(
        request,
        "billing/notices.html",
        {
            "filter": filterset,
            "rows": rows,
            "totals": totals,
            "next_query": next_query,
            "first_query": first_query.urlencode(),
            "paged": bool(request.GET.get("after")),
            "several": filterset.several,
            "error": error,
        },
        status=400 if error or not filterset.is_valid() else 200,
    )


# --- one notice, and the print batch --------------------------------------------------------------


@staff_required
@require_safe
def notice(request, pk: int):
    """One notice as the resident receives it, with the payments and dunning so far."""
    try:
        found = q.notice_detail(request.user, pk)
    except FeeNotice.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "billing/notice_detail.html",
        {"sheet": notice_pdf.sheet(found), "today": found.property.today()},
    )


def _batch(request, building_id: str, month: str):
    try:
        period = q.month_parse(month)
        building = q.building_for(request.user, int(building_id))
    except (ValueError, Building.DoesNotExist):
        raise Http404 from None
    sheets = [notice_pdf.sheet(n) for n in q.notice_batch(request.user, building, period)]
    return building, period, sheets


@staff_required
@require_safe
def notice_batch(request, building_id: str, month: str):
    """A building's notices of one month, to print: A4, one notice a page."""
    building, period, sheets = _batch(request, building_id, month)
    return render(
        request,
        "billing/notice_print.html",
        {
            "building": building,
            "period": period,
            "month": month,
            "sheets": sheets,
            "total": notice_pdf.total_of(sheets),
            "today": building.property.today(),
        },
    )


@staff_required
@require_safe
def notice_batch_pdf(request, building_id: str, month: str):
    """The same batch as a PDF, one page a notice. A month without notices has no PDF."""
    building, period, sheets = _batch(request, building_id, month)
    if not sheets:
        raise Http404
    title = _("Fee notices %(building)s %(month)s") % {"building": building, "month": month}
    response = HttpResponse(
        notice_pdf.batch_pdf(sheets, title=title), content_type="application/pdf"
    )
    filename = f"notices-{building.property.code}-{building.number}-{month}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


# --- generating a month ------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def generate(request):
    """The billing runs so far, and a form to generate a month's notices now. Supervisors,
    project managers and finance only. Generating again makes nothing new: every unit that
    has its notice is skipped."""
    properties = q.generating_properties(request.user)
    if not properties.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = q.GenerateForm(data, properties=properties)
    if request.method == "POST":
        if form.is_valid():
            prop, period = form.cleaned_data["property"], form.cleaned_data["month"]
            made_before, _skipped = q.run_counts(prop, period)
            # Runs inside the request for now: the monthly run on each property's billing day
            # is queued by the sweep and done by Celery (billing.tasks). A large estate makes
            # this request slow; it is batched and resumable, so a timeout loses nothing.
            run = notices_generate(property=prop, period=period)
            messages.success(
                request,
                _(
                    "%(property)s %(month)s: %(made)d notices made now; the month has "
                    "%(total)d notices, and %(skipped)d units have nothing to bill."
                )
                % {
                    "property": prop.name,
                    "month": period.strftime("%Y-%m"),
                    "made": run.made - made_before,
                    "total": run.made,
                    "skipped": run.skipped,
                },
            )
            return redirect("billing_generate")
    return render(
        request,
        "billing/generate.html",
        {"form": form, "runs": q.run_history(properties)},
        status=400 if form.is_bound else 200,
    )


# --- dunning -----------------------------------------------------------------------------------------


ORDERS = ("amount", "age")


@staff_required
@require_safe
def dunning(request):
    """One row per unit owing on overdue notices: by amount owed (default) or by the oldest
    due date (?order=age)."""
    filterset = q.DunningFilter(request.GET, user=request.user)
    order = request.GET.get("order")
    order = order if order in ORDERS else "amount"
    today = _today()
    rows = []
    if filterset.is_valid():
        rows = q.dunning_rows(filterset.qs, today=today, order=order)
    stages = q.stage_names(policy.properties_for(request.user)) if rows else {}
    for row in rows:
        row["stage"] = stages.get((row["prop"], row["step"]))
    params = request.GET.copy()
    params.pop("order", None)
    return render(
        request,
        "billing/dunning.html",
        {
            "filter": filterset,
            "rows": rows,
            "order": order,
            "filter_query": params.urlencode(),
            "owed": sum((row["owed"] for row in rows), q.ZERO),
            "limited": len(rows) >= q.DUNNING_LIMIT,
            "limit": q.DUNNING_LIMIT,
            "today": today,
        },
        status=200 if filterset.is_valid() else 400,
    )


@staff_required
@require_safe
def dunning_letter(request, unit_id: int):
    """The formal dunning letter (催缴函) for one unit, on A4 in the property's letterhead:
    its overdue notices and the total owed on them."""
    try:
        unit = q.unit_for(request.user, unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None
    prop = unit.building.property
    today = prop.today()
    overdue = q.overdue_notices(unit, today=today)
    for n in overdue:
        n.days_overdue = (today - n.due_date).days
    return render(
        request,
        "billing/dunning_letter.html",
        {
            "unit": unit,
            "property": prop,
            "notices": overdue,
            "owed": sum((n.outstanding for n in overdue), q.ZERO),
            "dated": date_format(today, "DATE_FORMAT"),
            "recipients": [notice_pdf.resident_text(r) for r in unit.current_residents],
        },
    )


# --- the collection rate ------------------------------------------------------------------------


@staff_required
@require_safe
def collection(request):
    """收缴率 = collected / billed for the notices of the chosen months (default: this year
    to date), against the 95% target: each of the user's properties, then the chosen one by
    building and by month."""
    properties = policy.properties_for(request.user).order_by("name")
    chosen = list(properties)
    if not chosen:
        raise Http404
    today = _today()
    initial = {
        "property": chosen[0],
        "start": date(today.year, 1, 1),
        "end": first_of_month(today),
    }
    data = {key: request.GET.get(key) or initial[key] for key in initial}
    form = q.CollectionForm(data, properties=properties)
    figures = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = q.collection(request.user, form.cleaned_data["property"], chosen, start, end)
    return render(
        request,
        "billing/collection.html",
        {
            "form": form,
            "figures": figures,
            "overall_rows": [figures.overall] if figures else [],
            "several": len(chosen) > 1,
            "target": q.percent(COLLECTION_TARGET),
            "start": form.cleaned_data.get("start") if form.is_valid() else None,
            "end": form.cleaned_data.get("end") if form.is_valid() else None,
        },
        status=200 if form.is_valid() else 400,
    )


MONTH = r"(?P<month>\d{4}-\d{2})"

urlpatterns = [
    path("billing/notices/", notices, name="billing_notices"),
    path("billing/notices/<int:pk>/", notice, name="billing_notice"),
    re_path(
        rf"^billing/print/(?P<building_id>[0-9]+)/{MONTH}/$",
        notice_batch,
        name="billing_notice_batch",
    ),
    re_path(
        rf"^billing/print/(?P<building_id>[0-9]+)/{MONTH}\.pdf$",
        notice_batch_pdf,
        name="billing_notice_batch_pdf",
    ),
    path("billing/generate/", generate, name="billing_generate"),
    path("billing/dunning/", dunning, name="billing_dunning"),
    path("billing/dunning/<int:unit_id>/letter/", dunning_letter, name="billing_dunning_letter"),
    path("billing/collection/", collection, name="billing_collection"),
]
