"""Move-out (退租/搬迁), refused while the resident's units owe anything."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import FeeNotice
from billing.payments import units_owed
from frontdesk import policy
from frontdesk.models import Resident, ResidentEvent, User


def resident_move_out(*, resident: Resident, by: User, on: date) -> Resident:
    """Move-out (退租/搬迁) is refused while the resident's units owe anything (seed 003)."""
    if not policy.allows(by, "resident.move_out", resident):
        raise ValidationError(_("Only the desk can record a move-out."))
    if resident.moved_out_on is not None:
        raise ValidationError(_("%(name)s has already moved out.") % {"name": resident.name})
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
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
        resident.moved_out_on = on
        resident.save(update_fields=["moved_out_on"])
        ResidentEvent.objects.create(
            resident=resident,
            by=by,
            kind=ResidentEvent.Kind.MOVED_OUT,
            at=timezone.now(),
            note=_("Moved out on %(day)s") % {"day": on.isoformat()},
        )
    return resident
