"""Read side of the supervisor's dashboard: the figures the supervisor watches (seed 004, 001)
beside their targets and the previous period, the breakdowns, the trend, and the rows behind
each figure (the drill-downs).

Every figure is computed by the database: one aggregate query per group of figures with
conditional aggregation (Count/Sum with filter=...), GROUP BY queries for the breakdowns and
the trend, so the dashboard runs the same number of queries (FIGURE_QUERIES) at ten rows and at
a million; no row is ever loaded into Python. The drill-downs page by keyset, 50 rows a page,
in a fixed number of queries.

Time zones: each property's own local day bounds the range (the properties are grouped by zone,
one OR-ed condition per zone, so a project manager holding properties in two zones still gets
each property's own days). The trend buckets (TruncWeek/TruncMonth) use the report zone, the
zone of the first property by id, because a bucket needs one zone.

Indexes this module would want at a million rows (none added here: the benchmark measures and
the migrations add what the measurements need):

- Complaint: the range scans use complaint_list (property, -received_at, -id), but every
  aggregate then reads the heap for category, channel, department, unit, direct_impact,
  fixed_in_window, first_resolved_at, fix_due_at and kind. A covering index on PostgreSQL
  ``Index(fields=["property", "received_at"], include=[those columns], name="complaint_dash")``
  turns the figures, breakdowns and trend into index-only scans.
- RepairOrder: the same idea, (property, received_at) INCLUDE (state, category, channel,
  department, unit).
- Callback: the callback figures filter (property, kind, due_at) and read status and timing:
  ``Index(fields=["property", "kind", "due_at"], include=["status", "timing"])``; the overdue
  count wants a partial ``Index(fields=["property", "due_at"], condition=Q(status="open"))``
  (the existing partial indexes are on next_try_at, or on due_at across every property and
  only until the sweep marks the row).
- CallAttempt has no property column: satisfaction joins Callback by its key. A partial
  ``Index(fields=["at"], include=["callback", "satisfaction"], condition=Q(reached=True,
  satisfaction__isnull=False))`` keeps the scan to the scored calls of the range.
- Escalation: escalation_unacknowledged (at) WHERE acknowledged_at IS NULL serves the "now"
  count; the "one period ago" count reads escalations acknowledged after that moment, which
  an index on (acknowledged_at) would serve. The breakdowns' "escalated" EXISTS uses the
  unique (complaint, level) index.
- FeeNotice: fee_notice_period (property, period) serves the collection rate.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from billing.models import FeeNotice
from billing.queries import COLLECTION_TARGET, MONEY_FIELD, monthly_notices
from frontdesk import policy
from frontdesk.models import Building, Department, Property, User
from frontdesk.money import ZERO, money
from tickets.complaints import register_queries as register
from tickets.models import Complaint, Escalation, RepairOrder
from tickets.repairs.queries import PAGE_SIZE, Page, repair_page
from visits.models import CallAttempt, Callback

RATE, COUNT = "rate", "count"
WEEK, MONTH = "week", "month"
SATISFIED_FROM = 4  # a score of 4 or 5 out of 5 is "satisfied"
MAX_DAYS = 731  # two years: the trend stays readable, the previous period stays meaningful
FOUR_PLACES = Decimal("0.0001")

TARGETS = {
    "satisfaction": Decimal("0.96"),
    "complaint_callbacks": Decimal("1"),
    "repair_callbacks": Decimal("1"),
    "repair_handling": Decimal("0.98"),
    "direct_fix": Decimal("1"),
    "escalations": Decimal("0"),
    "overdue": Decimal("0"),
    "collection": COLLECTION_TARGET,
}
LABELS = {
    "satisfaction": _("Satisfaction"),
    "complaint_callbacks": _("Complaint callbacks within three days"),
    "repair_callbacks": _("Repair callbacks within 72 hours"),
    "repair_handling": _("Repair handling rate"),
    "direct_fix": _("Direct-impact complaints fixed in the window"),
    "escalations": _("Escalations not acknowledged"),
    "overdue": _("Replies and callbacks overdue"),
    "collection": _("Collection rate"),
}
DEFINITIONS = {
    "satisfaction": _(
        "Calls that reached the resident and recorded a score in the period: "
        "scores of 4 or 5 over all scores."
    ),
    "complaint_callbacks": _(
        "Complaint callbacks due in the period, not cancelled, whose outcome is known "
        "(made, or past due): made on time over all."
    ),
    "repair_callbacks": _(
        "Repair callbacks due in the period, not cancelled, whose outcome is known "
        "(made, or past due): made on time over all."
    ),
    "repair_handling": _(
        "Repairs received in the period, not cancelled: completed or closed over all."
    ),
    "direct_fix": _(
        "Direct-impact complaints received in the period that were resolved or are past "
        "their fix window: fixed in the window over those."
    ),
    "escalations": _("Escalations nobody has acknowledged, at the end of the period or now."),
    "overdue": _("Open replies and callbacks past their due time, now."),
    "collection": _(
        "Collected over billed for the monthly fee notices of the months the period touches."
    ),
}
FIGURE_KEYS = list(TARGETS)
# The figures that are a state at a moment (now, or one period earlier), not a period's rate.
SNAPSHOT_KEYS = {"escalations", "overdue"}
# What a drill-down of each figure lists.
DRILL_ROWS = {
    "satisfaction": "calls",
    "complaint_callbacks": "callbacks",
    "repair_callbacks": "callbacks",
    "repair_handling": "repairs",
    "direct_fix": "complaints",
    "escalations": "escalations",
    "overdue": "callbacks",
    "complaints": "complaints",
    "repairs": "repairs",
}
DRILL_LABELS = {
    **LABELS,
    "complaints": _("Complaints received"),
    "repairs": _("Repairs received"),
}
# The breakdowns' dimensions: the query key, and the drill-down filter that matches a row.
DIMENSIONS = ["category", "building", "department", "channel"]
DIMENSION_LABELS = {
    "category": _("Category"),
    "building": _("Building"),
    "department": _("Department"),
    "channel": pgettext_lazy("breakdown", "Channel"),
}
NONE = "none"  # a breakdown row for "no building" / "no department"

HANDLED = [RepairOrder.State.COMPLETED, RepairOrder.State.CLOSED]
REPLY_KINDS = [Callback.Kind.COMPLAINT_REPLY, Callback.Kind.REPLY]
CALLBACK_KINDS = [Callback.Kind.REPAIR, Callback.Kind.COMPLAINT]


# --- what the dashboard shows ---------------------------------------------------------------


def percent(value: Decimal | None) -> str:
    """0.9615 → "96.2%"; a whole percentage without decimals (1 → "100%")."""
    if value is None:
        return "—"
    shown = (value * 100).quantize(Decimal("0.1"))
    text = f"{shown:f}".removesuffix(".0")
    return f"{text}%"


@dataclass(frozen=True)
class Measure:
    """A figure's numbers for one period: numerator over denominator, or a bare count (the
    denominator None)."""

    numerator: int | Decimal
    denominator: int | Decimal | None = None

    @property
    def value(self) -> Decimal | None:
        if self.denominator is None:
            return Decimal(self.numerator)
        if not self.denominator:
            return None  # nothing to judge: no calls, no repairs...
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(FOUR_PLACES)


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str  # RATE (a fraction, target at least) or COUNT (target at most)
    target: Decimal
    current: Measure
    previous: Measure
    detail: tuple = ()  # (label, count) pairs: what a count is made of

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def definition(self) -> str:
        return str(DEFINITIONS[self.key])

    @property
    def value(self) -> Decimal | None:
        return self.current.value

    @property
    def previous_value(self) -> Decimal | None:
        return self.previous.value

    @property
    def meets_target(self) -> bool | None:
        """None when there is nothing to judge (a rate over nothing)."""
        if self.value is None:
            return None
        return self.value >= self.target if self.kind == RATE else self.value <= self.target

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

    @property
    def better(self) -> bool | None:
        """Whether the change since the previous period is an improvement."""
        if not self.change:
            return None
        return self.change > 0 if self.kind == RATE else self.change < 0

    def shown(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        return percent(value) if self.kind == RATE else f"{value:f}"

    @property
    def value_shown(self) -> str:
        return self.shown(self.value)

    @property
    def previous_shown(self) -> str:
        return self.shown(self.previous_value)

    @property
    def target_shown(self) -> str:
        if self.kind == RATE:
            return "≥ " + percent(self.target)
        return f"{self.target:f}"

    @property
    def change_shown(self) -> str:
        change = self.change
        if change is None:
            return "—"
        sign = "+" if change > 0 else ""
        if self.kind == RATE:
            return f"{sign}{(change * 100).quantize(Decimal('0.1')):f} pp"
        return f"{sign}{change:f}"

    @property
    def is_snapshot(self) -> bool:
        return self.key in SNAPSHOT_KEYS


@dataclass(frozen=True)
class BreakdownRow:
    dimension: str
    key: str  # the drill-down filter value: a code, an id, or NONE
    label: str
    count: int
    judged: int = 0  # complaints: direct-impact complaints whose fix is judged
    fixed: int = 0  # complaints: of those, fixed in the window
    escalated: int = 0  # complaints: escalated at least once
    handled: int = 0  # repairs: completed or closed

    @property
    def fixed_share(self) -> Decimal | None:
        return Measure(self.fixed, self.judged).value

    @property
    def escalated_share(self) -> Decimal | None:
        return Measure(self.escalated, self.count).value

    @property
    def handled_share(self) -> Decimal | None:
        return Measure(self.handled, self.count).value

    @property
    def fixed_shown(self) -> str:
        return percent(self.fixed_share)

    @property
    def escalated_shown(self) -> str:
        return percent(self.escalated_share)

    @property
    def handled_shown(self) -> str:
        return percent(self.handled_share)


@dataclass(frozen=True)
class Bucket:
    """One week or month of the trend (its first and last day, clipped to the range)."""

    start: date
    end: date
    label: str
    complaints: int
    repairs: int
    satisfaction: Measure

    @property
    def satisfaction_shown(self) -> str:
        return percent(self.satisfaction.value)


@dataclass(frozen=True)
class Dashboard:
    properties: list[Property]
    start: date
    end: date
    previous_start: date
    previous_end: date
    trend_by: str
    at: datetime  # the moment of the snapshot figures
    previous_at: datetime
    zone: ZoneInfo
    figures: list[Figure]
    complaints: dict[str, list[BreakdownRow]]
    repairs: dict[str, list[BreakdownRow]]
    trend: list[Bucket]
    complaint_total: int = 0
    repair_total: int = 0

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


# --- scope and time ----------------------------------------------------------------------------


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


class Scope:
    """The properties reported on, grouped by time zone."""

    def __init__(self, properties):
        self.properties = sorted(properties, key=lambda p: p.pk)
        if not self.properties:
            raise ValueError("no properties")
        self.ids = [p.pk for p in self.properties]
        self.zone = self.properties[0].zone
        by_zone: dict[str, list[int]] = {}
        for prop in self.properties:
            by_zone.setdefault(prop.time_zone, []).append(prop.pk)
        self.by_zone = by_zone

    def within(self, first: date, last: date, field: str, prop: str = "property_id") -> Q:
        """Rows of the properties whose ``field`` falls on a local day first..last (each
        property's own days)."""
        condition = Q()
        for name, ids in self.by_zone.items():
            zone = ZoneInfo(name)
            bounds = {
                f"{field}__gte": day_start(first, zone),
                f"{field}__lt": day_start(last + timedelta(days=1), zone),
            }
            condition |= Q(**{f"{prop}__in": ids}, **bounds)
        return condition

    def end_of(self, day: date) -> datetime:
        """The end of the local day in the report zone."""
        return day_start(day + timedelta(days=1), self.zone)


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of equal length just before."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(day: date) -> date:
    return month_after(day) - timedelta(days=1)


# --- the figures ---------------------------------------------------------------------------------


def _complaints_base() -> Q:
    """Complaints, not suggestions: what the targets and breakdowns count."""
    return Q(kind=Complaint.Kind.COMPLAINT)


def _fix_judged(now: datetime) -> Q:
    """A direct-impact complaint whose 2-hour fix can be judged: first resolved, or still
    unresolved past its fix window (which can only be a miss)."""
    return Q(direct_impact=True) & (
        Q(first_resolved_at__isnull=False) | Q(fix_due_at__lte=now, first_resolved_at__isnull=True)
    )


FIXED = Q(direct_impact=True, fixed_in_window=True)


def _escalated() -> Exists:
    return Exists(Escalation.objects.filter(complaint=OuterRef("pk")))


def _known_callbacks(now: datetime) -> Q:
    """A callback whose outcome is known: made (or closed as missed), or past its due time.
    One still open inside its window may yet be made on time: it is left out."""
    return ~Q(status=Callback.Status.CANCELLED) & (
        Q(status=Callback.Status.DONE) | Q(due_at__lte=now)
    )


ON_TIME = Q(status=Callback.Status.DONE, timing=Callback.Timing.ON_TIME)


def _overdue_at(moment: datetime, *, now: datetime) -> Q:
    """Open past its due time at that moment: due by then, created by then, not done by then,
    never cancelled (a cancellation has no time on the row: cancelled ones are left out)."""
    if moment >= now:
        return Q(status=Callback.Status.OPEN, due_at__lte=now)
    return Q(due_at__lte=moment, created_at__lte=moment) & (
        Q(status=Callback.Status.OPEN) | Q(status=Callback.Status.DONE, done_at__gt=moment)
    )


def _unacknowledged_at(moment: datetime) -> Q:
    return Q(at__lte=moment) & (Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=moment))


