from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Imported here, not at the top: the step's module needs the models loaded.
        from frontdesk import sweep
        from reports.review import digests_send

        sweep.register("digests_sent", digests_send, order=70, label=_("Daily digests"))
