"""The fee notice (交费通知单) as the resident receives it: its layout (letterhead, unit and
residents, period, lines, total, earlier arrears, due date, payments so far, dunning steps
taken), shared by the notice page, the printed batch and the PDF; and the PDF of a batch, one
A4 page per notice.

Nothing here reads the database: the notices come with everything prefetched
(billing.desk_queries), and nothing here writes."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from billing.models import FeeNotice
from frontdesk.money import ZERO
from frontdesk.pdf import FONT, register_cjk_font


@dataclass(frozen=True)
class SheetLine:
    description: str
    quantity: str
    unit_price: str
    amount: Decimal


@dataclass(frozen=True)
class SheetPayment:
    receipt: str
    payment_id: int
    day: date
    amount: Decimal
    voided: bool


@dataclass(frozen=True)
class SheetDunning:
    day: date
    step: int
    action: str
    outstanding: Decimal


@dataclass(frozen=True)
class NoticeSheet:
    """Everything printed on one notice, in the order it is printed."""

    pk: int
    unit_id: int
    number: str
    opening: bool  # an opening balance brought in, not a month's billing
    property_name: str
    address: str
    service_phone: str
    unit_label: str
    residents: list[str]
    period: str
    issued: date
    due_date: date
    lines: list[SheetLine]
    total: Decimal
    arrears_before: Decimal
    paid: Decimal
    outstanding: Decimal
    payments: list[SheetPayment]
    dunning: list[SheetDunning]

    @property
    def owed_with_arrears(self) -> Decimal:
        """What the unit owed when the notice was issued: this notice and earlier ones."""
        return self.total + self.arrears_before

    @property
    def settled(self) -> bool:
        return self.outstanding <= 0


def price_text(price: Decimal) -> str:
    """A unit price with two decimals, or more where the standard has them: 2.5000 → "2.50",
    1.2345 → "1.2345"."""
    two = price.quantize(Decimal("0.01"))
    return str(two) if two == price else str(price.normalize())


def resident_text(resident) -> str:
    return f"{resident.name} ({resident.company})" if resident.company else resident.name


def sheet(notice: FeeNotice) -> NoticeSheet:
    """The notice as printed. Needs what billing.desk_queries prefetches with it."""
    prop = notice.property
    zone = prop.zone

    def day(when) -> date:
        return timezone.localtime(when, zone).date()

    return NoticeSheet(
        pk=notice.pk,
        unit_id=notice.unit_id,
        number=notice.number,
        opening=notice.kind == FeeNotice.Kind.OPENING,
        property_name=prop.name,
        address=prop.address,
        service_phone=prop.service_phone,
        unit_label=notice.unit.label,
        residents=[resident_text(r) for r in notice.unit.current_residents],
        period=notice.period.strftime("%Y-%m"),
        issued=day(notice.issued_at),
        due_date=notice.due_date,
        lines=[
            SheetLine(
                description=line.description,
                quantity=str(line.quantity),
                unit_price=price_text(line.unit_price),
                amount=line.amount,
            )
            for line in notice.lines.all()
        ],
        total=notice.total,
        arrears_before=notice.arrears_before,
        paid=notice.paid,
        outstanding=notice.outstanding,
        payments=[
            SheetPayment(
                receipt=a.payment.number,
                payment_id=a.payment_id,
                day=day(a.at),
                amount=a.amount,
                voided=a.payment.voided,
            )
            for a in notice.allocations.all()
        ],
        dunning=[
            SheetDunning(
                day=day(d.at), step=d.step, action=d.get_kind_display(), outstanding=d.outstanding
            )
            for d in notice.dunning.all()
        ],
    )


# --- the PDF ------------------------------------------------------------------------------------


def _iso(day: date) -> str:
    return day.isoformat()


def _story(s: NoticeSheet, styles: dict) -> list:
    """One notice's flowables."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, Spacer, Table, TableStyle

    def p(text, style="cell") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    def grid(rows, widths, *, head=False) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if head else 0)
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if head:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)))
        table.setStyle(TableStyle(commands))
        return table

    contact = "\u3000\u3000".join(
        part
        for part in (
            s.address,
            _("Service phone: %(phone)s") % {"phone": s.service_phone} if s.service_phone else "",
        )
        if part
    )
    title = _("Opening balance") if s.opening else _("Fee notice")
    story = [p(s.property_name, "head")]
    if contact:
        story.append(p(contact, "small"))
    story += [
        HRFlowable(width="100%", thickness=1.2, color=colors.black, spaceBefore=2, spaceAfter=3),
        p(title, "title"),
        p(_("Notice number: %(number)s") % {"number": s.number}, "right"),
        Spacer(1, 2 * mm),
    ]
    facts = [
        [p(_("Unit")), p(s.unit_label), p(_("Period")), p(s.period)],
        [
            p(_("Residents")),
            p(", ".join(s.residents) or "-"),
            p(pgettext("fee notice", "Issued")),
            p(_iso(s.issued)),
        ],
    ]
    story += [grid(facts, [24 * mm, 66 * mm, 24 * mm, 46 * mm]), Spacer(1, 3 * mm)]

    rows = [
        [p(_("Item")), p(_("Quantity"), "num"), p(_("Unit price"), "num"), p(_("Amount"), "num")]
    ]
    rows += [
        [
            p(line.description),
            p(line.quantity, "num"),
            p(line.unit_price, "num"),
            p(line.amount, "num"),
        ]
        for line in s.lines
    ]
    rows.append([p(_("Total"), "bold"), p(""), p(""), p(s.total, "numbold")])
    story += [grid(rows, [84 * mm, 24 * mm, 26 * mm, 26 * mm], head=True), Spacer(1, 3 * mm)]

    sums = [
        [p(_("Earlier arrears")), p(s.arrears_before, "num")],
        [p(_("Total owed with earlier arrears")), p(s.owed_with_arrears, "num")],
        [p(_("Paid so far on this notice")), p(s.paid, "num")],
        [p(_("Outstanding on this notice"), "bold"), p(s.outstanding, "numbold")],
        [p(pgettext("fee notice", "Due date"), "bold"), p(_iso(s.due_date), "numbold")],
    ]
    story += [grid(sums, [134 * mm, 26 * mm]), Spacer(1, 3 * mm)]

    if s.payments:
        rows = [[p(_("Receipt number")), p(_("Date")), p(_("Amount"), "num")]]
        for pay in s.payments:
            receipt = pay.receipt + (" " + _("(void)") if pay.voided else "")
            rows.append([p(receipt), p(_iso(pay.day)), p(pay.amount, "num")])
        story += [
            p(_("Payments received"), "bold"),
            grid(rows, [84 * mm, 50 * mm, 26 * mm], head=True),
        ]
        story.append(Spacer(1, 3 * mm))
    if s.dunning:
        rows = [[p(_("Date")), p(_("Dunning step")), p(_("Outstanding then"), "num")]]
        for d in s.dunning:
            rows.append([p(_iso(d.day)), p(f"{d.step}. {d.action}"), p(d.outstanding, "num")])
        story += [
            p(_("Reminders sent"), "bold"),
            grid(rows, [50 * mm, 84 * mm, 26 * mm], head=True),
        ]
        story.append(Spacer(1, 3 * mm))

    story.append(p(payment_request(s), "cell"))
    return story