def _counts(qs: QuerySet, **conditions: Q) -> dict:
    return qs.aggregate(**{name: Count("pk", filter=q) for name, q in conditions.items()})


@dataclass(frozen=True)
class Periods:
    start: date
    end: date
    previous_start: date
    previous_end: date
    at: datetime
    previous_at: datetime
    now: datetime


def _complaint_figures(scope: Scope, p: Periods) -> dict:
    cur = scope.within(p.start, p.end, "received_at")
    prev = scope.within(p.previous_start, p.previous_end, "received_at")
    judged = _fix_judged(p.now)
    qs = Complaint.objects.filter(_complaints_base()).filter(
        scope.within(p.previous_start, p.end, "received_at")
    )
    row = _counts(
        qs,
        total=cur,
        judged=cur & judged,
        fixed=cur & FIXED,
        prev_judged=prev & judged,
        prev_fixed=prev & FIXED,
    )
    return {
        "direct_fix": (
            Measure(row["fixed"], row["judged"]),
            Measure(row["prev_fixed"], row["prev_judged"]),
        ),
        "complaint_total": row["total"],
    }


def _repair_figures(scope: Scope, p: Periods) -> dict:
    cur = scope.within(p.start, p.end, "received_at")
    prev = scope.within(p.previous_start, p.previous_end, "received_at")
    handled = Q(state__in=HANDLED)
    qs = RepairOrder.objects.filter(scope.within(p.previous_start, p.end, "received_at")).exclude(
        state=RepairOrder.State.CANCELLED
    )
    row = _counts(qs, all=cur, handled=cur & handled, prev_all=prev, prev_handled=prev & handled)
    return {
        "repair_handling": (
            Measure(row["handled"], row["all"]),
            Measure(row["prev_handled"], row["prev_all"]),
        ),
        "repair_total": row["all"],
    }


