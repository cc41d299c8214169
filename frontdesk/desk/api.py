"""REST API for the desk's own day: visitors, phone messages, parcels, keys in custody (with
their movements), lost and found, goods release passes, decoration applications, the shift
handover and the signed daily ledger.

Thin: every list and detail takes the policy's scope, the one the matching page shows (another
property's record is not found, 404), and every write is one call of frontdesk.desk.services:
bad input is a 400 with its message, a refusal of the policy a 403 (frontdesk.api's exception
handler). Lists page by id (ByIdPagination) in a fixed number of queries.

Uploaded signatures (parcel hand-over, key movements) are verified and re-encoded by
frontdesk.uploads before they reach a service, as every upload of the project is."""

import zoneinfo
from datetime import datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from frontdesk import policy, uploads
from frontdesk.api import ByIdPagination, TakesInput, choice, found, shown
from frontdesk.desk import services as desk
from frontdesk.desk.models import (
    DailyLedger,
    DecorationApplication,
    IdType,
    KeyDeposit,
    KeyMovement,
    LostItem,
    Parcel,
    PhoneMessage,
    RectificationNotice,
    ReleasePass,
    ShiftHandover,
    Visitor,
)
from frontdesk.models import Department

# Signatures drawn on a tablet: small images, re-encoded as PNG.
SIGNATURE_MAX_BYTES = 2 * uploads.MB
SIGNATURE_MAX_PIXELS = 4_000_000


VISITOR_STATES = [("expected", _("Expected")), ("in", _("In the building")), ("left", _("Left"))]
MESSAGE_STATES = [("unread", _("Unread")), ("read", _("Read"))]
PARCEL_STATES = [
    ("waiting", pgettext_lazy("parcel", "Waiting")),
    ("collected", pgettext_lazy("parcel", "Collected")),
]
KEY_STATES = [
    ("in", pgettext_lazy("key", "At the desk")),
    ("out", _("Handed out")),
    ("withdrawn", _("Withdrawn")),
]
LOST_STATES = [("unclaimed", _("Unclaimed")), ("claimed", _("Claimed"))]
HANDOVER_STATES = [("pending", _("Not yet taken over")), ("taken", _("Taken over"))]


# --- what is shown ---------------------------------------------------------------------------------


class UnitLabelled(serializers.ModelSerializer):
    """A record of a unit: its id and the way the desk says it ("2-1503")."""

    unit_label = serializers.CharField(source="unit.label", read_only=True, default=None)


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

    @extend_schema_field(shown("PhoneMessageStateEnum", MESSAGE_STATES))
    def get_state(self, message) -> str:
        return "read" if message.read_at else "unread"


class ParcelSerializer(UnitLabelled):
    """The pickup code is never shown: the resident received it and gives it at the desk."""

    state = serializers.SerializerMethodField()
    collected_with = shown(
        "ParcelCollectedWithEnum",
        [("code", _("Pickup code")), ("signature", _("Signature"))],
        allow_blank=True,
    )

    class Meta:
        model = Parcel
        fields = [
            "id",
            "property",
            "state",
            "unit",
            "unit_label",
            "recipient_name",
            "carrier",
            "tracking_number",
            "shelf",
            "received_at",
            "registered_by",
            "reminded_at",
            "collected_at",
            "collected_by_name",
            "collected_with",
            "handed_over_by",
        ]
        read_only_fields = fields

    @extend_schema_field(shown("ParcelStateEnum", PARCEL_STATES))
    def get_state(self, parcel) -> str:
        return "collected" if parcel.collected_at else "waiting"


class KeyMovementSerializer(serializers.ModelSerializer):
    kind = shown("KeyMovementKindEnum", KeyMovement.Kind.choices)
    signed = serializers.SerializerMethodField()

    class Meta:
        model = KeyMovement
        fields = ["id", "kind", "at", "person", "signed_name", "signed", "by"]
        read_only_fields = fields

    def get_signed(self, movement) -> bool:
        """Whether a drawn signature is on file (the file itself is not served here)."""
        return bool(movement.signature)


