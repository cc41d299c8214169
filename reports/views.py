"""The supervisor's dashboard, its drill-downs, its exports (Excel, CSV) and the printable
monthly report (PDF). For supervisors and project managers of the properties shown; anyone
else gets 404. Thin views: the figures come from reports.dashboard_queries (the filters from
reports.filters, the rows behind a figure from reports.drilldowns), the files from
reports.exports, the charts from reports.charts.

Drill-downs: every figure lists its own rows here (repairs, complaints, callbacks, calls or
escalations), with exactly the dashboard's filters, because the existing list pages cannot
narrow to one supervised property (the repair list and the complaint register show every
property the user works at, by the request's zone). The collection rate is the exception: it
redirects to the collection page (billing_collection), which filters exactly by property and
months."""

import re
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frontdesk.pages import Page
from frontdesk.views import staff_required
from reports import charts, exports
from reports.dashboard_queries import dashboard
from reports.drilldowns import DRILL_LABELS, DRILL_ROWS, DrillFilters, dimension_names, drill_page
from reports.figures import (
    DEFINITIONS,
    DIMENSION_LABELS,
    DIMENSIONS,
    SNAPSHOT_KEYS,
    TARGETS,
    WEEK,
    Dashboard,
)
from reports.filters import ALL, Filters, NotYours, dashboard_for, filters_from
from reports.periods import Scope, collection_months, first_of_month, month_end

DRILL_FIGURES = set(DRILL_ROWS) | {"collection"}


def _filters_or_404(request, params=None):
    try:
        return filters_from(request.GET if params is None else params, request.user)
    except NotYours:
        raise Http404 from None


def _drill_url(key: str, filters: Filters, **extra) -> str:
    return f"{reverse('reports_drill', args=[key])}?{urlencode(filters.params(**extra))}"


def _figure_rows(d: Dashboard, filters: Filters) -> list[dict]:
    return [
        {
            "figure": f,
            "chart": charts.figure_bars(f),
            "url": _drill_url(f.key, filters),
            "miss_url": _drill_url(f.key, filters, miss="1")
            if f.key not in SNAPSHOT_KEYS and f.key != "collection"
            else None,
        }
        for f in d.figures
    ]


def _breakdowns(d: Dashboard, filters: Filters, kind: str) -> list[dict]:
    found = d.complaints if kind == "complaints" else d.repairs
    blocks = []
    for dim in DIMENSIONS:
        label = DIMENSION_LABELS[dim]
        rows = [
            {"row": row, "url": _drill_url(kind, filters, **{dim: row.key})} for row in found[dim]
        ]
        title = _("%(what)s by %(dimension)s") % {
            "what": _("Complaints") if kind == "complaints" else _("Repairs"),
            "dimension": str(label).lower(),
        }
        blocks.append(
            {
                "dimension": dim,
                "label": label,
                "title": title,
                "rows": rows,
                "chart": charts.breakdown_bars(found[dim], title=title),
            }
        )
    return blocks


def _trend(d: Dashboard, filters: Filters) -> list[dict]:
    rows = []
    for bucket in d.trend:
        narrowed = Filters(
            filters.properties, filters.property, bucket.start, bucket.end, filters.trend
        )
        rows.append(
            {
                "bucket": bucket,
                "complaints_url": _drill_url("complaints", narrowed),
                "repairs_url": _drill_url("repairs", narrowed),
                "satisfaction_url": _drill_url("satisfaction", narrowed),
            }
        )
    return rows


def _query(filters: Filters | None, request) -> str:
    if filters is None:
        return request.GET.urlencode()
    return urlencode(filters.params())


@staff_required
@require_safe
def reports_dashboard(request):
    """The figures the supervisor watches, beside their targets and the previous period, with
    breakdowns and a trend; each figure links to the rows behind it."""
    filters, form = _filters_or_404(request)
    if filters is None:
        return render(
            request, "reports/dashboard.html", {"form": form, "dashboard": None}, status=400
        )
    d = dashboard_for(filters)
    trend_title = _("Complaints, repairs and satisfaction by %(bucket)s") % {
        "bucket": _("week") if d.trend_by == WEEK else _("month"),
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "dashboard": d,
            "filters": filters,
            "query": _query(filters, request),
            "figures": _figure_rows(d, filters),
            "complaint_blocks": _breakdowns(d, filters, "complaints"),
            "repair_blocks": _breakdowns(d, filters, "repairs"),
            "trend_rows": _trend(d, filters),
            "trend_title": trend_title,
            "trend_chart": charts.trend_chart(d.trend, title=trend_title),
            "month": f"{d.end:%Y-%m}",
        },
    )


