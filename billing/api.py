"""REST API for fees: fee notices (交费通知单), payments with their receipts, and the collection
rate (收缴率).

Scoped by the policy: staff see their properties' notices and payments, a resident the
ones of their own units; another property's is not found (404). Only the desk and finance at
the unit's property take a payment, through billing.payments.payment_take, whose refusal is a
400 with its message. A payment sent again with the same idempotency key is the one already
recorded (200, not 201)."""

from datetime import date

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from billing import queries
from billing.import_parse import parse_month
from billing.models import Allocation, FeeNotice, FeeNoticeLine, Payment
from billing.notices import first_of_month, last_of_month
from billing.payments import payment_take
from frontdesk import policy
from frontdesk.api import UNIT_LABEL, Keyset, NewestReceivedFirst, choice, found, shown
from frontdesk.lean import Derived, LeanList
from frontdesk.models import Building

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- pagination ----------------------------------------------------------------------------------


class NoticesNewestFirst(Keyset):
    ordering = ("-period", "-id")


# --- fee notices -----------------------------------------------------------------------------------


class FeeNoticeLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeNoticeLine
        fields = ["id", "fee_item", "description", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class NoticePaymentSerializer(serializers.ModelSerializer):
    """A payment applied to the notice (a void or refund is a negative row)."""

    receipt = serializers.CharField(source="payment.number", read_only=True)

    class Meta:
        model = Allocation
        fields = ["payment", "receipt", "amount", "at"]
        read_only_fields = fields


class FeeNoticeSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.label", read_only=True)
    kind = shown("FeeNoticeKindEnum", FeeNotice.Kind.choices)
    outstanding = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = FeeNotice
        fields = [
            "id",
            "number",
            "property",
            "unit",
            "unit_label",
            "kind",
            "period",
            "issued_at",
            "due_date",
            "total",
            "paid",
            "outstanding",
            "settled",
            "arrears_before",
            "note",
        ]
        read_only_fields = fields

    lean = {
        "unit_label": UNIT_LABEL,
        "outstanding": Derived(("total", "paid"), lambda row: row["total"] - row["paid"]),
    }


class FeeNoticeDetailSerializer(FeeNoticeSerializer):
    lines = FeeNoticeLineSerializer(many=True, read_only=True)
    payments = NoticePaymentSerializer(source="allocations", many=True, read_only=True)

    class Meta(FeeNoticeSerializer.Meta):
        fields = [*FeeNoticeSerializer.Meta.fields, "lines", "payments"]
        read_only_fields = fields


class FeeNoticeFilter(django_filters.FilterSet):
    property = django_filters.NumberFilter()
    unit = django_filters.NumberFilter()
    period = django_filters.CharFilter(
        method="filter_period", label=_("the billed month, as YYYY-MM")
    )
    settled = django_filters.BooleanFilter()
    kind = django_filters.ChoiceFilter(choices=FeeNotice.Kind.choices)

    class Meta:
        model = FeeNotice
        fields = ["property", "unit", "period", "settled", "kind"]

    def filter_period(self, queryset, name, value):
        """The month's notices; an opening balance dated in that month too."""
        try:
            first = parse_month(value)
        except ValueError:
            raise ApiValidationError({"period": [_("Enter a month as YYYY-MM.")]}) from None
        return queryset.filter(period__gte=first, period__lte=last_of_month(first))


class FeeNoticeViewSet(LeanList, viewsets.ReadOnlyModelViewSet):
    """Fee notices, newest period first, with their lines and payments in the detail."""

    filterset_class = FeeNoticeFilter
    pagination_class = NoticesNewestFirst

    def get_queryset(self):
        qs = queries.notices_for(self.request.user).select_related("unit__building")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("lines", queryset=FeeNoticeLine.objects.order_by("id")),
                Prefetch(
                    "allocations",
                    queryset=Allocation.objects.select_related("payment").order_by("at", "id"),
                ),
            )
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FeeNoticeDetailSerializer
        return FeeNoticeSerializer


# --- payments ------------------------------------------------------------------------------------


