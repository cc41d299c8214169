"""What every endpoint of the desk's day shares: a list and detail scoped as the matching
page is (another property's record is not found, 404), the writes refused (403) before the
input is read to someone who holds their capability nowhere, the filters by property and
local day, and the signatures verified before they reach a service.

Thin: every write is one call of the desk's services (frontdesk.desk.registers_services,
permits_services, shift_services): bad input is a 400 with its message, a refusal of the
policy a 403 (frontdesk.api's exception handler). Lists page by id (ByIdPagination) in a
fixed number of queries.

Uploaded signatures (parcel hand-over, key movements) are verified and re-encoded by
frontdesk.uploads before they reach a service, as every upload of the project is."""

import zoneinfo
from datetime import datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from frontdesk import policy, uploads
from frontdesk.api import UNIT_LABEL, ByIdPagination, TakesInput, found
from frontdesk.lean import LeanList

# Signatures drawn on a tablet: small images, re-encoded as PNG.
SIGNATURE_MAX_BYTES = 2 * uploads.MB
SIGNATURE_MAX_PIXELS = 4_000_000


class UnitLabelled(serializers.ModelSerializer):
    """A record of a unit: its id and the way the desk says it ("2-1503")."""

    unit_label = serializers.CharField(source="unit.label", read_only=True, default=None)

    lean = {"unit_label": UNIT_LABEL}


# --- filters-----------------------------------------------------------------------------------


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


def state_filter(choices, conditions: dict[str, Q]):
    def method(queryset, _name, value):
        return queryset.filter(conditions[value]) if value in conditions else queryset

    return django_filters.ChoiceFilter(choices=choices, method=method)


# --- the endpoints-----------------------------------------------------------------------------


def signature(upload):
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
    TakesInput, LeanList, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
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

    def _created_at_unit(self, input_class, service) -> Response:
        """A record made by `service` for the unit the input names, at that unit's property."""
        data = self._valid(input_class)
        unit = self._unit(data.pop("unit"))
        record = service(property=unit.building.property, by=self.request.user, unit=unit, **data)
        return self._respond(record, status.HTTP_201_CREATED)

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


def shows(serializer, status_code=200):
    return {status_code: serializer}
