from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self) -> None:
        # Imported here, not at the top: the step's module needs the models loaded.
        from frontdesk import sweep
        from tickets.complaints.services import complaints_escalate

        sweep.register(
            "complaints_escalated",
            complaints_escalate,
            order=30,
            label=_("Complaint escalations"),
        )
