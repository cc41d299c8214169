"""The back office's shared parts: records shown as written, and actions that call a service
for each selected record, with the signed-in user as `by`, reporting the service's refusal
as an error."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DeskRecordAdmin(admin.ModelAdmin):
    """Made at the desk only: a fix here may correct a typo, never create or delete a record
    (the day's handovers and ledger count them)."""

    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyRecordAdmin(DeskRecordAdmin):
    """A record of something that happened: shown as it was written."""

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonActionForm(ActionForm):
    """The action bar with a box for the reason or note an action passes to its service
    (the service says when one is needed)."""

    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
    )


def action_reason(request) -> str:
    return request.POST.get("reason", "")


def through_service(modeladmin, request, queryset, call: Callable, done) -> int:
    """Call the service for each selected record, in turn (each call is its own transaction:
    one refused leaves the others done). A refusal is shown as an error naming the record;
    `done` is the success message, a lazy ngettext on "count". Returns how many went through."""
    count = 0
    for record in queryset:
        try:
            call(record)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{record}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done % {"count": count}, messages.SUCCESS)
    return count
