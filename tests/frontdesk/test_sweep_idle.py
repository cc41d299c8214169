"""The minute's sweep asks once for all properties what is due: a minute with nothing to do
costs the same number of queries with three properties as with nine, and what is due at one
property among many is still done, once."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import BillingRun, DunningAction, DunningStage, FeeNotice
from frontdesk import sweep
from frontdesk.desk.models import Parcel
from frontdesk.models import Notification
from tests.factories import (
    BuildingFactory,
    PropertyFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
)

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, past the billing day
DECEMBER = date(2026, 12, 1)


def an_estate(n: int, *, clerk):
    """A property with its two dunning stages, December billed, a unit with a resident, a
    notice not yet due and a parcel that came in this morning: nothing for the sweep to do."""
    prop = PropertyFactory(name=f"物业{n}", code=f"idle{n}", billing_day=1)
    DunningStage.objects.create(property=prop, step=1, kind="reminder", days_overdue=1)
    DunningStage.objects.create(property=prop, step=2, kind="phone", days_overdue=30)
    BillingRun.objects.create(property=prop, period=DECEMBER, started_at=NOW, finished_at=NOW)
    unit = UnitFactory(building=BuildingFactory(property=prop), number="101")
    ResidentFactory(property=prop, unit=unit, name=f"住户{n}")
    notice = FeeNotice.objects.create(
        property=prop,
        unit=unit,
        period=DECEMBER,
        number=f"{n}-202612-101",
        issued_at=NOW - timedelta(days=9),
        due_date=date(2026, 12, 20),
        total=D("200.00"),
    )
    parcel = Parcel.objects.create(
        property=prop,
        unit=unit,
        carrier="顺丰",
        shelf="A1",
        pickup_code="123456",
        received_at=NOW - timedelta(hours=2),
        registered_by=clerk,
    )
    return prop, notice, parcel


def queries_of_an_idle_minute() -> int:
    sweep.run(name="idle", now=NOW)  # the first minute may still find something to do
    with CaptureQueriesContext(connection) as captured:
        sweep.run(name="idle", now=NOW)
    return len(captured)


def test_an_idle_minute_costs_the_same_however_many_properties(db):
    clerk = UserFactory()
    for n in range(3):
        an_estate(n, clerk=clerk)
    with_three = queries_of_an_idle_minute()

    for n in range(3, 9):
        an_estate(n, clerk=clerk)
    with_nine = queries_of_an_idle_minute()

    assert with_nine == with_three


def test_what_is_due_at_one_property_among_many_is_done_once(db):
    clerk = UserFactory()
    estates = [an_estate(n, clerk=clerk) for n in range(4)]
    _, late_notice, _ = estates[1]
    FeeNotice.objects.filter(pk=late_notice.pk).update(due_date=date(2026, 11, 20))
    _, _, old_parcel = estates[2]
    Parcel.objects.filter(pk=old_parcel.pk).update(received_at=NOW - timedelta(days=5))
    unbilled = estates[3][0]
    BillingRun.objects.filter(property=unbilled).delete()
    stalled = estates[0][0]
    BillingRun.objects.filter(property=stalled).update(
        started_at=NOW - timedelta(hours=1), finished_at=None
    )

    first = sweep.run(name="due", now=NOW)
    again = sweep.run(name="due", now=NOW + timedelta(minutes=1))

    # 20 days overdue: the reminder stage only (the phone call waits for 30 days).
    assert list(DunningAction.objects.values_list("notice_id", "step")) == [(late_notice.pk, 1)]
    assert Parcel.objects.exclude(reminded_at=None).get().pk == old_parcel.pk
    assert (first["dunning_steps"], first["parcels_reminded"]) == (1, 1)
    assert first["billing_runs_queued"] == 2  # the unbilled month and the stalled one
    assert BillingRun.objects.get(property=stalled).started_at == NOW
    assert (again["dunning_steps"], again["parcels_reminded"]) == (0, 0)
    assert again["billing_runs_queued"] == 0
    assert Notification.objects.filter(subject__contains="顺丰").count() >= 1