class KeySerializer(UnitLabelled):
    state = serializers.SerializerMethodField()

    class Meta:
        model = KeyDeposit
        fields = [
            "id",
            "property",
            "state",
            "unit",
            "unit_label",
            "label",
            "description",
            "deposited_by",
            "deposited_at",
            "authorised",
            "is_out",
            "withdrawn_at",
        ]
        read_only_fields = fields

    @extend_schema_field(shown("KeyStateEnum", KEY_STATES))
    def get_state(self, key) -> str:
        if key.withdrawn_at:
            return "withdrawn"
        return "out" if key.is_out else "in"


class KeyDetailSerializer(KeySerializer):
    movements = KeyMovementSerializer(many=True, read_only=True)

    class Meta(KeySerializer.Meta):
        fields = [*KeySerializer.Meta.fields, "movements"]
        read_only_fields = fields


class LostItemSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = LostItem
        fields = [
            "id",
            "property",
            "state",
            "description",
            "found_where",
            "found_at",
            "found_by",
            "stored_where",
            "registered_by",
            "claimed_at",
            "claimed_by",
            "claimant_id_last4",
            "handed_by",
        ]
        read_only_fields = fields

    @extend_schema_field(shown("LostItemStateEnum", LOST_STATES))
    def get_state(self, item) -> str:
        return "claimed" if item.claimed_at else "unclaimed"


class ReleasePassSerializer(UnitLabelled):
    state = shown("ReleasePassStateEnum", ReleasePass.State.choices)

    class Meta:
        model = ReleasePass
        fields = [
            "id",
            "property",
            "state",
            "unit",
            "unit_label",
            "carrier_name",
            "items",
            "requested_at",
            "requested_by",
            "approved_by",
            "decided_at",
            "released_at",
            "released_by",
        ]
        read_only_fields = fields


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationNotice
        fields = ["id", "issue", "deadline", "issued_at", "issued_by", "resolved_at"]
        read_only_fields = fields


class DecorationSerializer(UnitLabelled):
    state = shown("DecorationStateEnum", DecorationApplication.State.choices)

    class Meta:
        model = DecorationApplication
        fields = [
            "id",
            "property",
            "state",
            "unit",
            "unit_label",
            "resident",
            "contractor",
            "contractor_phone",
            "work",
            "starts",
            "ends",
            "applied_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "permit_number",
            "permitted_at",
        ]
        read_only_fields = fields


class DecorationDetailSerializer(DecorationSerializer):
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta(DecorationSerializer.Meta):
        fields = [*DecorationSerializer.Meta.fields, "rectifications"]
        read_only_fields = fields


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

    @extend_schema_field(shown("HandoverStateEnum", HANDOVER_STATES))
    def get_state(self, handover) -> str:
        return "taken" if handover.taken_over_at else "pending"


class LedgerSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyLedger
        fields = ["id", "property", "day", "totals", "note", "signed_by", "signed_at"]
        read_only_fields = fields


# --- what is accepted ------------------------------------------------------------------------------


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


class ParcelCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    carrier = serializers.CharField(max_length=40)
    shelf = serializers.CharField(max_length=20)
    tracking_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    recipient_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )


class ParcelHandOverSerializer(serializers.Serializer):
    """Against the pickup code, or a signature image (multipart)."""

    collected_by_name = serializers.CharField(max_length=60)
    code = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    signature = serializers.FileField(required=False, allow_null=True, default=None)


class KeyCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    label = serializers.CharField(max_length=20)
    description = serializers.CharField(max_length=100)
    deposited_by = serializers.CharField(max_length=60)
    authorised = serializers.CharField()


class KeyMoveSerializer(serializers.Serializer):
    """Who takes (or brings back) the key and the name they sign with; optionally the drawn
    signature as an image (multipart)."""

    person = serializers.CharField(max_length=60)
    signed_name = serializers.CharField(max_length=60)
    signature = serializers.FileField(required=False, allow_null=True, default=None)


class LostItemCreateSerializer(serializers.Serializer):
    property = serializers.IntegerField()
    description = serializers.CharField(max_length=200)
    found_where = serializers.CharField(max_length=100)
    found_by = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    stored_where = serializers.CharField(max_length=60)
    found_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class LostItemClaimSerializer(serializers.Serializer):
    claimed_by = serializers.CharField(max_length=60)
    claimant_id_last4 = serializers.CharField(
        max_length=4, required=False, allow_blank=True, default=""
    )


class ReleasePassCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    carrier_name = serializers.CharField(max_length=60)
    items = serializers.CharField()