def _callback_figures(scope: Scope, p: Periods) -> dict:
    cur = scope.within(p.start, p.end, "due_at")
    prev = scope.within(p.previous_start, p.previous_end, "due_at")
    known = _known_callbacks(p.now)
    overdue_now = _overdue_at(p.at, now=p.now)
    overdue_prev = _overdue_at(p.previous_at, now=p.now)
    in_ranges = Q(kind__in=CALLBACK_KINDS) & scope.within(p.previous_start, p.end, "due_at")
    qs = Callback.objects.filter(property_id__in=scope.ids).filter(
        in_ranges | overdue_now | overdue_prev
    )
    conditions = {}
    for key, kind in (("complaint", Callback.Kind.COMPLAINT), ("repair", Callback.Kind.REPAIR)):
        mine = Q(kind=kind) & known
        conditions[f"{key}_all"] = mine & cur
        conditions[f"{key}_on_time"] = mine & cur & ON_TIME
        conditions[f"{key}_prev_all"] = mine & prev
        conditions[f"{key}_prev_on_time"] = mine & prev & ON_TIME
    conditions["overdue"] = overdue_now
    conditions["overdue_prev"] = overdue_prev
    conditions["overdue_replies"] = overdue_now & Q(kind__in=REPLY_KINDS)
    conditions["overdue_callbacks"] = overdue_now & Q(kind__in=CALLBACK_KINDS)
    conditions["overdue_dunning"] = overdue_now & Q(kind=Callback.Kind.DUNNING)
    row = _counts(qs, **conditions)
    return {
        "complaint_callbacks": (
            Measure(row["complaint_on_time"], row["complaint_all"]),
            Measure(row["complaint_prev_on_time"], row["complaint_prev_all"]),
        ),
        "repair_callbacks": (
            Measure(row["repair_on_time"], row["repair_all"]),
            Measure(row["repair_prev_on_time"], row["repair_prev_all"]),
        ),
        "overdue": (Measure(row["overdue"]), Measure(row["overdue_prev"])),
        "overdue_detail": (
            (gettext("Replies"), row["overdue_replies"]),
            (gettext("Callbacks"), row["overdue_callbacks"]),
            (gettext("Dunning calls"), row["overdue_dunning"]),
        ),
    }


