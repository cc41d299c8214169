"""What every complaint service shares: the states each step accepts, its refusals, the row
lock, the timeline event and the complaint's link."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, F, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from frontdesk import batches
from frontdesk.models import Property, User
from tickets.models import Complaint, ComplaintEvent

State = Complaint.State
Kind = ComplaintEvent.Kind

OPEN = {State.RECEIVED, State.DISPATCHED, State.REOPENED}  # waiting for a fix
DISPATCHABLE = OPEN
RESOLVABLE = {State.DISPATCHED, State.REOPENED}
AFTER_RESOLUTION = {State.RESOLVED, State.CONFIRMED}

REFUSALS = {
    "dispatch": gettext_lazy("Complaint %(number)s is %(state)s: it cannot be sent now."),
    "expect": gettext_lazy(
        "Complaint %(number)s is %(state)s: there is no fix to give a time for."
    ),
    "action": gettext_lazy("Complaint %(number)s is %(state)s: no action can be recorded now."),
    "cannot_solve": gettext_lazy(
        "Complaint %(number)s is %(state)s: it cannot be marked as unsolvable now."
    ),
    "resolve": gettext_lazy("Complaint %(number)s is %(state)s: it cannot be resolved now."),
    "reply": gettext_lazy("Complaint %(number)s is %(state)s: no reply can be recorded now."),
    "corrective": gettext_lazy(
        "Complaint %(number)s is %(state)s: the corrective action report comes after the fix."
    ),
    "letter": gettext_lazy(
        "Complaint %(number)s is %(state)s: its written reply can no longer change."
    ),
    "archive": gettext_lazy("Complaint %(number)s is %(state)s: it cannot be archived now."),
}


def refuse(complaint: Complaint, allowed: set, action: str) -> None:
    if complaint.state not in allowed:
        raise ValidationError(
            REFUSALS[action] % {"number": complaint.number, "state": complaint.get_state_display()}
        )


def event(
    complaint: Complaint, by: User | None, kind: str, note: str = "", at: datetime | None = None
) -> ComplaintEvent:
    """One row of the timeline, at `at` (a sweep's `now`) or else the current time."""
    at = at or timezone.now()
    return ComplaintEvent.objects.create(
        complaint=complaint, by=by, at=at, kind=kind, state=complaint.state, note=note
    )


def events_for(rows: QuerySet, *, kind, note: str, at: datetime, through: str = "") -> int:
    """A timeline row for each complaint of `rows` (or that each row names through the field
    `through`), written by the database in one INSERT … SELECT: the sweep's batch. `kind` may
    be an expression over `rows`."""
    prefix = f"{through}__" if through else ""
    return batches.insert_from(
        ComplaintEvent,
        rows,
        complaint=F(through or "pk"),
        at=Value(at, output_field=DateTimeField()),
        kind=kind if hasattr(kind, "resolve_expression") else Value(kind),
        state=F(f"{prefix}state"),
        note=Value(note),
    )


def locked(complaint: Complaint) -> Complaint:
    """Re-read under a row lock: two people (or a person and the sweep) are serialised."""
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("property", "department")
        .get(pk=complaint.pk)
    )


def local_time(when: datetime, prop: Property) -> str:
    return timezone.localtime(when, prop.zone).strftime("%Y-%m-%d %H:%M")


def link(complaint: Complaint) -> str:
    return reverse("complaint_detail", args=[complaint.pk])
