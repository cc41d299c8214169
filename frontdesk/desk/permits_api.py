"""REST API for goods release passes and decoration applications (with their rectification
notices). What every endpoint shares is frontdesk.desk.records_api; every write is one call of
frontdesk.desk.permits_services."""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from frontdesk.api import shown
from frontdesk.desk import permits_services as desk
from frontdesk.desk.models import (
    DecorationApplication,
    RectificationNotice,
    ReleasePass,
)
from frontdesk.desk.records_api import DeskFilter, DeskRecordViewSet, UnitLabelled, shows

# --- what is shown---------------------------------------------------------------------------------


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


# --- what is accepted------------------------------------------------------------------------------


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


# --- filters---------------------------------------------------------------------------------------


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


# --- the endpoints---------------------------------------------------------------------------------


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

    @extend_schema(request=ReleasePassCreateSerializer, responses=shows(ReleasePassSerializer, 201))
    def create(self, request):
        return self._created_at_unit(ReleasePassCreateSerializer, desk.release_pass_request)

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
        request=DecorationCreateSerializer, responses=shows(DecorationDetailSerializer, 201)
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
