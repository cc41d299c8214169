"""REST API for who comes and calls: visitors (announced or walk-in) and phone messages. What
every endpoint shares is frontdesk.desk.records_api; every write is one call of
frontdesk.desk.registers_services."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action

from frontdesk import policy
from frontdesk.api import choice, found, shown
from frontdesk.desk import registers_services as desk
from frontdesk.desk.models import (
    IdType,
    PhoneMessage,
    Visitor,
)
from frontdesk.desk.records_api import (
    DeskFilter,
    DeskRecordViewSet,
    UnitLabelled,
    shows,
    state_filter,
)
from frontdesk.lean import Derived
from frontdesk.models import Department

VISITOR_STATES = [("expected", _("Expected")), ("in", _("In the building")), ("left", _("Left"))]
MESSAGE_STATES = [("unread", _("Unread")), ("read", _("Read"))]

# --- what is shown---------------------------------------------------------------------------------


class VisitorSerializer(UnitLabelled):
    id_type = shown("VisitorIdTypeEnum", IdType.choices, allow_blank=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Visitor
        fields = [
            "id",
            "property",
            "state",
            "name",
            "phone",
            "unit",
            "unit_label",
            "visiting",
            "purpose",
            "id_type",
            "id_last4",
            "expected_on",
            "announced_by",
            "arrived_at",
            "left_at",
            "registered_by",
            "created_at",
        ]
        read_only_fields = fields

    lean = {**UnitLabelled.lean, "state": Derived(("left_at", "arrived_at"))}

    @extend_schema_field(shown("VisitorStateEnum", VISITOR_STATES))
    def get_state(self, visitor) -> str:
        if visitor.left_at:
            return "left"
        return "in" if visitor.arrived_at else "expected"


class PhoneMessageSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = PhoneMessage
        fields = [
            "id",
            "property",
            "state",
            "caller_name",
            "caller_phone",
            "text",
            "for_resident",
            "for_user",
            "for_department",
            "taken_by",
            "taken_at",
            "read_at",
            "read_by",
        ]
        read_only_fields = fields

    lean = {"state": Derived(("read_at",))}

    @extend_schema_field(shown("PhoneMessageStateEnum", MESSAGE_STATES))
    def get_state(self, message) -> str:
        return "read" if message.read_at else "unread"


# --- what is accepted------------------------------------------------------------------------------


class VisitorCreateSerializer(serializers.Serializer):
    """A walk-in visitor, registered as arrived now. Name the unit visited, or (for an office
    visitor) whom they visit and the property."""

    property = serializers.IntegerField(required=False)
    unit = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=60)
    purpose = serializers.CharField(max_length=200)
    visiting = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    id_type = choice("VisitorIdTypeEnum", IdType.choices, allow_blank=True, default="")
    id_last4 = serializers.CharField(max_length=4, required=False, allow_blank=True, default="")


class VisitorArriveSerializer(serializers.Serializer):
    id_type = choice("VisitorIdTypeEnum", IdType.choices, allow_blank=True, default="")
    id_last4 = serializers.CharField(max_length=4, required=False, allow_blank=True, default="")


class PhoneMessageCreateSerializer(serializers.Serializer):
    """A message for one recipient: a resident, a staff member or a department."""

    property = serializers.IntegerField(required=False)
    caller_name = serializers.CharField(max_length=60)
    caller_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    text = serializers.CharField()
    for_resident = serializers.IntegerField(required=False, allow_null=True)
    for_user = serializers.IntegerField(required=False, allow_null=True)
    for_department = serializers.IntegerField(required=False, allow_null=True)


# --- filters---------------------------------------------------------------------------------------


class VisitorFilter(DeskFilter):
    state = state_filter(
        VISITOR_STATES,
        {
            "expected": Q(arrived_at__isnull=True),
            "in": Q(arrived_at__isnull=False, left_at__isnull=True),
            "left": Q(left_at__isnull=False),
        },
    )
    day = django_filters.DateFilter(
        method="filter_day", label=_("arrived on, or expected on, this day")
    )

    class Meta:
        model = Visitor
        fields = ["property", "unit", "state", "day"]

    def filter_day(self, queryset, name, value):
        return queryset.filter(self.local_day("arrived_at", value) | Q(expected_on=value))


class PhoneMessageFilter(DeskFilter):
    state = state_filter(
        MESSAGE_STATES, {"unread": Q(read_at__isnull=True), "read": Q(read_at__isnull=False)}
    )
    day = django_filters.DateFilter(method="filter_day", label=_("taken on this day"))
    day_field = "taken_at"

    class Meta:
        model = PhoneMessage
        fields = ["property", "state", "day", "for_resident", "for_user", "for_department"]


# --- the endpoints---------------------------------------------------------------------------------


class VisitorViewSet(DeskRecordViewSet):
    """Visitors (访客登记): walk-ins registered at the desk, and visitors residents announced
    for a day, with their arrival and departure."""

    model = Visitor
    capability = "visitor.read"
    write_capability = "visitor.write"
    related = ("unit__building",)
    serializer_class = VisitorSerializer
    filterset_class = VisitorFilter
    inputs = {"create": VisitorCreateSerializer, "arrive": VisitorArriveSerializer}

    @extend_schema(request=VisitorCreateSerializer, responses=shows(VisitorSerializer, 201))
    def create(self, request):
        data = self._valid(VisitorCreateSerializer)
        unit = self._unit(data.pop("unit", None))
        prop_id = data.pop("property", None)
        prop = unit.building.property if unit is not None else self._property(prop_id)
        visitor = desk.visitor_register(property=prop, by=request.user, unit=unit, **data)
        return self._respond(visitor, status.HTTP_201_CREATED)

    @extend_schema(request=VisitorArriveSerializer, responses=VisitorSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        """An announced visitor arrives at the desk."""
        visitor = self.get_object()
        data = self._valid(VisitorArriveSerializer)
        return self._respond(desk.visitor_arrive(visitor=visitor, by=request.user, **data))

    @extend_schema(request=None, responses=VisitorSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        visitor = self.get_object()
        return self._respond(desk.visitor_leave(visitor=visitor, by=request.user))


class PhoneMessageViewSet(DeskRecordViewSet):
    """Phone messages (留言) taken for a resident, a staff member or a department."""

    model = PhoneMessage
    capability = "message.read"
    write_capability = "message.write"
    checked_on_the_record = {"mark_read"}
    serializer_class = PhoneMessageSerializer
    filterset_class = PhoneMessageFilter
    inputs = {"create": PhoneMessageCreateSerializer}

    def scope(self):
        """The desk's messages and the ones for the caller, as the message page shows."""
        return policy.messages_for(self.request.user)

    @extend_schema(
        request=PhoneMessageCreateSerializer, responses=shows(PhoneMessageSerializer, 201)
    )
    def create(self, request):
        data = self._valid(PhoneMessageCreateSerializer)
        resident = self._resident(data.pop("for_resident", None), "for_resident")
        prop_id = data.pop("property", None)
        prop = resident.property if resident is not None else self._property(prop_id)
        user_id, department_id = data.pop("for_user", None), data.pop("for_department", None)
        for_user = found(policy.staff_with_roles(prop.pk, policy.STAFF), user_id, "for_user")
        department = found(
            Department.objects.filter(property=prop), department_id, "for_department"
        )
        message = desk.message_take(
            property=prop,
            by=request.user,
            for_resident=resident,
            for_user=for_user,
            for_department=department,
            **data,
        )
        return self._respond(message, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PhoneMessageSerializer)
    @action(detail=True, methods=["post"], url_path="read", url_name="read")
    def mark_read(self, request, pk=None):
        """The recipient (or, for a resident, the desk that passed it on) marks it read."""
        message = self.get_object()
        return self._respond(desk.message_mark_read(message=message, by=request.user))