@staff_required
@require_safe
def reports_drill(request, figure: str):
    """The rows behind one figure, with the dashboard's filters (and a breakdown's or a
    trend bucket's narrowing), 50 a page, newest first."""
    if figure not in DRILL_FIGURES:
        raise Http404
    filters, form = _filters_or_404(request)
    if filters is None:
        return render(request, "reports/drill.html", {"form": form, "figure": figure}, status=400)
    if figure == "collection":
        first, last = collection_months(filters.start, filters.end)
        params = {
            "property": filters.properties[0].pk,
            "start": f"{first:%Y-%m}",
            "end": f"{last:%Y-%m}",
        }
        return redirect(f"{reverse('billing_collection')}?{urlencode(params)}")
    error, status = None, 200
    page = Page(rows=[], older=None)
    try:
        drill = DrillFilters.parse(request.GET)
    except ValueError:
        drill, error, status = DrillFilters(), _("That filter is not valid."), 400
    if error is None:
        try:
            page = drill_page(figure, filters, drill, before=request.GET.get("before"))
        except ValueError:
            error = _("That page link is not valid: start again from the newest rows.")
            status = 400
    base = {**filters.params(), **drill.params()}
    older_query = urlencode({**base, "before": page.older}) if page.older else None
    kind = DRILL_ROWS[figure]
    return render(
        request,
        "reports/drill.html",
        {
            "form": form,
            "figure": figure,
            "title": DRILL_LABELS[figure],
            "definition": DEFINITIONS.get(figure, ""),
            "filters": filters,
            "narrowed": drill.described(kind) + dimension_names(filters, drill),
            "kind": kind,
            "rows": page.rows,
            "older_query": older_query,
            "newest_query": urlencode(base),
            "paged": bool(request.GET.get("before")),
            "now": timezone.now(),
            "dashboard_query": urlencode(filters.params()),
            "error": error,
            "several": len(filters.properties) > 1,
            "snapshot": figure in SNAPSHOT_KEYS,
            "may_miss": figure in TARGETS and figure not in SNAPSHOT_KEYS and not drill.miss,
            "miss_query": urlencode({**base, "miss": "1"}),
        },
        status=status,
    )


def _export_name(filters: Filters, extension: str) -> str:
    scope = "all" if filters.property == ALL else filters.properties[0].code
    return f"dashboard-{scope}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{extension}"


@staff_required
@require_safe
def reports_dashboard_xlsx(request):
    """The dashboard (figures, breakdowns, trend) as an Excel workbook."""
    filters, form = _filters_or_404(request)
    if filters is None:
        return render(
            request, "reports/dashboard.html", {"form": form, "dashboard": None}, status=400
        )
    out = exports.xlsx_file(dashboard_for(filters))
    return FileResponse(
        out,
        as_attachment=True,
        filename=_export_name(filters, "xlsx"),
        content_type=exports.XLSX_TYPE,
    )


@staff_required
@require_safe
def reports_dashboard_csv(request):
    """The dashboard (figures, breakdowns, trend) as CSV sections."""
    filters, form = _filters_or_404(request)
    if filters is None:
        return render(
            request, "reports/dashboard.html", {"form": form, "dashboard": None}, status=400
        )
    response = HttpResponse(
        exports.csv_text(dashboard_for(filters)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(filters, "csv")}"'
    return response


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@staff_required
@require_safe
def reports_monthly_pdf(request, month: str):
    """The printable monthly report (A4): the month's figures against their targets and the
    previous month, the breakdowns and the weeks. The current month runs to today; the
    snapshot figures are taken at the month's end (or now)."""
    found = MONTH.match(month)
    if not found or not 1 <= int(found[2]) <= 12:
        raise Http404
    params = request.GET.copy()
    first = date(int(found[1]), int(found[2]), 1)
    params["from"], params["to"], params["trend"] = first.isoformat(), first.isoformat(), "week"
    filters, _form = _filters_or_404(request, params)
    if filters is None:
        raise Http404
    now = timezone.now()
    today = filters.properties[0].today(now)  # the page's property, or the first shown
    if first > today:
        raise Http404
    last = min(month_end(first), today)
    previous_first = first_of_month(first - timedelta(days=1))
    previous_last = month_end(previous_first)
    scope = Scope(filters.properties)
    whole = last == month_end(first)  # a past month: its snapshot at its end
    d = dashboard(
        filters.properties,
        first,
        last,
        now,
        trend=WEEK,
        previous=(previous_first, previous_last),
        at=scope.end_of(last) if whole else now,
        previous_at=scope.end_of(previous_last) if whole else None,
    )
    title = _("Monthly report %(month)s") % {"month": month}
    pdf = exports.monthly_pdf(d, title=title)
    scope = "all" if filters.property == ALL else filters.properties[0].code
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="monthly-{scope}-{month}.pdf"'
    return response


urlpatterns = [
    path("reports/dashboard/", reports_dashboard, name="reports_dashboard"),
    path("reports/dashboard/export.xlsx", reports_dashboard_xlsx, name="reports_dashboard_xlsx"),
    path("reports/dashboard/export.csv", reports_dashboard_csv, name="reports_dashboard_csv"),
    path("reports/drill/<slug:figure>/", reports_drill, name="reports_drill"),
    re_path(
        r"^reports/monthly/(?P<month>[0-9]{4}-[0-9]{2})\.pdf$",
        reports_monthly_pdf,
        name="reports_monthly_pdf",
    ),
]
