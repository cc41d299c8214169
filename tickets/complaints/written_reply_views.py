"""The written reply (书面回复) to a complaint: the editor, the printed A4 letter and its PDF.
Thin: the complaint comes from policy.complaints_for (another property's is not found), the
text and the PDF from tickets.complaints.written_reply, every change from tickets.complaints.services. The desk
edits and issues; every other staff member of the property reads."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frontdesk import policy
from frontdesk.views import staff_required
from tickets.complaints import services as complaint_services
from tickets.complaints import written_reply as letters
from tickets.models import Complaint, WrittenReply


def _complaint_or_404(request, pk: int) -> Complaint:
    """The complaint with everything the letter prints, in one query."""
    complaints = policy.complaints_for(request.user).select_related(
        "property",
        "department",
        "unit__building",
        "written_reply__drafted_by",
        "written_reply__issued_by",
    )
    return get_object_or_404(complaints, pk=pk)


def _letter(complaint: Complaint) -> WrittenReply | None:
    try:
        return complaint.written_reply
    except WrittenReply.DoesNotExist:
        return None


def _editor(request, complaint: Complaint, *, body=None, errors=(), status=200):
    letter = _letter(complaint)
    may_edit = policy.allows(request.user, "complaint.reply", complaint)
    editable = may_edit and (letter is None or letter.issued_at is None)
    # Drafted afresh from the complaint: no letter yet, or the desk asked to start again
    # (a draft written while the complaint was being handled, now resolved). Nothing is saved
    # until the desk saves.
    drafted = editable and body is None and (letter is None or "redraft" in request.GET)
    if drafted:
        body = letters.default_body(complaint)
    elif body is None:
        body = letter.body if letter is not None else ""
    return render(
        request,
        "tickets/complaint_letter.html",
        {
            "complaint": complaint,
            "letter": letter,
            "editable": editable,
            "drafted": drafted,
            "body": body,
            "paragraphs": letters.paragraphs_of(letter.body) if letter is not None else [],
            "signature": [
                letters.service_centre(complaint),
                letters.letter_date(complaint, letter),
            ],
            "errors": errors,
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_letter(request, pk: int):
    """Draft, edit and issue the letter. "Save" keeps the text as a draft; "Issue" saves the
    text and issues it in one go (for a complaint not yet replied to, that is its reply).
    A refused save or issue re-shows the text with the message (400) and changes nothing."""
    complaint = _complaint_or_404(request, pk)
    if request.method != "POST":
        return _editor(request, complaint)
    if not policy.allows(request.user, "complaint.reply", complaint):
        raise PermissionDenied
    body = request.POST.get("body", "").replace("\r\n", "\n")
    issue = request.POST.get("action") == "issue"
    try:
        with transaction.atomic():
            complaint_services.written_reply_draft(complaint=complaint, by=request.user, body=body)
            if issue:
                complaint_services.written_reply_issue(complaint=complaint, by=request.user)
    except ValidationError as exc:
        return _editor(request, complaint, body=body, errors=exc.messages, status=400)
    if issue:
        messages.success(
            request,
            _("The written reply to complaint %(number)s is issued.")
            % {"number": complaint.number},
        )
    else:
        messages.success(request, _("The letter is saved as a draft."))
    return redirect("complaint_letter", pk=complaint.pk)


def _printable(request, pk: int) -> letters.Letter:
    complaint = _complaint_or_404(request, pk)
    letter = _letter(complaint)
    if letter is None:
        raise Http404
    return letters.layout(complaint, letter)


@staff_required
@require_safe
def complaint_letter_print(request, pk: int):
    """The letter on A4 in the property's letterhead, marked DRAFT until issued."""
    letter = _printable(request, pk)
    return render(request, "tickets/complaint_letter_print.html", {"letter": letter, "pk": pk})


@staff_required
@require_safe
def complaint_letter_pdf(request, pk: int):
    """The same letter as a PDF, shown in the browser."""
    letter = _printable(request, pk)
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, letter.filename)
    return response


urlpatterns = [
    path("complaints/<int:pk>/letter/", complaint_letter, name="complaint_letter"),
    path(
        "complaints/<int:pk>/letter/print/", complaint_letter_print, name="complaint_letter_print"
    ),
    path("complaints/<int:pk>/letter.pdf", complaint_letter_pdf, name="complaint_letter_pdf"),
]
