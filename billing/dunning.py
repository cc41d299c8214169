"""Dunning (催缴): the sweep moves each overdue notice through its property's stages (a
reminder, a phone call in the callback queue, a formal letter), each stage once per notice.
The notices' step is claimed a batch at a time through billing.notices, the calls scheduled
through visits."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import DunningAction, DunningStage, FeeNotice
from billing.notices import BATCH_SIZE, dunning_steps_claim
from frontdesk import clock
from frontdesk.models import Property
from frontdesk.outbox import UnitMessage, listed, units_notify
from visits.models import Callback
from visits.services import callbacks_schedule


def dunning_advance(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Move each overdue notice through its property's dunning stages, one stage per notice
    and step, however often (or concurrently) the sweep runs: a batch of notices is claimed
    at a time, its actions, reminders and calls written together. One transaction, so a sweep
    that fails half-way leaves nothing and the next one does it all once. Which stages have
    notices due is asked once for every property, so a minute with nothing to do costs the
    same however many properties there are."""
    taken = 0
    with transaction.atomic():
        stages = list(
            DunningStage.objects.select_related("property").order_by("property_id", "step")
        )
        cutoffs = {stage.pk: _cutoff(stage, now) for stage in stages}
        unsettled = FeeNotice.objects.filter(settled=False)
        waiting = set(_reached(unsettled, stages, cutoffs))
        for stage in stages:
            prop = stage.property
            if (prop.pk, stage.step - 1) not in waiting:
                continue
            due = unsettled.filter(
                property=prop, dunning_step=stage.step - 1, due_date__lte=cutoffs[stage.pk]
            )
            while ids := dunning_steps_claim(due, step=stage.step, size=batch_size):
                notices = list(
                    FeeNotice.objects.filter(pk__in=ids)
                    .only("unit_id", "number", "total", "paid")
                    .order_by("unit_id", "due_date", "pk")
                )
                _dun(notices, stage, now)
                taken += len(notices)
                # What this stage took may be due for the next one at once, as it always was.
                waiting.add((prop.pk, stage.step))
    return taken


def _cutoff(stage: DunningStage, now: datetime) -> date:
    """The latest due date a notice may have to be due for the stage today."""
    return stage.property.today(now) - timedelta(days=stage.days_overdue)


def _reached(unsettled, stages: list[DunningStage], cutoffs: dict[int, date]):
    """(property, dunning step) pairs with a notice due for the stage after that step, in one
    query: one condition per distinct step and cut-off, not one per property."""
    properties: dict[tuple[int, date], list[int]] = {}
    for stage in stages:
        properties.setdefault((stage.step, cutoffs[stage.pk]), []).append(stage.property_id)
    match = Q(pk__in=[])
    for (step, cutoff), ids in properties.items():
        match |= Q(property_id__in=ids, dunning_step=step - 1, due_date__lte=cutoff)
    return unsettled.filter(match).order_by().values_list("property_id", "dunning_step").distinct()


def _dun(notices: list[FeeNotice], stage: DunningStage, now: datetime) -> None:
    DunningAction.objects.bulk_create(
        DunningAction(notice=n, step=stage.step, kind=stage.kind, at=now, outstanding=_owed(n))
        for n in notices
    )
    prop = stage.property
    if stage.kind == DunningStage.Kind.REMINDER:
        _remind(prop, notices, now)
    elif stage.kind == DunningStage.Kind.PHONE:
        due = clock.deadline_after_days(now, 1, tz=prop.zone, rest_days=prop.rest_days())
        callbacks_schedule(
            property=prop,
            kind=Callback.Kind.DUNNING,
            created_at=now,
            due_at=due,
            records=[
                {
                    "fee_notice": notice,
                    "question": _("Fee notice %(number)s: %(owed)s yuan overdue")
                    % {"number": notice.number, "owed": _owed(notice)},
                }
                for notice in notices
            ],
        )
    # A formal letter is printed from the dunning list; the action row is its record.


def _owed(notice: FeeNotice):
    return notice.total - notice.paid


def _remind(prop: Property, notices: list[FeeNotice], now: datetime) -> None:
    """One reminder per unit, naming all of its notices the batch took, to its residents."""
    by_unit: dict[int, list[FeeNotice]] = {}
    for notice in notices:
        by_unit.setdefault(notice.unit_id, []).append(notice)
    units_notify(
        property=prop,
        messages={unit_id: _reminder(owed) for unit_id, owed in by_unit.items()},
        at=now,
    )


def _reminder(notices: list[FeeNotice]) -> UnitMessage:
    def subject() -> str:
        values = {
            "count": len(notices),
            "number": listed(notice.number for notice in notices),
            "owed": sum(_owed(notice) for notice in notices),
        }
        if len(notices) == 1:
            return (
                _("Reminder: fee notice %(number)s is overdue, %(owed)s yuan outstanding") % values
            )
        return (
            ngettext(
                "Reminder: %(count)d fee notice is overdue (%(number)s), %(owed)s yuan outstanding",
                "Reminder: %(count)d fee notices are overdue (%(number)s), %(owed)s yuan outstanding",
                len(notices),
            )
            % values
        )

    if len(notices) == 1:
        link, about = reverse("portal_notice", args=[notices[0].pk]), notices[0]
    else:
        link, about = reverse("portal_fees"), None
    return UnitMessage(subject=subject, link=link, about=about)
