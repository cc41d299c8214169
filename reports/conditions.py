"""Which rows each figure counts: the conditions the dashboard's aggregates and the rows behind
each figure (the drill-downs) share, so both say exactly the same."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from tickets.models import Complaint, Escalation, RepairOrder
from visits.models import Callback

SATISFIED_FROM = 4  # a score of 4 or 5 out of 5 is "satisfied"
HANDLED = [RepairOrder.State.COMPLETED, RepairOrder.State.CLOSED]
REPLY_KINDS = [Callback.Kind.COMPLAINT_REPLY, Callback.Kind.REPLY]
CALLBACK_KINDS = [Callback.Kind.REPAIR, Callback.Kind.COMPLAINT]


def complaints_base() -> Q:
    """Complaints, not suggestions: what the targets and breakdowns count."""
    return Q(kind=Complaint.Kind.COMPLAINT)


def fix_judged(now: datetime) -> Q:
    """A direct-impact complaint whose 2-hour fix can be judged: first resolved, or still
    unresolved past its fix window (which can only be a miss)."""
    return Q(direct_impact=True) & (
        Q(first_resolved_at__isnull=False) | Q(fix_due_at__lte=now, first_resolved_at__isnull=True)
    )


FIXED = Q(direct_impact=True, fixed_in_window=True)


def escalated() -> Exists:
    return Exists(Escalation.objects.filter(complaint=OuterRef("pk")))


def known_callbacks(now: datetime) -> Q:
    """A callback whose outcome is known: made (or closed as missed), or past its due time.
    One still open inside its window may yet be made on time: it is left out."""
    return ~Q(status=Callback.Status.CANCELLED) & (
        Q(status=Callback.Status.DONE) | Q(due_at__lte=now)
    )


ON_TIME = Q(status=Callback.Status.DONE, timing=Callback.Timing.ON_TIME)


def overdue_at(moment: datetime, *, now: datetime) -> Q:
    """Open past its due time at that moment: due by then, created by then, not done by then,
    never cancelled (a cancellation has no time on the row: cancelled ones are left out)."""
    if moment >= now:
        return Q(status=Callback.Status.OPEN, due_at__lte=now)
    # Two branches, each found through its own index (the open ones, those done after the
    # moment): "due by then" alone would read every callback of the property's history.
    then = Q(due_at__lte=moment, created_at__lte=moment)
    return (then & Q(status=Callback.Status.OPEN)) | (
        then & Q(status=Callback.Status.DONE, done_at__gt=moment)
    )


def unacknowledged_at(moment: datetime) -> Q:
    # Two branches, each a range of its own index (the unacknowledged ones, those acknowledged
    # after the moment), instead of every escalation raised before it.
    raised = Q(at__lte=moment)
    return (raised & Q(acknowledged_at__isnull=True)) | (raised & Q(acknowledged_at__gt=moment))
