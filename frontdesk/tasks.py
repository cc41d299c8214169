"""Celery tasks: thin, idempotent, each calling a service."""

from celery import shared_task
from django.utils import timezone

from frontdesk.sweep import run as sweep_run


@shared_task(acks_late=True)
def sweep() -> dict:
    """Every minute, from beat: every package's registered steps, each on its own, then the
    outbox, then the record that the sweep ran (frontdesk.sweep)."""
    return sweep_run(name="sweep", now=timezone.now())
