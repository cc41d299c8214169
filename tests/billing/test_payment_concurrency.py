"""Two clerks paying the same fee notice at the same moment on PostgreSQL: both payments are
recorded, the notice is credited with no more than it bills, and the rest is the unit's credit.
Each clerk is a separate process with its own connection, started together at a barrier."""

import multiprocessing
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections

from billing.models import Allocation, FeeItem, FeeNotice, Payment, PriceStandard
from billing.notices import notices_generate
from billing.payments import payment_take, unit_credit
from tests.conftest import staff_at
from tests.factories import BuildingFactory, UnitFactory

ROUNDS = 10


def pay_every_notice(barrier, results, notice_ids, user_id, tag):
    connections.close_all()  # never share the parent's socket
    from billing.models import FeeNotice
    from frontdesk.models import User

    clerk = User.objects.get(pk=user_id)
    numbers = []
    for notice_id in notice_ids:
        notice = FeeNotice.objects.select_related("unit__building__property").get(pk=notice_id)
        barrier.wait(timeout=30)  # both clerks press "pay" on the same notice together
        payment = payment_take(
            unit=notice.unit,
            by=clerk,
            notices=[notice],
            method="cash",
            amount=notice.total,
            received=notice.total,
            idempotency_key=f"{tag}-{notice_id}",
        )
        numbers.append(payment.number)
    connections.close_all()
    results.put(numbers)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_the_same_notice_never_over_credit_it(postgres, sunshine):
    fee = FeeItem.objects.create(property=sunshine, name="物业管理费", basis="area")
    PriceStandard.objects.create(
        fee_item=fee, price=Decimal("2.50"), effective_from=date(2026, 1, 1)
    )
    building = BuildingFactory(property=sunshine)
    for i in range(ROUNDS):
        UnitFactory(building=building, number=f"{i:04d}", area_m2=Decimal("100"))
    notices_generate(property=sunshine, period=date(2026, 11, 1))
    notice_ids = list(FeeNotice.objects.order_by("pk").values_list("pk", flat=True))
    clerk = staff_at(sunshine, "clerk")
    connections.close_all()

    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=pay_every_notice, args=(barrier, results, notice_ids, clerk.pk, tag))
        for tag in ("甲", "乙")
    ]
    for w in workers:
        w.start()
    receipts = results.get(timeout=120) + results.get(timeout=120)
    for w in workers:
        w.join(timeout=30)

    assert [w.exitcode for w in workers] == [0, 0]
    assert len(set(receipts)) == 2 * ROUNDS  # both payments recorded, every time
    assert Payment.objects.count() == 2 * ROUNDS
    for notice in FeeNotice.objects.all():
        applied = sum(a.amount for a in Allocation.objects.filter(notice=notice))
        assert notice.paid == applied == notice.total == Decimal("250.00")
        assert notice.settled
        # One clerk's money paid it; the other's stays as the unit's credit.
        assert unit_credit(notice.unit) == Decimal("250.00")
