"""Dunning (催缴): the sweep moves each overdue notice through its property's stages (a
reminder, a phone call in the callback queue, a formal letter), each stage once per notice.
The notices' step is claimed a batch at a time through billing.notices, the calls scheduled
through visits."""

from datetime import datetime, timedelta

from django.db import transaction
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
    that fails half-way leaves nothing and the next one does it all once."""
    taken = 0
    with transaction.atomic():
        for stage in DunningStage.objects.select_related("property").order_by(
            "property_id", "step"
        ):
            prop = stage.property
            due = FeeNotice.objects.filter(
                property=prop,
                settled=False,
                dunning_step=stage.step - 1,
                due_date__lte=prop.today(now) - timedelta(days=stage.days_overdue),
            )
            while ids := dunning_steps_claim(due, step=stage.step, size=batch_size):
                notices = list(
                    FeeNotice.objects.filter(pk__in=ids)
                    .only("unit_id", "number", "total", "paid")
                    .order_by("unit_id", "due_date", "pk")
                )
                _dun(notices, stage, now)
                taken += len(notices)
    return taken


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
