"""The rows behind each figure of the dashboard (the drill-downs), with exactly the dashboard's
filters and conditions, narrowed by a breakdown row, a trend bucket or to the rows that miss
the target: 50 a page, newest first, by keyset, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontdesk.models import Building, Department
from frontdesk.pages import PAGE_SIZE, Page, newest_first
from reports.conditions import (
    FIXED,
    HANDLED,
    ON_TIME,
    SATISFIED_FROM,
    complaints_base,
    fix_judged,
    known_callbacks,
    overdue_at,
    unacknowledged_at,
)
from reports.figures import DIMENSION_LABELS, DIMENSIONS, LABELS, NONE
from reports.filters import Filters
from reports.periods import Scope
from tickets.complaints import register_queries as register
from tickets.models import Complaint, Escalation, RepairOrder
from tickets.repairs.queries import repair_page
from visits.models import CallAttempt, Callback

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


def drill_queryset(figure: str, filters: Filters, drill: DrillFilters, now: datetime) -> QuerySet:
    """The rows behind a figure, with exactly the dashboard's conditions."""
    scope = Scope(filters.properties)
    start, end = filters.start, filters.end
    if figure in ("complaints", "direct_fix"):
        qs = Complaint.objects.filter(complaints_base()).filter(
            scope.within(start, end, "received_at") & drill.dimensions()
        )
        if figure == "direct_fix":
            qs = qs.filter(fix_judged(now))
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
            scope.within(start, end, "at")
        )
        return qs.filter(satisfaction__lt=SATISFIED_FROM) if drill.miss else qs
    if figure in ("complaint_callbacks", "repair_callbacks"):
        kind = Callback.Kind.COMPLAINT if figure == "complaint_callbacks" else Callback.Kind.REPAIR
        qs = Callback.objects.filter(kind=kind).filter(
            scope.within(start, end, "due_at") & known_callbacks(now)
        )
        return qs.exclude(ON_TIME) if drill.miss else qs
    if figure == "overdue":
        return Callback.objects.filter(property_id__in=scope.ids).filter(overdue_at(now, now=now))
    if figure == "escalations":
        return Escalation.objects.filter(complaint__property_id__in=scope.ids).filter(
            unacknowledged_at(now)
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
        return newest_first(qs, "at", before=before, size=size)
    if rows == "callbacks":
        qs = qs.select_related("property", "repair", "complaint", "fee_notice", "done_by")
        return newest_first(qs, "due_at", before=before, size=size)
    qs = qs.select_related("complaint__property", "complaint__department", "acknowledged_by")
    return newest_first(qs, "at", before=before, size=size)


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
