"""The complaint register (投诉记录表) for the supervisor and the desk: the filtered list, 50
a page by keyset; the same rows exported to Excel (.xlsx) and CSV, walked in chunks; and the
A4 printed register. Thin views: the rows come from tickets.complaints.register_queries."""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from frontdesk import policy
from frontdesk.pages import Page
from frontdesk.spreadsheets import csv_safe, xlsx_text
from frontdesk.views import staff_required
from tickets.complaints import register_queries as register
from tickets.models import Complaint

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- one register row as text, shared by both exports ------------------------------------------


def local_time(value, row: Complaint) -> str:
    """A time as the property's desk reads it: "YYYY-MM-DD HH:MM" in its own zone."""
    if value is None:
        return ""
    return timezone.localtime(value, row.property.zone).strftime("%Y-%m-%d %H:%M")


def escalation_text(row: Complaint) -> str:
    """Each step of the ladder, and whether the person escalated to has picked it up."""
    parts = []
    for escalation in row.escalations.all():
        if escalation.acknowledged_at:
            status = _("acknowledged %(when)s") % {
                "when": local_time(escalation.acknowledged_at, row)
            }
        else:
            status = _("not acknowledged")
        parts.append(f"{escalation.get_level_display()} ({status})")
    return "; ".join(parts)


def overdue_text(row: Complaint) -> str:
    marks = []
    if row.is_reply_late:
        marks.append(_("Reply overdue"))
    if row.is_callback_late:
        marks.append(_("Callback overdue"))
    return "; ".join(marks)


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # in Excel's character widths
    value: Callable[[Complaint], str]


COLUMNS = [
    Column(gettext_lazy("Complaint number"), 14, lambda c: c.number),
    Column(gettext_lazy("Property"), 16, lambda c: c.property.name),
    Column(pgettext_lazy("time", "Received"), 17, lambda c: local_time(c.received_at, c)),
    Column(gettext_lazy("Kind"), 11, lambda c: c.get_kind_display()),
    Column(gettext_lazy("Channel"), 12, lambda c: c.get_channel_display()),
    Column(gettext_lazy("Complainant"), 14, lambda c: c.complainant_name),
    Column(gettext_lazy("Company"), 20, lambda c: c.complainant_company),
    Column(gettext_lazy("Unit"), 10, lambda c: c.unit.label if c.unit_id else ""),
    Column(gettext_lazy("Category"), 24, lambda c: c.get_category_display()),
    Column(gettext_lazy("What happened"), 50, lambda c: c.description),
    Column(gettext_lazy("Direct impact"), 10, lambda c: _("Yes") if c.direct_impact else _("No")),
    Column(gettext_lazy("Department"), 14, lambda c: c.department.name if c.department else ""),
    Column(gettext_lazy("Followed by"), 12, lambda c: _person(c.owner)),
    Column(gettext_lazy("State"), 16, lambda c: c.get_state_display()),
    Column(gettext_lazy("Fix due"), 17, lambda c: local_time(c.fix_due_at, c)),
    Column(pgettext_lazy("time", "Resolved"), 17, lambda c: local_time(c.resolved_at, c)),
    Column(gettext_lazy("How it was handled"), 40, lambda c: c.resolution),
    Column(gettext_lazy("Reply due"), 17, lambda c: local_time(c.reply_due_at, c)),
    Column(pgettext_lazy("time", "Replied"), 17, lambda c: local_time(c.replied_at, c)),
    Column(gettext_lazy("Escalations"), 36, escalation_text),
    Column(gettext_lazy("Overdue"), 18, overdue_text),
    Column(pgettext_lazy("time", "Archived"), 17, lambda c: local_time(c.archived_at, c)),
]


def header() -> list[str]:
    return [str(column.label) for column in COLUMNS]


def values(row: Complaint) -> list[str]:
    return [column.value(row) for column in COLUMNS]


# --- the export builders ---------------------------------------------------------------------


class _Echo:
    """The csv writer's file: hands each written line straight back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(chunks: Iterable[list[Complaint]]) -> Iterator[str]:
    """The register as CSV: a UTF-8 byte order mark (so Excel reads the Chinese), the header,
    then one string per chunk of rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_safe(label) for label in header()])
    for chunk in chunks:
        yield "".join(writer.writerow([csv_safe(v) for v in values(row)]) for row in chunk)


