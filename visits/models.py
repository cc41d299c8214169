"""Callbacks (回访): the follow-up calls the front desk owes residents, with their deadlines
and every attempt. The row's due_at is the only source of truth for the deadline."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frontdesk.models import Property


class Callback(models.Model):
    class Kind(models.TextChoices):
        REPAIR = "repair", _("Repair callback")
        REPLY = "reply", _("Promised reply")
        COMPLAINT_REPLY = "complaint_reply", _("Complaint reply")
        COMPLAINT = "complaint", _("Complaint callback")
        DUNNING = "dunning", _("Dunning call")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Timing(models.TextChoices):
        ON_TIME = "on_time", _("On time")
        LATE = "late", _("Late")
        MISSED = "missed", _("Missed")

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="callbacks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    repair = models.ForeignKey(
        "tickets.RepairOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    complaint = models.ForeignKey(
        "tickets.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    fee_notice = models.ForeignKey(
        "billing.FeeNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    question = models.TextField(_("question to answer"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(_("due"))
    next_try_at = models.DateTimeField(_("next try"))
    attempts = models.PositiveSmallIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    timing = models.CharField(max_length=10, choices=Timing.choices, blank=True)
    close_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        constraints = [
            # One open callback per trigger: a repair (per round) or a promised reply.
            models.UniqueConstraint(
                fields=["repair"],
                condition=Q(status="open", kind="repair"),
                name="callback_one_open_per_repair",
            ),
            models.UniqueConstraint(
                fields=["parent"],
                condition=Q(status="open", kind="reply"),
                name="callback_one_open_reply_per_call",
            ),
            # A complaint's reply and its satisfaction callback: one open of each at a time.
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=Q(status="open", kind__in=["complaint", "complaint_reply"]),
                name="callback_one_open_per_complaint",
            ),
            models.CheckConstraint(
                condition=Q(kind="reply", parent__isnull=False)
                | Q(kind="repair", repair__isnull=False)
                | Q(kind__in=["complaint", "complaint_reply"], complaint__isnull=False)
                | Q(kind="dunning", fee_notice__isnull=False),
                name="callback_has_trigger",
            ),
        ]
        indexes = [
            # The queue: open callbacks of a property by when to call.
            models.Index(
                fields=["property", "next_try_at"],
                name="callback_queue",
                condition=Q(status="open"),
            ),
            # The sweep's work lists hold only rows it has still to act on.
            models.Index(
                fields=["due_at"],
                name="callback_to_mark_overdue",
                condition=Q(status="open", overdue_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="callback_to_remind",
                condition=Q(status="open", reminded_at__isnull=True),
            ),
            # The queue's pages: open callbacks of a property by deadline (without it the
            # first page walked callback_period through every done callback of the history).
            models.Index(
                fields=["property", "due_at"],
                name="callback_open_due",
                condition=Q(status="open"),
            ),
            # The dashboard's callback figures: those due in a period (what they count in the
            # key, so PostgreSQL reads the index alone), and those done after a past moment
            # (overdue then), without reading the property's whole history.
            models.Index(
                fields=["property", "due_at", "kind", "status", "timing"], name="callback_period"
            ),
            models.Index(
                fields=["property", "done_at"],
                name="callback_done",
                condition=Q(done_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.repair or self.complaint or self.parent_id}"


class CallAttempt(models.Model):
    """One call made for a callback, reached or not, and what the resident said."""

    callback = models.ForeignKey(Callback, on_delete=models.PROTECT, related_name="calls")
    # The callback's property, copied so the dashboard finds a period's calls by property and
    # time through an index instead of joining every callback of the property.
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reached = models.BooleanField(_("reached the resident"))
    answered_by = models.CharField(_("who answered"), max_length=60, blank=True)
    relation = models.CharField(_("their relation"), max_length=30, blank=True)
    best_time = models.CharField(_("best time to try again"), max_length=60, blank=True)
    retry_at = models.DateTimeField(_("try again at"), null=True, blank=True)
    solved = models.BooleanField(_("problem solved"), null=True)
    score_choices = [(i, str(i)) for i in range(1, 6)]
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"),
        null=True,
        choices=score_choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    attitude = models.PositiveSmallIntegerField(
        _("attitude (1-5)"), null=True, blank=True, choices=score_choices
    )
    waiting = models.PositiveSmallIntegerField(
        _("waiting time (1-5)"), null=True, blank=True, choices=score_choices
    )
    price = models.PositiveSmallIntegerField(
        _("price (1-5)"), null=True, blank=True, choices=score_choices
    )
    comments = models.TextField(_("comments"), blank=True)
    data_confirmed = models.BooleanField(_("basic data confirmed"), default=False)
    data_corrections = models.TextField(_("corrections to basic data"), blank=True)
    question = models.TextField(_("question the clerk could not answer"), blank=True)
    reply_due_at = models.DateTimeField(_("reply promised by"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="call_satisfaction_range",
            ),
        ]
        indexes = [
            # The satisfaction figures: a property's scored calls of a period, the score in
            # the key so PostgreSQL answers from the index alone.
            models.Index(
                fields=["property", "at", "satisfaction"],
                name="call_scored",
                condition=Q(reached=True, satisfaction__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.callback} {self.at:%Y-%m-%d %H:%M}"