def payment_request(s: NoticeSheet) -> str:
    """The sentence at the foot of the notice."""
    if s.settled:
        return _("This notice is paid in full. Thank you.")
    text = _("Please pay %(amount)s yuan by %(date)s at the service centre.") % {
        "amount": s.outstanding,
        "date": _iso(s.due_date),
    }
    if s.service_phone:
        text += " " + _("Questions: call %(phone)s.") % {"phone": s.service_phone}
    return text


def batch_pdf(sheets: list[NoticeSheet], *, title: str, invariant: bool = False) -> bytes:
    """The notices as an A4 PDF, each on its own page (a long notice may run over). The text
    is escaped for reportlab's Paragraph markup. `invariant` gives the same bytes for the same
    notices (no creation date or random document id)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    register_cjk_font()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    styles = {
        "cell": cell,
        "num": ParagraphStyle("num", parent=cell, alignment=TA_RIGHT),
        "bold": ParagraphStyle("bold", parent=cell, fontSize=10.5),
        "numbold": ParagraphStyle("numbold", parent=cell, fontSize=10.5, alignment=TA_RIGHT),
        "head": ParagraphStyle(
            "head", parent=cell, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=2
        ),
        "small": ParagraphStyle("small", parent=cell, fontSize=9, leading=12, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=cell, fontSize=15, leading=20, alignment=TA_CENTER, spaceAfter=2
        ),
        "right": ParagraphStyle("right", parent=cell, fontSize=9, alignment=TA_RIGHT),
    }
    story = []
    for i, s in enumerate(sheets):
        if i:
            story.append(PageBreak())
        story += _story(s, styles)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(
            A4[0] - doc.rightMargin,
            8 * mm,
            _("%(title)s, page %(page)s") % {"title": title, "page": doc.page},
        )
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        creator=sheets[0].property_name if sheets else "",
        invariant=invariant,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def total_of(sheets: list[NoticeSheet]) -> Decimal:
    return sum((s.total for s in sheets), ZERO)
