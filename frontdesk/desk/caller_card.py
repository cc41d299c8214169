"""The caller card: one page for the unit a caller is about, whatever the clerk typed (the last
four or any part of a phone, a name, a room "2-1503", an archive number). It shows the people
of the unit and everything open for it at once: repairs, complaints, callbacks due, what it
owes, parcels waiting, keys held, today's visitors and unread phone messages, each linked to
its page.

Matching reuses the resident lookup (frontdesk.queries); a room also matches a unit nobody
lives in. Everything is scoped by the policy: another property's unit is not found.
The card is a fixed number of queries whatever the rows (see ``unit_card``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from billing.payments import unit_credit, units_owed
from frontdesk import policy, queries
from frontdesk.desk.models import KeyDeposit, KeyMovement, Parcel, PhoneMessage, Visitor
from frontdesk.models import Resident, ResidentPhone, Unit, User
from frontdesk.views import staff_required
from tickets.models import Complaint, RepairOrder
from visits.models import Callback

PICK_LIMIT = 20
# The people living there first, then those who moved out (most recent first).
PEOPLE_ORDER = (F("moved_out_on").desc(nulls_first=True), "name", "pk")


@dataclass
class CallerCard:
    """Everything the card shows for one unit, already fetched."""

    unit: Unit
    now: datetime
    today: date  # at the unit's property
    people: list[Resident]
    repairs: list[RepairOrder]
    complaints: list[Complaint]
    callbacks: list[Callback]
    owed: Decimal
    credit: Decimal
    parcels: list[Parcel]  # each with .days_waiting
    keys: list[KeyDeposit]  # each with .out_with: who took it, when it is out
    visitors: list[Visitor]
    messages: list[PhoneMessage]
    may_pay: bool

    @property
    def time_zone(self) -> str:
        return self.unit.building.property.time_zone


@dataclass
class CardMatch:
    """What the clerk typed and the units it matched (at most PICK_LIMIT of them)."""

    text: str
    units: list[Unit] = field(default_factory=list)
    more: bool = False  # more units matched than are listed: type more


def card_units(user: User):
    """The units a staff member may open a card for."""
    return policy.units_for(user).select_related("building__property")


def card_unit(user: User, unit_id) -> Unit:
    """The unit of ?unit=<id>: not found (404) outside the user's properties."""
    try:
        return card_units(user).get(pk=int(unit_id))
    except (TypeError, ValueError, Unit.DoesNotExist):
        raise Http404 from None


def match_units(user: User, text: str) -> CardMatch:
    """The units of the residents the lookup finds (by phone fragment, name, room or archive
    number), and the room itself when the text is one, in three queries."""
    text = text.strip()
    found = CardMatch(text=text)
    if not text:
        return found
    resident_ids = list(queries.resident_lookup(user, text).values_list("pk", flat=True))
    match = Q(residents__pk__in=resident_ids)
    room = queries.UNIT_PATTERN.match(text)
    if room:
        match |= Q(building__number__iexact=room[1], number__iexact=room[2])
    ids = card_units(user).filter(match).values("pk")
    units = list(
        card_units(user)
        .filter(pk__in=ids)
        .prefetch_related(Prefetch("residents", queryset=Resident.objects.order_by(*PEOPLE_ORDER)))
        .order_by("building__property__name", "building__number", "number")[: PICK_LIMIT + 1]
    )
    found.units, found.more = units[:PICK_LIMIT], len(units) > PICK_LIMIT
    return found


OPEN_REPAIRS_EXCLUDED = ("closed", "cancelled")


def unit_card(user: User, unit: Unit, *, now: datetime | None = None) -> CallerCard:
    """The card of a unit the user may see (from ``card_unit`` or ``match_units``): thirteen
    queries (twelve for a superuser), whatever the number of rows of each kind."""
    prop = unit.building.property
    now = now or timezone.now()
    today = prop.today(now)
    day_start = datetime.combine(today, time.min, tzinfo=prop.zone)
    day_end = day_start + timedelta(days=1)

    people = list(
        Resident.objects.filter(units=unit)
        .prefetch_related(Prefetch("phones", queryset=ResidentPhone.objects.order_by("id")))
        .order_by(*PEOPLE_ORDER)
    )
    repairs = list(
        RepairOrder.objects.filter(unit=unit)
        .exclude(state__in=OPEN_REPAIRS_EXCLUDED)
        .order_by("-received_at", "-id")
    )
    complaints = list(
        Complaint.objects.filter(unit=unit)
        .exclude(state=Complaint.State.ARCHIVED)
        .order_by("-received_at", "-id")
    )
    callbacks = list(
        Callback.objects.filter(status=Callback.Status.OPEN)
        .filter(Q(repair__unit=unit) | Q(complaint__unit=unit) | Q(fee_notice__unit=unit))
        .select_related("repair", "complaint", "fee_notice")
        .order_by("due_at", "id")
    )
    parcels = list(
        Parcel.objects.filter(unit=unit, collected_at__isnull=True).order_by("received_at", "id")
    )
    for parcel in parcels:
        parcel.days_waiting = (
            today - timezone.localtime(parcel.received_at, prop.zone).date()
        ).days
    last_out = KeyMovement.objects.filter(key=OuterRef("pk"), kind=KeyMovement.Kind.OUT).order_by(
        "-at", "-id"
    )
    keys = list(
        KeyDeposit.objects.filter(unit=unit, withdrawn_at__isnull=True)
        .annotate(out_with=Subquery(last_out.values("person")[:1]))
        .order_by("label", "id")
    )
    visitors = list(
        Visitor.objects.filter(unit=unit)
        .filter(
            Q(arrived_at__gte=day_start, arrived_at__lt=day_end)
            | Q(arrived_at__isnull=True, expected_on=today)
        )
        .order_by("arrived_at", "id")
    )
    messages = list(
        PhoneMessage.objects.filter(for_resident__units=unit, read_at__isnull=True)
        .select_related("for_resident")
        .order_by("taken_at", "id")
    )
    return CallerCard(
        unit=unit,
        now=now,
        today=today,
        people=people,
        repairs=repairs,
        complaints=complaints,
        callbacks=callbacks,
        owed=units_owed([unit]),
        credit=unit_credit(unit),
        parcels=parcels,
        keys=keys,
        visitors=visitors,
        messages=messages,
        may_pay=policy.allows(user, "repair.pay", prop),
    )


@staff_required
@require_safe
def caller_card(request):
    """?unit=<id> opens that unit's card; ?q=<text> opens the card of the one unit matched,
    or lists the units to pick from when there are several."""
    if "unit" in request.GET:
        unit = card_unit(request.user, request.GET["unit"])
        found = CardMatch(text="", units=[unit])
    else:
        found = match_units(request.user, request.GET.get("q", ""))
    card = unit_card(request.user, found.units[0]) if len(found.units) == 1 else None
    return render(request, "frontdesk/caller_card.html", {"found": found, "card": card})


urlpatterns = [path("card/", caller_card, name="caller_card")]
