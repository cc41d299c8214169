"""Back office for what the finance office configures: fee items with their dated price
standards, units' monthly fees, dunning stages. Money rows (notices, payments) are shown read
only: they change through the services, and are never deleted."""

from django.contrib import admin

from billing.models import (
    DunningStage,
    FeeItem,
    FeeNotice,
    FeeNoticeLine,
    Payment,
    PriceStandard,
    Subscription,
)


class PriceStandardInline(admin.TabularInline):
    model = PriceStandard
    extra = 1


@admin.register(FeeItem)
class FeeItemAdmin(admin.ModelAdmin):
    list_display = ["name", "property", "basis", "unit_label", "active"]
    list_filter = ["property", "basis", "active"]
    inlines = [PriceStandardInline]


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
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    model = FeeNoticeLine
    extra = 0
    can_delete = False
    readonly_fields = ["description", "quantity", "unit_price", "amount", "repair", "charge"]
    fields = readonly_fields


@admin.register(FeeNotice)
class FeeNoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "period", "total", "paid", "settled", "due_date"]
    list_filter = ["property", "period", "settled", "kind"]
    search_fields = ["number"]
    inlines = [LineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "method", "amount", "received_at", "voided", "refunded"]
    list_filter = ["property", "method", "voided"]
    search_fields = ["number", "reference"]
