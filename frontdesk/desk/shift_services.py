"""The shift and the day: what the desk did on a local day (drawn from the records), the shift
handover and the daily ledger the supervisor signs once."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Payment
from frontdesk import clock, policy
from frontdesk.desk.models import (
    DailyLedger,
    KeyMovement,
    Parcel,
    PhoneMessage,
    ShiftHandover,
    Visitor,
)
from frontdesk.models import Property, User
from tickets.models import Complaint, RepairOrder
from visits.models import Callback

# --- the shift and the day ------------------------------------------------------------------------------


def day_counts(property: Property, day: date) -> dict:
    """What the desk did on a local day, drawn from the records themselves (one query per
    kind of record), so the handover and the ledger never need it typed again."""
    start, end = clock.local_day_bounds(day, property.zone)

    def between(field):
        return {f"{field}__gte": start, f"{field}__lt": end, "property": property}

    visitors = Visitor.objects.filter(property=property).aggregate(
        arrived=Count("pk", filter=Q(arrived_at__gte=start, arrived_at__lt=end)),
        left=Count("pk", filter=Q(left_at__gte=start, left_at__lt=end)),
    )
    parcels = Parcel.objects.filter(property=property).aggregate(
        registered=Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
        collected=Count("pk", filter=Q(collected_at__gte=start, collected_at__lt=end)),
        # Still waiting at the end of that day (received by then, not collected by then).
        waiting=Count(
            "pk",
            filter=Q(received_at__lt=end) & (Q(collected_at=None) | Q(collected_at__gte=end)),
        ),
    )
    keys = KeyMovement.objects.filter(key__property=property, at__gte=start, at__lt=end).aggregate(
        out=Count("pk", filter=Q(kind="out")), back=Count("pk", filter=Q(kind="in"))
    )
    payments = Payment.objects.filter(**between("received_at"), voided=False).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    return {
        "visitors_arrived": visitors["arrived"],
        "visitors_left": visitors["left"],
        "messages_taken": PhoneMessage.objects.filter(**between("taken_at")).count(),
        "parcels_registered": parcels["registered"],
        "parcels_collected": parcels["collected"],
        "parcels_waiting": parcels["waiting"],
        "keys_out": keys["out"],
        "keys_returned": keys["back"],
        "repairs_received": RepairOrder.objects.filter(**between("received_at")).count(),
        "complaints_received": Complaint.objects.filter(**between("received_at")).count(),
        "callbacks_done": Callback.objects.filter(**between("done_at")).count(),
        "payments": payments["count"],
        "payments_total": str(payments["total"] or "0.00"),
    }


def handover_record(
    *, property: Property, by: User, day: date, shift: str, pending: str
) -> ShiftHandover:
    """The shift hands over: what it did (drawn from the records) and what is pending."""
    policy.require(by, "handover.write", property)
    if shift not in ShiftHandover.Shift.values:
        raise ValidationError(_("Choose the shift."))
    try:
        with transaction.atomic():
            return ShiftHandover.objects.create(
                property=property,
                day=day,
                shift=shift,
                handed_over_by=by,
                handed_over_at=timezone.now(),
                done=day_counts(property, day),
                pending=pending.strip(),
            )
    except IntegrityError:
        raise ValidationError(_("This shift has already handed over.")) from None


def handover_take_over(*, handover: ShiftHandover, by: User) -> ShiftHandover:
    policy.require(by, "handover.write", handover.property)
    if handover.handed_over_by_id == by.pk:
        raise ValidationError(_("The next shift takes over, not the one handing over."))
    claimed = ShiftHandover.objects.filter(pk=handover.pk, taken_over_at=None).update(
        taken_over_by=by, taken_over_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This handover has already been taken over."))
    handover.refresh_from_db()
    return handover


def ledger_sign(*, property: Property, by: User, day: date, note: str = "") -> DailyLedger:
    """The supervisor signs the day's ledger at the end of the day, once."""
    policy.require(by, "ledger.sign", property)
    if day > property.today():
        raise ValidationError(_("A day that has not happened yet cannot be signed."))
    try:
        with transaction.atomic():
            return DailyLedger.objects.create(
                property=property,
                day=day,
                totals=day_counts(property, day),
                note=note.strip(),
                signed_by=by,
                signed_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("The ledger of %(day)s is already signed.") % {"day": day.isoformat()}
        ) from None
