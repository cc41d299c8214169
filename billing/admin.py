"""Back office for what the finance office configures: fee items with their dated price
standards, units' monthly fees, dunning stages. Money rows (notices and their lines, charges,
meter readings, payments, allocations, adjustments, dunning steps, billing runs) are shown
read only: they change through the services, and are never deleted. A void or refund waiting
for approval is decided here through the service, as on the approvals page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from billing.models import (
    Allocation,
    BillingRun,
    Charge,
    DunningAction,
    DunningStage,
    FeeItem,
    FeeNotice,
    FeeNoticeLine,
    MeterReading,
    Payment,
    PaymentAdjustment,
    PriceStandard,
    Subscription,
)
from billing.payments import adjustment_decide
from frontdesk.admin_base import ReadOnlyInline, ReasonActionForm, action_reason, through_service


class PriceStandardInline(admin.TabularInline):
    model = PriceStandard
    extra = 1


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = ["name", "property", "basis", "unit_label", "active"]
    list_filter = ["property", "basis", "active"]
    inlines = [PriceStandardInline]


@admin.register(PriceStandard)
class PriceStandardAdmin(admin.ModelAdmin):
    list_display = ["fee_item", "price", "effective_from"]
    list_filter = ["fee_item__property", "fee_item"]
    list_select_related = ["fee_item"]
    search_fields = ["fee_item__name"]
    date_hierarchy = "effective_from"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["unit", "fee_item", "quantity", "note", "starts", "ends"]
    list_filter = ["fee_item"]
    raw_id_fields = ["unit"]


@admin.register(DunningStage)
class DunningStageAdmin(admin.ModelAdmin):
    list_display = ["property", "step", "kind", "days_overdue"]
    list_filter = ["property"]


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(ReadOnlyInline):
    model = FeeNoticeLine
    readonly_fields = ["description", "quantity", "unit_price", "amount", "repair", "charge"]
    fields = readonly_fields


class NoticeAllocationInline(ReadOnlyInline):
    model = Allocation
    readonly_fields = ["at", "payment", "amount"]
    fields = readonly_fields


class DunningInline(ReadOnlyInline):
    model = DunningAction
    readonly_fields = ["at", "step", "kind", "outstanding"]
    fields = readonly_fields


class PaymentAllocationInline(ReadOnlyInline):
    model = Allocation
    readonly_fields = ["at", "notice", "amount"]
    fields = readonly_fields


class AdjustmentInline(ReadOnlyInline):
    model = PaymentAdjustment
    readonly_fields = [
        "kind",
        "amount",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    fields = readonly_fields


@admin.register(FeeNotice)
class FeeNoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "period", "total", "paid", "settled", "due_date"]
    list_filter = ["property", "period", "settled", "kind"]
    list_select_related = ["unit__building"]
    search_fields = ["number", "unit__number"]
    date_hierarchy = "issued_at"
    inlines = [LineInline, NoticeAllocationInline, DunningInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "method", "amount", "received_at", "voided", "refunded"]
    list_filter = ["property", "method", "voided"]
    list_select_related = ["unit__building"]
    search_fields = ["number", "reference", "unit__number"]
    date_hierarchy = "received_at"
    inlines = [PaymentAllocationInline, AdjustmentInline]


@admin.register(FeeNoticeLine)
class FeeNoticeLineAdmin(ReadOnlyAdmin):
    list_display = ["notice", "description", "quantity", "unit_price", "amount", "repair"]
    list_filter = ["notice__property", "fee_item"]
    list_select_related = ["notice", "repair"]
    search_fields = ["notice__number", "description"]


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["unit", "property", "fee_item", "description", "amount", "created_at"]
    list_filter = ["property", "fee_item"]
    list_select_related = ["unit__building", "property", "fee_item"]
    search_fields = ["description", "unit__number"]
    date_hierarchy = "created_at"


@admin.register(MeterReading)
class MeterReadingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "fee_item", "period", "previous", "current", "read_at", "entered_by"]
    list_filter = ["fee_item__property", "fee_item", "period"]
    list_select_related = ["unit__building", "fee_item", "entered_by"]
    search_fields = ["unit__number", "fee_item__name"]
    date_hierarchy = "read_at"


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ["property", "period", "started_at", "finished_at", "made", "skipped", "total"]
    list_filter = ["property", ("finished_at", admin.EmptyFieldListFilter)]
    list_select_related = ["property"]
    date_hierarchy = "started_at"


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["payment", "notice", "amount", "at"]
    list_filter = ["payment__property"]
    list_select_related = ["payment", "notice"]
    search_fields = ["payment__number", "notice__number"]
    date_hierarchy = "at"


@admin.register(PaymentAdjustment)
class PaymentAdjustmentAdmin(ReadOnlyAdmin):
    list_display = [
        "payment",
        "kind",
        "amount",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["payment__property", "kind", "status"]
    list_select_related = ["payment", "requested_by", "decided_by"]
    search_fields = ["payment__number", "reason", "decision_note"]
    date_hierarchy = "requested_at"
    action_form = ReasonActionForm
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve the voids or refunds"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the voids or refunds (give the reason)"))
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool):
        through_service(
            self,
            request,
            queryset.select_related("payment"),
            lambda adjustment: adjustment_decide(
                adjustment=adjustment, by=request.user, approve=approve, note=action_reason(request)
            ),
            ngettext_lazy("%(count)d request approved.", "%(count)d requests approved.", "count")
            if approve
            else ngettext_lazy(
                "%(count)d request rejected.", "%(count)d requests rejected.", "count"
            ),
        )


@admin.register(DunningAction)
class DunningActionAdmin(ReadOnlyAdmin):
    list_display = ["notice", "step", "kind", "outstanding", "at"]
    list_filter = ["notice__property", "kind", "step"]
    list_select_related = ["notice"]
    search_fields = ["notice__number"]
    date_hierarchy = "at"
