"""What the supervisor's dashboard shows (seed 004, 001): the figures, their targets, labels
and definitions, and the shapes the pages, exports and API read: a figure's Measure for one
period, the Figure beside its target and previous period, a breakdown row, a trend bucket and
the whole Dashboard. No query here: reports.dashboard_queries fills these in."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.queries import COLLECTION_TARGET
from frontdesk.models import Property

RATE, COUNT = "rate", "count"
WEEK, MONTH = "week", "month"
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
# The breakdowns' dimensions: the query key, and the drill-down filter that matches a row.
DIMENSIONS = ["category", "building", "department", "channel"]
DIMENSION_LABELS = {
    "category": _("Category"),
    "building": _("Building"),
    "department": _("Department"),
    "channel": pgettext_lazy("breakdown", "Channel"),
}
NONE = "none"  # a breakdown row for "no building" / "no department"


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
