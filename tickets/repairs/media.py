"""Photos and signatures are served only to who may see the order, never as HTML."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import path

from frontdesk import policy
from frontdesk.media import file_response
from tickets.models import RepairPhoto


@login_required
def repair_photo(request, pk: int, photo_id: int):
    order = get_object_or_404(policy.repairs_for(request.user), pk=pk)
    return file_response(get_object_or_404(RepairPhoto, order=order, pk=photo_id).image)


@login_required
def repair_signature(request, pk: int):
    order = get_object_or_404(policy.repairs_for(request.user), pk=pk)
    return file_response(order.signature)


urlpatterns = [
    path("repairs/<int:pk>/photos/<int:photo_id>/", repair_photo, name="repair_photo"),
    path("repairs/<int:pk>/signature/", repair_signature, name="repair_signature"),
]
