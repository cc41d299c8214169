"""The dashboard exported: Excel (.xlsx, a sheet each for the figures, the complaint and repair
breakdowns and the trend), CSV (the same sections one after another) and the printable A4
monthly report (PDF, reportlab with its built-in Chinese font).

Nothing here reads the database: everything comes from a reports.figures.Dashboard. Text that
a spreadsheet would run as a formula is neutralised (frontdesk.spreadsheets), as in the complaint
register's exports."""

import csv
import io
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from frontdesk.pdf import FONT, register_cjk_font
from frontdesk.spreadsheets import csv_safe, xlsx_text
from reports.figures import DIMENSION_LABELS, DIMENSIONS, Dashboard, Figure, percent

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Section:
    """One table of the export: a sheet in Excel, a block in CSV, a table in the PDF."""

    title: str
    header: list[str]
    rows: list[list]  # str, int, Decimal (a fraction when the column is a rate) or None
    rates: frozenset[int] = frozenset()  # the columns holding fractions (shown as %)
    # Which rows those columns are fractions in (None: every row). The figures mix rates with
    # counts (escalations, overdue items) in the same columns.
    rate_rows: tuple[bool, ...] | None = None

    def is_rate(self, row: int, col: int) -> bool:
        return col in self.rates and (self.rate_rows is None or self.rate_rows[row])


def _meets(figure: Figure) -> str:
    if figure.meets_target is None:
        return _("no data")
    return _("Yes") if figure.meets_target else _("No")


def figures_section(d: Dashboard) -> Section:
    header = [
        _("Figure"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Target"),
        _("Meets target"),
        _("Previous period"),
        _("Previous numerator"),
        _("Previous denominator"),
        _("How it is counted"),
    ]
    rows = []
    for f in d.figures:
        rows.append(
            [
                f.label,
                f.value,
                f.current.numerator,
                f.current.denominator,
                f.target,
                _meets(f),
                f.previous_value,
                f.previous.numerator,
                f.previous.denominator,
                f.definition,
            ]
        )
    kinds = tuple(f.kind == "rate" for f in d.figures)
    return Section(_("Figures"), header, rows, frozenset({1, 4, 6}), kinds)


def breakdown_sections(d: Dashboard) -> list[Section]:
    sections = []
    complaint_header = [
        _("Breakdown"),
        _("Value"),
        _("Complaints"),
        _("Direct-impact judged"),
        _("Fixed in the window"),
        _("Share fixed in the window"),
        _("Escalated"),
        _("Share escalated"),
    ]
    rows = []
    for dim in DIMENSIONS:
        for r in d.complaints[dim]:
            rows.append(
                [
                    str(DIMENSION_LABELS[dim]),
                    r.label,
                    r.count,
                    r.judged,
                    r.fixed,
                    r.fixed_share,
                    r.escalated,
                    r.escalated_share,
                ]
            )
    sections.append(Section(_("Complaints"), complaint_header, rows, frozenset({5, 7})))
    repair_header = [_("Breakdown"), _("Value"), _("Repairs"), _("Handled"), _("Share handled")]
    rows = []
    for dim in DIMENSIONS:
        for r in d.repairs[dim]:
            rows.append([str(DIMENSION_LABELS[dim]), r.label, r.count, r.handled, r.handled_share])
    sections.append(Section(_("Repairs"), repair_header, rows, frozenset({4})))
    return sections


def trend_section(d: Dashboard) -> Section:
    header = [
        _("From"),
        _("To"),
        _("Complaints"),
        _("Repairs"),
        _("Calls scored"),
        _("Satisfied"),
        _("Satisfaction"),
    ]
    rows = [
        [
            b.start.isoformat(),
            b.end.isoformat(),
            b.complaints,
            b.repairs,
            b.satisfaction.denominator,
            b.satisfaction.numerator,
            b.satisfaction.value,
        ]
        for b in d.trend
    ]
    return Section(_("Trend"), header, rows, frozenset({6}))


def sections(d: Dashboard) -> list[Section]:
    return [figures_section(d), *breakdown_sections(d), trend_section(d)]


def title_of(d: Dashboard) -> str:
    names = ", ".join(p.name for p in d.properties)
    return _("%(properties)s: %(start)s to %(end)s") % {
        "properties": names,
        "start": d.start.isoformat(),
        "end": d.end.isoformat(),
    }


# --- Excel and CSV ---------------------------------------------------------------------------


def xlsx_file(d: Dashboard):
    """The dashboard as a workbook (write-only); an open temporary file at its start."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for section in sections(d):
        sheet = book.create_sheet(title=section.title[:31])
        head = WriteOnlyCell(sheet, value=title_of(d))
        head.font = bold
        sheet.append([head])
        previous = _("Previous period: %(start)s to %(end)s") % {
            "start": d.previous_start.isoformat(),
            "end": d.previous_end.isoformat(),
        }
        sheet.append([previous])
        cells = []
        for label in section.header:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for i, row in enumerate(section.rows):
            out = []
            for col, value in enumerate(row):
                if isinstance(value, str):
                    out.append(xlsx_text(sheet, value))
                    continue
                cell = WriteOnlyCell(sheet, value=value)
                if section.is_rate(i, col):
                    cell.number_format = PERCENT_FORMAT
                out.append(cell)
            sheet.append(out)
    out = tempfile.TemporaryFile()  # FileResponse closes it once sent
    book.save(out)
    out.seek(0)
    return out


def _csv_text(section: Section, i: int, col: int, value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_safe(value)
    if section.is_rate(i, col):
        return percent(Decimal(value))
    return str(value)


def csv_text(d: Dashboard) -> str:
    """Every section, one after another, separated by an empty line; a UTF-8 byte order mark
    first, so Excel reads the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(title_of(d))])
    for section in sections(d):
        writer.writerow([])
        writer.writerow([csv_safe(section.title)])
        writer.writerow([csv_safe(label) for label in section.header])
        for i, row in enumerate(section.rows):
            writer.writerow([_csv_text(section, i, col, value) for col, value in enumerate(row)])
    return "\ufeff" + buffer.getvalue()


