from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    """One app, two packages: the core (frontdesk.models) and the desk's day
    (frontdesk.desk.models), whose records keep the app's label and migrations."""

    name = "frontdesk"
    verbose_name = _("Front desk")

    def import_models(self) -> None:
        super().import_models()
        import_module("frontdesk.desk.models")

    def ready(self) -> None:
        # Imported here, not at the top: the step's module needs the models loaded.
        from frontdesk import sweep
        from frontdesk.desk.registers_services import parcels_remind

        sweep.register("parcels_reminded", parcels_remind, order=60, label=_("Parcel reminders"))
        # The desk's back office: admin's autodiscovery finds frontdesk.admin (the core's) only.
        import_module("frontdesk.desk.admin")
