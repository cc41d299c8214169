"""What the complaints API (tickets.complaints.api) shows and accepts.

Staff are shown a complaint with its whole handling (escalations, timeline, written reply,
corrective action, callbacks); a resident is shown their own complaint without the internal
handling, and the written reply only once issued. What is accepted is one serializer for
each write; tickets.complaints.api names which action reads which."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from frontdesk.api import choice, shown
from frontdesk.lean import Derived
from tickets.models import (
    Complaint,
    ComplaintEvent,
    CorrectiveAction,
    Escalation,
    WrittenReply,
)
from visits.models import Callback

# --- what is shown ---------------------------------------------------------------------------


class ComplaintEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None)
    kind = shown("ComplaintEventKindEnum", ComplaintEvent.Kind.choices)
    state = shown("ComplaintStateEnum", Complaint.State.choices)

    class Meta:
        model = ComplaintEvent
        fields = ["at", "by", "kind", "state", "note"]


class ComplaintEscalationSerializer(serializers.ModelSerializer):
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", default=None)

    class Meta:
        model = Escalation
        fields = ["id", "level", "reason", "at", "acknowledged_at", "acknowledged_by"]


class ComplaintWrittenReplySerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    drafted_by = serializers.CharField(source="drafted_by.username", default=None)
    issued_by = serializers.CharField(source="issued_by.username", default=None)

    class Meta:
        model = WrittenReply
        fields = ["state", "body", "drafted_at", "drafted_by", "issued_at", "issued_by"]

    @extend_schema_field(
        choice("ComplaintLetterStateEnum", [("draft", _("Draft")), ("issued", _("Issued"))])
    )
    def get_state(self, letter) -> str:
        return "issued" if letter.issued_at else "draft"


class ComplaintCorrectiveActionSerializer(serializers.ModelSerializer):
    filed_by = serializers.CharField(source="filed_by.username", default=None)

    class Meta:
        model = CorrectiveAction
        fields = ["cause", "correction", "prevention", "owner", "due_date", "filed_at", "filed_by"]


class ComplaintCallbackSerializer(serializers.ModelSerializer):
    """The reply and satisfaction callbacks of the complaint: the queue's side of it."""

    kind = shown("CallbackKindEnum", Callback.Kind.choices)

    class Meta:
        model = Callback
        fields = ["id", "kind", "status", "due_at", "attempts", "done_at", "timing"]


class ComplaintChoices(serializers.ModelSerializer):
    kind = shown("ComplaintKindEnum", Complaint.Kind.choices)
    channel = shown("ComplaintChannelEnum", Complaint.Channel.choices)
    state = shown("ComplaintStateEnum", Complaint.State.choices)
    category = shown("ComplaintCategoryEnum", Complaint.Category.choices)


class ComplaintSerializer(ComplaintChoices):
    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "property",
            "kind",
            "channel",
            "state",
            "resident",
            "unit",
            "complainant_name",
            "complainant_company",
            "contact_phone",
            "happened_at",
            "description",
            "category",
            "direct_impact",
            "temperament",
            "answered_on_spot",
            "owner",
            "department",
            "service_order",
            "received_at",
            "received_by",
            "dispatched_at",
            "fix_due_at",
            "day_ends_at",
            "expected_fix_at",
            "cannot_solve_at",
            "resolved_at",
            "first_resolved_at",
            "resolution",
            "reply_due_at",
            "replied_at",
            "replied_by",
            "reply_via",
            "reply_text",
            "confirmed_at",
            "archived_at",
            "summary_cause",
            "summary_lessons",
            "summary_changes",
        ]
        read_only_fields = fields


class ComplaintDetailSerializer(ComplaintSerializer):
    escalations = ComplaintEscalationSerializer(many=True, read_only=True)
    events = ComplaintEventSerializer(many=True, read_only=True)
    written_reply = ComplaintWrittenReplySerializer(read_only=True, allow_null=True)
    corrective_action = ComplaintCorrectiveActionSerializer(read_only=True, allow_null=True)
    callbacks = ComplaintCallbackSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "escalations",
            "events",
            "written_reply",
            "corrective_action",
            "callbacks",
        ]
        read_only_fields = fields


