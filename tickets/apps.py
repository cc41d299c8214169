from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self) -> None:
        # Imported here, not at the top: these modules need the models loaded.
        from frontdesk import sweep
        from tickets.complaints.escalations import complaints_escalate
        from tickets.complaints.follow_up import ComplaintFollowUp
        from tickets.repairs.follow_up import RepairFollowUp
        from visits import follow_ups

        follow_ups.register("repair", RepairFollowUp())
        follow_ups.register("complaint", ComplaintFollowUp())

        sweep.register(
            "complaints_escalated",
            complaints_escalate,
            order=30,
            label=_("Complaint escalations"),
        )
