"""The resident card: who the resident is, their units' balance, their repairs and recent
complaints, their history; and the move-out recorded from it. It draws on repairs,
complaints and billing, so it sits with the desk's day, above them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.forms import MoveOutForm
from billing.payment_queries import ResidentBalance
from frontdesk import policy, queries, services
from frontdesk.forms import InviteForm
from frontdesk.models import Resident
from frontdesk.views import staff_required
from tickets.complaints.queries import resident_complaints
from tickets.repairs.queries import resident_repairs


def _card_or_404(request, pk: int) -> Resident:
    """The resident with what the card shows: their complaints and the units' balance come
    along unevaluated (two queries each, run by the page)."""
    try:
        resident = queries.resident_card(request.user, pk)
    except Resident.DoesNotExist:
        raise Http404 from None
    resident.recent_complaints = resident_complaints(resident)
    resident.balance = ResidentBalance(resident, request.user)
    return resident


def _card_page(request, pk: int, *, status: int = 200):
    resident = _card_or_404(request, pk)
    return render(
        request,
        "frontdesk/resident_card.html",
        {
            "resident": resident,
            "history": queries.resident_history(resident),
            "repairs": resident_repairs(resident),
            "may_edit": policy.allows(request.user, "resident.edit", resident),
            "may_invite": policy.allows(request.user, "resident.invite", resident),
            "may_reveal": policy.allows(request.user, "resident.phone.full", resident),
            "invite_form": InviteForm(),
        },
        status=status,
    )


@staff_required
def resident_card(request, pk: int):
    return _card_page(request, pk)


@staff_required
@require_POST
@policy.gate("resident.move_out")
def resident_move_out(request, pk: int):
    """Record the move-out; refused while the resident's units owe anything (the card is
    shown again with the message, 400, nothing changed)."""
    try:
        resident = queries.resident_card(request.user, pk)
    except Resident.DoesNotExist:
        raise Http404 from None
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            services.resident_move_out(
                resident=resident, by=request.user, on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(name)s moved out on %(day)s.")
                % {"name": resident.name, "day": form.cleaned_data["on"].isoformat()},
            )
            return redirect("resident_card", pk=resident.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return _card_page(request, pk, status=400)


urlpatterns = [
    path("residents/<int:pk>/", resident_card, name="resident_card"),
    path("residents/<int:pk>/move-out/", resident_move_out, name="resident_move_out"),
]
