"""Back-office fixes. Residents are created through the service so archive numbers stay safe."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdesk import services
from frontdesk.models import (
    Building,
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


admin.site.register(HolidayYear)


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


@admin.register(PortalInvite)
class PortalInviteAdmin(admin.ModelAdmin):
    list_display = ["resident", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = ["code_hash"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "channel", "address", "status", "attempts", "created_at"]
    list_filter = ["status", "channel"]


admin.site.register(SweepRun)

from frontdesk import desk_admin  # noqa: F401,E402
