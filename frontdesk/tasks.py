"""Celery tasks: thin, idempotent, each calling a service."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from frontdesk import services

logger = logging.getLogger(__name__)


def publish_after_commit(task, *args) -> None:
    """Queue a task once the transaction commits, never making the request wait on the broker.

    Best effort: if the broker is down the row stays pending and the sweep handles it.
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:  # noqa: BLE001 - a broker outage must not break the page
            logger.warning("broker unavailable; %s left to the sweep", task.name, exc_info=True)

    transaction.on_commit(publish)


@shared_task(acks_late=True)
def notification_deliver_task(notification_id: int) -> bool:
    return services.notification_deliver(notification_id=notification_id, now=timezone.now())


@shared_task(acks_late=True)
def sweep() -> dict:
    """Every minute, from beat: act on what is due, then record that the sweep ran."""
    from billing.services import billing_due, dunning_advance
    from billing.tasks import notices_generate_task
    from frontdesk.desk_services import parcels_remind
    from reports.review import digests_send
    from tickets.complaint_services import complaints_escalate
    from visits.services import callbacks_mark_overdue, callbacks_remind_due_soon

    started_at = timezone.now()
    claimed = billing_due(now=started_at)
    for property_id, period in claimed:
        # A month of notices is one long job of its own, not part of the minute's sweep.
        publish_after_commit(notices_generate_task, property_id, period.isoformat())
    result = {
        "callbacks_overdue": callbacks_mark_overdue(now=started_at),
        "callbacks_reminded": callbacks_remind_due_soon(now=started_at),
        **complaints_escalate(now=started_at),
        "billing_runs_queued": len(claimed),
        "dunning_steps": dunning_advance(now=started_at),
        "parcels_reminded": parcels_remind(now=started_at),
        "digests_sent": digests_send(now=started_at),
    }
    # Last, so the notices the steps above wrote go out in this same run.
    result.update(services.notifications_sweep(now=started_at))
    services.sweep_mark(name="sweep", started_at=started_at, result=result)
    return result