class ComplaintIssuedLetterSerializer(serializers.Serializer):
    body = serializers.CharField()
    issued_at = serializers.DateTimeField()


class ResidentComplaintSerializer(ComplaintChoices):
    """What the complainant sees of their own complaint: what they said, the state, the reply
    they were given, how it was handled, and the written reply once issued."""

    resolution = serializers.SerializerMethodField()
    written_reply = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "property",
            "kind",
            "channel",
            "category",
            "unit",
            "happened_at",
            "description",
            "direct_impact",
            "state",
            "received_at",
            "expected_fix_at",
            "reply_due_at",
            "replied_at",
            "reply_via",
            "reply_text",
            "resolved_at",
            "resolution",
            "written_reply",
        ]
        read_only_fields = fields

    lean = {
        "resolution": Derived(
            ("resolution", "resolved_at"),
            lambda row: row["resolution"] if row["resolved_at"] else "",
        ),
        "written_reply": Derived(
            ("written_reply__body", "written_reply__issued_at"),
            lambda row: issued_letter(row["written_reply__body"], row["written_reply__issued_at"]),
        ),
    }

    def get_resolution(self, complaint) -> str:
        # A reopened complaint's earlier resolution did not satisfy: not shown as the answer.
        return complaint.resolution if complaint.resolved_at else ""

    @extend_schema_field(ComplaintIssuedLetterSerializer(allow_null=True))
    def get_written_reply(self, complaint):
        try:
            letter = complaint.written_reply
        except WrittenReply.DoesNotExist:
            return None
        return issued_letter(letter.body, letter.issued_at)


def issued_letter(body: str, issued_at) -> dict | None:
    """The written reply as the complainant sees it: only once issued (a draft is the desk's
    work in progress)."""
    if issued_at is None:
        return None
    return ComplaintIssuedLetterSerializer({"body": body, "issued_at": issued_at}).data


# --- what is accepted ------------------------------------------------------------------------


class ComplaintCreateSerializer(serializers.Serializer):
    """The desk gives the channel and whatever it knows; a resident's complaint is always
    online, filed as their own resident record (the unit, if named, must be one of theirs),
    and the desk-only fields are ignored."""

    kind = choice("ComplaintKindEnum", Complaint.Kind.choices, default=Complaint.Kind.COMPLAINT)
    channel = choice(
        "ComplaintChannelEnum",
        Complaint.Channel.choices,
        required=False,
        help_text=_("Required from the desk; a resident's complaint is always online."),
    )
    category = choice("ComplaintCategoryEnum", Complaint.Category.choices)
    description = serializers.CharField(max_length=4000)
    happened_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    direct_impact = serializers.BooleanField(default=False)
    unit = serializers.IntegerField(required=False, allow_null=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    # The desk only:
    property = serializers.IntegerField(required=False)
    resident = serializers.IntegerField(required=False, allow_null=True)
    complainant_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    complainant_company = serializers.CharField(max_length=100, required=False, allow_blank=True)
    temperament = serializers.ChoiceField(
        choices=Complaint.Temperament.choices, required=False, allow_blank=True
    )
    answered_on_spot = serializers.BooleanField(default=False)
    owner = serializers.IntegerField(required=False, allow_null=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    service_order = serializers.CharField(required=False, allow_blank=True)


class ComplaintDispatchSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    service_order = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintExpectSerializer(serializers.Serializer):
    expected_fix_at = serializers.DateTimeField()


class ComplaintNoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class ComplaintReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ComplaintResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True)


class ComplaintReplySerializer(serializers.Serializer):
    via = serializers.ChoiceField(
        choices=[c for c in Complaint.ReplyVia.choices if c[0] != Complaint.ReplyVia.LETTER]
    )
    text = serializers.CharField(allow_blank=True)


class ComplaintLetterSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


class ComplaintCorrectiveSerializer(serializers.Serializer):
    cause = serializers.CharField(allow_blank=True)
    correction = serializers.CharField(allow_blank=True)
    prevention = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(max_length=60, allow_blank=True)
    due_date = serializers.DateField()


class ComplaintArchiveSerializer(serializers.Serializer):
    cause = serializers.CharField(allow_blank=True)
    lessons = serializers.CharField(allow_blank=True)
    changes = serializers.CharField(allow_blank=True)
