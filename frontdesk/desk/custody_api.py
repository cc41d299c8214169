"""REST API for what the desk keeps: parcels until collected, keys in custody (with their
movements), lost and found. What every endpoint shares is frontdesk.desk.records_api; every
write is one call of frontdesk.desk.registers_services."""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action

from frontdesk.api import shown
from frontdesk.desk import registers_services as desk
from frontdesk.desk.models import (
    KeyDeposit,
    KeyMovement,
    LostItem,
    Parcel,
)
from frontdesk.desk.records_api import (
    DeskFilter,
    DeskRecordViewSet,
    UnitLabelled,
    shows,
    signature,
    state_filter,
)
from frontdesk.lean import Derived

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

# --- what is shown---------------------------------------------------------------------------------


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

    lean = {**UnitLabelled.lean, "state": Derived(("collected_at",))}

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

    lean = {**UnitLabelled.lean, "state": Derived(("withdrawn_at", "is_out"))}

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

    lean = {"state": Derived(("claimed_at",))}

    @extend_schema_field(shown("LostItemStateEnum", LOST_STATES))
    def get_state(self, item) -> str:
        return "claimed" if item.claimed_at else "unclaimed"


# --- what is accepted------------------------------------------------------------------------------


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


# --- filters---------------------------------------------------------------------------------------


class ParcelFilter(DeskFilter):
    state = state_filter(
        PARCEL_STATES,
        {"waiting": Q(collected_at__isnull=True), "collected": Q(collected_at__isnull=False)},
    )
    day = django_filters.DateFilter(method="filter_day", label=_("received on this day"))
    day_field = "received_at"

    class Meta:
        model = Parcel
        fields = ["property", "unit", "state", "day"]


class KeyFilter(DeskFilter):
    state = state_filter(
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
    state = state_filter(
        LOST_STATES,
        {"unclaimed": Q(claimed_at__isnull=True), "claimed": Q(claimed_at__isnull=False)},
    )
    day = django_filters.DateFilter(method="filter_day", label=_("found on this day"))
    day_field = "found_at"

    class Meta:
        model = LostItem
        fields = ["property", "state", "day"]


# --- the endpoints---------------------------------------------------------------------------------


class ParcelViewSet(DeskRecordViewSet):
    """Mail and parcels kept at the desk until collected."""

    model = Parcel
    capability = "parcel.read"
    write_capability = "parcel.write"
    related = ("unit__building",)
    serializer_class = ParcelSerializer
    filterset_class = ParcelFilter
    inputs = {"create": ParcelCreateSerializer, "hand_over": ParcelHandOverSerializer}

    @extend_schema(request=ParcelCreateSerializer, responses=shows(ParcelSerializer, 201))
    def create(self, request):
        """Register a parcel: the unit's residents are sent its pickup code."""
        return self._created_at_unit(ParcelCreateSerializer, desk.parcel_register)

    @extend_schema(request=ParcelHandOverSerializer, responses=ParcelSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over", url_name="hand-over")
    def hand_over(self, request, pk=None):
        """Hand the parcel over against its pickup code or a signature; only once."""
        parcel = self.get_object()
        data = self._valid(ParcelHandOverSerializer)
        data["signature"] = signature(data["signature"])
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

    @extend_schema(request=KeyCreateSerializer, responses=shows(KeyDetailSerializer, 201))
    def create(self, request):
        return self._created_at_unit(KeyCreateSerializer, desk.key_deposit)

    def _move(self, service):
        key = self.get_object()
        data = self._valid(KeyMoveSerializer)
        data["signature"] = signature(data["signature"])
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

    @extend_schema(request=LostItemCreateSerializer, responses=shows(LostItemSerializer, 201))
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
