"""The callback pages: the desk's queue (回访), recording a call, and the supervisor's list of
callbacks that need them. Thin: reads come from visits.queries, every change is one call to
visits.services. Another property's callback is not found (404) on every URL."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontdesk import policy
from frontdesk.views import staff_required
from visits import forms, queries, services
from visits.models import Callback

RECORDED_EVENT = "callback-recorded"  # the queue's list refreshes when it hears this


def span_text(delta: timedelta) -> str:
    """ "2 h 5 min", "3 d 4 h": how long something has waited or is late."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours and minutes:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": minutes}


def time_left_text(left: timedelta) -> str:
    """ "3 h 20 min left", or "overdue by 2 h" once the deadline has passed."""
    minutes = int(abs(left).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        span = _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    elif hours:
        span = _("%(h)d h") % {"h": hours}
    else:
        span = _("%(m)d min") % {"m": minutes}
    if left <= timedelta(0):
        return _("overdue by %(time)s") % {"time": span}
    return _("%(time)s left") % {"time": span}


def _sections(queue: queries.Queue) -> list[dict]:
    return [
        {"key": key, "title": title, "rows": _labelled(rows), "count": queue.counts[key]}
        for key, title, rows in (
            ("overdue", _("Overdue"), queue.overdue),
            ("today", _("Due today"), queue.today),
            ("upcoming", _("Upcoming"), queue.upcoming),
        )
    ]


def _labelled(rows: list[queries.QueueRow]) -> list[dict]:
    return [{"row": row, "c": row.callback, "left": time_left_text(row.left)} for row in rows]


def _queue_context(request) -> dict:
    """One page of the queue: the first (the work to do now) unless ``after`` names where the
    previous page stopped; a link that is not one of ours shows the first page and says so."""
    now = timezone.now()
    after = request.GET.get("after") or None
    error = None
    try:
        queue = queries.callback_queue(request.user, now=now, after=after)
    except ValueError:
        after, error = None, _("That page link is not valid: here is the start of the queue.")
        queue = queries.callback_queue(request.user, now=now)
    return {
        "sections": _sections(queue),
        "count": queue.total,
        "shown": len(queue),
        "after": after,
        "following": queue.following,
        "error": error,
        "now": now,
    }


@staff_required
@require_GET
@policy.gate("callback.work")
def callback_queue(request):
    """The desk's to-do list: overdue, due today, upcoming. Its list refreshes itself."""
    return render(request, "visits/queue.html", _queue_context(request))


@staff_required
@require_GET
@policy.gate("callback.work")
def callback_queue_rows(request):
    """The list part of the queue, fetched by htmx every minute and after each call."""
    return render(request, "visits/_queue_rows.html", _queue_context(request))


def _callback_or_404(request, pk: int) -> Callback:
    try:
        return queries.callback_for_call(request.user, pk)
    except Callback.DoesNotExist:
        raise Http404 from None


@staff_required
def callback_record(request, pk: int):
    """Record one call. Times are typed and shown in the callback's property's zone. Inside
    the queue's panel (htmx) the page is a fragment and a success refreshes the list."""
    callback = _callback_or_404(request, pk)
    with timezone.override(callback.property.zone):
        return _record(request, callback)


def _record(request, callback: Callback):
    data = request.POST if request.method == "POST" else None
    form = forms.CallForm(data, callback=callback)
    if data is not None and form.is_valid():
        try:
            if form.reached_yes:
                services.callback_record_reached(
                    callback=callback, by=request.user, **form.reached_kwargs()
                )
            else:
                services.callback_record_unreached(
                    callback=callback, by=request.user, **form.unreached_kwargs()
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _recorded(request, callback, reached=form.reached_yes)
    context = {
        "c": callback,
        "order": callback.repair,
        "complaint": callback.complaint,
        "calls": list(callback.calls.all()),
        "form": form,
        "left": time_left_text(callback.due_at - timezone.now()),
        "inline": bool(request.htmx),
    }
    template = "visits/_call_panel.html" if request.htmx else "visits/record.html"
    return render(request, template, context, status=400 if data is not None else 200)


def _recorded(request, callback: Callback, *, reached: bool):
    if callback.complaint_id:
        what = callback.complaint.number
    elif callback.repair_id:
        what = callback.repair.number
    else:
        what = callback.question[:40]
    if reached:
        done = _("Call recorded for %(what)s: the resident was reached.") % {"what": what}
    else:
        done = _("Call recorded for %(what)s: not reached, the next try is planned.") % {
            "what": what
        }
    if request.htmx:
        response = render(request, "visits/_call_done.html", {"done": done})
        response["HX-Trigger"] = RECORDED_EVENT
        return response
    messages.success(request, done)
    return redirect("callback_queue")


# --- the supervisor -----------------------------------------------------------------------------


def _flagged_page(request, *, bound=None, bound_pk=None, errors=(), status: int = 200):
    if not queries.supervised_properties(request.user).exists():
        raise Http404
    now = timezone.now()
    items = []
    for item in _labelled(queries.callbacks_needing_supervisor(request.user, now=now)):
        pk = item["c"].pk
        if bound is not None and bound_pk == pk:
            item["form"] = bound
        else:
            item["form"] = forms.CloseMissedForm(auto_id=f"id_close_{pk}_%s")
        items.append(item)
    return render(request, "visits/flagged.html", {"items": items, "errors": errors}, status=status)


@staff_required
@require_GET
def callback_flagged(request):
    """Callbacks flagged after three calls without reaching the resident, and overdue ones:
    the supervisor closes those that cannot be made. Only supervisors and project managers."""
    return _flagged_page(request)


@staff_required
@require_POST
def callback_close(request, pk: int):
    """Close a callback as missed, with the reason. Bad input re-shows the list (400)."""
    try:
        callback = queries.callback_for_supervisor(request.user, pk)
    except Callback.DoesNotExist:
        raise Http404 from None
    form = forms.CloseMissedForm(request.POST, auto_id=f"id_close_{pk}_%s")
    if form.is_valid():
        try:
            services.callback_close_missed(
                callback=callback, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The callback is closed as missed."))
            return redirect("callback_flagged")
    # A callback finished meanwhile is no longer listed: its message shows at the top.
    return _flagged_page(
        request,
        bound=form,
        bound_pk=callback.pk,
        errors=form.non_field_errors(),
        status=400,
    )


urlpatterns = [
    path("callbacks/", callback_queue, name="callback_queue"),
    path("callbacks/rows/", callback_queue_rows, name="callback_queue_rows"),
    path("callbacks/flagged/", callback_flagged, name="callback_flagged"),
    path("callbacks/<int:pk>/", callback_record, name="callback_record"),
    path("callbacks/<int:pk>/close/", callback_close, name="callback_close"),
]
