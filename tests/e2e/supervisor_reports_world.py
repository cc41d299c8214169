"""The month at 阳光花园 behind the supervisor's reports test, and the figures it gives."""

# The world, and what each figure counts (range 1-24 Nov; previous period 8-31 Oct):
#
# - satisfaction: calls scored r1 5, c1 4, c6 5, r2 3 → 3 of 4 scored 4 or 5 (75%);
# - complaint callbacks within three days: c1's and c6's made on time → 2 / 2 (100%, met);
# - repair callbacks within 72 h: r1 on time, r2 late, r5 never made (overdue) → 1 / 3;
# - repair handling: r1, r2, r4, r5 completed, r3 not yet → 4 / 5 (80%);
# - direct-impact complaints fixed in the window: c1, c3 in time, c6 late, c2 never → 2 / 4;
# - escalations not acknowledged now: c2's to the department manager (Tue 12:01) and to the
#   project manager (Wed 00:01); c6's was acknowledged → 2;
# - overdue now: r5's callback and c5's reply → 2;
# - collection: November 200.00 of 300.00 (66.7%), October 300.00 of 300.00 (100%).

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from billing.models import FeeItem, FeeNotice, PriceStandard
from billing.notices import notices_generate
from billing.payments import payment_take
from frontdesk.desk import shift_services
from frontdesk.tasks import sweep
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
from visits.models import Callback
from visits.services import callback_record_reached

SH = ZoneInfo("Asia/Shanghai")
D = Decimal
DAY = date(2026, 11, 24)  # Tuesday: the day under review
RANGE = {"from": "2026-11-01", "to": "2026-11-24"}