class ReleasePassDecideSerializer(serializers.Serializer):
    """A resident of the unit approved or refused (by phone to the desk)."""

    resident = serializers.IntegerField()
    approve = serializers.BooleanField()


class DecorationCreateSerializer(serializers.Serializer):
    resident = serializers.IntegerField()
    unit = serializers.IntegerField()
    contractor = serializers.CharField(max_length=100)
    contractor_phone = serializers.CharField(max_length=20)
    work = serializers.CharField()
    starts = serializers.DateField()
    ends = serializers.DateField()


class DecorationReviewSerializer(serializers.Serializer):
    """The first review (初审): passed, or rejected with the reason."""

    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecorationRectifySerializer(serializers.Serializer):
    issue = serializers.CharField()
    deadline = serializers.DateField()


class HandoverCreateSerializer(serializers.Serializer):
    property = serializers.IntegerField()
    day = serializers.DateField()
    shift = choice("HandoverShiftEnum", ShiftHandover.Shift.choices)
    pending = serializers.CharField(required=False, allow_blank=True, default="")


class LedgerSignSerializer(serializers.Serializer):
    property = serializers.IntegerField()
    day = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- filters ---------------------------------------------------------------------------------------


class DeskFilter(django_filters.FilterSet):
    """What every list filters by: the property; ``day`` is a local day at each property."""

    property = django_filters.NumberFilter()
    day_field = ""

    def filter_day(self, queryset, name, value):
        return queryset.filter(self.local_day(self.day_field, value))

    def local_day(self, field: str, day) -> Q:
        """The records whose ``field`` falls on that calendar day at their own property, for
        each time zone of the caller's properties (one query)."""
        user = getattr(self.request, "user", None)
        zones = policy.properties_for(user).values_list("time_zone", flat=True).distinct()
        match = Q(pk__in=[])
        for zone in set(zones):
            start = datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(zone))
            match |= Q(
                property__time_zone=zone,
                **{f"{field}__gte": start, f"{field}__lt": start + timedelta(days=1)},
            )
        return match


def _state_filter(choices, conditions: dict[str, Q]):
    def method(queryset, _name, value):
        return queryset.filter(conditions[value]) if value in conditions else queryset

    return django_filters.ChoiceFilter(choices=choices, method=method)


class VisitorFilter(DeskFilter):
    state = _state_filter(
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
    state = _state_filter(
        MESSAGE_STATES, {"unread": Q(read_at__isnull=True), "read": Q(read_at__isnull=False)}
    )
    day = django_filters.DateFilter(method="filter_day", label=_("taken on this day"))
    day_field = "taken_at"

    class Meta:
        model = PhoneMessage
        fields = ["property", "state", "day", "for_resident", "for_user", "for_department"]


class ParcelFilter(DeskFilter):
    state = _state_filter(
        PARCEL_STATES,
        {"waiting": Q(collected_at__isnull=True), "collected": Q(collected_at__isnull=False)},
    )
    day = django_filters.DateFilter(method="filter_day", label=_("received on this day"))
    day_field = "received_at"

    class Meta:
        model = Parcel
        fields = ["property", "unit", "state", "day"]


class KeyFilter(DeskFilter):
    state = _state_filter(
        KEY_STATES,
        {
            "in": Q(withdrawn_at__isnull=True, is_out=False),
            "out": Q(withdrawn_at__isnull=True, is_out=True),
            "withdrawn": Q(withdrawn_at__isnull=False),
        },
    )

    class Meta:
        model = KeyDeposit
        fields = ["property", "unit", "state", "label"]


class LostItemFilter(DeskFilter):
    state = _state_filter(
        LOST_STATES,
        {"unclaimed": Q(claimed_at__isnull=True), "claimed": Q(claimed_at__isnull=False)},
    )
    day = django_filters.DateFilter(method="filter_day", label=_("found on this day"))
    day_field = "found_at"

    class Meta:
        model = LostItem
        fields = ["property", "state", "day"]


class ReleasePassFilter(DeskFilter):
    day = django_filters.DateFilter(method="filter_day", label=_("requested on this day"))
    day_field = "requested_at"

    class Meta:
        model = ReleasePass
        fields = ["property", "unit", "state", "day"]


class DecorationFilter(DeskFilter):
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=_("works planned on this day")
    )

    class Meta:
        model = DecorationApplication
        fields = ["property", "unit", "resident", "state", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts__lte=value, ends__gte=value)