def _escalation_figures(scope: Scope, p: Periods) -> dict:
    now_q, prev_q = _unacknowledged_at(p.at), _unacknowledged_at(p.previous_at)
    qs = Escalation.objects.filter(complaint__property_id__in=scope.ids).filter(now_q | prev_q)
    levels = {}
    for level in Escalation.Level:
        levels[level.value] = now_q & Q(level=level.value)
    row = _counts(qs, now=now_q, prev=prev_q, **levels)
    return {
        "escalations": (Measure(row["now"]), Measure(row["prev"])),
        "escalations_detail": tuple(
            (str(level.label), row[level.value]) for level in Escalation.Level
        ),
    }


def _satisfaction_figures(scope: Scope, p: Periods) -> dict:
    prop = "callback__property_id"
    cur = scope.within(p.start, p.end, "at", prop)
    prev = scope.within(p.previous_start, p.previous_end, "at", prop)
    satisfied = Q(satisfaction__gte=SATISFIED_FROM)
    qs = CallAttempt.objects.filter(reached=True, satisfaction__isnull=False).filter(
        scope.within(p.previous_start, p.end, "at", prop)
    )
    row = _counts(qs, all=cur, ok=cur & satisfied, prev_all=prev, prev_ok=prev & satisfied)
    return {
        "satisfaction": (Measure(row["ok"], row["all"]), Measure(row["prev_ok"], row["prev_all"]))
    }


def collection_months(start: date, end: date) -> tuple[date, date]:
    """The billing months a period touches (first days)."""
    return first_of_month(start), first_of_month(end)