def shanghai(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of 2026 in Shanghai."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def local_hm(dt: datetime) -> str:
    return timezone.localtime(dt, SH).strftime("%H:%M")


def zh(text) -> str:
    """A label as the page shows it: in the site's language (zh-hans)."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def table_cells(rows) -> list[list[str]]:
    """Each row of the locator as the text of its cells, whitespace squeezed."""
    return rows.evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.replace(/\\s+/g, ' ').trim()))"
    )


def link_texts(links) -> list[str]:
    return [text.strip() for text in links.all_inner_texts()]


def open_callback(kind: str, **target) -> Callback:
    return Callback.objects.get(status="open", kind=kind, **target)


def call(callback: Callback, score: int, *, by) -> None:
    callback_record_reached(callback=callback, by=by, solved=True, satisfaction=score)


# The figures of 1-24 November, as the dashboard's table shows them: value, counted, target,
# previous period (with its counts), change.
FIGURE_ROWS = {
    "satisfaction": ["75%", "3 / 4", "≥ 96%", "— (0 / 0)", "—"],
    "complaint_callbacks": ["100%", "2 / 2", "≥ 100%", "— (0 / 0)", "—"],
    "repair_callbacks": ["33.3%", "1 / 3", "≥ 100%", "— (0 / 0)", "—"],
    "repair_handling": ["80%", "4 / 5", "≥ 98%", "— (0 / 0)", "—"],
    "direct_fix": ["50%", "2 / 4", "≥ 100%", "— (0 / 0)", "—"],
    "escalations": ["2", "2", "0", "0", "+2"],
    "overdue": ["2", "2", "0", "0", "+2"],
    "collection": ["66.7%", "200.00 / 300.00", "≥ 95%", "100% (300.00 / 300.00)", "-33.3 pp"],
}
MEETS = {key: key == "complaint_callbacks" for key in FIGURE_ROWS}

# Tuesday 24 November in the daily review, counted at 07:40 on Wednesday.
REVIEW_FIGURES = {
    "complaints_received": 3,  # c2, c3, c4
    "complaints_direct_impact": 2,  # c2, c3
    "complaints_fixed_in_window": 1,  # c3
    "complaints_missed_window": 1,  # c2
    "complaints_waiting": 2,  # c2 with the department, c4 received
    "escalations_raised": 1,  # c2 → department manager at 12:01
    "escalations_unacknowledged": 2,  # and c2 → project manager at Wednesday 00:01
    "callbacks_overdue": 1,  # r5's
    "replies_overdue": 1,  # c5's
    "repairs_received": 2,  # r3, r4
    "repairs_completed": 1,  # r4
    "handovers": 1,
    "handovers_with_pending": 1,
    "handovers_not_taken_over": 0,
    "ledger_signed": False,
}


def build_world(sunshine, clerk, assistant, engineer, engineering, engineering_manager, clock):
    """The month written out at the top of this module, at its times (the clock moves)."""
    b1 = BuildingFactory(property=sunshine, number="1")
    b2 = BuildingFactory(property=sunshine, number="2")
    u1 = UnitFactory(building=b1, number="101", area_m2=D("100.00"))
    u2 = UnitFactory(building=b2, number="201", area_m2=D("50.00"))
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=u1, phones=["13812345678"])
    zhou = ResidentFactory(property=sunshine, name="周建国", unit=u2, phones=["13912345678"])

    # Fees: 2.00 a m² a month, 200.00 + 100.00 billed each month.
    fee = FeeItem.objects.create(property=sunshine, name="物业管理费", basis="area")
    PriceStandard.objects.create(fee_item=fee, price=D("2.00"), effective_from=date(2026, 1, 1))

    def pay(unit, period, amount):
        notice = FeeNotice.objects.get(unit=unit, period=period, kind="monthly")
        payment_take(
            unit=unit,
            by=clerk,
            notices=[notice],
            method="cash",
            amount=D(amount),
            received=D(amount),
        )

    clock.move_to(shanghai(10, 1, 9))
    notices_generate(property=sunshine, period=date(2026, 10, 1))
    clock.move_to(shanghai(10, 15))
    pay(u1, date(2026, 10, 1), "200.00")
    pay(u2, date(2026, 10, 1), "100.00")
    clock.move_to(shanghai(11, 1, 9))
    notices_generate(property=sunshine, period=date(2026, 11, 1))
    clock.move_to(shanghai(11, 20))
    pay(u1, date(2026, 11, 1), "200.00")  # 2-201 has not paid November

    def completed(**fields):
        return repair_completed(
            sunshine, clerk=clerk, engineer=engineer, department=engineering, **fields
        )

    # Week of 9 November: a repair and a lift complaint, both fixed and called back on time.
    clock.move_to(shanghai(11, 10))
    r1 = completed(resident=lin, category="water", channel="phone")
    c1 = complaint_received(
        sunshine,
        by=clerk,
        resident=lin,
        department=engineering,
        answered_on_spot=True,
        description="1号楼电梯按钮失灵,按了不亮",
    )
    clock.move_to(shanghai(11, 10, 11))
    complaints.complaint_resolve(complaint=c1, by=engineer, resolution="更换按钮板")  # in 1 h
    clock.move_to(shanghai(11, 11))
    call(open_callback("repair", repair=r1), 5, by=clerk)
    call(open_callback("complaint", complaint=c1), 4, by=clerk)

    # Week of 16 November.
    clock.move_to(shanghai(11, 16))
    c5 = complaint_received(
        sunshine,
        by=clerk,
        resident=zhou,
        owner=assistant,
        direct_impact=False,
        temperament="rational",
        category="quality",
        description="快递代收登记混乱,要求书面答复",
    )  # its reply, due at the end of 19 November, is never given
    clock.move_to(shanghai(11, 17, 9))
    c6 = complaint_received(
        sunshine,
        by=clerk,
        resident=zhou,
        department=engineering,
        answered_on_spot=True,
        description="2号楼电梯异响,老人不敢乘坐",
    )
    clock.move_to(shanghai(11, 17, 10))
    r2 = completed(resident=zhou, category="electricity", channel="walk_in")
    clock.move_to(shanghai(11, 17, 11, 30))
    escalations.complaints_escalate(now=timezone.now())  # c6 → the department manager
    clock.move_to(shanghai(11, 17, 11, 45))
    escalations.escalation_acknowledge(
        escalation=Escalation.objects.get(complaint=c6), by=engineering_manager
    )
    clock.move_to(shanghai(11, 17, 14))
    complaints.complaint_resolve(complaint=c6, by=engineer, resolution="调整曳引机")  # late
    clock.move_to(shanghai(11, 18))
    call(open_callback("complaint", complaint=c6), 5, by=clerk)
    r5 = completed(
        is_public_area=True, location="大堂", category="public_area", channel="phone"
    )  # its callback, due 21 November, is never made
    clock.move_to(shanghai(11, 21))
    call(open_callback("repair", repair=r2), 3, by=clerk)  # a day late

    # Tuesday 24 November: the day under review.
    clock.move_to(shanghai(11, 24, 9))
    r3 = repair_received(sunshine, by=clerk, resident=lin, channel="online")  # not yet done
    clock.move_to(shanghai(11, 24, 10))
    c2 = complaint_received(
        sunshine,
        by=clerk,
        resident=lin,
        owner=assistant,
        department=engineering,
        description="3号楼电梯停在8楼不动,老人无法下楼",
    )  # never fixed: escalated twice
    clock.move_to(shanghai(11, 24, 10, 30))
    c3 = complaint_received(
        sunshine,
        by=clerk,
        resident=zhou,
        department=engineering,
        answered_on_spot=True,
        category="water_power",
        description="厨房停水",
    )
    clock.move_to(shanghai(11, 24, 11))
    r4 = completed(resident=zhou, category="water", channel="phone")
    clock.move_to(shanghai(11, 24, 11, 30))
    complaints.complaint_resolve(complaint=c3, by=engineer, resolution="阀门已打开")  # in time
    clock.move_to(shanghai(11, 24, 12, 1))
    escalations.complaints_escalate(now=timezone.now())  # c2 → the department manager
    clock.move_to(shanghai(11, 24, 14))
    c4 = complaint_received(
        sunshine,
        by=clerk,
        resident=lin,
        direct_impact=False,
        temperament="rational",
        answered_on_spot=True,
        category="attitude",
        description="保安态度恶劣",
    )
    clock.move_to(shanghai(11, 24, 18))
    handover = shift_services.handover_record(
        property=sunshine,
        by=clerk,
        day=DAY,
        shift="day",
        pending="3号楼电梯门机板待厂家到货,明早跟进",
    )
    clock.move_to(shanghai(11, 24, 18, 10))
    shift_services.handover_take_over(handover=handover, by=assistant)

    # Beat runs the sweep through the night: at 00:01 c2 was not solved the same day.
    clock.move_to(shanghai(11, 25, 0, 1))
    assert sweep()["digests_sent"] == 0
    return {
        "repairs": {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5},
        "complaints": {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6},
        "handover": handover,
    }
