"""In-app notices: the bell in the page header and the list behind it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from frontdesk import outbox, queries
from frontdesk.models import Notification


@login_required
def notice_list(request):
    return render(request, "frontdesk/notices.html", {"notices": queries.notices_for(request.user)})


@login_required
@require_POST
def notice_open(request, pk: int):
    """Mark the notice read, then go where it points."""
    notice = Notification.objects.filter(pk=pk, recipient_user=request.user).first()
    if notice is None:
        raise Http404
    outbox.notification_mark_read(notification=notice, by=request.user)
    safe = url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()})
    return redirect(notice.link if notice.link and safe else "notices")


urlpatterns = [
    path("notices/", notice_list, name="notices"),
    path("notices/<int:pk>/open/", notice_open, name="notice_open"),
]