# --- the monthly report (A4 PDF) ---------------------------------------------------------------


class _Pdf:
    """reportlab's pieces for the monthly report: paragraph styles, a paragraph, a grid."""

    def __init__(self):
        # reportlab is heavy and only the PDF needs it: imported when a report is printed.
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_CENTER, TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        register_cjk_font()
        self.colors, self.mm = colors, mm
        self._paragraph, self._table, self._table_style = Paragraph, Table, TableStyle
        cell = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11, wordWrap="CJK")
        self.styles = {
            "cell": cell,
            "num": ParagraphStyle("num", parent=cell, alignment=TA_RIGHT),
            "head": ParagraphStyle(
                "head", parent=cell, fontSize=15, leading=20, alignment=TA_CENTER
            ),
            "sub": ParagraphStyle("sub", parent=cell, fontSize=9, leading=12, alignment=TA_CENTER),
            "h2": ParagraphStyle("h2", parent=cell, fontSize=11, leading=15, spaceBefore=6),
        }

    def p(self, text, style="cell"):
        return self._paragraph(escape(str(text)), self.styles[style])

    def grid(self, rows, widths_mm, *, bad_rows=()):
        table = self._table(rows, colWidths=[w * self.mm for w in widths_mm], repeatRows=1)
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, self.colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), self.colors.Color(0.92, 0.92, 0.92)),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        for r in bad_rows:
            commands.append(("BACKGROUND", (0, r), (-1, r), self.colors.Color(1, 0.93, 0.93)))
        table.setStyle(self._table_style(commands))
        return table


def _figures_table(pdf: _Pdf, d: Dashboard):
    p = pdf.p
    rows = [
        [
            p(_("Figure")),
            p(_("This month"), "num"),
            p(_("Target"), "num"),
            p(_("Meets target")),
            p(_("Previous month"), "num"),
            p(_("Counted"), "num"),
        ]
    ]
    bad = []
    for i, f in enumerate(d.figures, start=1):
        counted = (
            f"{f.current.numerator} / {f.current.denominator}"
            if f.current.denominator is not None
            else str(f.current.numerator)
        )
        rows.append(
            [
                p(f.label),
                p(f.value_shown, "num"),
                p(f.target_shown, "num"),
                p(_meets(f)),
                p(f.previous_shown, "num"),
                p(counted, "num"),
            ]
        )
        if f.meets_target is False:
            bad.append(i)
    return pdf.grid(rows, [56, 22, 20, 20, 22, 30], bad_rows=bad)


