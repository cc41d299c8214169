"""REST API for complaints (投诉): list, detail, intake, and each transition as an action.

Scoped by policy.complaints_for: another property's complaint is not found (404) on every
endpoint. Every write is one call of tickets.complaints.services, whose refusal is a 400 with
its message. The desk takes complaints in and follows them; the responsible department records
its actions and the fix. A resident reads and makes their own online complaints and
suggestions, and sees none of the internal handling (timeline, escalations, department).
What it shows and accepts is tickets.complaints.serializers."""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from frontdesk import policy
from frontdesk.api import NewestReceivedFirst, TakesInput, found
from frontdesk.lean import LeanList
from frontdesk.models import Department, User
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.complaints.portal import receive_online
from tickets.complaints.serializers import (
    ComplaintArchiveSerializer,
    ComplaintCorrectiveSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintDispatchSerializer,
    ComplaintExpectSerializer,
    ComplaintLetterSerializer,
    ComplaintNoteSerializer,
    ComplaintReasonSerializer,
    ComplaintReplySerializer,
    ComplaintResolveSerializer,
    ComplaintSerializer,
    ResidentComplaintSerializer,
)
from tickets.models import Complaint, ComplaintEvent, Escalation
from visits.models import Callback


def _either(name, staff_serializer):
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[staff_serializer, ResidentComplaintSerializer],
        resource_type_field_name=None,
    )


class ComplaintFilter(django_filters.FilterSet):
    property = django_filters.NumberFilter()
    department = django_filters.NumberFilter()
    owner = django_filters.NumberFilter()
    received_after = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte")
    received_before = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte")

    class Meta:
        model = Complaint
        fields = ["property", "state", "category", "channel", "department", "kind", "owner"]


ACTION_SERIALIZERS = {
    "create": ComplaintCreateSerializer,
    "dispatch_complaint": ComplaintDispatchSerializer,
    "expect": ComplaintExpectSerializer,
    "record_action": ComplaintNoteSerializer,
    "cannot_solve": ComplaintReasonSerializer,
    "resolve": ComplaintResolveSerializer,
    "reply": ComplaintReplySerializer,
    "letter": ComplaintLetterSerializer,
    "corrective": ComplaintCorrectiveSerializer,
    "archive": ComplaintArchiveSerializer,
}


def _detailed(queryset):
    """Everything the detail shows, in a fixed number of queries whatever the rows."""
    return queryset.select_related(
        "written_reply__drafted_by",
        "written_reply__issued_by",
        "corrective_action__filed_by",
    ).prefetch_related(
        Prefetch(
            "escalations",
            queryset=Escalation.objects.select_related("acknowledged_by").order_by("at", "id"),
        ),
        Prefetch(
            "events", queryset=ComplaintEvent.objects.select_related("by").order_by("at", "id")
        ),
        Prefetch("callbacks", queryset=Callback.objects.order_by("created_at", "id")),
    )


# --- the endpoints ---------------------------------------------------------------------------


