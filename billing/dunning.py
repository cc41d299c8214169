"""Dunning (催缴): the sweep moves each overdue notice through its property's stages (a
reminder, a phone call in the callback queue, a formal letter), each stage once per notice.
The notice's step is claimed through billing.notices, the call scheduled through visits."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.models import DunningAction, DunningStage, FeeNotice
from billing.notices import BATCH_SIZE, dunning_step_claim
from frontdesk import clock
from frontdesk.outbox import unit_notify
from visits.models import Callback
from visits.services import callback_schedule


def dunning_advance(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Move each overdue notice through its property's dunning stages, one stage per notice
    and step, however often the sweep runs: the step is claimed with a conditional UPDATE."""
    taken = 0
    for stage in DunningStage.objects.select_related("property").order_by("property_id", "step"):
        prop = stage.property
        today = prop.today(now)
        due = FeeNotice.objects.filter(
            property=prop,
            settled=False,
            dunning_step=stage.step - 1,
            due_date__lte=today - timedelta(days=stage.days_overdue),
        )
        while ids := list(due.order_by("due_date", "pk").values_list("pk", flat=True)[:batch_size]):
            done = 0
            for pk in ids:
                with transaction.atomic():
                    if not dunning_step_claim(due, pk, stage.step):
                        continue
                    notice = FeeNotice.objects.select_related("unit__building").get(pk=pk)
                    _dun(notice, stage, now)
                    done += 1
            taken += done
            if len(ids) < batch_size or not done:
                break
    return taken


def _dun(notice: FeeNotice, stage: DunningStage, now: datetime) -> None:
    owed = notice.total - notice.paid
    DunningAction.objects.create(
        notice=notice, step=stage.step, kind=stage.kind, at=now, outstanding=owed
    )
    prop = stage.property
    if stage.kind == DunningStage.Kind.REMINDER:

        def subject() -> str:
            return _("Reminder: fee notice %(number)s is overdue, %(owed)s yuan outstanding") % {
                "number": notice.number,
                "owed": owed,
            }

        link = reverse("portal_notice", args=[notice.pk])
        unit_notify(prop, notice.unit, subject, link=link, about=notice)
    elif stage.kind == DunningStage.Kind.PHONE:
        due = clock.deadline_after_days(now, 1, tz=prop.zone, rest_days=prop.rest_days())
        callback_schedule(
            property=prop,
            kind=Callback.Kind.DUNNING,
            fee_notice=notice,
            question=_("Fee notice %(number)s: %(owed)s yuan overdue")
            % {"number": notice.number, "owed": owed},
            created_at=now,
            due_at=due,
        )
    # A formal letter is printed from the dunning list; the action row is its record.
