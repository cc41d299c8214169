"""Back-office view of the desk's own day. The records are made at the desk through
the desk's services (pickup codes, permit numbers, notices to residents), so nothing is
added or deleted here; the moments something changed hands (a parcel collected, a key out or
back, an item claimed, a pass released, a shift handed over, a ledger signed) are shown, never
edited."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from frontdesk.admin_base import (
    DeskRecordAdmin,
    ReadOnlyInline,
    ReadOnlyRecordAdmin,
    through_service,
)
from frontdesk.desk import permits_services
from frontdesk.desk.models import (
    DailyLedger,
    DecorationApplication,
    KeyDeposit,
    KeyMovement,
    LostItem,
    Parcel,
    PhoneMessage,
    RectificationNotice,
    ReleasePass,
    ShiftHandover,
    Visitor,
)


@admin.register(Visitor)
class VisitorAdmin(DeskRecordAdmin):
    list_display = [
        "name",
        "property",
        "unit",
        "visiting",
        "purpose",
        "expected_on",
        "arrived_at",
        "left_at",
    ]
    list_filter = ["property", ("arrived_at", admin.DateFieldListFilter), "expected_on"]
    list_select_related = ["property", "unit__building"]
    search_fields = ["name", "phone", "visiting", "purpose"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "property",
        "unit",
        "announced_by",
        "arrived_at",
        "left_at",
        "registered_by",
        "created_at",
    ]


@admin.register(PhoneMessage)
class PhoneMessageAdmin(DeskRecordAdmin):
    list_display = [
        "caller_name",
        "property",
        "for_resident",
        "for_user",
        "for_department",
        "taken_at",
        "read_at",
    ]
    list_filter = ["property", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["property", "for_resident", "for_user", "for_department"]
    search_fields = ["caller_name", "caller_phone", "text", "for_resident__name"]
    date_hierarchy = "taken_at"
    readonly_fields = [
        "property",
        "for_resident",
        "for_user",
        "for_department",
        "taken_by",
        "taken_at",
        "read_at",
        "read_by",
    ]


@admin.register(Parcel)
class ParcelAdmin(DeskRecordAdmin):
    list_display = [
        "carrier",
        "tracking_number",
        "property",
        "unit",
        "shelf",
        "received_at",
        "collected_at",
    ]
    list_filter = ["property", ("collected_at", admin.EmptyFieldListFilter), "carrier"]
    list_select_related = ["property", "unit__building"]
    search_fields = ["tracking_number", "recipient_name", "carrier", "collected_by_name"]
    date_hierarchy = "received_at"
    # The pickup code stays secret; the hand-over is a record.
    exclude = ["pickup_code"]
    readonly_fields = [
        "property",
        "unit",
        "received_at",
        "registered_by",
        "reminded_at",
        "collected_at",
        "collected_by_name",
        "collected_with",
        "signature",
        "handed_over_by",
    ]


class KeyMovementInline(ReadOnlyInline):
    model = KeyMovement
    fields = ["kind", "at", "person", "signed_name", "signature", "by"]
    readonly_fields = fields
    ordering = ["at", "id"]


@admin.register(KeyDeposit)
class KeyDepositAdmin(DeskRecordAdmin):
    list_display = ["label", "property", "unit", "description", "is_out", "withdrawn_at"]
    list_filter = ["property", "is_out", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["property", "unit__building"]
    search_fields = ["label", "description", "deposited_by", "authorised"]
    # In or out changes only with a signed movement, at the desk.
    readonly_fields = ["property", "unit", "deposited_at", "is_out", "withdrawn_at"]
    inlines = [KeyMovementInline]


@admin.register(KeyMovement)
class KeyMovementAdmin(ReadOnlyRecordAdmin):
    list_display = ["key", "kind", "at", "person", "signed_name", "by"]
    list_filter = ["key__property", "kind"]
    list_select_related = ["key__unit__building", "by"]
    search_fields = ["key__label", "person", "signed_name"]
    date_hierarchy = "at"


@admin.register(LostItem)
class LostItemAdmin(DeskRecordAdmin):
    list_display = [
        "description",
        "property",
        "found_where",
        "found_at",
        "stored_where",
        "claimed_at",
        "claimed_by",
    ]
    list_filter = ["property", ("claimed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["property"]
    search_fields = ["description", "found_where", "found_by", "claimed_by"]
    date_hierarchy = "found_at"
    readonly_fields = [
        "property",
        "registered_by",
        "claimed_at",
        "claimed_by",
        "claimant_id_last4",
        "handed_by",
    ]


@admin.register(ReleasePass)
class ReleasePassAdmin(DeskRecordAdmin):
    list_display = [
        "unit",
        "property",
        "carrier_name",
        "state",
        "requested_at",
        "decided_at",
        "released_at",
    ]
    list_filter = ["property", "state"]
    list_select_related = ["property", "unit__building"]
    search_fields = ["carrier_name", "items"]
    date_hierarchy = "requested_at"
    # The state follows the resident's decision and security's release, never a hand edit.
    readonly_fields = [
        "property",
        "unit",
        "state",
        "requested_at",
        "requested_by",
        "approved_by",
        "decided_at",
        "released_at",
        "released_by",
    ]


class RectificationInline(ReadOnlyInline):
    model = RectificationNotice
    fields = ["issue", "deadline", "issued_at", "issued_by", "resolved_at"]
    readonly_fields = fields
    ordering = ["issued_at", "id"]


@admin.register(DecorationApplication)
class DecorationApplicationAdmin(DeskRecordAdmin):
    list_display = ["unit", "property", "contractor", "state", "starts", "ends", "permit_number"]
    list_filter = ["property", "state"]
    list_select_related = ["property", "unit__building"]
    search_fields = ["contractor", "contractor_phone", "work", "permit_number", "resident__name"]
    date_hierarchy = "applied_at"
    readonly_fields = [
        "property",
        "unit",
        "resident",
        "state",
        "applied_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "permit_number",
        "permitted_at",
    ]
    inlines = [RectificationInline]


@admin.register(ShiftHandover)
class ShiftHandoverAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "day",
        "shift",
        "property",
        "handed_over_by",
        "handed_over_at",
        "taken_over_by",
        "taken_over_at",
    ]
    list_filter = ["property", "shift", ("taken_over_at", admin.EmptyFieldListFilter)]
    list_select_related = ["property", "handed_over_by", "taken_over_by"]
    search_fields = ["pending"]
    date_hierarchy = "day"


@admin.register(DailyLedger)
class DailyLedgerAdmin(ReadOnlyRecordAdmin):
    list_display = ["day", "property", "signed_by", "signed_at"]
    list_filter = ["property"]
    list_select_related = ["property", "signed_by"]
    search_fields = ["note"]
    date_hierarchy = "day"


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(ReadOnlyRecordAdmin):
    list_display = ["application", "issue", "deadline", "issued_at", "issued_by", "resolved_at"]
    list_filter = ["application__property", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["application__unit__building", "issued_by"]
    search_fields = ["issue", "application__permit_number", "application__contractor"]
    date_hierarchy = "issued_at"
    actions = ["resolve"]

    @admin.action(description=_("Mark the rectifications as done"))
    def resolve(self, request, queryset):
        through_service(
            self,
            request,
            queryset.select_related("application__property"),
            lambda notice: permits_services.rectification_resolve(notice=notice, by=request.user),
            ngettext_lazy(
                "%(count)d rectification marked as done.",
                "%(count)d rectifications marked as done.",
                "count",
            ),
        )
