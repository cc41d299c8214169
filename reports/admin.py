"""The supervisor's sign-off of the desk's day (reports.review) and the digests sent: read-only
records, written by the review's services."""

from django.contrib import admin

from frontdesk.admin_base import ReadOnlyRecordAdmin
from reports.models import DailyReview, DigestRun


@admin.register(DailyReview)
class DailyReviewAdmin(ReadOnlyRecordAdmin):
    list_display = ["day", "property", "signed_by", "signed_at"]
    list_filter = ["property"]
    list_select_related = ["property", "signed_by"]
    search_fields = ["note"]
    date_hierarchy = "day"


@admin.register(DigestRun)
class DigestRunAdmin(ReadOnlyRecordAdmin):
    list_display = ["day", "property", "sent_at", "recipients"]
    list_filter = ["property"]
    list_select_related = ["property"]
    date_hierarchy = "day"