def _breakdowns(pdf: _Pdf, d: Dashboard) -> list:
    """Complaints, then repairs, by each dimension."""
    p, story = pdf.p, []
    for dim in DIMENSIONS:
        what = str(DIMENSION_LABELS[dim]).lower()
        story.append(p(_("Complaints by %(what)s") % {"what": what}, "h2"))
        rows = [
            [
                p(str(DIMENSION_LABELS[dim])),
                p(_("Complaints"), "num"),
                p(_("Fixed in the window"), "num"),
                p(_("Escalated"), "num"),
            ]
        ]
        for r in d.complaints[dim]:
            rows.append(
                [
                    p(r.label),
                    p(r.count, "num"),
                    p(f"{r.fixed_shown} ({r.fixed}/{r.judged})", "num"),
                    p(f"{r.escalated_shown} ({r.escalated})", "num"),
                ]
            )
        if len(rows) == 1:
            rows.append([p(_("None")), p("0", "num"), p("—", "num"), p("—", "num")])
        story.append(pdf.grid(rows, [70, 25, 38, 37]))
    for dim in DIMENSIONS:
        what = str(DIMENSION_LABELS[dim]).lower()
        story.append(p(_("Repairs by %(what)s") % {"what": what}, "h2"))
        rows = [[p(str(DIMENSION_LABELS[dim])), p(_("Repairs"), "num"), p(_("Handled"), "num")]]
        for r in d.repairs[dim]:
            rows.append(
                [p(r.label), p(r.count, "num"), p(f"{r.handled_shown} ({r.handled})", "num")]
            )
        if len(rows) == 1:
            rows.append([p(_("None")), p("0", "num"), p("—", "num")])
        story.append(pdf.grid(rows, [90, 40, 40]))
    return story


def _trend_table(pdf: _Pdf, d: Dashboard):
    p = pdf.p
    rows = [
        [
            p(_("Week")),
            p(_("Complaints"), "num"),
            p(_("Repairs"), "num"),
            p(_("Satisfaction"), "num"),
        ]
    ]
    for b in d.trend:
        rows.append(
            [
                p(f"{b.start.isoformat()} – {b.end.isoformat()}"),
                p(b.complaints, "num"),
                p(b.repairs, "num"),
                p(b.satisfaction_shown, "num"),
            ]
        )
    return pdf.grid(rows, [70, 33, 33, 34])


def monthly_pdf(d: Dashboard, *, title: str, invariant: bool = False) -> bytes:
    """The month's figures against their targets and the previous month, then the
    breakdowns and the weekly trend, on A4 portrait. Text is escaped for reportlab's markup."""
    from reportlab.lib.pagesizes import A4  # heavy: only when a report is printed
    from reportlab.platypus import SimpleDocTemplate, Spacer

    pdf = _Pdf()
    p, mm = pdf.p, pdf.mm
    names = ", ".join(prop.name for prop in d.properties)
    story = [
        p(title, "head"),
        p(names, "sub"),
        p(
            _("%(start)s to %(end)s, compared with %(pstart)s to %(pend)s")
            % {
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "pstart": d.previous_start.isoformat(),
                "pend": d.previous_end.isoformat(),
            },
            "sub",
        ),
        Spacer(1, 4 * mm),
        p(_("Figures against their targets"), "h2"),
        _figures_table(pdf, d),
        p(
            _("Escalations and overdue items: at the end of the month (or now, for this month)."),
            "cell",
        ),
        *_breakdowns(pdf, d),
        p(_("Week by week"), "h2"),
        _trend_table(pdf, d),
    ]
    printed = timezone.localtime(timezone.now(), d.zone).strftime("%Y-%m-%d %H:%M")

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(pdf.colors.grey)
        canvas.drawString(doc.leftMargin, 8 * mm, _("Printed %(when)s") % {"when": printed})
        canvas.drawRightString(
            A4[0] - doc.rightMargin,
            8 * mm,
            _("%(title)s, page %(page)s") % {"title": title, "page": doc.page},
        )
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        creator=names,
        invariant=invariant,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
