"""REST API for the core records; thin: scoped by the policy, writes through services."""

from collections import defaultdict
from types import SimpleNamespace

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from frontdesk import policy, services
from frontdesk.lean import Derived, LeanList, plan_for
from frontdesk.models import Resident, ResidentPhone, Unit, phone_validator
from frontdesk.services import PhoneInput, digits_of


class Keyset(CursorPagination):
    """Keyset pagination: page 400 costs what page 1 costs. Fifty a page; a client may ask for
    up to 200. A list names its order in a subclass."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ByIdPagination(Keyset):
    ordering = "pk"


class NewestReceivedFirst(Keyset):
    ordering = ("-received_at", "-id")


def _unit_label(row: dict) -> str | None:
    if row["unit__number"] is None:
        return None
    return Unit.label_of(row["unit__building__number"], row["unit__number"])


# A record's unit_label ("2-1503") in a lean list.
UNIT_LABEL = Derived(("unit__building__number", "unit__number"), _unit_label)


class UnitSerializer(serializers.ModelSerializer):
    building = serializers.CharField(source="building.number", read_only=True)
    property = serializers.IntegerField(source="building.property_id", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "property", "building", "floor", "number", "label", "area_m2"]

    lean = {
        "label": Derived(
            ("building__number", "number"),
            lambda row: Unit.label_of(row["building__number"], row["number"]),
        )
    }


class PhoneSerializer(serializers.ModelSerializer):
    number = serializers.CharField(max_length=20, validators=[phone_validator])

    class Meta:
        model = ResidentPhone
        fields = ["number", "label", "answered_by", "relation"]


class ResidentSerializer(serializers.ModelSerializer):
    phones = PhoneSerializer(many=True)
    units = serializers.PrimaryKeyRelatedField(many=True, queryset=Unit.objects.none())

    class Meta:
        model = Resident
        fields = [
            "id",
            "property",
            "archive_number",
            "name",
            "kind",
            "company",
            "units",
            "phones",
            "best_time_to_call",
            "preferred_language",
            "email",
            "move_in_date",
            "notes",
        ]
        read_only_fields = ["property", "archive_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only units the caller can see are accepted: another property's unit is "not found".
            self.fields["units"].child_relation.queryset = policy.units_for(
                request.user
            ).select_related("building")

    def validate_units(self, units):
        if not units:
            raise serializers.ValidationError(_("Choose at least one unit."))
        if len({u.building.property_id for u in units}) > 1:
            raise serializers.ValidationError(_("All units must belong to one property."))
        return units

    def validate_phones(self, phones):
        if not phones:
            raise serializers.ValidationError(_("Enter at least one phone number."))
        return phones

    lean = {
        "units": Derived(("id",), lambda row: row["lean:units"]),
        "phones": Derived(("id", "property", "user"), lambda row: row["lean:phones"]),
    }

    @staticmethod
    def lean_page(rows: list[dict], request) -> None:
        """The page's units and phones, one query each, the numbers masked as
        to_representation masks them."""
        ids = [row["id"] for row in rows]
        units = defaultdict(list)
        for resident_id, unit_id in Unit.objects.filter(residents__in=ids).values_list(
            "residents", "pk"
        ):
            units[resident_id].append(unit_id)
        phone_rows = list(
            ResidentPhone.objects.filter(resident__in=ids).values(
                "resident", "digits", *plan_for(PhoneSerializer).paths
            )
        )
        phones = defaultdict(list)
        for raw, shown in zip(phone_rows, plan_for(PhoneSerializer).rows(phone_rows), strict=True):
            phones[raw["resident"]].append((shown, raw["digits"]))
        for row in rows:
            resident = SimpleNamespace(property_id=row["property"], user_id=row["user"])
            full = policy.allows(request.user, "resident.phone.full", resident)
            row["lean:units"] = units[row["id"]]
            row["lean:phones"] = [
                shown if full else {**shown, "number": ResidentPhone.mask(digits)}
                for shown, digits in phones[row["id"]]
            ]

    def to_representation(self, instance):
        """Full numbers for the desk only; other staff see them masked, as on the card."""
        data = super().to_representation(instance)
        if not policy.allows(self.context["request"].user, "resident.phone.full", instance):
            for shown, phone in zip(data["phones"], instance.phones.all(), strict=True):
                shown["number"] = phone.masked
        return data

    def _service_args(self, data):
        data = dict(data)
        units = data.pop("units")
        phones = [PhoneInput(**p) for p in data.pop("phones")]
        return units, phones, data

    def create(self, validated_data):
        units, phones, fields = self._service_args(validated_data)
        property = units[0].building.property
        user = self.context["request"].user
        if not policy.allows(user, "resident.edit", property):
            raise PermissionDenied(_("Your role may not register residents here."))
        return services.resident_create(
            property=property,
            by=user,
            units=units,
            phones=phones,
            **fields,
        )

    def update(self, instance, validated_data):
        current = {
            "units": list(instance.units.all()),
            "phones": [PhoneSerializer(p).data for p in instance.phones.all()],
        }
        units, phones, fields = self._service_args({**current, **validated_data})
        return services.resident_update(
            resident=instance,
            by=self.context["request"].user,
            units=units,
            phones=phones,
            **fields,
        )


class NamedChoiceField(serializers.ChoiceField):
    """A choice field the schema shows as one named enum component."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """The complaint's choice sets share their field names (kind, channel, state, category)
    with the repair order's and the resident's: each is its own component (ComplaintStateEnum
    and so on) instead of an inline enum drf-spectacular would have to rename with a warning."""

    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def choice(enum_name: str, choices, **kwargs) -> NamedChoiceField:
    """A choice field shown in the schema as its own named enum (records share field names
    such as state, kind and channel, each with its own choices)."""
    return NamedChoiceField(choices, enum_name=enum_name, **kwargs)


def shown(enum_name: str, choices, **kwargs) -> NamedChoiceField:
    return choice(enum_name, choices, read_only=True, **kwargs)


def found(qs, pk, field):
    """The object named in the body, from what the caller may see; otherwise a 400 on the
    field (another property's object is simply "not found")."""
    obj = qs.filter(pk=pk).first() if pk is not None else None
    if pk is not None and obj is None:
        raise ApiValidationError({field: [_("Not found.")]})
    return obj


class TakesInput:
    """A viewset whose actions each read their body through one serializer."""

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def exception_handler(exc, context):
    """The API's one translation of a service's answer: a refusal of the policy is a 403 with
    its reason; any other ValidationError a 400 that names the fields it concerns, or carries
    the messages under "detail". DRF rolls the request's transaction back for both."""
    if isinstance(exc, policy.Refused):
        exc = PermissionDenied(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = ApiValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    return drf_exception_handler(exc, context)


class UnitFilter(django_filters.FilterSet):
    property = django_filters.NumberFilter(field_name="building__property")
    building = django_filters.CharFilter(field_name="building__number")

    class Meta:
        model = Unit
        fields = ["property", "building", "floor", "number"]


class ResidentFilter(django_filters.FilterSet):
    building = django_filters.CharFilter(field_name="units__building__number", distinct=True)
    unit = django_filters.NumberFilter(field_name="units", distinct=True)
    name = django_filters.CharFilter(lookup_expr="icontains")
    phone = django_filters.CharFilter(method="filter_phone", label=_("any part of a phone number"))
    moved_in_after = django_filters.DateFilter(field_name="move_in_date", lookup_expr="gte")
    moved_in_before = django_filters.DateFilter(field_name="move_in_date", lookup_expr="lte")

    class Meta:
        model = Resident
        fields = ["property", "kind", "archive_number", "building", "unit", "name", "phone"]

    def filter_phone(self, queryset, name, value):
        digits = digits_of(value)
        if not digits:
            raise ApiValidationError({"phone": [_("Enter some digits of a phone number.")]})
        return queryset.filter(phones__digits__contains=digits).distinct()


class StaffWritesOnly(permissions.BasePermission):
    """Residents may read their own records through the API; only staff change them."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return policy.is_staff_member(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return policy.allows(request.user, "resident.edit", obj)


class UnitViewSet(LeanList, viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    pagination_class = ByIdPagination

    def get_queryset(self):
        return policy.units_for(self.request.user).select_related("building")


class ResidentViewSet(
    LeanList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter
    pagination_class = ByIdPagination
    permission_classes = [permissions.IsAuthenticated, StaffWritesOnly]

    def get_queryset(self):
        return policy.residents_for(self.request.user).prefetch_related("units", "phones")


router = DefaultRouter()
router.register("residents", ResidentViewSet, basename="resident")
router.register("units", UnitViewSet, basename="unit")
