"""The product's first whole path, in the browser: a resident reports a repair with a photo in
the portal; the clerk quotes it and the resident agrees; it is dispatched; the engineer
accepts, completes and has the resident sign on the phone; the clerk takes the payment; the
callback appears in the queue; the clerk records a satisfied call; the order closes."""

import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from frontdesk.models import Resident
from tests.e2e.conftest import screenshot
from tests.factories import (
    BuildingFactory,
    PriceItemFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
)
from tickets.models import RepairOrder


def sign_in(browser, live_server, username, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("secret-pass-123")
    page.locator("form button[type=submit]").click()
    expect(page.locator("body")).not_to_contain_text("Please enter a correct")
    return page


def photo_file(tmp_path):
    path = tmp_path / "leak.jpg"
    Image.new("RGB", (640, 480), (30, 120, 200)).save(path, "JPEG")
    return path


def local_input(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_resident_reports_engineer_fixes_clerk_calls_back_and_the_order_closes(
    live_server, browser, settings, tmp_path, sunshine, clerk, engineer, engineering
):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=unit, phones=["13812345678"])
    Resident.objects.filter(pk=lin.pk).update(user=UserFactory(username="13812345678"))
    tap = PriceItemFactory(property=sunshine, name="更换水龙头", price=Decimal("35.00"))
    url = live_server.url

    # The resident reports the leak online, with a photo.
    resident = sign_in(browser, live_server, "13812345678", phone=True)
    resident.goto(url + reverse("portal_repair_new"))
    resident.locator("[name=category]").select_option("water")
    resident.locator("[name=description]").fill("厨房水龙头一直滴水")
    resident.locator("[name=location]").fill("厨房")
    resident.locator("[name=preferred_times]").fill("明天上午")
    resident.locator("input[type=file]").set_input_files(str(photo_file(tmp_path)))
    screenshot(resident, "path-01-portal-report.png")
    resident.locator("form button.primary").click()
    expect(resident.locator("body")).to_contain_text("厨房水龙头一直滴水")
    order = RepairOrder.objects.get()
    assert order.channel == "online" and order.photos.count() == 1
    screenshot(resident, "path-02-portal-order.png")

    # The clerk quotes it from the price list.
    desk = sign_in(browser, live_server, "clerk")
    desk.goto(url + reverse("repair_list"))
    expect(desk.locator("body")).to_contain_text(order.number)
    screenshot(desk, "path-03-desk-list.png")
    desk.goto(url + reverse("repair_detail", args=[order.pk]))
    desk.locator("[name='lines-0-price_item']").select_option(str(tap.pk))
    desk.locator("[name='lines-0-quantity']").fill("1")
    desk.locator(f"form[action$='/repairs/{order.pk}/quote/'] button").click()
    expect(desk.locator(f"form[action$='/repairs/{order.pk}/agree/']")).to_be_visible()
    screenshot(desk, "path-04-desk-quoted.png")

    # The resident agrees in the portal.
    resident.reload()
    resident.locator(f"form[action$='/portal/repairs/{order.pk}/agree/'] button").click()
    expect(resident.locator("form[action$='/agree/']")).to_have_count(0)
    order.refresh_from_db()
    assert order.agreed_via == "portal"

    # The clerk dispatches it to the engineer for an agreed time.
    start = timezone.now() + timedelta(hours=2)
    desk.reload()
    dispatch = desk.locator(f"form[action$='/repairs/{order.pk}/dispatch/']")
    dispatch.locator("[name=department]").select_option(str(engineering.pk))
    dispatch.locator("[name=engineer]").select_option(str(engineer.pk))
    dispatch.locator("[name=appointment_start]").fill(local_input(start))
    dispatch.locator("[name=appointment_end]").fill(local_input(start + timedelta(hours=2)))
    dispatch.locator("button").click()
    expect(desk.locator(f"form[action$='/repairs/{order.pk}/dispatch/']")).to_have_count(0)
    order.refresh_from_db()
    assert order.state == "dispatched"

    # The engineer, on a phone, accepts, completes and has the resident sign.
    field = sign_in(browser, live_server, "engineer", phone=True)
    field.goto(url + reverse("engineer_orders"))
    expect(field.locator("body")).to_contain_text(order.number)
    screenshot(field, "path-05-engineer-list.png")
    field.goto(url + reverse("engineer_order", args=[order.pk]))
    field.locator(f"form[action$='/engineer/orders/{order.pk}/accept/'] button").click()
    expect(field.locator(f"form[action$='/engineer/orders/{order.pk}/accept/']")).to_have_count(0)
    complete = field.locator(f"form[action$='/engineer/orders/{order.pk}/complete/']")
    complete.locator("[name=cause]").fill("阀芯老化")
    complete.locator("[name=work_done]").fill("更换水龙头")
    complete.locator("[name=advice]").fill("关水时不要用力过猛")
    complete.locator(f"[name=item_{tap.pk}]").fill("1")
    screenshot(field, "path-06-engineer-complete.png")
    complete.locator("button.primary").click()
    expect(field.locator(f"form[action$='/engineer/orders/{order.pk}/complete/']")).to_have_count(0)
    sign = field.locator(f"form[action$='/engineer/orders/{order.pk}/sign-off/']")
    sign.locator("[name=signed_name]").fill("林晓峰")
    pad = field.locator("canvas[data-signature]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    field.mouse.move(box["x"] + 30, box["y"] + 80)
    field.mouse.down()
    for step in range(1, 20):
        field.mouse.move(box["x"] + 30 + step * 14, box["y"] + 80 + (step % 4) * 12)
    field.mouse.up()
    screenshot(field, "path-07-engineer-signature.png")
    sign.locator("button.primary").click()
    expect(field.locator("body")).to_contain_text("林晓峰")
    order.refresh_from_db()
    assert order.state == "completed" and order.signed_via == "on_site" and order.signature

    # The clerk takes the payment.
    desk.goto(url + reverse("repair_detail", args=[order.pk]))
    pay = desk.locator(f"form[action$='/repairs/{order.pk}/pay/']")
    pay.locator("[name=amount]").fill("35.00")
    pay.locator("[name=method]").select_option("cash")
    pay.locator("button").click()
    expect(desk.locator(f"form[action$='/repairs/{order.pk}/pay/']")).to_have_count(0)

    # The callback is in the clerk's queue; a satisfied call closes the order.
    callback = order.callbacks.get()
    desk.goto(url + reverse("callback_queue"))
    expect(desk.locator("body")).to_contain_text(order.number)
    screenshot(desk, "path-08-callback-queue.png")
    desk.goto(url + reverse("callback_record", args=[callback.pk]))
    call = desk.locator("form[method=post]").last
    call.locator("[name=reached][value=yes]").check()
    call.locator("[name=solved][value=yes]").check()
    call.locator("[name=satisfaction]").select_option("5")
    call.locator("[name=comments]").fill("师傅很准时")
    screenshot(desk, "path-09-callback-record.png")
    call.locator("button.primary").click()
    expect(desk).to_have_url(re.compile(r"/callbacks/"))

    order.refresh_from_db()
    assert order.state == RepairOrder.State.CLOSED
    desk.goto(url + reverse("repair_detail", args=[order.pk]))
    expect(desk.locator("body")).to_contain_text("师傅很准时")
    screenshot(desk, "path-10-order-closed.png")
    desk.goto(url + reverse("repair_print", args=[order.pk]))
    screenshot(desk, "path-11-print.png")
