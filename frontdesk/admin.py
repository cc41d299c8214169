"""Back-office fixes. Residents are created through the service so archive numbers stay safe;
what the services write as a record (a resident's history, portal codes, the outbox, the
sweeps' marks, the number sequences) is shown, never added, edited or deleted here."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdesk import services
from frontdesk.admin_base import ReadOnlyRecordAdmin
from frontdesk.models import (
    Building,
    DailySequence,
    Department,
    Holiday,
    HolidayYear,
    Membership,
    Notification,
    PortalInvite,
    Property,
    Resident,
    ResidentEvent,
    ResidentPhone,
    SweepRun,
    Unit,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["property"]


@admin.register(User)
class FrontdeskUserAdmin(UserAdmin):
    inlines = [MembershipInline]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "time_zone", "holiday_calendar"]
    search_fields = ["name", "code"]
    inlines = [HolidayInline]
    actions = ["prefill_holidays"]

    @admin.action(description=_("Fill this year's and next year's holidays from the built-in list"))
    def prefill_holidays(self, request, queryset):
        year = timezone.localdate().year
        for prop in queryset:
            for y in (year, year + 1):
                try:
                    added = services.property_holidays_prefill(property=prop, year=y)
                except ValidationError as exc:
                    self.message_user(request, f"{prop}: {exc.messages[0]}", messages.WARNING)
                else:
                    self.message_user(request, f"{prop} {y}: +{added}")


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ["property", "year"]
    list_filter = ["property", "year"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["day", "name", "is_workday", "property"]
    list_filter = ["property", "is_workday"]
    search_fields = ["name"]
    date_hierarchy = "day"


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "property", "number"]
    list_filter = ["property"]
    search_fields = ["number", "name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["label", "building", "floor", "area_m2"]
    list_filter = ["building__property"]
    list_select_related = ["building"]
    search_fields = ["number", "building__number"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "property"]
    list_filter = ["property", "kind"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "property", "role", "department"]
    list_filter = ["property", "role"]


class PhoneInline(admin.TabularInline):
    model = ResidentPhone
    extra = 0
    readonly_fields = ["digits"]


class EventInline(admin.TabularInline):
    model = ResidentEvent
    extra = 0
    readonly_fields = ["at", "by", "kind", "note"]
    can_delete = False


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["archive_number", "name", "kind", "property", "move_in_date"]
    list_filter = ["property", "kind"]
    search_fields = ["name", "archive_number", "company", "phones__digits"]
    readonly_fields = ["archive_number", "property", "move_in_date", "user"]
    filter_horizontal = ["units"]
    inlines = [PhoneInline, EventInline]

    def has_add_permission(self, request):
        # New residents come from the desk's form, which allocates the archive number.
        return False

    def has_delete_permission(self, request, obj=None):
        # A resident leaves by the move-out service; the file and its history stay.
        return False


@admin.register(ResidentEvent)
class ResidentEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["resident", "at", "kind", "by", "note"]
    list_filter = ["resident__property", "kind"]
    list_select_related = ["resident", "by"]
    search_fields = ["resident__name", "resident__archive_number", "note"]
    date_hierarchy = "at"


@admin.register(ResidentPhone)
class ResidentPhoneAdmin(ReadOnlyRecordAdmin):
    """Numbers are changed on the resident's page, with the resident's other details."""

    list_display = ["number_masked", "resident", "label", "answered_by", "relation"]
    list_filter = ["resident__property"]
    list_select_related = ["resident"]
    search_fields = ["digits", "resident__name", "resident__archive_number", "answered_by"]

    @admin.display(description=_("phone"))
    def number_masked(self, phone):
        return phone.masked


@admin.register(PortalInvite)
class PortalInviteAdmin(ReadOnlyRecordAdmin):
    """Issued at the desk, which shows the code once and keeps only its hash."""

    list_display = ["resident", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at"]
    list_filter = [
        "resident__property",
        ("used_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["resident", "issued_by"]
    search_fields = ["resident__name", "resident__archive_number"]
    date_hierarchy = "issued_at"
    exclude = ["code_hash"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyRecordAdmin):
    """The outbox: written by the services, sent and retried by the sweep."""

    list_display = ["subject", "channel", "address", "status", "attempts", "created_at"]
    list_filter = ["property", "status", "channel"]
    list_select_related = ["property"]
    search_fields = ["subject", "address", "last_error"]
    date_hierarchy = "created_at"


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyRecordAdmin):
    list_display = ["name", "last_started_at", "last_finished_at"]
    search_fields = ["name"]


@admin.register(DailySequence)
class DailySequenceAdmin(ReadOnlyRecordAdmin):
    """The last number handed out per series and day; numbers are only ever allocated."""

    list_display = ["series", "day", "last", "property"]
    list_filter = ["property", "series"]
    date_hierarchy = "day"
