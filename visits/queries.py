"""Read side of callbacks for the desk's pages: scoped to the properties where the user works
the desk (or supervises), with what each page shows fetched in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet

from frontdesk import policy
from frontdesk.clock import is_overdue, time_left
from frontdesk.models import Property, User
from visits.models import CallAttempt, Callback


@dataclass(frozen=True)
class QueueRow:
    callback: Callback
    left: timedelta  # negative once the window has passed
    last_call: CallAttempt | None

    @property
    def overdue(self) -> bool:
        return self.left <= timedelta(0)


@dataclass
class Queue:
    """The desk's to-do list in the order it is worked: overdue, due today, upcoming."""

    overdue: list[QueueRow] = field(default_factory=list)
    today: list[QueueRow] = field(default_factory=list)
    upcoming: list[QueueRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def desk_properties(user: User) -> QuerySet[Property]:
    return policy.properties_with(user, "callback.work")


def supervised_properties(user: User) -> QuerySet[Property]:
    return policy.properties_with(user, "callback.supervise")


def _with_what_a_row_shows(qs: QuerySet[Callback]) -> QuerySet[Callback]:
    return qs.select_related(
        "property",
        "parent",
        "repair__unit__building",
        "repair__resident",
        "complaint__unit__building",
        "complaint__resident",
    ).prefetch_related(
        "repair__resident__phones",
        "complaint__resident__phones",
        Prefetch("calls", queryset=CallAttempt.objects.select_related("by").order_by("at", "id")),
    )


def _rows(qs: QuerySet[Callback], now: datetime) -> list[QueueRow]:
    rows = []
    for callback in qs:
        calls = list(callback.calls.all())
        rows.append(
            QueueRow(
                callback=callback,
                left=time_left(callback.due_at, now),
                last_call=calls[-1] if calls else None,
            )
        )
    return rows


def callback_queue(user: User, *, now: datetime) -> Queue:
    """The open callbacks of the user's desk properties, by deadline: overdue first (the
    window has passed), then those due today (the property's local date), then upcoming.
    Four queries, however many rows."""
    qs = _with_what_a_row_shows(
        Callback.objects.filter(status=Callback.Status.OPEN, property__in=desk_properties(user))
    ).order_by("due_at", "id")
    queue = Queue()
    for row in _rows(qs, now):
        callback = row.callback
        if is_overdue(callback.due_at, now):
            queue.overdue.append(row)
        elif callback.property.today(callback.due_at) == callback.property.today(now):
            queue.today.append(row)
        else:
            queue.upcoming.append(row)
    return queue


def callback_for_call(user: User, pk: int) -> Callback:
    """One callback of the user's desk properties, with the order it follows up and its
    calls so far; raises Callback.DoesNotExist for anything else (another property's)."""
    return (
        Callback.objects.filter(property__in=desk_properties(user))
        .select_related(
            "property",
            "parent",
            "repair__unit__building",
            "repair__resident",
            "repair__department",
            "repair__engineer",
            "complaint__unit__building",
            "complaint__resident",
            "complaint__department",
            "complaint__written_reply",
        )
        .prefetch_related(
            "repair__resident__phones",
            "complaint__resident__phones",
            Prefetch(
                "calls", queryset=CallAttempt.objects.select_related("by").order_by("at", "id")
            ),
        )
        .get(pk=pk)
    )


def callbacks_needing_supervisor(user: User, *, now: datetime) -> list[QueueRow]:
    """Open callbacks of the properties the user supervises that were flagged (three calls
    without reaching the resident) or whose window has passed, oldest deadline first."""
    qs = _with_what_a_row_shows(
        Callback.objects.filter(
            status=Callback.Status.OPEN, property__in=supervised_properties(user)
        ).filter(Q(flagged_at__isnull=False) | Q(due_at__lte=now))
    ).order_by("due_at", "id")
    return _rows(qs, now)


def callback_for_supervisor(user: User, pk: int) -> Callback:
    """An open or finished callback of a property the user supervises; DoesNotExist else."""
    return Callback.objects.select_related("property", "repair", "complaint").get(
        pk=pk, property__in=supervised_properties(user)
    )
