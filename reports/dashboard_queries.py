"""The supervisor's dashboard computed: the figures the supervisor watches (seed 004, 001)
beside their targets and the previous period (satisfaction, the complaint and repair
callbacks, repair handling, direct-impact fixes, escalations, overdue items, the collection
rate), the breakdowns and the trend. The rows behind each figure are in reports.drilldowns.

Every figure is computed by the database: one aggregate query per group of figures with
conditional aggregation (Count/Sum with filter=...), GROUP BY queries for the breakdowns and
the trend, so the dashboard runs the same number of queries (FIGURE_QUERIES) at ten rows and at
a million; no row is ever loaded into Python.

Time zones: each property's own local day bounds the range (the properties are grouped by zone,
one OR-ed condition per zone, so a project manager holding properties in two zones still gets
each property's own days). The trend buckets (TruncWeek/TruncMonth) use the report zone, the
zone of the first property by id, because a bucket needs one zone.

No query reads a property's whole history: each finds its rows by property and time through
an index (measured by `make bench`; see the README):

- CallAttempt carries its callback's property: the satisfaction figure and its trend read the
  partial index call_scored (property, at, satisfaction) WHERE reached AND scored, from the
  index alone (counted by a column of the index: CALL_COUNTED).
- Callback: the period's callbacks from callback_period (property, due_at, kind, status,
  timing) alone; the overdue snapshots, in a query of their own, as two branches, the open
  ones (callback_open_due) and those done after the past moment (callback_done), which
  PostgreSQL ORs as bitmaps.
- Escalation: the unacknowledged ones through escalation_unacknowledged, those acknowledged
  after the past moment through escalation_acknowledged.
- Complaint and RepairOrder: the ranges use complaint_list / repair_list (property,
  -received_at, -id) and read the heap for the columns counted; a covering index would make
  them index-only, but their rows in the period still grow with the table.
- FeeNotice: fee_notice_period (property, period) serves the collection rate.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils.translation import gettext

from billing.models import FeeNotice
from billing.queries import MONEY_FIELD, monthly_notices
from frontdesk.money import ZERO, money
from reports.conditions import (
    CALLBACK_KINDS,
    FIXED,
    HANDLED,
    ON_TIME,
    REPLY_KINDS,
    SATISFIED_FROM,
    complaints_base,
    escalated,
    fix_judged,
    known_callbacks,
    overdue_at,
    unacknowledged_at,
)
from reports.figures import (
    COUNT,
    DIMENSIONS,
    FIGURE_KEYS,
    MONTH,
    NONE,
    RATE,
    SNAPSHOT_KEYS,
    TARGETS,
    WEEK,
    BreakdownRow,
    Bucket,
    Dashboard,
    Figure,
    Measure,
)
from reports.periods import (
    Scope,
    collection_months,
    day_start,
    first_of_month,
    month_after,
    month_end,
    previous_range,
)
from tickets.models import Complaint, Escalation, RepairOrder
from visits.models import CallAttempt, Callback


def _counts(qs: QuerySet, column: str = "pk", **conditions: Q) -> dict:
    return qs.aggregate(**{name: Count(column, filter=q) for name, q in conditions.items()})


# The scored calls and the period's callbacks are counted by a column of their index
# (call_scored, callback_period; never null), not by their id, so PostgreSQL answers from the
# index alone.
CALL_COUNTED = CALLBACK_COUNTED = "property"


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
    judged = fix_judged(p.now)
    qs = Complaint.objects.filter(complaints_base()).filter(
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
    """Two queries: the period's callbacks (from callback_period alone), and the overdue
    snapshots (the open callbacks, and those done after the earlier moment)."""
    cur = scope.within(p.start, p.end, "due_at")
    prev = scope.within(p.previous_start, p.previous_end, "due_at")
    known = known_callbacks(p.now)
    in_ranges = Callback.objects.filter(kind__in=CALLBACK_KINDS).filter(
        scope.within(p.previous_start, p.end, "due_at")
    )
    conditions = {}
    for key, kind in (("complaint", Callback.Kind.COMPLAINT), ("repair", Callback.Kind.REPAIR)):
        mine = Q(kind=kind) & known
        conditions[f"{key}_all"] = mine & cur
        conditions[f"{key}_on_time"] = mine & cur & ON_TIME
        conditions[f"{key}_prev_all"] = mine & prev
        conditions[f"{key}_prev_on_time"] = mine & prev & ON_TIME
    row = _counts(in_ranges, CALLBACK_COUNTED, **conditions)
    overdue_now = overdue_at(p.at, now=p.now)
    overdue_prev = overdue_at(p.previous_at, now=p.now)
    snapshots = Callback.objects.filter(property_id__in=scope.ids).filter(
        overdue_now | overdue_prev
    )
    row |= _counts(
        snapshots,
        overdue=overdue_now,
        overdue_prev=overdue_prev,
        overdue_replies=overdue_now & Q(kind__in=REPLY_KINDS),
        overdue_callbacks=overdue_now & Q(kind__in=CALLBACK_KINDS),
        overdue_dunning=overdue_now & Q(kind=Callback.Kind.DUNNING),
    )
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
    now_q, prev_q = unacknowledged_at(p.at), unacknowledged_at(p.previous_at)
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
    cur = scope.within(p.start, p.end, "at")
    prev = scope.within(p.previous_start, p.previous_end, "at")
    satisfied = Q(satisfaction__gte=SATISFIED_FROM)
    qs = CallAttempt.objects.filter(reached=True, satisfaction__isnull=False).filter(
        scope.within(p.previous_start, p.end, "at")
    )
    row = _counts(
        qs, CALL_COUNTED, all=cur, ok=cur & satisfied, prev_all=prev, prev_ok=prev & satisfied
    )
    return {
        "satisfaction": (Measure(row["ok"], row["all"]), Measure(row["prev_ok"], row["prev_all"]))
    }


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
    qs = Complaint.objects.filter(complaints_base()).filter(
        scope.within(p.start, p.end, "received_at")
    )
    choices = {
        "category": dict(Complaint.Category.choices),
        "channel": dict(Complaint.Channel.choices),
    }
    aggregates = {
        "judged": Count("pk", filter=fix_judged(p.now)),
        "fixed": Count("pk", filter=FIXED),
        "escalated": Count("pk", filter=Q(escalated())),
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
        Complaint.objects.filter(complaints_base())
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
        .filter(scope.within(p.start, p.end, "at"))
        .annotate(bucket=_trunc("at", by, zone))
        .values("bucket")
        .annotate(
            n=Count(CALL_COUNTED),
            ok=Count(CALL_COUNTED, filter=Q(satisfaction__gte=SATISFIED_FROM)),
        )
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


# Queries the dashboard runs, whatever the rows: complaints, repairs, callbacks (the period's
# and the overdue snapshots), escalations, satisfaction, collection; 4 + 4 breakdowns; 3 trend
# series.
FIGURE_QUERIES = 18


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