class AllocationSerializer(serializers.ModelSerializer):
    notice_number = serializers.CharField(source="notice.number", read_only=True)

    class Meta:
        model = Allocation
        fields = ["notice", "notice_number", "amount", "at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    """A payment; ``number`` is the receipt number. For cash the three figures said aloud:
    total_due, received, change."""

    unit_label = serializers.CharField(source="unit.label", read_only=True)
    method = shown("PaymentMethodEnum", Payment.Method.choices)

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "property",
            "unit",
            "unit_label",
            "resident",
            "method",
            "reference",
            "total_due",
            "amount",
            "received",
            "change",
            "received_at",
            "received_by",
            "voided",
            "refunded",
        ]
        read_only_fields = fields

    lean = {"unit_label": UNIT_LABEL}


class PaymentDetailSerializer(PaymentSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "allocations"]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    notices = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("The notices paid, applied oldest first; what is left stays as credit."),
    )
    method = choice("PaymentMethodEnum", Payment.Method.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    received = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Cash only: the money handed over; the change is worked out."),
    )
    reference = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The transaction reference; required except for cash."),
    )
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Send the same key again and the payment already recorded is returned."),
    )
    resident = serializers.IntegerField(required=False, allow_null=True, default=None)


class PaymentFilter(django_filters.FilterSet):
    received_after = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    received_before = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")

    class Meta:
        model = Payment
        fields = ["property", "unit", "method", "voided", "number"]


def _payment_in_full(qs):
    return qs.select_related("unit__building").prefetch_related(
        Prefetch(
            "allocations", queryset=Allocation.objects.select_related("notice").order_by("at", "id")
        )
    )


class PaymentViewSet(
    LeanList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments, newest first. The desk and finance take them; a resident reads their own."""

    filterset_class = PaymentFilter
    pagination_class = NewestReceivedFirst

    def get_queryset(self):
        qs = policy.payments_for(self.request.user)
        if self.action == "retrieve":
            return _payment_in_full(qs)
        return qs.select_related("unit__building")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PaymentDetailSerializer
        if self.action == "create":
            return PaymentCreateSerializer
        return PaymentSerializer

    def _respond(self, payment: Payment, status_code: int) -> Response:
        shown = _payment_in_full(Payment.objects).get(pk=payment.pk)
        return Response(PaymentDetailSerializer(shown).data, status=status_code)

    @extend_schema(
        request=PaymentCreateSerializer,
        responses={201: PaymentDetailSerializer, 200: PaymentDetailSerializer},
    )
    def create(self, request):
        user = request.user
        if not policy.is_staff_member(user):
            raise PermissionDenied(_("Payments are taken at the service centre."))
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = found(
            policy.units_for(user).select_related("building__property"), data["unit"], "unit"
        )
        if not policy.allows(user, "payment.take", unit.building.property_id):
            raise PermissionDenied(_("Your role may not take payments here."))
        key = data["idempotency_key"].strip()
        if key:
            existing = Payment.objects.filter(idempotency_key=key).first()
            if existing is not None:
                if existing.unit_id != unit.pk:
                    raise ApiValidationError(
                        {"idempotency_key": [_("This key was already used for another payment.")]}
                    )
                return self._respond(existing, status.HTTP_200_OK)
        ids = list(dict.fromkeys(data["notices"]))
        notices = list(queries.notices_for(user).filter(pk__in=ids).order_by("period", "pk"))
        missing = sorted(set(ids) - {n.pk for n in notices})
        if missing:
            raise ApiValidationError(
                {
                    "notices": [
                        _("Not found: %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)}
                    ]
                }
            )
        resident = None
        if data["resident"] is not None:
            resident = found(
                policy.residents_for(user).filter(units=unit), data["resident"], "resident"
            )
        payment = payment_take(
            unit=unit,
            by=user,
            notices=notices,
            method=data["method"],
            amount=data["amount"],
            received=data["received"],
            reference=data["reference"],
            idempotency_key=key,
            resident=resident,
        )
        return self._respond(payment, status.HTTP_201_CREATED)


# --- the collection rate --------------------------------------------------------------------------


class RateRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The month (YYYY-MM) or the building number."))
    label = serializers.CharField()
    billed = serializers.DecimalField(**MONEY)
    collected = serializers.DecimalField(**MONEY)
    notices = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    meets_target = serializers.BooleanField()


CollectionRateSerializer = type(
    "CollectionRateSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "收缴率: collected for the monthly notices of the months over what they billed.",
        "property": serializers.IntegerField(),
        "from": serializers.CharField(help_text="YYYY-MM"),
        "to": serializers.CharField(help_text="YYYY-MM"),
        "by": shown("CollectionRateByEnum", [("period", _("month")), ("building", _("building"))]),
        "billed": serializers.DecimalField(**MONEY),
        "collected": serializers.DecimalField(**MONEY),
        "notices": serializers.IntegerField(),
        "rate": serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True),
        "target": serializers.DecimalField(max_digits=6, decimal_places=4),
        "meets_target": serializers.BooleanField(),
        "breakdown": RateRowSerializer(many=True),
    },
)

