"""Celery tasks of billing: thin, idempotent, each calling a service."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from billing.notices import notices_generate
from frontdesk.models import Property


@shared_task(acks_late=True)
def notices_generate_task(property_id: int, period: str) -> dict:
    """A month's fee notices for one property, in batches; safe to run again."""
    run = notices_generate(
        property=Property.objects.get(pk=property_id),
        period=date.fromisoformat(period),
        now=timezone.now(),
    )
    return {"made": run.made, "skipped": run.skipped, "total": str(run.total)}
