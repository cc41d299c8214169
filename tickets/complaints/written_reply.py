"""The written reply (书面回复) a written complaint gets: the default text drafted from the
complaint, the letter's layout (letterhead, date, recipient, subject, body, signature) shared
by the printed page and the PDF, and the PDF itself.

Nothing here writes to the database. The default text speaks the active language: each
sentence is one message, written so that its translation reads as a formal letter."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk.pdf import FONT, register_cjk_font
from tickets.models import Complaint, WrittenReply

Category = Complaint.Category

# What the complaint was about, as a phrase inside a sentence ("your letter about ...").
TOPICS = {
    Category.AIR_CONDITIONING: gettext_lazy("the air conditioning"),
    Category.LIGHTING: gettext_lazy("the lighting"),
    Category.WATER_POWER: gettext_lazy("the water and power supply"),
    Category.LIFT: gettext_lazy("the lifts"),
    Category.ATTITUDE: gettext_lazy("our staff's service attitude"),
    Category.QUALITY: gettext_lazy("the quality of our service"),
    Category.INCIDENT: gettext_lazy("a sudden incident"),
}

RESOLVED_STATES = {Complaint.State.RESOLVED, Complaint.State.CONFIRMED, Complaint.State.ARCHIVED}

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_ENDS_A_SENTENCE = tuple(".!?。！？…”\"')）")


def _day(when: datetime | date, complaint: Complaint) -> str:
    """A date as the letter writes it, in the property's own time zone and the active
    language's date format ("2026年11月24日", "Nov. 24, 2026")."""
    if isinstance(when, datetime):
        when = complaint.property.today(when)
    return date_format(when, "DATE_FORMAT")


def _sentence(text: str) -> str:
    """Free text typed by the desk or the department, closed as a sentence."""
    text = text.strip()
    if not text or text.endswith(_ENDS_A_SENTENCE):
        return text
    return text + ("。" if _CJK.search(text[-1]) else ".")


def _join(*sentences: str) -> str:
    """Sentences of one paragraph: a space after a Latin full stop, none after "。"."""
    text = ""
    for sentence in filter(None, sentences):
        text += (" " if text and text[-1].isascii() else "") + sentence
    return text


def default_body(complaint: Complaint) -> str:
    """The letter the desk starts from: salutation, what the complaint was, what was done and
    the result (or that it is being handled), an apology and thanks, how to reach the service
    centre, and the closing. Paragraphs are separated by a blank line. The signature (the
    service centre and the date) is not part of the text: the layout adds it."""
    number = complaint.number
    topic = TOPICS.get(complaint.category) or _("the matter you raised")
    received = _day(complaint.received_at, complaint)
    department = complaint.department.name if complaint.department_id else ""
    paragraphs = [
        # Translators: the salutation of a formal letter, e.g. "尊敬的%(name)s：".
        _("Dear %(name)s,") % {"name": complaint.complainant_name},
    ]
    facts = {"date": received, "topic": topic, "number": number}
    if complaint.is_letter:
        opening = _(
            "Thank you for your letter, which we received on %(date)s, about %(topic)s "
            "(complaint number %(number)s)."
        )
    else:
        opening = _(
            "Thank you for your complaint, which we received on %(date)s, about %(topic)s "
            "(complaint number %(number)s)."
        )
    paragraphs.append(opening % facts)

    resolved = complaint.state in RESOLVED_STATES and complaint.resolution.strip()
    if resolved:
        resolution = _sentence(complaint.resolution)
        if department:
            handled = _(
                "We passed it at once to our %(department)s, who dealt with it as follows: "
                "%(resolution)s"
            ) % {"department": department, "resolution": resolution}
        else:
            handled = _("We dealt with it as follows: %(resolution)s") % {"resolution": resolution}
        done_on = complaint.resolved_at or complaint.first_resolved_at
        result = (
            _("The problem was solved on %(date)s.") % {"date": _day(done_on, complaint)}
            if done_on
            else ""
        )
        paragraphs.append(_join(handled, result))
    else:
        if department:
            handling = _(
                "We passed it at once to our %(department)s, who are dealing with it now."
            ) % {"department": department}
        else:
            handling = _("We are dealing with it now.")
        expected = (
            _("We expect it to be solved by %(date)s.")
            % {"date": _day(complaint.expected_fix_at, complaint)}
            if complaint.expected_fix_at
            else ""
        )
        promise = _("We will tell you the result as soon as it is solved.")
        paragraphs.append(_join(handling, expected, promise))

    paragraphs.append(
        _(
            "We apologise for the inconvenience this has caused you, and thank you for your "
            "understanding and for helping us improve our service."
        )
    )
    phone = complaint.property.service_phone.strip()
    if phone:
        paragraphs.append(
            _(
                "If you have any further questions or concerns, please call our service centre "
                "on %(phone)s."
            )
            % {"phone": phone}
        )
    else:
        paragraphs.append(
            _("If you have any further questions or concerns, please contact our service centre.")
        )
    # Translators: the closing formula of a formal letter, e.g. "此致\n敬礼！" (a line break
    # is kept as a line break in the letter).
    paragraphs.append(_("Yours sincerely,"))
    return "\n\n".join(paragraphs)


