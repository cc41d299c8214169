from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        # Imported here, not at the top: these modules need the models loaded.
        from billing.dunning import dunning_advance
        from billing.move_out import nothing_owed
        from billing.notices import billing_due
        from billing.queries import repair_billed
        from billing.tasks import notices_generate_task
        from frontdesk import sweep
        from frontdesk.outbox import publish_after_commit
        from frontdesk.services import move_out_guard_register
        from tickets.repairs.services import billed_on_notices_register

        billed_on_notices_register(repair_billed)
        move_out_guard_register(nothing_owed)

        def billing_runs_queue(*, now: datetime) -> int:
            """Claim each property's month whose billing day has come and queue its notices:
            a month of notices is one long job of its own, not part of the minute's sweep.
            Queued when the step's transaction commits, so a failed step queues nothing."""
            claimed = billing_due(now=now)
            for property_id, period in claimed:
                publish_after_commit(notices_generate_task, property_id, period.isoformat())
            return len(claimed)

        sweep.register(
            "billing_runs_queued", billing_runs_queue, order=40, label=_("Monthly fee notices")
        )
        sweep.register("dunning_steps", dunning_advance, order=50, label=_("Dunning"))
