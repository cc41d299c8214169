from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "frontdesk"
    verbose_name = _("Front desk")

    def ready(self) -> None:
        # Imported here, not at the top: the step's module needs the models loaded.
        from frontdesk import sweep
        from frontdesk.desk.services import parcels_remind

        sweep.register("parcels_reminded", parcels_remind, order=60, label=_("Parcel reminders"))
