"""Billing's guard on a move-out (退租/搬迁): refused while the resident's units owe anything
(seed 003). Registered with the core's resident_move_out in BillingConfig.ready()."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from billing.models import FeeNotice
from billing.payments import units_owed
from frontdesk.models import Resident


def nothing_owed(resident: Resident) -> None:
    units = list(resident.units.all())
    owed = units_owed(units)
    if owed > 0:
        count = FeeNotice.objects.filter(unit__in=units, settled=False).count()
        raise ValidationError(
            ngettext(
                "Move-out refused: %(owed)s yuan is still owed on %(count)d fee notice. "
                "Take the payment first.",
                "Move-out refused: %(owed)s yuan is still owed on %(count)d fee notices. "
                "Take the payment first.",
                count,
            )
            % {"owed": owed, "count": count}
        )
