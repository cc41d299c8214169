"""The supervisor's daily review (who signed which day) and the digest e-mails sent, once a day
per property."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontdesk.models import Property


class DailyReview(models.Model):
    """The supervisor's sign-off of a day's review: complaints, escalations, overdue items and
    the desk's handovers of that (local) day."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="reviews")
    day = models.DateField(_("day"))
    note = models.TextField(_("supervisor's note"), blank=True)
    figures = models.JSONField(default=dict)  # what the page showed when it was signed
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("daily review")
        verbose_name_plural = _("daily reviews")
        constraints = [
            models.UniqueConstraint(fields=["property", "day"], name="review_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.property} {self.day}"


class DigestRun(models.Model):
    """A daily digest sent for a property and day: claimed before sending, so it goes once."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="digests")
    day = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["property", "day"], name="digest_once")]

    def __str__(self) -> str:
        return f"{self.property} {self.day}"
