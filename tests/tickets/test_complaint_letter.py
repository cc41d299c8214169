"""The written reply (书面回复) a written complaint gets: the editor drafts it from the
complaint, saves and issues it (issuing is the complaint's reply); the printed A4 letter and
the PDF carry the letterhead and a draft mark until it is issued.

The PDF's text is checked by reading the PDF back with pypdf, an independent reader: the
letter is set in reportlab's built-in CID font (STSong-Light, UniGB-UCS2-H), which writes the
text as hex glyph codes inside compressed streams, so searching the bytes proves nothing.
pypdf decodes those codes through the predefined CMap as any PDF viewer's copy-paste does, so
finding the name and the body in its output proves they are really printed. Line wrapping
splits text anywhere, so the comparison ignores whitespace."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import staff_at
from tests.factories import BuildingFactory, UnitFactory, complaint_received
from tests.helpers import pdf_text, squeeze, text
from tickets.complaints import services as complaints
from tickets.complaints import written_reply as letters
from tickets.models import Complaint, ComplaintEvent, WrittenReply
from visits.models import Callback

RESOLUTION = "更换了3号电梯的控制板并全面检修，电梯已恢复正常运行"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def letterhead(sunshine):
    sunshine.address = "杭州市西湖区文三路88号"
    sunshine.service_phone = "0571-88886666"
    sunshine.save()
    return sunshine


@pytest.fixture
def letter_complaint(letterhead, clerk):
    unit = UnitFactory(building=BuildingFactory(property=letterhead, number="2"), number="1503")
    return complaint_received(
        letterhead,
        by=clerk,
        channel="letter",
        complainant_name="林晓峰",
        complainant_company="晓峰贸易有限公司",
        unit=unit,
        direct_impact=False,
        temperament="",
    )


@pytest.fixture
def resolved(letter_complaint, clerk, engineer, engineering):
    complaints.complaint_dispatch(complaint=letter_complaint, by=clerk, department=engineering)
    complaints.complaint_resolve(complaint=letter_complaint, by=engineer, resolution=RESOLUTION)
    letter_complaint.refresh_from_db()
    return letter_complaint


def url(name, complaint):
    return reverse(name, args=[complaint.pk])


def draft(complaint, by, body):
    return complaints.written_reply_draft(complaint=complaint, by=by, body=body)


BODY = "林晓峰先生：\n\n您好！关于3号电梯的问题，我们已处理完毕。\n第二行 <b>粗体</b> & 符号\n\n此致\n敬礼！"


# --- the editor --------------------------------------------------------------------------------


def test_the_editor_prefills_a_letter_from_the_resolved_complaint(desk, resolved):
    response = desk.get(url("complaint_letter", resolved), **EN)

    assert response.status_code == 200
    body = response.context["body"]
    assert body.startswith("Dear 林晓峰,")
    assert resolved.number in body and RESOLUTION in body and "工程部" in body
    assert "letter, which we received on" in body and "about the lifts" in body
    assert "The problem was solved on" in body
    assert "0571-88886666" in body and body.endswith("Yours sincerely,")
    page = text(response)
    assert '<textarea id="letter-body" name="body"' in page
    assert "阳光花园 Service Centre" in page  # the signature under the text
    assert "drafted from the complaint" in page
    assert not WrittenReply.objects.exists()  # reading drafts nothing


def test_an_unresolved_complaint_gets_a_letter_saying_it_is_being_handled(
    desk, letter_complaint, clerk, engineering
):
    complaints.complaint_dispatch(complaint=letter_complaint, by=clerk, department=engineering)

    body = desk.get(url("complaint_letter", letter_complaint), **EN).context["body"]

    assert "We passed it at once to our 工程部, who are dealing with it now." in body
    assert "We will tell you the result as soon as it is solved." in body
    assert "solved on" not in body and letter_complaint.number in body


def test_the_default_text_closes_free_text_as_a_sentence_and_splits_into_paragraphs(resolved):
    body = letters.default_body(resolved)
    paragraphs = letters.paragraphs_of(body)

    assert RESOLUTION + "。" in body
    assert paragraphs[0] == ["Dear 林晓峰,"] and paragraphs[-1] == ["Yours sincerely,"]
    assert letters.paragraphs_of("a\r\nb\r\n \r\nc") == [["a", "b"], ["c"]]


def test_saving_stores_the_text_as_posted_and_a_second_save_replaces_it(desk, resolved, clerk):
    response = desk.post(url("complaint_letter", resolved), {"body": BODY, "action": "save"}, **EN)

    assert response.status_code == 302
    letter = WrittenReply.objects.get(complaint=resolved)
    assert letter.body == BODY
    assert letter.drafted_by == clerk and letter.issued_at is None
    resolved.refresh_from_db()
    assert resolved.replied_at is None  # a draft is not a reply

    desk.post(url("complaint_letter", resolved), {"body": "改过的信\r\n第二行", "action": "save"})
    letter.refresh_from_db()
    assert letter.body == "改过的信\n第二行"
    page = text(desk.get(url("complaint_letter", resolved), **EN))
    assert "改过的信\n第二行</textarea>" in page and "Draft last saved by" in page


def test_a_draft_written_before_the_fix_can_be_drafted_again_once_resolved(
    desk, letter_complaint, clerk, engineer, engineering
):
    complaints.complaint_dispatch(complaint=letter_complaint, by=clerk, department=engineering)
    draft(letter_complaint, clerk, "处理中的草稿")
    complaints.complaint_resolve(complaint=letter_complaint, by=engineer, resolution=RESOLUTION)

    kept = desk.get(url("complaint_letter", letter_complaint), **EN)
    again = desk.get(url("complaint_letter", letter_complaint) + "?redraft=1", **EN)

    assert kept.context["body"] == "处理中的草稿"
    assert RESOLUTION in again.context["body"] and "Back to the saved draft" in text(again)
    assert WrittenReply.objects.get(complaint=letter_complaint).body == "处理中的草稿"


def test_issuing_saves_the_text_issues_it_and_records_the_reply(desk, resolved, clerk):
    callback = Callback.objects.get(complaint=resolved, kind=Callback.Kind.COMPLAINT_REPLY)
    assert callback.status == Callback.Status.OPEN

    response = desk.post(url("complaint_letter", resolved), {"body": BODY, "action": "issue"})

    assert response.status_code == 302
    letter = WrittenReply.objects.get(complaint=resolved)
    assert letter.body == BODY
    assert letter.issued_at is not None and letter.issued_by == clerk
    resolved.refresh_from_db()
    assert resolved.replied_at is not None and resolved.replied_by == clerk
    assert resolved.reply_via == Complaint.ReplyVia.LETTER and resolved.reply_text == BODY
    callback.refresh_from_db()
    assert callback.status == Callback.Status.DONE and callback.done_by == clerk
    assert resolved.events.filter(kind=ComplaintEvent.Kind.LETTER_ISSUED).count() == 1

    page = text(desk.get(url("complaint_letter", resolved), **EN))
    assert "<textarea" not in page
    assert "Issued by 王前台" in page and "&lt;b&gt;粗体&lt;/b&gt; &amp; 符号" in page


def test_an_issued_letter_cannot_be_changed_or_issued_again(desk, resolved, clerk):
    draft(resolved, clerk, BODY)
    complaints.written_reply_issue(complaint=resolved, by=clerk)
    events = resolved.events.count()

    for action in ("save", "issue"):
        response = desk.post(
            url("complaint_letter", resolved), {"body": "另一封信", "action": action}, **EN
        )
        assert response.status_code == 400
        assert "This letter has been issued: it can no longer be changed." in text(response)

    assert WrittenReply.objects.get(complaint=resolved).body == BODY
    assert resolved.events.count() == events


def test_an_empty_letter_is_refused_with_the_message_and_nothing_is_saved(desk, resolved):
    for action in ("save", "issue"):
        response = desk.post(
            url("complaint_letter", resolved), {"body": " \r\n ", "action": action}, **EN
        )
        assert response.status_code == 400
        assert "The letter is empty." in text(response)

    assert not WrittenReply.objects.exists()
    resolved.refresh_from_db()
    assert resolved.replied_at is None


def test_a_refused_issue_keeps_the_old_draft_and_shows_the_posted_text(
    desk, resolved, clerk, assistant
):
    """Issuing is all or nothing: when the issue is refused, the text is not saved either."""
    draft(resolved, clerk, "旧的草稿")
    Complaint.objects.filter(pk=resolved.pk).update(state=Complaint.State.ARCHIVED)

    response = desk.post(
        url("complaint_letter", resolved), {"body": "新的内容", "action": "issue"}, **EN
    )

    assert response.status_code == 400
    assert "its written reply can no longer change" in text(response)
    assert "新的内容</textarea>" in text(response)
    letter = WrittenReply.objects.get(complaint=resolved)
    assert letter.body == "旧的草稿" and letter.issued_at is None


# --- the printed letter and the PDF -------------------------------------------------------------


def test_the_printed_draft_has_the_letterhead_the_letter_and_the_draft_mark(desk, resolved, clerk):
    draft(resolved, clerk, BODY)

    response = desk.get(url("complaint_letter_print", resolved), **EN)

    page = text(response)
    assert response.status_code == 200
    assert "<h1>阳光花园</h1>" in page
    assert "杭州市西湖区文三路88号" in page and "Service phone: 0571-88886666" in page
    assert "size: A4 portrait" in page and 'class="toolbar no-print"' in page
    assert "林晓峰<br>晓峰贸易有限公司<br>Unit 2-1503" in page
    assert f"Subject: our reply to your complaint {resolved.number}" in page
    assert "<p>您好！关于3号电梯的问题，我们已处理完毕。<br>" in page
    assert "&lt;b&gt;粗体&lt;/b&gt; &amp; 符号" in page and "<b>粗体" not in page
    assert "阳光花园 Service Centre<br>" in page
    assert "DRAFT" in page


def test_the_printed_issued_letter_has_no_draft_mark(desk, resolved, clerk):
    draft(resolved, clerk, BODY)
    complaints.written_reply_issue(complaint=resolved, by=clerk)

    page = text(desk.get(url("complaint_letter_print", resolved), **EN))

    assert "DRAFT" not in page
    assert "阳光花园" in page and "0571-88886666" in page and "此致<br>敬礼！" in page


def test_the_pdf_is_the_letter_with_its_chinese_text_and_a_draft_mark_until_issued(
    desk, resolved, clerk
):
    draft(resolved, clerk, BODY)

    response = desk.get(url("complaint_letter_pdf", resolved), **EN)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{resolved.number}-reply.pdf"'
    assert response.content.startswith(b"%PDF")
    pages, found = pdf_text(response.content)
    assert pages >= 1
    for printed in (
        "阳光花园",
        "杭州市西湖区文三路88号",
        "0571-88886666",
        "林晓峰",
        "晓峰贸易有限公司",
        "Unit2-1503",
        f"Subject:ourreplytoyourcomplaint{resolved.number}",
        squeeze(BODY),  # every paragraph, markup characters printed as typed
        "阳光花园ServiceCentre",
        "DRAFT",
    ):
        assert printed in found, printed

    complaints.written_reply_issue(complaint=resolved, by=clerk)
    _pages, issued = pdf_text(desk.get(url("complaint_letter_pdf", resolved), **EN).content)
    assert "DRAFT" not in issued and squeeze(BODY) in issued


def test_a_long_letter_runs_over_several_pdf_pages_and_keeps_every_paragraph(resolved, clerk):
    paragraphs = [f"第{n}段：" + "我们非常重视您反映的问题，" * 12 for n in range(1, 31)]
    letter = draft(resolved, clerk, "\n\n".join(paragraphs))

    content = letters.letter_pdf(letters.layout(resolved, letter), invariant=True)

    pages, found = pdf_text(content)
    assert pages > 1
    assert squeeze(paragraphs[0]) in found and squeeze(paragraphs[-1]) in found
    assert content == letters.letter_pdf(letters.layout(resolved, letter), invariant=True)


def test_print_and_pdf_are_not_found_until_a_letter_is_drafted(desk, resolved):
    for name in ("complaint_letter_print", "complaint_letter_pdf"):
        assert desk.get(url(name, resolved)).status_code == 404

    page = text(desk.get(url("complaint_letter", resolved), **EN))
    assert "Print the letter" not in page


# --- who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "complaint_letter"),
        ("post", "complaint_letter"),
        ("get", "complaint_letter_print"),
        ("get", "complaint_letter_pdf"),
    ],
)
def test_another_propertys_complaint_is_not_found(desk, elsewhere, method, name):
    stranger = staff_at(elsewhere, "clerk")
    complaint = complaint_received(
        elsewhere, by=stranger, channel="letter", complainant_name="外人", direct_impact=False
    )
    draft(complaint, stranger, "别处的信")

    response = getattr(desk, method)(url(name, complaint), {"body": "改掉", "action": "issue"})

    assert response.status_code == 404
    letter = WrittenReply.objects.get(complaint=complaint)
    assert letter.body == "别处的信" and letter.issued_at is None


def test_a_department_engineer_reads_the_letter_but_cannot_change_or_issue_it(
    client, resolved, clerk, engineer
):
    client.force_login(engineer)
    page = text(client.get(url("complaint_letter", resolved), **EN))
    assert "No written reply has been drafted for this complaint yet." in page
    assert "<textarea" not in page

    draft(resolved, clerk, BODY)
    page = text(client.get(url("complaint_letter", resolved), **EN))
    assert "<textarea" not in page and "您好！关于3号电梯的问题" in page
    assert client.get(url("complaint_letter_print", resolved)).status_code == 200

    for action in ("save", "issue"):
        response = client.post(
            url("complaint_letter", resolved), {"body": "改掉", "action": action}
        )
        assert response.status_code == 403

    letter = WrittenReply.objects.get(complaint=resolved)
    assert letter.body == BODY and letter.issued_at is None
    resolved.refresh_from_db()
    assert resolved.replied_at is None


def test_an_assistant_of_the_desk_may_issue(client, resolved, assistant):
    client.force_login(assistant)

    client.post(url("complaint_letter", resolved), {"body": BODY, "action": "issue"})

    assert WrittenReply.objects.get(complaint=resolved).issued_by == assistant


# --- a fixed number of queries ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["complaint_letter", "complaint_letter_print", "complaint_letter_pdf"]
)
def test_each_page_runs_a_fixed_number_of_queries_whatever_the_letter_holds(
    desk, letterhead, clerk, engineer, engineering, django_assert_num_queries, name
):
    """A bare draft (no unit, no department) and a long issued letter with all of them cost
    the same: everything the letter prints comes with the complaint in one query."""
    short = complaint_received(
        letterhead, by=clerk, channel="letter", complainant_name="甲", direct_impact=False
    )
    draft(short, clerk, "短信")
    unit = UnitFactory(building=BuildingFactory(property=letterhead, number="3"))
    long = complaint_received(
        letterhead,
        by=clerk,
        channel="letter",
        complainant_name="乙",
        complainant_company="乙公司",
        unit=unit,
        direct_impact=False,
    )
    complaints.complaint_dispatch(complaint=long, by=clerk, department=engineering)
    complaints.complaint_resolve(complaint=long, by=engineer, resolution=RESOLUTION)
    draft(long, clerk, "\n\n".join(f"第{n}段，内容很长。" * 20 for n in range(60)))
    complaints.written_reply_issue(complaint=long, by=clerk)

    with CaptureQueriesContext(connection) as baseline:
        assert desk.get(url(name, short)).status_code == 200
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = desk.get(url(name, long), **EN)
    assert response.status_code == 200
    if name == "complaint_letter_print":
        assert "乙<br>乙公司<br>Unit 3-" in text(response) and "第59段" in text(response)
