"""REST API for repair orders: list, detail, create, and each transition as an action.
Scoped by the policy; every write is one service call."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from frontdesk import policy
from frontdesk.api import NewestReceivedFirst, TakesInput, found
from frontdesk.lean import LeanList
from frontdesk.models import Department, User
from tickets.models import PriceItem, RepairEvent, RepairLine, RepairOrder, RepairPayment
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepairLine
        fields = ["stage", "name", "unit", "unit_price", "quantity", "amount"]


class EventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None)

    class Meta:
        model = RepairEvent
        fields = ["at", "by", "kind", "state", "note"]


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepairOrder
        fields = [
            "id",
            "number",
            "property",
            "state",
            "resident",
            "unit",
            "is_public_area",
            "location",
            "contact_phone",
            "channel",
            "category",
            "urgency",
            "description",
            "preferred_times",
            "address_confirmed",
            "appointment_start",
            "appointment_end",
            "chargeable",
            "agreed_at",
            "agreed_total",
            "department",
            "engineer",
            "received_at",
            "dispatched_at",
            "accepted_at",
            "completed_at",
            "closed_at",
            "cause",
            "work_done",
            "advice",
            "signed_name",
            "signed_at",
            "signed_via",
            "cancel_reason",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    lines = LineSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines", "events"]
        read_only_fields = fields


class OrderCreateSerializer(serializers.Serializer):
    resident = serializers.IntegerField(required=False, allow_null=True)
    unit = serializers.IntegerField(required=False, allow_null=True)
    is_public_area = serializers.BooleanField(default=False)
    location = serializers.CharField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=RepairOrder.Channel.choices)
    category = serializers.ChoiceField(choices=RepairOrder.Category.choices)
    urgency = serializers.ChoiceField(choices=RepairOrder.Urgency.choices, default="normal")
    description = serializers.CharField()
    preferred_times = serializers.CharField(required=False, allow_blank=True, default="")
    address_confirmed = serializers.BooleanField(default=False)
    appointment_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    appointment_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    chargeable = serializers.BooleanField(default=False)
    property = serializers.IntegerField(required=False)


class OrderFilter(django_filters.FilterSet):
    building = django_filters.CharFilter(field_name="unit__building__number")
    received_after = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    received_before = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")

    class Meta:
        model = RepairOrder
        fields = [
            "property",
            "state",
            "category",
            "department",
            "engineer",
            "channel",
            "building",
            "resident",
        ]


class ActionSerializer(serializers.Serializer):
    """Inputs of the transitions; each action reads the fields it needs."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    via = serializers.CharField(required=False, default="phone")
    department = serializers.IntegerField(required=False)
    engineer = serializers.IntegerField(required=False, allow_null=True)
    appointment_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    appointment_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    lines = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    work_done = serializers.CharField(required=False, allow_blank=True, default="")
    advice = serializers.CharField(required=False, allow_blank=True, default="")
    signed_name = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    method = serializers.CharField(required=False, default="cash")
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Send the same key again and the payment already recorded is returned."),
    )


class RepairPaymentSerializer(serializers.ModelSerializer):
    received_by = serializers.CharField(source="received_by.username")

    class Meta:
        model = RepairPayment
        fields = [
            "id",
            "amount",
            "method",
            "reference",
            "idempotency_key",
            "received_by",
            "received_at",
        ]
        read_only_fields = fields


class PaidOrderSerializer(OrderDetailSerializer):
    """The order after pay, with the payment: the one just recorded, or for a key sent again
    the one recorded before."""

    payment = RepairPaymentSerializer(read_only=True)

    class Meta(OrderDetailSerializer.Meta):
        fields = [*OrderDetailSerializer.Meta.fields, "payment"]
        read_only_fields = fields


