"""Read side of callbacks for the desk's pages: scoped to the properties where the user works
the desk (or supervises), with what each page shows fetched in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from frontdesk import policy
from frontdesk.clock import is_overdue, local_day_bounds, time_left
from frontdesk.models import Property, User
from frontdesk.pages import PAGE_SIZE, oldest_first
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
    """One page of the desk's to-do list in the order it is worked: overdue, due today,
    upcoming (earliest deadline first), with how many each section holds in all."""

    overdue: list[QueueRow] = field(default_factory=list)
    today: list[QueueRow] = field(default_factory=list)
    upcoming: list[QueueRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # per section, every page
    following: str | None = None  # the cursor of the next page, None on the last

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


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


def _rows(qs, now: datetime) -> list[QueueRow]:
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


def _section_counts(open_callbacks: QuerySet[Callback], properties, now: datetime) -> dict:
    """Overdue, due later today (each property's local day) and upcoming, counted in one
    query over the open callbacks (the callback_queue index)."""
    by_zone: dict[str, tuple[datetime, list[int]]] = {}
    for prop in properties:
        _start, tomorrow = local_day_bounds(prop.today(now), prop.zone)
        by_zone.setdefault(prop.time_zone, (tomorrow, []))[1].append(prop.pk)
    today = Q()
    for tomorrow, ids in by_zone.values():
        today |= Q(property_id__in=ids, due_at__lt=tomorrow)
    overdue = Q(due_at__lte=now)
    return open_callbacks.aggregate(
        overdue=Count("pk", filter=overdue),
        today=Count("pk", filter=~overdue & today),
        upcoming=Count("pk", filter=~overdue & ~today),
    )


QUEUE_PAGE = PAGE_SIZE  # rows on one page of the queue


def callback_queue(user: User, *, now: datetime, after: str | None = None) -> Queue:
    """One page of the open callbacks of the user's desk properties, by deadline: overdue
    first (the window has passed), then those due today (the property's local date), then
    upcoming; ``after`` is the cursor of the previous page's last row (ValueError for one
    this module did not make). Six queries, however many rows: the pages after the first
    go on from where the previous one stopped, so a long queue costs one page."""
    properties = list(desk_properties(user))
    open_callbacks = Callback.objects.filter(status=Callback.Status.OPEN, property__in=properties)
    page = oldest_first(
        _with_what_a_row_shows(open_callbacks), "due_at", after=after, size=QUEUE_PAGE
    )
    queue = Queue(counts=_section_counts(open_callbacks, properties, now), following=page.older)
    for row in _rows(page.rows, now):
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
