"""A morning at the desk, in the browser (09:00–13:00 in Shanghai): a visitor arrives and
leaves; a parcel is registered, the resident is told the pickup code by SMS and collects the
parcel with it; a key deposited for the unit is handed out to the authorised cleaner and
returned, each time signed on the screen; a phone message is left for the engineer, who reads
it; the clerk hands the day shift over with a pending note, the next shift takes over, and the
supervisor signs the day's ledger."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from frontdesk.desk.models import (
    DailyLedger,
    KeyDeposit,
    Parcel,
    PhoneMessage,
    ShiftHandover,
    Visitor,
)
from frontdesk.desk.shift_queries import count_rows
from frontdesk.models import Notification, Resident
from tests.e2e.conftest import screenshot
from tests.e2e.test_repair_path import sign_in
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, UserFactory

DAY = date(2026, 11, 25)  # a Wednesday
OPEN = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(hour: int, minute: int = 0) -> datetime:
    """That time of the morning, Shanghai time (UTC+8)."""
    return OPEN + timedelta(hours=hour - 9, minutes=minute)


def local_hm(dt: datetime) -> str:
    return timezone.localtime(dt, SHANGHAI).strftime("%H:%M")


def sign_on_canvas(page, form):
    """Draw a signature with the mouse on the form's signature pad."""
    pad = form.locator("canvas[data-signature]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + 40 + (step % 4) * 10)
    page.mouse.up()


def shown_counts(page) -> list[tuple[str, str]]:
    """The "what the desk did" table as (label, figure) rows."""
    return [
        tuple(cells)
        for cells in page.locator(".desk-more-counts tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
        )
    ]


def expected_rows(counts: dict) -> list[tuple[str, str]]:
    """The rows the page should show for these counts, labelled in the page's language."""
    with translation.override("zh-hans"):
        return [(str(label), str(value)) for label, value in count_rows(counts)]


def test_a_morning_at_the_desk_visitor_parcel_key_message_handover_and_ledger(
    live_server, browser, settings, tmp_path, sunshine, clerk, assistant, supervisor, engineer
):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")
    zhou = ResidentFactory(property=sunshine, name="周雅琴", unit=unit, phones=["13912345678"])
    Resident.objects.filter(pk=zhou.pk).update(user=UserFactory(username="13912345678"))
    url = live_server.url
    q = f"?property={sunshine.pk}"

    with time_machine.travel(shanghai(9), tick=True) as clock:
        desk = sign_in(browser, live_server, "clerk")

        # 09:05 A walk-in visitor for 2-1503: only the document's last four are written down.
        clock.move_to(shanghai(9, 5))
        desk.goto(url + reverse("desk_visitors") + q)
        expect(desk.locator("h1")).to_contain_text("2026-11-25")
        register = desk.locator("form[action*='/desk/visitors/new/']")
        register.locator("[name=name]").fill("李建国")
        register.locator("[name=phone]").fill("13700001111")
        register.locator("[name=unit]").select_option(str(unit.pk))
        register.locator("[name=purpose]").fill("探望亲友")
        register.locator("[name=id_type]").select_option("id_card")
        register.locator("[name=id_last4]").fill("123x")
        register.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        visitor = Visitor.objects.get()
        assert (visitor.name, visitor.unit, visitor.purpose) == ("李建国", unit, "探望亲友")
        assert (visitor.id_type, visitor.id_last4) == ("id_card", "123X")
        assert visitor.arrived_at is not None and visitor.left_at is None
        assert visitor.registered_by == clerk
        inside = desk.locator("h2#inside + table")
        expect(inside).to_contain_text("李建国")
        expect(inside).to_contain_text("2-1503")
        expect(inside).to_contain_text("···123X")
        expect(inside).to_contain_text(local_hm(visitor.arrived_at))
        assert local_hm(visitor.arrived_at) == "09:05"

        # 09:40 The visitor leaves.
        clock.move_to(shanghai(9, 40))
        desk.locator(f"form[action$='/desk/visitors/{visitor.pk}/leave/'] button").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        visitor.refresh_from_db()
        assert visitor.left_at is not None and local_hm(visitor.left_at) == "09:40"
        expect(desk.locator(f"form[action$='/desk/visitors/{visitor.pk}/leave/']")).to_have_count(0)
        left = desk.locator("h2#left + table")
        expect(left).to_contain_text("李建国")
        expect(left).to_contain_text("09:05")
        expect(left).to_contain_text("09:40")
        screenshot(desk, "morning-01-visitor-left.png")

        # 10:10 A parcel for 2-1503 (SF Express, shelf A-3): the code is shown once and texted.
        clock.move_to(shanghai(10, 10))
        desk.goto(url + reverse("desk_parcels") + q)
        register = desk.locator("form[action*='/desk/parcels/new/']")
        register.locator("[name=unit]").select_option(str(unit.pk))
        register.locator("[name=recipient_name]").fill("周雅琴")
        register.locator("[name=carrier]").fill("顺丰速运")
        register.locator("[name=tracking_number]").fill("SF1402938475611")
        register.locator("[name=shelf]").fill("A-3")
        register.locator("button.primary").click()
        parcel = Parcel.objects.get()
        code = parcel.pickup_code
        assert len(code) == 6 and code.isdigit()
        assert (parcel.unit, parcel.carrier, parcel.shelf) == (unit, "顺丰速运", "A-3")
        assert parcel.collected_at is None and parcel.registered_by == clerk
        expect(desk.locator(".banner.pickup[role=status]")).to_contain_text(code)
        expect(desk.locator(".banner.pickup[role=status]")).to_contain_text("A-3")
        waiting = desk.locator("#waiting tbody tr", has_text="SF1402938475611")
        expect(waiting).to_contain_text("2-1503")
        expect(waiting).to_contain_text("A-3")
        screenshot(desk, "morning-02-parcel-registered.png")

        # The resident is told: an SMS to the first phone, and a notice in the portal.
        sms = Notification.objects.get(channel="sms", recipient_resident=zhou)
        assert sms.address == "13912345678"
        assert code in sms.subject and "顺丰速运" in sms.subject
        notice = Notification.objects.get(channel="in_app", recipient_resident=zhou)
        assert notice.recipient_user.username == "13912345678" and code in notice.subject
        # Shown once: the page again no longer shows the code.
        desk.reload()
        expect(desk.locator(".banner.pickup")).to_have_count(0)

        # 10:45 The resident comes to the desk and gives the code; a wrong one is refused.
        clock.move_to(shanghai(10, 45))
        waiting.locator(f"a[href*='hand_over={parcel.pk}']").click()
        panel = desk.locator("#hand-over")
        expect(panel).to_be_visible()
        expect(panel.locator("h1")).to_contain_text("2-1503")
        panel.locator("[name=collected_by_name]").fill("周雅琴")
        panel.locator("[name=code]").fill(f"{(int(code) + 1) % 10**6:06d}")
        panel.locator("button.primary").click()
        expect(desk.locator(".banner.error[role=alert]")).to_be_visible()
        parcel.refresh_from_db()
        assert parcel.collected_at is None
        # The panel stays, with the name as typed, to try again.
        expect(panel.locator("[name=collected_by_name]")).to_have_value("周雅琴")
        panel.locator("[name=code]").fill(code)
        screenshot(desk, "morning-03-parcel-hand-over.png")
        panel.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        parcel.refresh_from_db()
        assert parcel.collected_at is not None and local_hm(parcel.collected_at) == "10:45"
        assert (parcel.collected_by_name, parcel.collected_with) == ("周雅琴", "code")
        assert parcel.handed_over_by == clerk and not parcel.signature
        expect(desk.locator("#hand-over")).to_have_count(0)
        expect(desk.locator("#waiting tbody tr", has_text="SF1402938475611")).to_have_count(0)
        collected = desk.locator("#collected tbody tr", has_text="周雅琴")
        expect(collected).to_contain_text("10:45")
        expect(collected).to_contain_text("2-1503")
        expect(collected).to_contain_text("王前台")
        screenshot(desk, "morning-04-parcel-collected.png")

        # 11:00 The owner's key for 2-1503 goes into custody; the cleaner may collect it.
        clock.move_to(shanghai(11))
        desk.goto(url + reverse("desk_keys") + q)
        deposit = desk.locator("form[action*='/desk/keys/new/']")
        deposit.locator("[name=unit]").select_option(str(unit.pk))
        deposit.locator("[name=label]").fill("K-07")
        deposit.locator("[name=description]").fill("入户门钥匙 2 把")
        deposit.locator("[name=deposited_by]").fill("周雅琴")
        deposit.locator("[name=authorised]").fill("保洁 刘翠兰 13800138000")
        deposit.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        key = KeyDeposit.objects.get()
        assert (key.unit, key.label, key.is_out) == (unit, "K-07", False)
        assert "刘翠兰" in key.authorised
        desk.locator(f"a[href$='/desk/keys/{key.pk}/']").click()
        expect(desk.locator(".desk-day-key-state .desk-day-in")).to_be_visible()
        expect(desk.locator("dl.facts")).to_contain_text("刘翠兰")

        # 11:10 Handed out to the cleaner, who signs on the screen.
        clock.move_to(shanghai(11, 10))
        out = desk.locator(f"form[action$='/desk/keys/{key.pk}/hand-out/']")
        out.locator("[name=person]").fill("刘翠兰")
        out.locator("[name=signed_name]").fill("刘翠兰")
        sign_on_canvas(desk, out)
        screenshot(desk, "morning-05-key-hand-out.png")
        out.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        expect(desk.locator(".desk-day-key-state .desk-day-out")).to_be_visible()
        key.refresh_from_db()
        assert key.is_out
        [hand_out] = key.movements.all()
        assert (hand_out.kind, hand_out.person, hand_out.signed_name) == ("out", "刘翠兰", "刘翠兰")
        assert hand_out.signature and hand_out.by == clerk
        assert local_hm(hand_out.at) == "11:10"

        # 11:50 The cleaner brings it back and signs again.
        clock.move_to(shanghai(11, 50))
        back = desk.locator(f"form[action$='/desk/keys/{key.pk}/return/']")
        back.locator("[name=person]").fill("刘翠兰")
        back.locator("[name=signed_name]").fill("刘翠兰")
        sign_on_canvas(desk, back)
        back.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        expect(desk.locator(".desk-day-key-state .desk-day-in")).to_be_visible()
        key.refresh_from_db()
        assert not key.is_out
        assert [(m.kind, local_hm(m.at)) for m in key.movements.all()] == [
            ("out", "11:10"),
            ("in", "11:50"),
        ]
        assert all(m.signature for m in key.movements.all())
        rows = desk.locator("#movements tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).locator(".tag.desk-day-out")).to_be_visible()
        expect(rows.nth(0)).to_contain_text("2026-11-25 11:10")
        expect(rows.nth(1).locator(".tag.desk-day-in")).to_be_visible()
        expect(rows.nth(1)).to_contain_text("2026-11-25 11:50")
        # Both signatures are shown as the images that were drawn.
        images = desk.locator("#movements img.desk-day-signature-image")
        expect(images).to_have_count(2)
        for image in images.all():
            image.scroll_into_view_if_needed()
            expect(image).to_have_js_property("complete", True)
            assert image.evaluate("img => img.naturalWidth") > 0
        screenshot(desk, "morning-06-key-returned.png")

        # 12:05 A phone message for the engineer.
        clock.move_to(shanghai(12, 5))
        desk.goto(url + reverse("desk_messages") + q)
        take = desk.locator("form[action*='/desk/messages/new/']")
        take.locator("[name=recipient]").select_option(f"u{engineer.pk}")
        take.locator("[name=caller_name]").fill("电梯维保公司 孙工")
        take.locator("[name=caller_phone]").fill("13600136000")
        take.locator("[name=text]").fill("3号楼电梯年检改到周五上午,请回电确认")
        take.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        message = PhoneMessage.objects.get()
        assert (message.for_user, message.taken_by, message.read_at) == (engineer, clerk, None)
        assert Notification.objects.filter(
            channel="in_app", recipient_user=engineer, link=f"/desk/messages/{message.pk}/"
        ).exists()
        expect(desk.locator("#unread tbody tr", has_text="孙工")).to_contain_text("12:05")

        # 12:20 The engineer signs in, opens "my messages", reads it and marks it read.
        clock.move_to(shanghai(12, 20))
        field = sign_in(browser, live_server, "engineer")
        field.goto(url + reverse("my_messages"))
        row = field.locator("tr.desk-day-unread", has_text="孙工")
        expect(row).to_be_visible()
        row.locator(f"a[href$='/desk/messages/{message.pk}/']").click()
        expect(field.locator("dd.desk-day-message")).to_contain_text("3号楼电梯年检改到周五上午")
        expect(field.locator(".tag.desk-day-out")).to_be_visible()
        field.locator(f"form[action$='/desk/messages/{message.pk}/read/'] button").click()
        expect(field.locator(".banner.success[role=status]")).to_be_visible()
        expect(field.locator(".tag.desk-day-in")).to_be_visible()
        expect(field.locator(f"form[action$='/desk/messages/{message.pk}/read/']")).to_have_count(0)
        message.refresh_from_db()
        assert message.read_by == engineer and local_hm(message.read_at) == "12:20"
        expect(field.locator("dl.facts")).to_contain_text("2026-11-25 12:20")
        expect(field.locator("dl.facts")).to_contain_text("陈师傅")
        screenshot(field, "morning-07-message-read.png")
        field.goto(url + reverse("my_messages"))
        expect(field.locator("tr.desk-day-unread")).to_have_count(0)
        # The desk's list of unread messages is empty again.
        desk.reload()
        expect(desk.locator("#unread tbody tr", has_text="孙工")).to_have_count(0)

        # 12:55 The clerk hands the day shift over: the figures come from the records.
        clock.move_to(shanghai(12, 55))
        day_figures = {
            "visitors_arrived": 1,
            "visitors_left": 1,
            "messages_taken": 1,
            "parcels_registered": 1,
            "parcels_collected": 1,
            "parcels_waiting": 0,
            "keys_out": 1,
            "keys_returned": 1,
            "repairs_received": 0,
            "complaints_received": 0,
            "callbacks_done": 0,
            "payments": 0,
            "payments_total": "0.00",
        }
        desk.goto(url + reverse("desk_handover") + q)
        expect(desk.locator("h1")).to_contain_text("2026-11-25")
        expect(desk.locator(".desk-more-counts tbody tr")).to_have_count(len(day_figures))
        assert shown_counts(desk) == expected_rows(day_figures)
        hand_over = desk.locator("form[action*='/desk/handover/record/']")
        expect(hand_over.locator("[name=shift]")).to_have_value("day")
        pending = "K-07 钥匙已归还;孙工等工程部回电确认电梯年检时间"
        hand_over.locator("[name=pending]").fill(pending)
        screenshot(desk, "morning-08-handover.png")
        hand_over.locator("button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        handover = ShiftHandover.objects.get()
        assert (handover.day, handover.shift, handover.handed_over_by) == (DAY, "day", clerk)
        assert handover.pending == pending and handover.done == day_figures
        assert local_hm(handover.handed_over_at) == "12:55"
        latest = desk.locator(f"#handover-{handover.pk}")
        expect(latest).to_contain_text(pending)
        expect(latest).to_contain_text("王前台 · 12:55")
        # The one handing over cannot take over their own shift.
        expect(latest.locator("form[action$='/take-over/']")).to_have_count(0)

        # 13:00 The next shift (the assistant) takes over.
        clock.move_to(shanghai(13))
        relief = sign_in(browser, live_server, "assistant")
        relief.goto(url + reverse("desk_handover") + q)
        relief.locator(
            f"#handover-{handover.pk} form[action$='/desk/handover/{handover.pk}/take-over/'] button"
        ).click()
        expect(relief.locator(".banner.success[role=status]")).to_be_visible()
        handover.refresh_from_db()
        assert handover.taken_over_by == assistant and local_hm(handover.taken_over_at) == "13:00"
        expect(relief.locator(f"#handover-{handover.pk}")).to_contain_text("李助理")

        # 13:05 The supervisor opens today's ledger and signs it with a note.
        clock.move_to(shanghai(13, 5))
        boss = sign_in(browser, live_server, "supervisor")
        boss.goto(url + reverse("desk_ledger") + f"{q}&day={DAY.isoformat()}")
        expect(boss.locator("h1")).to_contain_text("2026-11-25")
        expect(boss.locator(".desk-more-unsigned")).to_be_visible()
        assert shown_counts(boss) == expected_rows(day_figures)
        handovers = boss.locator("#handovers tbody tr")
        expect(handovers).to_have_count(1)
        expect(handovers).to_contain_text(pending)
        expect(handovers).to_contain_text("王前台 · 12:55")
        expect(handovers).to_contain_text("李助理 · 13:00")
        sign = boss.locator("form[action*='/desk/ledger/sign/']")
        expect(sign.locator("[name=day]")).to_have_value("2026-11-25")
        sign.locator("[name=note]").fill("上午工作正常,电梯年检时间待工程部确认")
        screenshot(boss, "morning-09-ledger-to-sign.png")
        sign.locator("button.primary").click()
        expect(boss.locator(".banner.success[role=status]")).to_be_visible()

        ledger = DailyLedger.objects.get()
        assert (ledger.property, ledger.day, ledger.signed_by) == (sunshine, DAY, supervisor)
        assert ledger.totals == day_figures
        assert ledger.note == "上午工作正常,电梯年检时间待工程部确认"
        assert local_hm(ledger.signed_at) == "13:05"
        signed = boss.locator(".desk-more-signed")
        expect(signed).to_contain_text("张主管")
        expect(signed).to_contain_text("2026-11-25 13:05")
        expect(boss.locator("body")).to_contain_text("电梯年检时间待工程部确认")
        assert shown_counts(boss) == expected_rows(day_figures)
        # Signed once: the form is gone, and today is marked signed in the last 14 days.
        expect(boss.locator("form[action*='/desk/ledger/sign/']")).to_have_count(0)
        today = boss.locator(".desk-more-days li", has=boss.locator("strong"))
        expect(today).to_contain_text("2026-11-25")
        expect(today.locator(".desk-more-mark-signed")).to_be_visible()
        expect(today).to_contain_text("张主管")
        screenshot(boss, "morning-10-ledger-signed.png")
