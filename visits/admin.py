"""Back office for callbacks. A callback and its calls are written by visits.services (from
their triggers, at the desk, by the sweep), which keep the deadline, the attempts and the
order's or complaint's timeline in step, so nothing here is added, edited or deleted. A
supervisor finds the late and stuck ones and closes one that cannot be made through the
service, with the reason."""

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
from visits import services
from visits.models import CallAttempt, Callback


class CallAttemptInline(ReadOnlyInline):
    model = CallAttempt
    fields = [
        "at",
        "by",
        "reached",
        "answered_by",
        "relation",
        "retry_at",
        "solved",
        "satisfaction",
        "comments",
    ]
    readonly_fields = fields


@admin.register(Callback)
class CallbackAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "what",
        "property",
        "kind",
        "status",
        "timing",
        "due_at",
        "next_try_at",
        "attempts",
        "overdue_at",
        "flagged_at",
        "done_at",
    ]
    list_filter = [
        "property",
        "kind",
        "status",
        "timing",
        ("overdue_at", admin.EmptyFieldListFilter),
        ("flagged_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["property", "repair", "complaint", "fee_notice"]
    search_fields = [
        "repair__number",
        "complaint__number",
        "fee_notice__number",
        "question",
        "close_reason",
    ]
    date_hierarchy = "due_at"
    inlines = [CallAttemptInline]
    action_form = ReasonActionForm
    actions = ["close_missed"]

    @admin.display(description=_("callback"))
    def what(self, callback):
        if callback.fee_notice_id is not None:  # a dunning call: the notice it is about
            return f"{callback.get_kind_display()} {callback.fee_notice}"
        return str(callback)

    @admin.action(description=_("Close the callbacks without the call (give the reason)"))
    def close_missed(self, request, queryset):
        through_service(
            self,
            request,
            queryset,
            lambda callback: services.callback_close_missed(
                callback=callback, by=request.user, reason=action_reason(request)
            ),
            ngettext_lazy(
                "%(count)d callback closed as missed.",
                "%(count)d callbacks closed as missed.",
                "count",
            ),
        )


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyRecordAdmin):
    list_display = ["callback", "at", "by", "reached", "solved", "satisfaction", "answered_by"]
    list_filter = ["callback__property", "callback__kind", "reached", "solved", "satisfaction"]
    list_select_related = ["callback__repair", "callback__complaint", "by"]
    search_fields = [
        "callback__repair__number",
        "callback__complaint__number",
        "answered_by",
        "comments",
        "question",
    ]
    date_hierarchy = "at"