def _collection_figures(scope: Scope, p: Periods) -> dict:
    first, last = collection_months(p.start, p.end)
    prev_first, prev_last = collection_months(p.previous_start, p.previous_end)
    cur = Q(period__gte=first, period__lte=last)
    prev = Q(period__gte=prev_first, period__lte=prev_last)

    def total(column: str, months: Q):
        return Coalesce(Sum(column, filter=months), Value(ZERO), output_field=MONEY_FIELD)

    qs = monthly_notices(FeeNotice.objects.filter(property_id__in=scope.ids), prev_first, last)
    row = qs.aggregate(
        billed=total("total", cur),
        collected=total("paid", cur),
        prev_billed=total("total", prev),
        prev_collected=total("paid", prev),
    )
    return {
        "collection": (
            Measure(money(row["collected"]), money(row["billed"])),
            Measure(money(row["prev_collected"]), money(row["prev_billed"])),
        )
    }


# --- breakdowns and trend ------------------------------------------------------------------------


BREAKDOWN_FIELDS = {
    "category": ("category",),
    "channel": ("channel",),
    "building": (
        "unit__building",
        "unit__building__number",
        "unit__building__name",
        "unit__building__property_id",
    ),
    "department": ("department", "department__name", "department__property_id"),
}


def _label(dimension: str, row: dict, choices: dict, names: dict[int, str]) -> tuple[str, str]:
    """(filter key, label shown) of one breakdown row; a building or department is prefixed
    with its property's name when the report covers several (``names`` is then not empty)."""
    if dimension in ("category", "channel"):
        code = row[dimension]
        return code, str(choices[dimension].get(code, code))
    if dimension == "building":
        pk = row["unit__building"]
        if pk is None:
            return NONE, gettext("No building (public area)")
        number, name = row["unit__building__number"], row["unit__building__name"]
        label = name or gettext("Building %(number)s") % {"number": number}
        prop = names.get(row["unit__building__property_id"])
        return str(pk), f"{prop} {label}" if prop else label
    pk = row["department"]
    if pk is None:
        return NONE, gettext("No department")
    prop = names.get(row["department__property_id"])
    label = row["department__name"]
    return str(pk), f"{prop} {label}" if prop else label


def _breakdown(
    scope: Scope, qs: QuerySet, dimension: str, aggregates: dict, choices: dict
) -> list[dict]:
    fields = BREAKDOWN_FIELDS[dimension]
    rows = qs.values(*fields).annotate(count=Count("pk"), **aggregates).order_by(*fields)
    names = {p.pk: p.name for p in scope.properties} if len(scope.properties) > 1 else {}
    result = []
    for row in rows:
        key, label = _label(dimension, row, choices, names)
        values = {name: row[name] for name in ("count", *aggregates)}
        result.append({"key": key, "label": label, **values})
    result.sort(key=lambda r: (-r["count"], r["label"]))
    return result


def _complaint_breakdowns(scope: Scope, p: Periods) -> dict[str, list[BreakdownRow]]:
    qs = Complaint.objects.filter(_complaints_base()).filter(
        scope.within(p.start, p.end, "received_at")
    )
    choices = {
        "category": dict(Complaint.Category.choices),
        "channel": dict(Complaint.Channel.choices),
    }
    aggregates = {
        "judged": Count("pk", filter=_fix_judged(p.now)),
        "fixed": Count("pk", filter=FIXED),
        "escalated": Count("pk", filter=Q(_escalated())),
    }
    return {
        dim: [BreakdownRow(dim, **row) for row in _breakdown(scope, qs, dim, aggregates, choices)]
        for dim in DIMENSIONS
    }


def _repair_breakdowns(scope: Scope, p: Periods) -> dict[str, list[BreakdownRow]]:
    qs = RepairOrder.objects.filter(scope.within(p.start, p.end, "received_at")).exclude(
        state=RepairOrder.State.CANCELLED
    )
    choices = {
        "category": dict(RepairOrder.Category.choices),
        "channel": dict(RepairOrder.Channel.choices),
    }
    aggregates = {"handled": Count("pk", filter=Q(state__in=HANDLED))}
    return {
        dim: [BreakdownRow(dim, **row) for row in _breakdown(scope, qs, dim, aggregates, choices)]
        for dim in DIMENSIONS
    }


def bucket_starts(start: date, end: date, by: str) -> list[date]:
    """The first day of every week (Monday) or month the range touches."""
    if by == WEEK:
        day = start - timedelta(days=start.weekday())
        step = lambda d: d + timedelta(days=7)  # noqa: E731
    else:
        day = first_of_month(start)
        step = month_after
    starts = []
    while day <= end:
        starts.append(day)
        day = step(day)
    return starts


def _trunc(field: str, by: str, zone: ZoneInfo):
    return (TruncWeek if by == WEEK else TruncMonth)(field, tzinfo=zone)