class HandoverFilter(DeskFilter):
    state = _state_filter(
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


# --- the endpoints ---------------------------------------------------------------------------------


def _signature(upload):
    """The uploaded signature verified and re-encoded (PNG), or None."""
    if upload is None:
        return None
    try:
        return uploads.verified_image(
            upload,
            max_bytes=SIGNATURE_MAX_BYTES,
            max_pixels=SIGNATURE_MAX_PIXELS,
            encode_as=uploads.PNG,
        )
    except DjangoValidationError as exc:
        raise ApiValidationError({"signature": exc.messages}) from exc


class DeskRecordViewSet(
    TakesInput, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and detail of one kind of desk record, scoped to the caller's properties."""

    pagination_class = ByIdPagination
    model = None
    capability = ""  # the policy's read capability for this kind of record
    write_capability = ""  # and the one its actions need
    checked_on_the_record: set = set()  # actions whose capability has an object rule
    related: tuple = ()  # select_related for list and detail
    detail_prefetch: tuple = ()  # what only the detail shows
    detail_serializer_class = None
    inputs: dict = {}

    def initial(self, request, *args, **kwargs):
        """A write by someone who holds its capability nowhere is refused (403) before the
        input is read, as the page refuses it; the record itself is the service's to check."""
        super().initial(request, *args, **kwargs)
        if self.action in {"list", "retrieve", None, "metadata"} | self.checked_on_the_record:
            return
        if not policy.holds_somewhere(request.user, self.write_capability):
            raise PermissionDenied(policy.CAPABILITIES[self.write_capability].refusal)

    def scope(self):
        """What the matching page shows this user: the same policy scope."""
        return policy.desk_records(self.request.user, self.model, self.capability)

    def get_queryset(self):
        qs = self.scope().select_related(*self.related)
        if self.action != "list":
            qs = qs.prefetch_related(*self.detail_prefetch)
        return qs

    def get_serializer_class(self):
        if self.action == "list":
            return self.serializer_class
        if self.action == "retrieve":
            return self.detail_serializer_class or self.serializer_class
        return self.inputs.get(self.action, serializers.Serializer)

    # --- helpers for the writes

    def _respond(self, obj, status_code=status.HTTP_200_OK) -> Response:
        shown = self.get_queryset().get(pk=obj.pk)
        serializer = (self.detail_serializer_class or self.serializer_class)(
            shown, context=self.get_serializer_context()
        )
        return Response(serializer.data, status=status_code)

    def _unit(self, pk):
        return found(
            policy.units_for(self.request.user).select_related("building__property"), pk, "unit"
        )

    def _property(self, pk):
        prop = found(policy.properties_for(self.request.user), pk, "property")
        if prop is None:
            raise ApiValidationError({"property": [_("Name the property.")]})
        return prop

    def _resident(self, pk, field="resident"):
        return found(policy.residents_for(self.request.user).select_related("property"), pk, field)


def _shows(serializer, status_code=200):
    return {status_code: serializer}


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

    @extend_schema(request=VisitorCreateSerializer, responses=_shows(VisitorSerializer, 201))
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
        request=PhoneMessageCreateSerializer, responses=_shows(PhoneMessageSerializer, 201)
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


class ParcelViewSet(DeskRecordViewSet):
    """Mail and parcels kept at the desk until collected."""

    model = Parcel
    capability = "parcel.read"
    write_capability = "parcel.write"
    related = ("unit__building",)
    serializer_class = ParcelSerializer
    filterset_class = ParcelFilter
    inputs = {"create": ParcelCreateSerializer, "hand_over": ParcelHandOverSerializer}

    @extend_schema(request=ParcelCreateSerializer, responses=_shows(ParcelSerializer, 201))
    def create(self, request):
        """Register a parcel: the unit's residents are sent its pickup code."""
        data = self._valid(ParcelCreateSerializer)
        unit = self._unit(data.pop("unit"))
        parcel = desk.parcel_register(
            property=unit.building.property,
            by=request.user,
            unit=unit,
            **data,
        )
        return self._respond(parcel, status.HTTP_201_CREATED)

    @extend_schema(request=ParcelHandOverSerializer, responses=ParcelSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over", url_name="hand-over")
    def hand_over(self, request, pk=None):
        """Hand the parcel over against its pickup code or a signature; only once."""
        parcel = self.get_object()
        data = self._valid(ParcelHandOverSerializer)
        data["signature"] = _signature(data["signature"])
        return self._respond(desk.parcel_hand_over(parcel=parcel, by=request.user, **data))


class KeyViewSet(DeskRecordViewSet):
    """Keys in custody (钥匙委托管理) and every time they went out and came back."""

    model = KeyDeposit
    capability = "key.read"
    write_capability = "key.write"
    related = ("unit__building",)
    detail_prefetch = (Prefetch("movements", queryset=KeyMovement.objects.order_by("at", "id")),)
    serializer_class = KeySerializer
    detail_serializer_class = KeyDetailSerializer
    filterset_class = KeyFilter
    inputs = {
        "create": KeyCreateSerializer,
        "hand_out": KeyMoveSerializer,
        "return_key": KeyMoveSerializer,
    }

    @extend_schema(request=KeyCreateSerializer, responses=_shows(KeyDetailSerializer, 201))
    def create(self, request):
        data = self._valid(KeyCreateSerializer)
        unit = self._unit(data.pop("unit"))
        key = desk.key_deposit(property=unit.building.property, by=request.user, unit=unit, **data)
        return self._respond(key, status.HTTP_201_CREATED)

    def _move(self, service):
        key = self.get_object()
        data = self._valid(KeyMoveSerializer)
        data["signature"] = _signature(data["signature"])
        service(key=key, by=self.request.user, **data)
        return self._respond(key)

    @extend_schema(request=KeyMoveSerializer, responses=KeyDetailSerializer)
    @action(detail=True, methods=["post"], url_path="hand-out", url_name="hand-out")
    def hand_out(self, request, pk=None):
        """Give the key to someone the owner authorised; they sign for it."""
        return self._move(desk.key_hand_out)

    @extend_schema(request=KeyMoveSerializer, responses=KeyDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_key(self, request, pk=None):  # "return" is a keyword
        """The key comes back to the desk."""
        return self._move(desk.key_return)


class LostItemViewSet(DeskRecordViewSet):
    """Lost and found (失物招领)."""

    model = LostItem
    capability = "lost_item.read"
    write_capability = "lost_item.write"
    serializer_class = LostItemSerializer
    filterset_class = LostItemFilter
    inputs = {"create": LostItemCreateSerializer, "claim": LostItemClaimSerializer}

    @extend_schema(request=LostItemCreateSerializer, responses=_shows(LostItemSerializer, 201))
    def create(self, request):
        data = self._valid(LostItemCreateSerializer)
        prop = self._property(data.pop("property"))
        found_at = data.pop("found_at")
        item = desk.lost_item_register(property=prop, by=request.user, found_at=found_at, **data)
        return self._respond(item, status.HTTP_201_CREATED)

    @extend_schema(request=LostItemClaimSerializer, responses=LostItemSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        item = self.get_object()
        data = self._valid(LostItemClaimSerializer)
        return self._respond(desk.lost_item_claim(item=item, by=request.user, **data))


class ReleasePassViewSet(DeskRecordViewSet):
    """Goods release passes (物品出入放行): requested at the desk, decided by a resident of the
    unit, released by security."""

    model = ReleasePass
    capability = "pass.read"
    write_capability = "pass.write"
    checked_on_the_record = {"release"}
    related = ("unit__building",)
    serializer_class = ReleasePassSerializer
    filterset_class = ReleasePassFilter
    inputs = {"create": ReleasePassCreateSerializer, "decide": ReleasePassDecideSerializer}

    @extend_schema(
        request=ReleasePassCreateSerializer, responses=_shows(ReleasePassSerializer, 201)
    )
    def create(self, request):
        data = self._valid(ReleasePassCreateSerializer)
        unit = self._unit(data.pop("unit"))
        release = desk.release_pass_request(
            property=unit.building.property,
            by=request.user,
            unit=unit,
            **data,
        )
        return self._respond(release, status.HTTP_201_CREATED)

    @extend_schema(request=ReleasePassDecideSerializer, responses=ReleasePassSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """A resident of the unit approved or refused, by phone to the desk."""
        release = self.get_object()
        data = self._valid(ReleasePassDecideSerializer)
        resident = self._resident(data["resident"])
        return self._respond(
            desk.release_pass_decide(
                release=release,
                resident=resident,
                approve=data["approve"],
                by=request.user,
            )
        )

    @extend_schema(request=None, responses=ReleasePassSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Security lets the items out: only an approved pass, only once."""
        release = self.get_object()
        return self._respond(desk.release_pass_release(release=release, by=request.user))


class DecorationViewSet(DeskRecordViewSet):
    """Decoration applications (装修申请): first review, permit, rectification notices, done."""

    model = DecorationApplication
    capability = "decoration.read"
    write_capability = "decoration.write"
    related = ("unit__building",)
    detail_prefetch = (
        Prefetch(
            "rectifications", queryset=RectificationNotice.objects.order_by("issued_at", "id")
        ),
    )
    serializer_class = DecorationSerializer
    detail_serializer_class = DecorationDetailSerializer
    filterset_class = DecorationFilter
    inputs = {
        "create": DecorationCreateSerializer,
        "review": DecorationReviewSerializer,
        "rectify": DecorationRectifySerializer,
    }

    @extend_schema(
        request=DecorationCreateSerializer, responses=_shows(DecorationDetailSerializer, 201)
    )
    def create(self, request):
        """Apply for a resident's unit (the desk fills it in for the resident)."""
        data = self._valid(DecorationCreateSerializer)
        resident = self._resident(data.pop("resident"))
        unit = self._unit(data.pop("unit"))
        app = desk.decoration_apply(resident=resident, unit=unit, by=request.user, **data)
        return self._respond(app, status.HTTP_201_CREATED)

    @extend_schema(request=DecorationReviewSerializer, responses=DecorationDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The first review (初审)."""
        app = self.get_object()
        data = self._valid(DecorationReviewSerializer)
        return self._respond(desk.decoration_review(app=app, by=request.user, **data))

    @extend_schema(request=None, responses=DecorationDetailSerializer)
    @action(detail=True, methods=["post"])
    def permit(self, request, pk=None):
        """Issue the permit (装修许可证) with its number."""
        app = self.get_object()
        return self._respond(desk.decoration_permit(app=app, by=request.user))

    @extend_schema(request=DecorationRectifySerializer, responses=DecorationDetailSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        """A rectification notice (整改通知) during the works."""
        app = self.get_object()
        data = self._valid(DecorationRectifySerializer)
        desk.decoration_rectify(app=app, by=request.user, **data)
        return self._respond(app)

    @extend_schema(
        request=None,
        responses=DecorationDetailSerializer,
        parameters=[OpenApiParameter("notice_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"rectifications/(?P<notice_id>[0-9]+)/resolve",
        url_name="resolve",
    )
    def resolve(self, request, pk=None, notice_id=None):
        """A rectification put right; when none is left open, the works go on under the permit."""
        app = self.get_object()
        notice = get_object_or_404(
            RectificationNotice.objects.select_related("application__property"),
            application=app,
            pk=notice_id,
        )
        desk.rectification_resolve(notice=notice, by=request.user)
        return self._respond(app)

    @extend_schema(request=None, responses=DecorationDetailSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        app = self.get_object()
        return self._respond(desk.decoration_finish(app=app, by=request.user))


class HandoverViewSet(DeskRecordViewSet):
    """The shift handover (交接班记录): the shift's figures as handed over, what is pending."""

    model = ShiftHandover
    capability = "handover.read"
    write_capability = "handover.write"
    serializer_class = HandoverSerializer
    filterset_class = HandoverFilter
    inputs = {"create": HandoverCreateSerializer}

    @extend_schema(request=HandoverCreateSerializer, responses=_shows(HandoverSerializer, 201))
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

    @extend_schema(request=LedgerSignSerializer, responses=_shows(LedgerSerializer, 201))
    @action(detail=False, methods=["post"])
    def sign(self, request):
        """Sign a day's ledger: its figures are drawn from the day's records and kept."""
        data = self._valid(LedgerSignSerializer)
        prop = self._property(data.pop("property"))
        ledger = desk.ledger_sign(property=prop, by=request.user, **data)
        return self._respond(ledger, status.HTTP_201_CREATED)
