"""REST API for the shift handover and the signed daily ledger. What every endpoint shares is
frontdesk.desk.records_api; every write is one call of frontdesk.desk.shift_services."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action

from frontdesk.api import choice, shown
from frontdesk.desk import shift_services as desk
from frontdesk.desk.models import (
    DailyLedger,
    ShiftHandover,
)
from frontdesk.desk.records_api import DeskFilter, DeskRecordViewSet, shows, state_filter
from frontdesk.lean import Derived

HANDOVER_STATES = [("pending", _("Not yet taken over")), ("taken", _("Taken over"))]

# --- what is shown---------------------------------------------------------------------------------


class HandoverSerializer(serializers.ModelSerializer):
    shift = shown("HandoverShiftEnum", ShiftHandover.Shift.choices)
    state = serializers.SerializerMethodField()

    class Meta:
        model = ShiftHandover
        fields = [
            "id",
            "property",
            "day",
            "shift",
            "state",
            "handed_over_by",
            "handed_over_at",
            "done",
            "pending",
            "taken_over_by",
            "taken_over_at",
        ]
        read_only_fields = fields

    lean = {"state": Derived(("taken_over_at",))}

    @extend_schema_field(shown("HandoverStateEnum", HANDOVER_STATES))
    def get_state(self, handover) -> str:
        return "taken" if handover.taken_over_at else "pending"


class LedgerSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyLedger
        fields = ["id", "property", "day", "totals", "note", "signed_by", "signed_at"]
        read_only_fields = fields


# --- what is accepted------------------------------------------------------------------------------


class HandoverCreateSerializer(serializers.Serializer):
    property = serializers.IntegerField()
    day = serializers.DateField()
    shift = choice("HandoverShiftEnum", ShiftHandover.Shift.choices)
    pending = serializers.CharField(required=False, allow_blank=True, default="")


class LedgerSignSerializer(serializers.Serializer):
    property = serializers.IntegerField()
    day = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- filters---------------------------------------------------------------------------------------


class HandoverFilter(DeskFilter):
    state = state_filter(
        HANDOVER_STATES,
        {"pending": Q(taken_over_at__isnull=True), "taken": Q(taken_over_at__isnull=False)},
    )

    class Meta:
        model = ShiftHandover
        fields = ["property", "day", "shift", "state"]


class LedgerFilter(DeskFilter):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = DailyLedger
        fields = ["property", "day", "day_from", "day_to"]


# --- the endpoints---------------------------------------------------------------------------------


class HandoverViewSet(DeskRecordViewSet):
    """The shift handover (交接班记录): the shift's figures as handed over, what is pending."""

    model = ShiftHandover
    capability = "handover.read"
    write_capability = "handover.write"
    serializer_class = HandoverSerializer
    filterset_class = HandoverFilter
    inputs = {"create": HandoverCreateSerializer}

    @extend_schema(request=HandoverCreateSerializer, responses=shows(HandoverSerializer, 201))
    def create(self, request):
        data = self._valid(HandoverCreateSerializer)
        prop = self._property(data.pop("property"))
        handover = desk.handover_record(property=prop, by=request.user, **data)
        return self._respond(handover, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=HandoverSerializer)
    @action(detail=True, methods=["post"], url_path="take-over", url_name="take-over")
    def take_over(self, request, pk=None):
        """The next shift takes over (not the one handing over)."""
        handover = self.get_object()
        return self._respond(desk.handover_take_over(handover=handover, by=request.user))


class LedgerViewSet(DeskRecordViewSet):
    """The daily work ledger (工作台帐), signed by the supervisor once a day."""

    model = DailyLedger
    capability = "ledger.read"
    write_capability = "ledger.sign"
    serializer_class = LedgerSerializer
    filterset_class = LedgerFilter
    inputs = {"sign": LedgerSignSerializer}

    @extend_schema(request=LedgerSignSerializer, responses=shows(LedgerSerializer, 201))
    @action(detail=False, methods=["post"])
    def sign(self, request):
        """Sign a day's ledger: its figures are drawn from the day's records and kept."""
        data = self._valid(LedgerSignSerializer)
        prop = self._property(data.pop("property"))
        ledger = desk.ledger_sign(property=prop, by=request.user, **data)
        return self._respond(ledger, status.HTTP_201_CREATED)
