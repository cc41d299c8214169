"""Cash at the desk, in the browser (唱收唱付): a unit owes 1,234.50; the clerk takes 1,300.00
in cash and sees the change, 65.50, on screen before submitting; the receipt and its 80 mm
print show the three figures said aloud: total due, received, change."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

from billing.models import FeeNotice, FeeNoticeLine, Payment
from tests.e2e.conftest import screenshot
from tests.e2e.test_repair_path import sign_in
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

D = Decimal


def test_the_clerk_takes_cash_says_the_change_and_prints_the_receipt(
    live_server, browser, sunshine, clerk
):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=unit, phones=["13812345678"])
    notice = FeeNotice.objects.create(
        property=sunshine,
        unit=unit,
        period=date(2026, 11, 1),
        number="202611-1-1203",
        issued_at=datetime(2026, 11, 1, 1, 0, tzinfo=UTC),
        due_date=date(2026, 11, 20),
        total=D("1234.50"),
    )
    FeeNoticeLine.objects.create(
        notice=notice,
        description="物业管理费",
        quantity=D("1"),
        unit_price=D("1234.50"),
        amount=D("1234.50"),
    )

    desk = sign_in(browser, live_server, "clerk")
    desk.goto(live_server.url + reverse("billing_pay", args=[unit.pk]))
    expect(desk.locator("body")).to_contain_text("202611-1-1203")
    expect(desk.locator(f"[name=notices][value='{notice.pk}']")).to_be_checked()
    expect(desk.locator("#sing-total_due")).to_have_text("1,234.50")

    # A cashless method asks for a reference instead of the cash received; back to cash.
    desk.locator("[name=method][value=wechat]").check()
    expect(desk.locator("[name=received]")).to_be_hidden()
    expect(desk.locator("[name=reference]")).to_be_visible()
    desk.locator("[name=method][value=cash]").check()
    expect(desk.locator("[name=received]")).to_be_visible()

    desk.locator("[name=amount]").fill("1234.50")
    desk.locator("[name=received]").fill("1300.00")
    # Said aloud before anything is recorded: the total, what was received, the change.
    expect(desk.locator("#sing-total_due")).to_have_text("1,234.50")
    expect(desk.locator("#sing-received")).to_have_text("1,300.00")
    expect(desk.locator("#sing-change")).to_have_text("65.50")
    assert Payment.objects.count() == 0
    screenshot(desk, "cash-01-pay-page.png")

    desk.locator("#pay-form button[type=submit]").click()
    expect(desk.locator("#receipt-number")).to_be_visible()
    expect(desk.locator("#receipt-total_due")).to_have_text("1,234.50")
    expect(desk.locator("#receipt-received")).to_have_text("1,300.00")
    expect(desk.locator("#receipt-change")).to_have_text("65.50")
    expect(desk.locator("body")).to_contain_text("林晓峰")
    screenshot(desk, "cash-02-receipt.png")

    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.received, payment.change) == (
        "cash",
        D("1234.50"),
        D("1300.00"),
        D("65.50"),
    )
    assert payment.total_due == D("1234.50") and payment.resident == lin
    notice.refresh_from_db()
    assert notice.paid == D("1234.50") and notice.settled
    expect(desk.locator("#receipt-number")).to_have_text(payment.number)

    # The 80 mm print for the receipt printer opens in its own tab.
    with desk.context.expect_page() as opened:
        desk.locator("a[href$='?size=80mm']").click()
    slip = opened.value
    slip.wait_for_load_state()
    expect(slip.locator(".paper")).to_contain_text(payment.number)
    expect(slip.locator(".paper")).to_contain_text("阳光花园")
    expect(slip.locator(".paper")).to_contain_text("202611-1-1203")
    expect(slip.locator("#receipt-total_due")).to_have_text("1,234.50")
    expect(slip.locator("#receipt-received")).to_have_text("1,300.00")
    expect(slip.locator("#receipt-change")).to_have_text("65.50")
    # Narrow enough for 80 mm paper (80 mm ≈ 302 CSS px).
    assert slip.locator(".paper").bounding_box()["width"] <= 302
    screenshot(slip, "cash-03-receipt-80mm.png")
    slip.emulate_media(media="print")
    expect(slip.locator(".toolbar")).to_be_hidden()
    expect(slip.locator("#receipt-change")).to_be_visible()