def _by_bucket(rows, zone: ZoneInfo) -> dict[date, dict]:
    found = {}
    for row in rows:
        bucket = row.pop("bucket")
        if isinstance(bucket, datetime):
            bucket = bucket.astimezone(zone).date()
        found[bucket] = row
    return found


def _trend(scope: Scope, p: Periods, by: str) -> list[Bucket]:
    zone = scope.zone
    complaints = _by_bucket(
        Complaint.objects.filter(_complaints_base())
        .filter(scope.within(p.start, p.end, "received_at"))
        .annotate(bucket=_trunc("received_at", by, zone))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket"),
        zone,
    )
    repairs = _by_bucket(
        RepairOrder.objects.filter(scope.within(p.start, p.end, "received_at"))
        .exclude(state=RepairOrder.State.CANCELLED)
        .annotate(bucket=_trunc("received_at", by, zone))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket"),
        zone,
    )
    calls = _by_bucket(
        CallAttempt.objects.filter(reached=True, satisfaction__isnull=False)
        .filter(scope.within(p.start, p.end, "at", "callback__property_id"))
        .annotate(bucket=_trunc("at", by, zone))
        .values("bucket")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(satisfaction__gte=SATISFIED_FROM)))
        .order_by("bucket"),
        zone,
    )
    buckets = []
    for first in bucket_starts(p.start, p.end, by):
        last = first + timedelta(days=6) if by == WEEK else month_end(first)
        shown_from, shown_to = max(first, p.start), min(last, p.end)
        label = f"{first:%Y-%m}" if by == MONTH else f"{shown_from:%m-%d}–{shown_to:%m-%d}"
        call = calls.get(first, {"n": 0, "ok": 0})
        buckets.append(
            Bucket(
                start=shown_from,
                end=shown_to,
                label=label,
                complaints=complaints.get(first, {"n": 0})["n"],
                repairs=repairs.get(first, {"n": 0})["n"],
                satisfaction=Measure(call["ok"], call["n"]),
            )
        )
    return buckets


# Queries the dashboard runs, whatever the rows: complaints, repairs, callbacks, escalations,
# satisfaction, collection; 4 + 4 breakdowns; 3 trend series.
FIGURE_QUERIES = 17


def dashboard(
    properties,
    start: date,
    end: date,
    now: datetime,
    *,
    trend: str = WEEK,
    previous: tuple[date, date] | None = None,
    at: datetime | None = None,
    previous_at: datetime | None = None,
) -> Dashboard:
    """The dashboard of the properties for the local days start..end (inclusive), beside the
    previous period (of equal length unless given). The snapshot figures (escalations not
    acknowledged, overdue replies and callbacks) are taken ``at`` (default now) and, for the
    previous period, as long before as the period is long. FIGURE_QUERIES queries."""
    scope = Scope(properties)
    previous_start, previous_end = previous or previous_range(start, end)
    at = min(at or now, now)
    p = Periods(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        at=at,
        previous_at=min(previous_at, at)
        if previous_at
        else at - (day_start(start, scope.zone) - day_start(previous_start, scope.zone)),
        now=now,
    )
    found = {}
    for part in (
        _satisfaction_figures,
        _complaint_figures,
        _callback_figures,
        _repair_figures,
        _escalation_figures,
        _collection_figures,
    ):
        found.update(part(scope, p))
    details = {"overdue": found["overdue_detail"], "escalations": found["escalations_detail"]}
    figures = [
        Figure(
            key=key,
            kind=COUNT if key in SNAPSHOT_KEYS else RATE,
            target=TARGETS[key],
            current=found[key][0],
            previous=found[key][1],
            detail=details.get(key, ()),
        )
        for key in FIGURE_KEYS
    ]
    return Dashboard(
        properties=scope.properties,
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        trend_by=trend,
        at=at,
        previous_at=p.previous_at,
        zone=scope.zone,
        figures=figures,
        complaints=_complaint_breakdowns(scope, p),
        repairs=_repair_breakdowns(scope, p),
        trend=_trend(scope, p, trend),
        complaint_total=found["complaint_total"],
        repair_total=found["repair_total"],
    )


# --- the filters (pages, exports and API) -------------------------------------------------------


ALL = "all"


def supervised(user: User) -> list[Property]:
    """The properties whose dashboard the user sees: where they are supervisor or project
    manager (every property for a superuser). One query."""
    return list(policy.properties_with(user, "report.read").order_by("pk"))


class NotYours(Exception):
    """A property the user does not supervise (or none at all): not found."""


def local_today(properties: list[Property], now: datetime) -> date:
    return timezone.localtime(now, properties[0].zone).date()


