"""Celery tasks: thin, idempotent, each calling a service."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from frontdesk import services
from frontdesk.sweep import run as sweep_run

logger = logging.getLogger(__name__)


def publish_after_commit(task, *args) -> None:
    """Queue a task once the transaction commits, never making the request wait on the broker.

    Best effort: if the broker is down the row stays pending and the sweep handles it.
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:
            logger.warning("broker unavailable; %s left to the sweep", task.name, exc_info=True)

    transaction.on_commit(publish)


@shared_task(acks_late=True)
def notification_deliver_task(notification_id: int) -> bool:
    return services.notification_deliver(notification_id=notification_id, now=timezone.now())


@shared_task(acks_late=True)
def sweep() -> dict:
    """Every minute, from beat: every package's registered steps, each on its own, then the
    outbox, then the record that the sweep ran (frontdesk.sweep)."""
    return sweep_run(name="sweep", now=timezone.now())
