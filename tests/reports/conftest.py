"""The dashboard tests' world, built through the services, its clock and the supervisor."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing.models import FeeItem, FeeNotice, PriceStandard
from billing.notices import notices_generate
from billing.payments import payment_take
from reports.figures import Measure
from tests.clock import at
from tests.factories import (
    BuildingFactory,
    ResidentFactory,
    UnitFactory,
    complaint_received,
    repair_completed,
    repair_received,
)
from tickets.complaints import escalations
from tickets.complaints import services as complaints
from tickets.models import Escalation
from tickets.repairs import services as repairs
from visits.models import Callback
from visits.services import callback_record_reached

SH = ZoneInfo("Asia/Shanghai")
D = Decimal


def t(month, day, hour=10, minute=0):
    """A moment in the property's zone, 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


NOW = t(11, 24, 10)  # a Tuesday
# The range: two whole weeks, Monday 9 to Sunday 22 November. The previous period of equal
# length: Monday 26 October to Sunday 8 November; its snapshot moment is NOW - 14 days.
RANGE = {"from": "2026-11-09", "to": "2026-11-22", "trend": "week"}


def open_callback(kind, **target):
    return Callback.objects.get(status="open", kind=kind, **target)


def call(callback, when, score, *, by, solved=True):
    with at(when):
        return callback_record_reached(callback=callback, by=by, solved=solved, satisfaction=score)


