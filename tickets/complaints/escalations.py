"""The escalation ladder (seed 003): a complaint not fixed inside its fix window goes to the
department manager; one still unsolved when its local day ends, to the project manager.
The sweep climbs it; the person escalated to acknowledges."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frontdesk import policy
from frontdesk.models import User
from frontdesk.outbox import staff_notify
from tickets.complaints.records import OPEN, Kind, event, locked
from tickets.models import Complaint, Escalation


def escalate(complaint: Complaint, level: str, reason: str, *, now: datetime) -> Escalation | None:
    """One step up, at most once per level (the database refuses a second): an event on the
    timeline and a notice to whoever holds that role for the property (for the department
    manager: the responsible department's, or every department manager if it has none).
    Both the escalation and its event are stamped `now`."""
    if Escalation.objects.filter(complaint=complaint, level=level).exists():
        return None
    escalation = Escalation.objects.create(complaint=complaint, level=level, reason=reason, at=now)
    event(
        complaint,
        None,
        Kind.ESCALATED,
        f"{escalation.get_level_display()}: {escalation.get_reason_display()}",
        at=now,
    )
    message = {
        "property": complaint.property,
        "roles": policy.ESCALATION_ADDRESSEES[level],
        "subject": _("Complaint %(number)s escalated to you: %(reason)s")
        % {"number": complaint.number, "reason": escalation.get_reason_display()},
        "body": complaint.description[:300],
        "link": reverse("complaint_escalations"),
        "about": complaint,
    }
    told = 0
    if level == Escalation.Level.DEPARTMENT_MANAGER and complaint.department_id:
        told = staff_notify(department_id=complaint.department_id, **message)
    if not told:
        staff_notify(**message)
    return escalation


def escalation_acknowledge(*, escalation: Escalation, by: User) -> Escalation:
    """The person escalated to says they have it."""
    complaint = escalation.complaint
    policy.require(by, "escalation.acknowledge", escalation)
    with transaction.atomic():
        complaint = locked(complaint)  # the timeline event shows its current state
        claimed = Escalation.objects.filter(pk=escalation.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by
        )
        if not claimed:
            raise ValidationError(_("This escalation has already been acknowledged."))
        escalation.refresh_from_db()
        event(complaint, by, Kind.ACKNOWLEDGED, escalation.get_level_display())
    return escalation


def complaints_escalate(*, now: datetime, batch_size: int = 500) -> dict:
    """The sweep's ladder: fix window passed unfixed → department manager; local day ended
    unsolved → project manager. Each complaint is locked and re-checked before it is
    escalated, so however often (or concurrently) the sweep runs, each step happens once."""
    steps = [
        ("fix_due_at", Escalation.Level.DEPARTMENT_MANAGER, Escalation.Reason.FIX_WINDOW),
        ("day_ends_at", Escalation.Level.PROJECT_MANAGER, Escalation.Reason.END_OF_DAY),
    ]
    result = {}
    for field, level, reason in steps:
        already = Escalation.objects.filter(complaint=OuterRef("pk"), level=level)
        due = Complaint.objects.filter(
            **{f"{field}__lte": now}, resolved_at__isnull=True, state__in=OPEN
        ).exclude(Exists(already))
        escalated = 0
        while ids := list(due.order_by(field, "pk").values_list("pk", flat=True)[:batch_size]):
            done_now = 0
            for pk in ids:
                with transaction.atomic():
                    # A row another sweep holds is skipped: that sweep escalates it.
                    complaint = (
                        due.select_for_update(of=("self",), skip_locked=True)
                        .select_related("property")
                        .filter(pk=pk)
                        .first()
                    )
                    if complaint is not None and escalate(complaint, level, reason, now=now):
                        done_now += 1
            escalated += done_now
            if len(ids) < batch_size or not done_now:
                break
        result[f"complaints_escalated_{level}"] = escalated
    return result