BY_KEYS = {"period": "period", "building": "unit__building"}


def _row(key: str, label: str, rate: queries.Rate) -> dict:
    return {
        "key": key,
        "label": label,
        "billed": rate.billed,
        "collected": rate.collected,
        "notices": rate.notices,
        "rate": rate.rate,
        "meets_target": rate.meets_target,
    }


class OneFigureSchema(AutoSchema):
    """The router's list route answers with one object here (the rate), not a list."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class CollectionRateViewSet(viewsets.ViewSet):
    """The collection rate (收缴率) of a property's monthly notices over some months, against
    the 95% target, broken down by month or by building. Staff only."""

    schema = OneFigureSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "property",
                OpenApiTypes.INT,
                description=_("Needed when you work at more than one property."),
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.STR,
                description=_("First month, YYYY-MM (default: January of the last month's year)."),
            ),
            OpenApiParameter(
                "to", OpenApiTypes.STR, description=_("Last month, YYYY-MM (default: this month).")
            ),
            OpenApiParameter("by", OpenApiTypes.STR, enum=["period", "building"]),
        ],
        responses=CollectionRateSerializer,
    )
    def list(self, request):
        user = request.user
        if not policy.is_staff_member(user):
            raise PermissionDenied(_("The collection rate is for the service centre."))
        prop = self._property(user, request.query_params.get("property"))
        today = timezone.localtime(timezone.now(), prop.zone).date()
        last = self._month(request.query_params, "to", first_of_month(today))
        first = self._month(request.query_params, "from", date(last.year, 1, 1))
        if first > last:
            raise ApiValidationError({"from": [_("The first month is after the last.")]})
        by = request.query_params.get("by") or "period"
        if by not in BY_KEYS:
            raise ApiValidationError({"by": [_("Choose period or building.")]})
        qs = FeeNotice.objects.filter(property=prop)
        total = queries.collection_rate(qs, first, last)
        rows = queries.collection_rate_by(qs, first, last, BY_KEYS[by])
        if by == "building":
            buildings = Building.objects.in_bulk([row["key"] for row in rows])
            breakdown = [
                _row(buildings[row["key"]].number, str(buildings[row["key"]]), row["rate"])
                for row in rows
            ]
        else:
            breakdown = [
                _row(f"{row['key']:%Y-%m}", f"{row['key']:%Y-%m}", row["rate"]) for row in rows
            ]
        body = {
            "property": prop.pk,
            "from": f"{first:%Y-%m}",
            "to": f"{last:%Y-%m}",
            "by": by,
            "billed": total.billed,
            "collected": total.collected,
            "notices": total.notices,
            "rate": total.rate,
            "target": total.target,
            "meets_target": total.meets_target,
            "breakdown": breakdown,
        }
        return Response(CollectionRateSerializer(body).data)

    def _property(self, user, given):
        properties = policy.properties_for(user).order_by("pk")
        if given in (None, ""):
            mine = list(properties[:2])
            if len(mine) != 1:
                raise ApiValidationError({"property": [_("Name the property.")]})
            return mine[0]
        if not str(given).isdigit():
            raise ApiValidationError({"property": [_("Give the property's id.")]})
        prop = properties.filter(pk=int(given)).first()
        if prop is None:
            raise NotFound
        return prop

    def _month(self, params, name, default):
        text = params.get(name)
        if not text:
            return default
        try:
            return parse_month(text)
        except ValueError:
            raise ApiValidationError({name: [_("Enter a month as YYYY-MM.")]}) from None
