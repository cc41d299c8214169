"""Back office for repairs and complaints. Their rows are written only by tickets.repairs.services
and tickets.complaints.services, which keep the state, the timeline, the deadlines and the
callbacks in step, so nothing here is added, edited or deleted: a supervisor finds a record,
reads it whole (lines, photos, payments, timeline, escalations, letters), and acts on it
through the services. The price list is the property's configuration and is edited here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from frontdesk.admin_base import (
    ReadOnlyInline,
    ReadOnlyRecordAdmin,
    ReasonActionForm,
    action_reason,
    through_service,
)
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import (
    Complaint,
    ComplaintEvent,
    CorrectiveAction,
    Escalation,
    PriceItem,
    RepairEvent,
    RepairLine,
    RepairOrder,
    RepairPayment,
    RepairPhoto,
    WrittenReply,
)
from tickets.repairs import services as repairs


@admin.register(PriceItem)
class PriceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "property", "unit", "price", "active"]
    list_filter = ["property", "active"]
    list_editable = ["price", "active"]
    search_fields = ["name"]


# --- repairs ---------------------------------------------------------------------------------


class RepairLineInline(ReadOnlyInline):
    model = RepairLine
    fields = ["stage", "name", "unit", "unit_price", "quantity", "amount"]
    readonly_fields = fields


class RepairPhotoInline(ReadOnlyInline):
    model = RepairPhoto
    fields = ["image", "width", "height", "uploaded_at"]
    readonly_fields = fields


class RepairPaymentInline(ReadOnlyInline):
    model = RepairPayment
    fields = ["received_at", "amount", "method", "reference", "received_by"]
    readonly_fields = fields
    ordering = ["received_at", "id"]


class RepairEventInline(ReadOnlyInline):
    model = RepairEvent
    fields = ["at", "kind", "state", "by", "note"]
    readonly_fields = fields


@admin.register(RepairOrder)
class RepairOrderAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "number",
        "property",
        "state",
        "category",
        "urgency",
        "unit",
        "location",
        "resident",
        "engineer",
        "received_at",
        "completed_at",
    ]
    list_filter = [
        "property",
        "state",
        "category",
        "urgency",
        "channel",
        "chargeable",
        "is_public_area",
        "department",
    ]
    list_select_related = ["property", "unit__building", "resident", "engineer"]
    search_fields = [
        "number",
        "description",
        "location",
        "contact_phone",
        "resident__name",
        "resident__archive_number",
    ]
    date_hierarchy = "received_at"
    inlines = [RepairLineInline, RepairPhotoInline, RepairPaymentInline, RepairEventInline]
    action_form = ReasonActionForm
    actions = ["cancel", "close", "reopen"]

    @admin.action(description=_("Cancel the orders (give the reason)"))
    def cancel(self, request, queryset):
        through_service(
            self,
            request,
            queryset,
            lambda order: repairs.repair_cancel(
                order=order, by=request.user, reason=action_reason(request)
            ),
            ngettext_lazy("%(count)d order cancelled.", "%(count)d orders cancelled.", "count"),
        )

    @admin.action(description=_("Close the orders (signed off, nothing owed)"))
    def close(self, request, queryset):
        through_service(
            self,
            request,
            queryset,
            lambda order: repairs.repair_close(
                order=order, by=request.user, note=action_reason(request)
            ),
            ngettext_lazy("%(count)d order closed.", "%(count)d orders closed.", "count"),
        )

    @admin.action(description=_("Reopen the orders (give the reason)"))
    def reopen(self, request, queryset):
        through_service(
            self,
            request,
            queryset,
            lambda order: repairs.repair_reopen(
                order=order, by=request.user, reason=action_reason(request)
            ),
            ngettext_lazy("%(count)d order reopened.", "%(count)d orders reopened.", "count"),
        )


@admin.register(RepairLine)
class RepairLineAdmin(ReadOnlyRecordAdmin):
    list_display = ["order", "stage", "name", "unit_price", "quantity", "amount"]
    list_filter = ["order__property", "stage"]
    list_select_related = ["order"]
    search_fields = ["order__number", "name"]


@admin.register(RepairPhoto)
class RepairPhotoAdmin(ReadOnlyRecordAdmin):
    list_display = ["order", "image", "width", "height", "uploaded_at"]
    list_filter = ["order__property"]
    list_select_related = ["order"]
    search_fields = ["order__number"]
    date_hierarchy = "uploaded_at"


@admin.register(RepairPayment)
class RepairPaymentAdmin(ReadOnlyRecordAdmin):
    list_display = ["order", "amount", "method", "reference", "received_by", "received_at"]
    list_filter = ["order__property", "method"]
    list_select_related = ["order", "received_by"]
    search_fields = ["order__number", "reference"]
    date_hierarchy = "received_at"


@admin.register(RepairEvent)
class RepairEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["order", "at", "kind", "state", "by", "note"]
    list_filter = ["order__property", "kind"]
    list_select_related = ["order", "by"]
    search_fields = ["order__number", "note"]
    date_hierarchy = "at"


# --- complaints ------------------------------------------------------------------------------


class EscalationInline(ReadOnlyInline):
    model = Escalation
    fields = ["level", "reason", "at", "acknowledged_at", "acknowledged_by"]
    readonly_fields = fields


class WrittenReplyInline(ReadOnlyInline):
    model = WrittenReply
    fields = ["body", "drafted_at", "drafted_by", "issued_at", "issued_by"]
    readonly_fields = fields


class CorrectiveActionInline(ReadOnlyInline):
    model = CorrectiveAction
    fields = ["cause", "correction", "prevention", "owner", "due_date", "filed_at", "filed_by"]
    readonly_fields = fields


class ComplaintEventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ["at", "kind", "state", "by", "note"]
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "number",
        "property",
        "kind",
        "category",
        "state",
        "complainant_name",
        "department",
        "owner",
        "direct_impact",
        "received_at",
        "reply_due_at",
        "replied_at",
    ]
    list_filter = [
        "property",
        "state",
        "kind",
        "category",
        "channel",
        "direct_impact",
        "fixed_in_window",
        "department",
    ]
    list_select_related = ["property", "department", "owner"]
    search_fields = [
        "number",
        "complainant_name",
        "complainant_company",
        "contact_phone",
        "description",
        "resident__name",
    ]
    date_hierarchy = "received_at"
    inlines = [
        EscalationInline,
        WrittenReplyInline,
        CorrectiveActionInline,
        ComplaintEventInline,
    ]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyRecordAdmin):
    list_display = ["complaint", "level", "reason", "at", "acknowledged_at", "acknowledged_by"]
    list_filter = [
        "complaint__property",
        "level",
        "reason",
        ("acknowledged_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["complaint", "acknowledged_by"]
    search_fields = ["complaint__number", "complaint__complainant_name"]
    date_hierarchy = "at"
    actions = ["acknowledge"]

    @admin.action(description=_("Acknowledge the escalations"))
    def acknowledge(self, request, queryset):
        through_service(
            self,
            request,
            queryset,
            lambda escalation: escalations.escalation_acknowledge(
                escalation=escalation, by=request.user
            ),
            ngettext_lazy(
                "%(count)d escalation acknowledged.", "%(count)d escalations acknowledged.", "count"
            ),
        )


@admin.register(WrittenReply)
class WrittenReplyAdmin(ReadOnlyRecordAdmin):
    list_display = ["complaint", "drafted_at", "drafted_by", "issued_at", "issued_by"]
    list_filter = ["complaint__property", ("issued_at", admin.EmptyFieldListFilter)]
    list_select_related = ["complaint", "drafted_by", "issued_by"]
    search_fields = ["complaint__number", "body"]
    date_hierarchy = "drafted_at"
    actions = ["issue"]

    @admin.action(description=_("Issue the letters as drafted"))
    def issue(self, request, queryset):
        through_service(
            self,
            request,
            queryset,
            lambda letter: complaints.written_reply_issue(
                complaint=letter.complaint, by=request.user
            ),
            ngettext_lazy("%(count)d letter issued.", "%(count)d letters issued.", "count"),
        )


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyRecordAdmin):
    list_display = ["complaint", "owner", "due_date", "filed_at", "filed_by"]
    list_filter = ["complaint__property"]
    list_select_related = ["complaint", "filed_by"]
    search_fields = ["complaint__number", "owner", "cause", "correction", "prevention"]
    date_hierarchy = "filed_at"


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["complaint", "at", "kind", "state", "by", "note"]
    list_filter = ["complaint__property", "kind"]
    list_select_related = ["complaint", "by"]
    search_fields = ["complaint__number", "note"]
    date_hierarchy = "at"