class ComplaintViewSet(
    TakesInput, LeanList, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Complaints and suggestions, newest first. Staff see their properties' with the whole
    handling; a resident sees (and makes) their own, without the internal handling."""

    filterset_class = ComplaintFilter
    pagination_class = NewestReceivedFirst

    def _staff(self) -> bool:
        return policy.is_staff_member(self.request.user)

    def get_queryset(self):
        qs = policy.complaints_for(self.request.user)
        if self.action == "retrieve":
            return _detailed(qs) if self._staff() else qs.select_related("written_reply")
        if self.action == "list" and not self._staff():
            return qs.select_related("written_reply")
        return qs

    def get_serializer_class(self):
        if self.action in ("list", "retrieve"):
            if not self._staff():
                return ResidentComplaintSerializer
            return ComplaintDetailSerializer if self.action == "retrieve" else ComplaintSerializer
        return ACTION_SERIALIZERS.get(self.action, serializers.Serializer)

    @extend_schema(responses=_either("ComplaintListed", ComplaintSerializer))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=_either("ComplaintShown", ComplaintDetailSerializer))
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    # --- helpers

    def _complaint(self) -> Complaint:
        """The complaint named in the URL, for a change: not found outside the caller's
        scope; a resident (or anyone not on the staff) may not change it."""
        complaint = self.get_object()
        if not self._staff():
            raise PermissionDenied(_("Only the service centre can change a complaint."))
        return complaint

    def _may(self, capability: str, complaint: Complaint) -> None:
        """The page's refusal, as a 403 with the policy's message."""
        if not policy.allows(self.request.user, capability, complaint):
            raise PermissionDenied(policy.CAPABILITIES[capability].refusal)

    def _respond(self, complaint: Complaint, status_code=status.HTTP_200_OK) -> Response:
        if self._staff():
            shown = _detailed(Complaint.objects).get(pk=complaint.pk)
            return Response(ComplaintDetailSerializer(shown).data, status=status_code)
        shown = Complaint.objects.select_related("written_reply").get(pk=complaint.pk)
        return Response(ResidentComplaintSerializer(shown).data, status=status_code)

    # --- intake

    @extend_schema(
        request=ComplaintCreateSerializer,
        responses={201: _either("ComplaintCreated", ComplaintDetailSerializer)},
    )
    def create(self, request):
        data = self._valid(ComplaintCreateSerializer)
        if self._staff():
            complaint = self._receive_at_desk(data)
        elif policy.is_resident(request.user):
            complaint = self._receive_online(data)
        else:
            raise PermissionDenied(_("Your account is not linked to a home."))
        return self._respond(complaint, status.HTTP_201_CREATED)

    def _receive_at_desk(self, data) -> Complaint:
        user = self.request.user
        resident = found(policy.residents_for(user), data.pop("resident", None), "resident")
        unit = found(
            policy.units_for(user).select_related("building__property"),
            data.pop("unit", None),
            "unit",
        )
        prop_id = data.pop("property", None)
        prop = (resident and resident.property) or (unit and unit.building.property)
        if prop is None:
            prop = found(policy.properties_for(user), prop_id, "property")
        if prop is None:
            raise ApiValidationError({"property": [_("Name the property of the complaint.")]})
        if not policy.allows(user, "complaint.take", prop):
            raise PermissionDenied(_("Your role may not take complaints here."))
        if not data.get("channel"):
            raise ApiValidationError({"channel": [_("Choose how the complaint came in.")]})
        owner = found(
            User.objects.filter(memberships__property=prop).distinct(),
            data.pop("owner", None),
            "owner",
        )
        department = found(
            Department.objects.filter(property=prop), data.pop("department", None), "department"
        )
        return complaints.complaint_receive(
            property=prop,
            by=user,
            resident=resident,
            unit=unit,
            owner=owner,
            department=department,
            **data,
        )

    def _receive_online(self, data) -> Complaint:
        user = self.request.user
        unit = found(
            policy.units_for(user).select_related("building__property"), data.get("unit"), "unit"
        )
        return receive_online(
            user=user,
            unit=unit,
            kind=data["kind"],
            category=data["category"],
            description=data["description"],
            happened_at=data["happened_at"],
            direct_impact=data["direct_impact"],
            contact_phone=data.get("contact_phone", ""),
        )

    # --- the desk follows it

    @extend_schema(request=ComplaintDispatchSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_complaint(self, request, pk=None):  # "dispatch" is the view's own method
        complaint = self._complaint()
        self._may("complaint.dispatch", complaint)
        data = self._valid(ComplaintDispatchSerializer)
        department = found(
            Department.objects.filter(property_id=complaint.property_id),
            data["department"],
            "department",
        )
        return self._respond(
            complaints.complaint_dispatch(
                complaint=complaint,
                by=request.user,
                department=department,
                service_order=data["service_order"],
            )
        )

    @extend_schema(request=ComplaintExpectSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def expect(self, request, pk=None):
        complaint = self._complaint()
        self._may("complaint.dispatch", complaint)
        data = self._valid(ComplaintExpectSerializer)
        return self._respond(
            complaints.complaint_expect(
                complaint=complaint,
                by=request.user,
                expected_fix_at=data["expected_fix_at"],
            )
        )

    @extend_schema(request=ComplaintReplySerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        complaint = self._complaint()
        self._may("complaint.reply", complaint)
        data = self._valid(ComplaintReplySerializer)
        return self._respond(
            complaints.complaint_reply(
                complaint=complaint,
                by=request.user,
                via=data["via"],
                text=data["text"],
            )
        )

    @extend_schema(request=ComplaintLetterSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["put", "post"])
    def letter(self, request, pk=None):
        """Draft or re-edit the written reply (an issued letter is kept as it was sent)."""
        complaint = self._complaint()
        self._may("complaint.reply", complaint)
        body = self._valid(ComplaintLetterSerializer)["body"]
        complaints.written_reply_draft(complaint=complaint, by=request.user, body=body)
        return self._respond(complaint)

    @extend_schema(request=None, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"], url_path="issue-letter", url_name="issue-letter")
    def issue_letter(self, request, pk=None):
        """Issue the letter as drafted; for a complaint not yet replied to, that is its reply."""
        complaint = self._complaint()
        self._may("complaint.reply", complaint)
        complaints.written_reply_issue(complaint=complaint, by=request.user)
        return self._respond(complaint)

    @extend_schema(request=ComplaintArchiveSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        complaint = self._complaint()
        self._may("complaint.archive", complaint)
        data = self._valid(ComplaintArchiveSerializer)
        return self._respond(
            complaints.complaint_archive(
                complaint=complaint,
                by=request.user,
                cause=data["cause"],
                lessons=data["lessons"],
                changes=data["changes"],
            )
        )

    # --- the responsible department

    @extend_schema(request=ComplaintNoteSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"], url_path="action", url_name="action")
    def record_action(self, request, pk=None):  # "action" is the view's current action name
        complaint = self._complaint()
        self._may("complaint.resolve", complaint)
        note = self._valid(ComplaintNoteSerializer)["note"]
        return self._respond(
            complaints.complaint_record_action(complaint=complaint, by=request.user, note=note)
        )

    @extend_schema(request=ComplaintResolveSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        complaint = self._complaint()
        self._may("complaint.resolve", complaint)
        resolution = self._valid(ComplaintResolveSerializer)["resolution"]
        return self._respond(
            complaints.complaint_resolve(
                complaint=complaint,
                by=request.user,
                resolution=resolution,
            )
        )

    @extend_schema(request=ComplaintReasonSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"], url_path="cannot-solve", url_name="cannot-solve")
    def cannot_solve(self, request, pk=None):
        """The department's manager: straight to the project manager."""
        complaint = self._complaint()
        self._may("complaint.cannot_solve", complaint)
        reason = self._valid(ComplaintReasonSerializer)["reason"]
        return self._respond(
            complaints.complaint_cannot_solve(
                complaint=complaint,
                by=request.user,
                reason=reason,
            )
        )

    @extend_schema(request=ComplaintCorrectiveSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def corrective(self, request, pk=None):
        """The corrective / preventive action report, by the department or a supervisor."""
        complaint = self._complaint()
        self._may("complaint.corrective", complaint)
        data = self._valid(ComplaintCorrectiveSerializer)
        complaints.complaint_file_corrective(complaint=complaint, by=request.user, **data)
        return self._respond(complaint)

    # --- the ladder

    @extend_schema(
        request=None,
        responses=ComplaintDetailSerializer,
        parameters=[OpenApiParameter("escalation_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"escalations/(?P<escalation_id>[0-9]+)/acknowledge",
        url_name="acknowledge",
    )
    def acknowledge(self, request, pk=None, escalation_id=None):
        """The person escalated to says they have it (the service checks the role)."""
        complaint = self._complaint()
        escalation = get_object_or_404(
            Escalation.objects.select_related("complaint"), complaint=complaint, pk=escalation_id
        )
        escalations.escalation_acknowledge(escalation=escalation, by=request.user)
        return self._respond(complaint)
