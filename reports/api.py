"""The supervisor's dashboard as JSON: /api/dashboard/?property=<id>|all&from=&to=&trend=.

The same figures, breakdowns and trend as the page, from reports.dashboard_queries with the
same filters (reports.filters) and scope: supervisors and project managers of the properties.
A resident gets 403; staff who supervise no property, or name a property they do not
supervise, get 404. Rates are fractions (0.9600) and counts whole numbers, both as decimal
strings like the collection-rate endpoint."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from frontdesk import policy
from reports.figures import (
    COUNT,
    DIMENSIONS,
    FIGURE_KEYS,
    MONTH,
    RATE,
    WEEK,
    BreakdownRow,
    Dashboard,
    Measure,
)
from reports.filters import NotYours, dashboard_for, filters_from

RATIO = {"max_digits": 18, "decimal_places": 4, "allow_null": True}
AMOUNT = {"max_digits": 16, "decimal_places": 2, "allow_null": True}


class MeasureSerializer(serializers.Serializer):
    value = serializers.DecimalField(**RATIO, help_text=_("A fraction for a rate, or a count."))
    numerator = serializers.DecimalField(**AMOUNT)
    denominator = serializers.DecimalField(
        **AMOUNT, help_text=_("Empty for a count (escalations, overdue items).")
    )


class DetailSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class DashboardFigureSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=FIGURE_KEYS)
    label = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[(RATE, _("rate")), (COUNT, _("count"))],
        help_text=_("A rate meets its target at or above it; a count at or below it."),
    )
    value = serializers.DecimalField(**RATIO)
    numerator = serializers.DecimalField(**AMOUNT)
    denominator = serializers.DecimalField(**AMOUNT)
    target = serializers.DecimalField(max_digits=18, decimal_places=4)
    meets_target = serializers.BooleanField(
        allow_null=True, help_text=_("Empty when there is nothing to judge.")
    )
    previous = MeasureSerializer()
    detail = DetailSerializer(many=True)


class DashboardRepairRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("A code, an id, or none."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    handled = serializers.IntegerField(help_text=_("Completed or closed."))
    handled_share = serializers.DecimalField(**RATIO)


class DashboardComplaintRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("A code, an id, or none."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    judged = serializers.IntegerField(
        help_text=_("Direct-impact complaints resolved, or past their fix window.")
    )
    fixed = serializers.IntegerField(help_text=_("Of those, fixed within the window."))
    fixed_share = serializers.DecimalField(**RATIO)
    escalated = serializers.IntegerField()
    escalated_share = serializers.DecimalField(**RATIO)


def _breakdowns(name: str, row):
    return type(
        name,
        (serializers.Serializer,),
        {dim: row(many=True) for dim in ("category", "building", "department", "channel")},
    )


DashboardComplaintBreakdownsSerializer = _breakdowns(
    "DashboardComplaintBreakdownsSerializer", DashboardComplaintRowSerializer
)
DashboardRepairBreakdownsSerializer = _breakdowns(
    "DashboardRepairBreakdownsSerializer", DashboardRepairRowSerializer
)


class DashboardTrendBucketSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()
    complaints = serializers.IntegerField()
    repairs = serializers.IntegerField()
    satisfaction = MeasureSerializer()


DashboardSerializer = type(
    "DashboardSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The supervisor's figures against their targets and the previous period.",
        "properties": serializers.ListField(child=serializers.IntegerField()),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "previous_from": serializers.DateField(),
        "previous_to": serializers.DateField(),
        "trend_by": serializers.ChoiceField(choices=[WEEK, MONTH]),
        "at": serializers.DateTimeField(help_text=_("When the snapshot figures were taken.")),
        "complaints_received": serializers.IntegerField(),
        "repairs_received": serializers.IntegerField(),
        "figures": DashboardFigureSerializer(many=True),
        "complaints": DashboardComplaintBreakdownsSerializer(),
        "repairs": DashboardRepairBreakdownsSerializer(),
        "trend": DashboardTrendBucketSerializer(many=True),
    },
)


def _measure(m: Measure) -> dict:
    return {"value": m.value, "numerator": m.numerator, "denominator": m.denominator}


def _row(row: BreakdownRow, kind: str) -> dict:
    found = {"key": row.key, "label": row.label, "count": row.count}
    if kind == "complaints":
        found.update(
            judged=row.judged,
            fixed=row.fixed,
            fixed_share=row.fixed_share,
            escalated=row.escalated,
            escalated_share=row.escalated_share,
        )
    else:
        found.update(handled=row.handled, handled_share=row.handled_share)
    return found


def body(d: Dashboard) -> dict:
    """The dashboard as the serializer's input."""
    return {
        "properties": [p.pk for p in d.properties],
        "from": d.start,
        "to": d.end,
        "previous_from": d.previous_start,
        "previous_to": d.previous_end,
        "trend_by": d.trend_by,
        "at": d.at,
        "complaints_received": d.complaint_total,
        "repairs_received": d.repair_total,
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "definition": f.definition,
                "kind": f.kind,
                "value": f.value,
                "numerator": f.current.numerator,
                "denominator": f.current.denominator,
                "target": f.target,
                "meets_target": f.meets_target,
                "previous": _measure(f.previous),
                "detail": [{"label": label, "count": count} for label, count in f.detail],
            }
            for f in d.figures
        ],
        "complaints": {
            dim: [_row(r, "complaints") for r in d.complaints[dim]] for dim in DIMENSIONS
        },
        "repairs": {dim: [_row(r, "repairs") for r in d.repairs[dim]] for dim in DIMENSIONS},
        "trend": [
            {
                "start": b.start,
                "end": b.end,
                "label": b.label,
                "complaints": b.complaints,
                "repairs": b.repairs,
                "satisfaction": _measure(b.satisfaction),
            }
            for b in d.trend
        ],
    }


class OneObjectSchema(AutoSchema):
    """The router's list route answers with one object (the dashboard), not a list."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class DashboardViewSet(viewsets.ViewSet):
    """The supervisor's dashboard: satisfaction, callbacks on time, repair handling rate,
    direct-impact fixes, escalations not acknowledged, overdue replies and callbacks, the
    collection rate, each with its target and the previous period; breakdowns and a trend."""

    schema = OneObjectSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "property",
                OpenApiTypes.STR,
                description=_("A property's id, or all (default: all you supervise)."),
            ),
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description=_("First day (default: this month's).")
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description=_("Last day (default: today).")),
            OpenApiParameter("trend", OpenApiTypes.STR, enum=[WEEK, MONTH]),
        ],
        responses=DashboardSerializer,
    )
    def list(self, request):
        if not policy.is_staff_member(request.user):
            raise PermissionDenied(_("The dashboard is for the service centre's supervisors."))
        try:
            filters, form = filters_from(request.query_params, request.user)
        except NotYours:
            raise NotFound from None
        if filters is None:
            errors = form.errors.get_json_data()
            raise ApiValidationError(
                {name: [e["message"] for e in found] for name, found in errors.items()}
            )
        d = dashboard_for(filters, timezone.now())
        return Response(DashboardSerializer(body(d)).data)
