from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"

    def ready(self) -> None:
        # Imported here, not at the top: the steps' module needs the models loaded.
        from frontdesk import sweep
        from visits.services import callbacks_mark_overdue, callbacks_remind_due_soon

        sweep.register(
            "callbacks_overdue", callbacks_mark_overdue, order=10, label=_("Overdue callbacks")
        )
        sweep.register(
            "callbacks_reminded",
            callbacks_remind_due_soon,
            order=20,
            label=_("Callback reminders"),
        )
