"""Writing an import: only a whole file that is valid, in one transaction (the file is checked
again inside it, under the property's row lock). Nothing is ever half imported. The opening
balances' notices are made by billing.notices, the one writer of notices."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.import_check import Check, check_rows
from billing.import_parse import Kind, Row
from billing.models import MeterReading
from billing.notices import openings_create
from frontdesk import policy
from frontdesk.models import Property, User


class ImportRefused(ValidationError):
    """The file has rows that would be refused: nothing was written. Carries the check."""

    def __init__(self, check: Check):
        super().__init__(check.messages or [_("The file has nothing to import.")])
        self.check = check


def _checked(kind: str, property: Property, by: User, rows: list[Row]) -> Check:
    if not policy.allows(by, "fees.import", property):
        raise ValidationError(
            _("Only finance, a supervisor or the project manager can import at %(property)s.")
            % {"property": property.name}
        )
    # One import at a time per property: the second waits, then finds what the first made.
    list(Property.objects.select_for_update().filter(pk=property.pk).values_list("pk", flat=True))
    check = check_rows(kind, property, rows)
    if not check.ok:
        raise ImportRefused(check)
    return check


def openings_import(*, property: Property, by: User, rows: list[Row]) -> int:
    """Bring in the opening balances of a whole file, or nothing: one fee notice (kind
    "opening") with one line per row. Returns how many were made."""
    now = timezone.now()
    try:
        with transaction.atomic():
            check = _checked(Kind.OPENING, property, by, rows)
            made = openings_create(property=property, openings=check.creates, now=now)
    except IntegrityError as exc:
        raise ValidationError(
            _("Some of these opening balances were imported meanwhile: check the file again.")
        ) from exc
    return made


def readings_import(*, property: Property, by: User, rows: list[Row]) -> int:
    """Record the meter readings of a whole file, or nothing. Returns how many were made."""
    now = timezone.now()
    try:
        with transaction.atomic():
            check = _checked(Kind.READINGS, property, by, rows)
            made = MeterReading.objects.bulk_create(
                [
                    MeterReading(
                        unit=r.unit,
                        fee_item=r.fee_item,
                        period=r.period,
                        previous=r.previous,
                        current=r.current,
                        read_at=now,
                        entered_by=by,
                    )
                    for r in check.creates
                ],
                batch_size=500,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Some of these readings were recorded meanwhile: check the file again.")
        ) from exc
    return len(made)


def import_rows(kind: str, *, property: Property, by: User, rows: list[Row]) -> int:
    return {Kind.OPENING: openings_import, Kind.READINGS: readings_import}[kind](
        property=property, by=by, rows=rows
    )