class RepairOrderViewSet(
    TakesInput, LeanList, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = OrderFilter
    pagination_class = NewestReceivedFirst

    def get_queryset(self):
        qs = policy.repairs_for(self.request.user)
        if self.action == "retrieve":
            return qs.prefetch_related("lines", "events__by")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OrderDetailSerializer
        if self.action == "create":
            return OrderCreateSerializer
        if self.action in ("list",):
            return OrderSerializer
        return ActionSerializer

    def _may(self, capability: str, record) -> None:
        """The page's refusal, as a 403 with the policy's message, before the input is read."""
        if not policy.allows(self.request.user, capability, record):
            raise PermissionDenied(policy.CAPABILITIES[capability].refusal)

    @extend_schema(request=OrderCreateSerializer, responses=OrderDetailSerializer)
    def create(self, request):
        data = self._valid(OrderCreateSerializer)
        user = request.user
        resident = found(policy.residents_for(user), data.pop("resident", None), "resident")
        unit = found(
            policy.units_for(user).select_related("building"), data.pop("unit", None), "unit"
        )
        prop_id = data.pop("property", None)
        prop = (resident and resident.property) or (unit and unit.building.property)
        if prop is None:
            prop = found(policy.properties_for(user), prop_id, "property")
        if prop is None:
            raise ApiValidationError({"property": [_("Name the property of the repair.")]})
        if policy.is_staff_member(user):
            self._may("repair.take", prop)
        order = repairs.repair_receive(property=prop, by=user, resident=resident, unit=unit, **data)
        return Response(OrderDetailSerializer(order).data, status=status.HTTP_201_CREATED)

    def _respond(self, order):
        order = RepairOrder.objects.prefetch_related("lines", "events__by").get(pk=order.pk)
        return Response(OrderDetailSerializer(order).data)

    def _lines(self, order, raw):
        items = PriceItem.objects.filter(property=order.property, active=True)
        try:
            return [LineInput(items.get(pk=line["price_item"]), line["quantity"]) for line in raw]
        except (KeyError, PriceItem.DoesNotExist, TypeError) as exc:
            raise ApiValidationError(
                {"lines": [_("Each line needs a price_item of this property and a quantity.")]}
            ) from exc

    @action(detail=True, methods=["post"])
    def quote(self, request, pk=None):
        order = self.get_object()
        self._may("repair.take", order)
        data = self._valid(ActionSerializer)
        return self._respond(
            repairs.repair_quote(
                order=order,
                by=request.user,
                lines=self._lines(order, data["lines"]),
            )
        )

    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        order = self.get_object()
        self._may("repair.agree", order)
        if policy.is_staff_member(request.user):
            via = self._valid(ActionSerializer)["via"]
        else:
            via = "portal"
        return self._respond(repairs.repair_agree(order=order, by=request.user, via=via))

    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_order(self, request, pk=None):  # "dispatch" is the view's own method
        order = self.get_object()
        self._may("repair.take", order)
        data = self._valid(ActionSerializer)
        department = found(
            Department.objects.filter(property=order.property), data.get("department"), "department"
        )
        if department is None:
            raise ApiValidationError({"department": [_("Choose the department.")]})
        engineer = found(
            User.objects.filter(memberships__property=order.property).distinct(),
            data.get("engineer"),
            "engineer",
        )
        return self._respond(
            repairs.repair_dispatch(
                order=order,
                by=request.user,
                department=department,
                engineer=engineer,
                appointment_start=data["appointment_start"],
                appointment_end=data["appointment_end"],
            )
        )

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        order = self.get_object()
        self._may("repair.work", order)
        return self._respond(repairs.repair_accept(order=order, by=request.user))

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        order = self.get_object()
        self._may("repair.work", order)
        data = self._valid(ActionSerializer)
        return self._respond(
            repairs.repair_complete(
                order=order,
                by=request.user,
                cause=data["cause"],
                work_done=data["work_done"],
                advice=data["advice"],
                used=self._lines(order, data["lines"]),
            )
        )

    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        order = self.get_object()
        self._may("repair.sign_off", order)
        data = self._valid(ActionSerializer)
        if policy.is_staff_member(request.user):
            via = "phone"
        else:
            via = "portal"
        return self._respond(
            repairs.repair_sign_off(
                order=order,
                by=request.user,
                via=via,
                signed_name=data["signed_name"],
            )
        )

    @extend_schema(request=ActionSerializer, responses=PaidOrderSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        order = self.get_object()
        self._may("repair.pay", order)
        data = self._valid(ActionSerializer)
        if data.get("amount") is None:
            raise ApiValidationError({"amount": [_("Enter the amount.")]})
        payment = repairs.repair_pay(
            order=order,
            by=request.user,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            idempotency_key=data["idempotency_key"],
        )
        shown = RepairOrder.objects.prefetch_related("lines", "events__by").get(pk=order.pk)
        shown.payment = payment
        return Response(PaidOrderSerializer(shown).data)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order = self.get_object()
        self._may("repair.take", order)
        return self._respond(repairs.repair_close(order=order, by=request.user))

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        self._may("repair.take", order)
        reason = self._valid(ActionSerializer)["reason"]
        return self._respond(repairs.repair_cancel(order=order, by=request.user, reason=reason))

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        order = self.get_object()
        self._may("repair.take", order)
        reason = self._valid(ActionSerializer)["reason"]
        return self._respond(repairs.repair_reopen(order=order, by=request.user, reason=reason))