class DashboardForm(forms.Form):
    """?property=<id>|all&from=YYYY-MM-DD&to=YYYY-MM-DD&trend=week|month. Defaults: all the
    user's properties, this month to date (local), by week (by month past 62 days)."""

    property = forms.CharField(label=_("Property"), required=False)
    trend = forms.ChoiceField(
        label=_("Trend by"),
        required=False,
        choices=[(WEEK, _("week")), (MONTH, _("month"))],
    )

    def __init__(self, data, *, properties: list[Property], today: date):
        super().__init__(data)
        self.properties, self.today = properties, today
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.order_fields(["property", "from", "to", "trend"])
        self.fields["property"].widget = forms.Select(
            choices=[(ALL, gettext("All my properties"))]
            + [(str(p.pk), p.name) for p in properties]
        )

    def clean_property(self):
        value = (self.cleaned_data.get("property") or ALL).strip()
        if value == ALL:
            return ALL
        if not value.isdigit() or int(value) not in {p.pk for p in self.properties}:
            raise NotYours(value)
        return value

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("from") or first_of_month(cleaned.get("to") or self.today)
        end = cleaned.get("to") or (self.today if start <= self.today else month_end(start))
        if "from" in self.errors or "to" in self.errors:
            return cleaned
        if start > end:
            raise forms.ValidationError(gettext("The first day comes after the last one."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                gettext("Choose at most %(days)d days.") % {"days": MAX_DAYS}
            )
        cleaned["from"], cleaned["to"] = start, end
        if not cleaned.get("trend"):
            cleaned["trend"] = WEEK if (end - start).days < 62 else MONTH
        return cleaned


@dataclass(frozen=True)
class Filters:
    properties: list[Property]  # the ones reported on
    property: str  # ALL or an id
    start: date
    end: date
    trend: str

    def params(self, **extra) -> dict:
        params = {
            "property": self.property,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "trend": self.trend,
        }
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return params


def filters_from(params, user: User) -> tuple[Filters | None, DashboardForm]:
    """The dashboard's filters from a query string. Raises NotYours when the user supervises
    no property, or names one they do not; (None, form with errors) for bad values."""
    properties = supervised(user)
    if not properties:
        raise NotYours
    today = local_today(properties, timezone.now())
    form = DashboardForm(params, properties=properties, today=today)
    if not form.is_valid():
        return None, form
    chosen = form.cleaned_data["property"]
    reported = properties if chosen == ALL else [p for p in properties if str(p.pk) == chosen]
    filters = Filters(
        properties=reported,
        property=chosen,
        start=form.cleaned_data["from"],
        end=form.cleaned_data["to"],
        trend=form.cleaned_data["trend"],
    )
    # The form shown again with the dates and trend in force (the defaults filled in).
    shown = DashboardForm(filters.params(), properties=properties, today=today)
    shown.is_valid()
    return filters, shown


def dashboard_for(filters: Filters, now: datetime | None = None) -> Dashboard:
    return dashboard(
        filters.properties, filters.start, filters.end, now or timezone.now(), trend=filters.trend
    )


# --- the drill-downs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillFilters:
    """What narrows a drill-down beyond the dashboard's filters: a breakdown row
    (category, building, department, channel), a trend bucket (from/to given already), and
    ``miss``: only the rows that miss the target."""

    category: str = ""
    building: str = ""
    department: str = ""
    channel: str = ""
    miss: bool = False

    @classmethod
    def parse(cls, params) -> "DrillFilters":
        """Raises ValueError for a value that cannot be one of these."""
        values = {}
        for name in DIMENSIONS:
            value = (params.get(name) or "").strip()
            if name in ("building", "department") and value and value != NONE:
                if not value.isdigit():
                    raise ValueError(name)
            if name in ("category", "channel") and value and not value.replace("_", "").isalpha():
                raise ValueError(name)
            values[name] = value
        return cls(**values, miss=params.get("miss") in ("1", "yes"))

    def params(self) -> dict:
        found = {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}
        if self.miss:
            found["miss"] = "1"
        return found

    def dimensions(self) -> Q:
        condition = Q()
        if self.category:
            condition &= Q(category=self.category)
        if self.channel:
            condition &= Q(channel=self.channel)
        if self.building == NONE:
            condition &= Q(unit__isnull=True)
        elif self.building:
            condition &= Q(unit__building_id=int(self.building))
        if self.department == NONE:
            condition &= Q(department__isnull=True)
        elif self.department:
            condition &= Q(department_id=int(self.department))
        return condition

    def described(self, kind: str) -> list[tuple[str, str]]:
        """The narrowing in words, for the drill-down's heading. No query: labels of codes
        come from the choices; a building or department is shown by its id's row label,
        which the caller passes when it has it."""
        model = Complaint if kind == "complaints" else RepairOrder
        shown = []
        if self.category:
            label = dict(model.Category.choices).get(self.category, self.category)
            shown.append((str(DIMENSION_LABELS["category"]), str(label)))
        if self.channel:
            label = dict(model.Channel.choices).get(self.channel, self.channel)
            shown.append((str(DIMENSION_LABELS["channel"]), str(label)))
        if self.miss:
            shown.append((gettext("Only"), gettext("those missing the target")))
        return shown


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cursor(when: datetime, pk: int) -> str:
    return f"{(when - EPOCH) // timedelta(microseconds=1)}-{pk}"


def _parse_cursor(text: str) -> tuple[datetime, int]:
    micros, _sep, pk = text.partition("-")
    if not micros.isdigit() or not pk.isdigit():
        raise ValueError(text)
    return EPOCH + timedelta(microseconds=int(micros)), int(pk)


def _keyset(qs: QuerySet, key: str, before: str | None, size: int) -> Page:
    """Newest first by (key, id); one query for the rows."""
    qs = qs.order_by(f"-{key}", "-pk")
    if before:
        when, pk = _parse_cursor(before)
        qs = qs.filter(Q(**{f"{key}__lt": when}) | Q(**{key: when, "pk__lt": pk}))
    rows = list(qs[: size + 1])
    older = _cursor(getattr(rows[size - 1], key), rows[size - 1].pk) if len(rows) > size else None
    return Page(rows=rows[:size], older=older)


def drill_queryset(figure: str, filters: Filters, drill: DrillFilters, now: datetime) -> QuerySet:
    """The rows behind a figure, with exactly the dashboard's conditions."""
    scope = Scope(filters.properties)
    start, end = filters.start, filters.end
    if figure in ("complaints", "direct_fix"):
        qs = Complaint.objects.filter(_complaints_base()).filter(
            scope.within(start, end, "received_at") & drill.dimensions()
        )
        if figure == "direct_fix":
            qs = qs.filter(_fix_judged(now))
            if drill.miss:
                qs = qs.exclude(FIXED)
        return qs
    if figure in ("repairs", "repair_handling"):
        qs = RepairOrder.objects.filter(
            scope.within(start, end, "received_at") & drill.dimensions()
        ).exclude(state=RepairOrder.State.CANCELLED)
        if figure == "repair_handling" and drill.miss:
            qs = qs.exclude(state__in=HANDLED)
        return qs
    if figure == "satisfaction":
        qs = CallAttempt.objects.filter(reached=True, satisfaction__isnull=False).filter(
            scope.within(start, end, "at", "callback__property_id")
        )
        return qs.filter(satisfaction__lt=SATISFIED_FROM) if drill.miss else qs
    if figure in ("complaint_callbacks", "repair_callbacks"):
        kind = Callback.Kind.COMPLAINT if figure == "complaint_callbacks" else Callback.Kind.REPAIR
        qs = Callback.objects.filter(kind=kind).filter(
            scope.within(start, end, "due_at") & _known_callbacks(now)
        )
        return qs.exclude(ON_TIME) if drill.miss else qs
    if figure == "overdue":
        return Callback.objects.filter(property_id__in=scope.ids).filter(_overdue_at(now, now=now))
    if figure == "escalations":
        return Escalation.objects.filter(complaint__property_id__in=scope.ids).filter(
            _unacknowledged_at(now)
        )
    raise KeyError(figure)


def drill_page(
    figure: str,
    filters: Filters,
    drill: DrillFilters,
    *,
    before: str | None = None,
    now: datetime | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page (50 rows) of the rows behind a figure, newest first, by keyset. Raises
    KeyError for an unknown figure, ValueError for a cursor this module did not make.
    Queries: one for the rows (complaints: and one for their escalations)."""
    now = now or timezone.now()
    qs = drill_queryset(figure, filters, drill, now)
    rows = DRILL_ROWS[figure]
    if rows == "complaints":
        return register.complaint_page(qs, before=before, size=size, now=now)
    if rows == "repairs":
        return repair_page(qs, before=before, size=size)
    if rows == "calls":
        qs = qs.select_related(
            "callback__property", "callback__repair", "callback__complaint", "by"
        )
        return _keyset(qs, "at", before, size)
    if rows == "callbacks":
        qs = qs.select_related("property", "repair", "complaint", "fee_notice", "done_by")
        return _keyset(qs, "due_at", before, size)
    qs = qs.select_related("complaint__property", "complaint__department", "acknowledged_by")
    return _keyset(qs, "at", before, size)


def dimension_names(filters: Filters, drill: DrillFilters) -> list[tuple[str, str]]:
    """The building and department named by a drill-down, by name (one query each, only when
    named)."""
    shown = []
    if drill.building == NONE:
        shown.append((str(DIMENSION_LABELS["building"]), gettext("No building (public area)")))
    elif drill.building:
        building = Building.objects.filter(
            pk=int(drill.building), property__in=filters.properties
        ).first()
        shown.append((str(DIMENSION_LABELS["building"]), str(building) if building else "?"))
    if drill.department == NONE:
        shown.append((str(DIMENSION_LABELS["department"]), gettext("No department")))
    elif drill.department:
        department = Department.objects.filter(
            pk=int(drill.department), property__in=filters.properties
        ).first()
        shown.append((str(DIMENSION_LABELS["department"]), department.name if department else "?"))
    return shown