def xlsx_file(chunks: Iterable[list[Complaint]], *, title: str):
    """The register as an Excel workbook, written row by row (write-only: memory stays flat
    however many rows); returns an open temporary file positioned at its start."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for number, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    cells = []
    for label in header():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.alignment = bold, wrap
        cells.append(cell)
    sheet.append(cells)
    for chunk in chunks:
        for row in chunk:
            sheet.append([xlsx_text(sheet, text) for text in values(row)])
    out = tempfile.TemporaryFile()  # FileResponse closes it once sent
    book.save(out)
    out.seek(0)
    return out


def _filename(extension: str) -> str:
    return f"complaint-register-{timezone.localdate():%Y-%m-%d}.{extension}"


def _in_language(language: str, lines: Iterator[str]) -> Iterator[str]:
    """A streamed body is produced after the view returns: keep the request's language."""
    with translation.override(language):
        yield from lines


# --- the views -------------------------------------------------------------------------------


def _filters(request) -> register.ComplaintRegisterFilter:
    return register.ComplaintRegisterFilter(request.GET, user=request.user)


def _query_without_cursor(request) -> str:
    params = request.GET.copy()
    params.pop("before", None)
    return params.urlencode()


def _page(request, filterset, page: Page, *, error=None):
    older_query = None
    if page.older:
        params = request.GET.copy()
        params["before"] = page.older
        older_query = params.urlencode()
    invalid = error is not None or not filterset.is_valid()
    return render(
        request,
        "tickets/complaint_register.html",
        {
            "filter": filterset,
            "complaints": page.rows,
            "older_query": older_query,
            "filter_query": _query_without_cursor(request),
            "paged": bool(request.GET.get("before")),
            "error": error,
            "may_take": policy.properties_with(request.user, "complaint.take").exists(),
            "properties": register.register_properties(request.user),
        },
        status=400 if invalid else 200,
    )


@staff_required
def complaint_register(request):
    """Every complaint of the user's properties, newest first, filtered, 50 a page."""
    filterset = _filters(request)
    if not filterset.is_valid():
        return _page(request, filterset, Page(rows=[], older=None))
    try:
        page = register.complaint_page(filterset.qs, before=request.GET.get("before"))
    except ValueError:
        error = _("That page link is not valid: start again from the newest complaints.")
        return _page(request, filterset, Page(rows=[], older=None), error=error)
    return _page(request, filterset, page)


@staff_required
def complaint_register_xlsx(request):
    """The filtered register, every row, as an Excel workbook."""
    filterset = _filters(request)
    if not filterset.is_valid():
        return _page(request, filterset, Page(rows=[], older=None))
    out = xlsx_file(register.complaint_chunks(filterset.qs), title=_("Complaint register"))
    return FileResponse(out, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_TYPE)


@staff_required
def complaint_register_csv(request):
    """The filtered register, every row, as CSV streamed a chunk at a time."""
    filterset = _filters(request)
    if not filterset.is_valid():
        return _page(request, filterset, Page(rows=[], older=None))
    lines = csv_lines(register.complaint_chunks(filterset.qs))
    response = StreamingHttpResponse(
        _in_language(translation.get_language(), lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@staff_required
def complaint_register_print(request):
    """The filtered register on A4 landscape, at most PRINT_LIMIT rows."""
    filterset = _filters(request)
    if not filterset.is_valid():
        return _page(request, filterset, Page(rows=[], older=None))
    page = register.complaint_page(filterset.qs, size=register.PRINT_LIMIT)
    return render(
        request,
        "tickets/complaint_register_print.html",
        {
            "complaints": page.rows,
            "more": page.older is not None,
            "limit": register.PRINT_LIMIT,
            "summary": filterset.summary(),
            "properties": register.register_properties(request.user),
            "filter_query": _query_without_cursor(request),
            "printed_at": timezone.localtime(),
        },
    )


urlpatterns = [
    path("complaints/", complaint_register, name="complaint_register"),
    path("complaints/export.xlsx", complaint_register_xlsx, name="complaint_register_xlsx"),
    path("complaints/export.csv", complaint_register_csv, name="complaint_register_csv"),
    path("complaints/print/", complaint_register_print, name="complaint_register_print"),
]