def paragraphs_of(body: str) -> list[list[str]]:
    """The body as paragraphs (split at blank lines), each a list of its lines."""
    blocks = re.split(r"\n[ \t\u3000]*\n", body.replace("\r\n", "\n").replace("\r", "\n"))
    return [
        [line.rstrip() for line in block.strip("\n").split("\n")]
        for block in blocks
        if block.strip()
    ]


@dataclass(frozen=True)
class Letter:
    """Everything printed on the letter, in the order it is printed."""

    number: str
    property_name: str
    address: str
    service_phone: str
    date: str
    recipient: list[str]
    subject: str
    paragraphs: list[list[str]]
    signature: list[str]
    draft: bool

    @property
    def filename(self) -> str:
        return f"{self.number}-reply.pdf"


def service_centre(complaint: Complaint) -> str:
    # Translators: who signs the letter, e.g. "%(property)s物业服务中心".
    return _("%(property)s Service Centre") % {"property": complaint.property.name}


def letter_date(complaint: Complaint, letter: WrittenReply | None) -> str:
    """The letter is dated the day it is issued; a draft, today."""
    issued = letter.issued_at if letter is not None else None
    return _day(issued or timezone.now(), complaint)


def layout(complaint: Complaint, letter: WrittenReply) -> Letter:
    """The letter as printed. Needs the complaint's property, unit (with its building) and
    department loaded with it."""
    recipient = [complaint.complainant_name]
    if complaint.complainant_company:
        recipient.append(complaint.complainant_company)
    if complaint.unit_id:
        recipient.append(_("Unit %(unit)s") % {"unit": complaint.unit.label})
    prop = complaint.property
    dated = letter_date(complaint, letter)
    return Letter(
        number=complaint.number,
        property_name=prop.name,
        address=prop.address,
        service_phone=prop.service_phone,
        date=dated,
        recipient=recipient,
        subject=_("Subject: our reply to your complaint %(number)s") % {"number": complaint.number},
        paragraphs=paragraphs_of(letter.body),
        signature=[service_centre(complaint), dated],
        draft=letter.issued_at is None,
    )


# --- the PDF --------------------------------------------------------------------------------


def _markup(lines: list[str]) -> str:
    """Plain text for a Paragraph: its markup characters escaped, its line breaks kept."""
    return "<br/>".join(escape(line) for line in lines)


def _wrap(text: str) -> str:
    """Chinese wraps between any two characters; a Latin-only paragraph between words."""
    return "CJK" if _CJK.search(text) else "LTR"


def letter_pdf(letter: Letter, *, invariant: bool = False) -> bytes:
    """The letter as an A4 PDF: letterhead, date, recipient, subject, body and signature, and
    a "DRAFT" mark across every page of a letter not yet issued. `invariant` gives the same
    bytes for the same letter (no creation date or random document id)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

    register_cjk_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11.5, leading=19, spaceAfter=7)
    head = ParagraphStyle(
        "head", parent=body, fontSize=20, leading=26, alignment=TA_CENTER, spaceAfter=2
    )
    small = ParagraphStyle(
        "small", parent=body, fontSize=9.5, leading=13, alignment=TA_CENTER, spaceAfter=0
    )
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, spaceAfter=0)
    subject = ParagraphStyle("subject", parent=body, fontSize=13, leading=20, spaceBefore=6)

    def para(lines: list[str], style: ParagraphStyle) -> Paragraph:
        text = "\n".join(lines)
        return Paragraph(
            _markup(lines), ParagraphStyle(style.name, parent=style, wordWrap=_wrap(text))
        )

    contact = [
        part
        for part in (
            letter.address,
            _("Service phone: %(phone)s") % {"phone": letter.service_phone}
            if letter.service_phone
            else "",
        )
        if part
    ]
    story = [para([letter.property_name], head)]
    if contact:
        story.append(para(["\u3000\u3000".join(contact)], small))
    story += [
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.2, color=colors.black, spaceAfter=6 * mm),
        para([letter.date], right),
        Spacer(1, 4 * mm),
        para(letter.recipient, body),
        para([letter.subject], subject),
        Spacer(1, 2 * mm),
    ]
    story += [para(lines, body) for lines in letter.paragraphs]
    story += [Spacer(1, 8 * mm), para(letter.signature, right)]

    mark = _("DRAFT")

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        footer = _("%(number)s, page %(page)s") % {"number": letter.number, "page": doc.page}
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, footer)
        if letter.draft:
            canvas.setFont(FONT, 110)
            canvas.setFillColor(colors.Color(0.75, 0.75, 0.75, alpha=0.45))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, -35, mark)
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=letter.subject,
        author=letter.signature[0],
        subject=letter.number,
        creator=letter.property_name,
        invariant=invariant,
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