@pytest.fixture
def world(sunshine, clerk, engineer, engineering, engineering_manager, project_manager):
    """Two units (100 m² in building 1, 50 m² in building 2), their fee notices for October
    and November, and the repairs, complaints and calls written out below with their figures."""
    b1 = BuildingFactory(property=sunshine, number="1")
    b2 = BuildingFactory(property=sunshine, number="2")
    u1 = UnitFactory(building=b1, number="101", area_m2=D("100"))
    u2 = UnitFactory(building=b2, number="201", area_m2=D("50"))
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=u1)
    zhou = ResidentFactory(property=sunshine, name="周建国", unit=u2)

    # Fees: 2.00 a m² a month: 200 + 100 = 300 billed each month.
    fee = FeeItem.objects.create(property=sunshine, name="物业管理费", basis="area")
    PriceStandard.objects.create(fee_item=fee, price=D("2.00"), effective_from=date(2026, 1, 1))
    for month in (10, 11):
        with at(t(month, 1, 9)):
            notices_generate(property=sunshine, period=date(2026, month, 1))
    notice = {(n.unit_id, n.period.month): n for n in FeeNotice.objects.all()}
    for unit, month, amount in ((u1, 10, "200"), (u1, 11, "200"), (u2, 11, "50")):
        with at(t(month, 20)):
            payment_take(
                unit=unit,
                by=clerk,
                notices=[notice[(unit.pk, month)]],
                method="cash",
                amount=D(amount),
                received=D(amount),
            )

    def completed(when, **fields):
        with at(when):
            return repair_completed(
                sunshine, clerk=clerk, engineer=engineer, department=engineering, **fields
            )

    # --- the previous period (26 Oct - 8 Nov) ---
    r0 = completed(t(11, 2), resident=lin)  # callback on time, score 2, not solved: reopened
    call(open_callback("repair", repair=r0), t(11, 3), 2, by=clerk, solved=False)
    p1 = completed(t(11, 4), resident=lin)  # callback due 7 Nov, made late on 12 Nov (score 4)
    with at(t(11, 3)):
        c0 = complaint_received(
            sunshine, by=clerk, resident=lin, department=engineering, answered_on_spot=True
        )
    with at(t(11, 3, 11)):
        complaints.complaint_resolve(complaint=c0, by=engineer, resolution="已修好")  # in 2 h
    call(open_callback("complaint", complaint=c0), t(11, 4), 5, by=clerk)
    with at(t(11, 5)):
        c5 = complaint_received(
            sunshine, by=clerk, resident=zhou, department=engineering, answered_on_spot=True
        )
    with at(t(11, 5, 12, 30)):
        escalations.complaints_escalate(now=t(11, 5, 12, 30))  # c5 → department manager

    # --- the range (9 - 22 Nov) ---
    r1 = completed(t(11, 10), resident=lin, category="water", channel="phone")
    call(open_callback("repair", repair=r1), t(11, 11), 5, by=clerk)  # on time
    with at(t(11, 10)):
        c1 = complaint_received(
            sunshine, by=clerk, resident=lin, department=engineering, answered_on_spot=True
        )
    with at(t(11, 10, 11)):
        complaints.complaint_resolve(complaint=c1, by=engineer, resolution="已修好")  # in 2 h
    call(open_callback("complaint", complaint=c1), t(11, 11), 4, by=clerk)  # on time
    r5 = completed(
        t(11, 12),
        is_public_area=True,
        location="大堂",
        category="public_area",
        channel="phone",
    )  # its callback (due 15 Nov) is never made: overdue
    call(open_callback("repair", repair=p1), t(11, 12), 4, by=clerk)  # late
    escalation_c5 = Escalation.objects.get(complaint=c5)
    with at(t(11, 12, 9)):
        escalations.escalation_acknowledge(escalation=escalation_c5, by=engineering_manager)
    with at(t(11, 12)):
        complaints.complaint_resolve(complaint=c5, by=engineer, resolution="已修好")  # late
    call(open_callback("complaint", complaint=c5), t(11, 13), 5, by=clerk)  # on time

    with at(t(11, 17, 9)):
        c2 = complaint_received(
            sunshine, by=clerk, resident=zhou, department=engineering, answered_on_spot=True
        )
    with at(t(11, 17, 11, 30)):
        escalations.complaints_escalate(now=t(11, 17, 11, 30))  # c2 → department manager
    with at(t(11, 17, 14)):
        complaints.complaint_resolve(complaint=c2, by=engineer, resolution="已修好")  # late
    # c2's satisfaction callback (due end of 20 Nov) is never made: overdue.
    r2 = completed(t(11, 17), resident=zhou, category="electricity", channel="walk_in")
    call(open_callback("repair", repair=r2), t(11, 21), 3, by=clerk)  # late, score 3
    with at(t(11, 18)):
        r3 = repair_received(sunshine, by=clerk, resident=lin, channel="online")  # not handled
        c3 = complaint_received(
            sunshine,
            by=clerk,
            resident=lin,
            department=engineering,
            answered_on_spot=True,
            category="water_power",
        )  # never fixed
    with at(t(11, 19)):
        r4 = repair_received(sunshine, by=clerk, resident=lin)
        repairs.repair_cancel(order=r4, by=clerk, reason="住户自行修好")  # left out
        escalations.complaints_escalate(now=t(11, 19))  # c3 → department and project manager
        c4 = complaint_received(
            sunshine,
            by=clerk,
            complainant_name="周先生",
            channel="letter",
            category="attitude",
            direct_impact=False,
            temperament="rational",
        )  # a letter: its reply (due end of 22 Nov) is never given: overdue
        complaint_received(
            sunshine,
            by=clerk,
            resident=lin,
            kind="suggestion",
            direct_impact=False,
            answered_on_spot=True,
            category="quality",
        )  # a suggestion: not counted
    pm_escalation = Escalation.objects.get(complaint=c3, level="project_manager")
    with at(t(11, 19, 12)):
        escalations.escalation_acknowledge(escalation=pm_escalation, by=project_manager)
    return {
        "b1": b1,
        "b2": b2,
        "u1": u1,
        "u2": u2,
        "lin": lin,
        "zhou": zhou,
        "repairs": {"r0": r0, "p1": p1, "r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5},
        "complaints": {"c0": c0, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5},
    }


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def figures_of(d) -> dict:
    return {f.key: f for f in d.figures}


def rate(numerator, denominator):
    return Measure(numerator, denominator)
