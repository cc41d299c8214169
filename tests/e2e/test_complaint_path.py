"""A complaint's whole path in the browser: an angry resident walks up to the lobby desk about
a broken lift; the clerk takes it, sees how to handle an angry complainant, hands it to the
assistant and sends the service order to engineering. The clock moves past the 2-hour window
and the sweep runs as beat would: the engineering manager finds the escalation on their page
and acknowledges it. The engineer resolves it; the assistant prints the written reply; the
clerk makes the satisfaction callback from the queue; the engineer files the corrective action
report; the assistant archives it with the summary."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from frontdesk.tasks import sweep
from tests.e2e.conftest import screenshot
from tests.e2e.test_repair_path import sign_in
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory
from tickets.models import Complaint, Escalation

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


def test_angry_walk_in_about_a_lift_is_escalated_fixed_answered_and_archived(
    live_server,
    browser,
    sunshine,
    clerk,
    assistant,
    engineer,
    engineering,
    engineering_manager,
    project_manager,
):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="3"), number="801")
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=unit, phones=["13812345678"])
    url = live_server.url

    with time_machine.travel(T, tick=True) as clock:
        # The clerk takes the complaint at the lobby desk.
        desk = sign_in(browser, live_server, "clerk")
        desk.goto(url + reverse("complaint_new") + f"?resident={lin.pk}")
        desk.locator("[name=channel][value=walk_in]").check()
        desk.locator("[name=category]").select_option("lift")
        desk.locator("[name=description]").fill("3号楼电梯停在8楼一小时无人处理,老人无法下楼")
        desk.locator("[name=direct_impact]").check()
        desk.locator("[name=temperament][value=angry]").check()
        # The handling advice for an angry complainant and the words never to say are shown.
        expect(desk.locator("body")).to_contain_text("没办法解决")
        desk.locator("[name=owner]").select_option(str(assistant.pk))
        desk.locator("[name=department]").select_option(str(engineering.pk))
        desk.locator("[name=service_order]").fill("立即派人检查3号楼电梯并解困")
        screenshot(desk, "complaint-01-intake-angry.png")
        desk.locator("form button.primary").click()

        complaint = Complaint.objects.get()
        expect(desk.locator("h1")).to_contain_text(complaint.number)
        assert complaint.channel == "walk_in" and complaint.owner == assistant
        assert complaint.state == "dispatched" and complaint.department == engineering
        assert complaint.fix_due_at == complaint.received_at + timedelta(hours=2)
        screenshot(desk, "complaint-02-detail-dispatched.png")

        # Two hours and a minute later, nothing is fixed; beat runs the sweep.
        clock.move_to(T + timedelta(hours=2, minutes=1))
        sweep()
        sweep()
        escalation = Escalation.objects.get()
        assert escalation.level == "department_manager"

        manager = sign_in(browser, live_server, "engmanager")
        manager.goto(url + reverse("complaint_escalations"))
        expect(manager.locator("body")).to_contain_text(complaint.number)
        screenshot(manager, "complaint-03-escalation-on-manager-page.png")
        manager.locator(f"form[action$='/escalations/{escalation.pk}/acknowledge/'] button").click()
        expect(manager.locator(".banner.success[role=status]")).to_be_visible()
        escalation.refresh_from_db()
        assert escalation.acknowledged_by == engineering_manager

        # The engineer fixes the lift and records it.
        clock.move_to(T + timedelta(hours=3))
        fixer = sign_in(browser, live_server, "engineer")
        fixer.goto(url + reverse("complaint_detail", args=[complaint.pk]))
        fixer.locator("[name='resolve-resolution']").fill("更换3号电梯门机板,试运行正常")
        fixer.locator("#action-resolve button").click()
        expect(fixer.locator(".banner.success[role=status]")).to_be_visible()
        complaint.refresh_from_db()
        assert complaint.state == "resolved"

        # The assistant writes, issues and prints the written reply.
        follower = sign_in(browser, live_server, "assistant")
        follower.goto(url + reverse("complaint_letter", args=[complaint.pk]))
        body = follower.locator("[name=body]")
        expect(body).to_contain_text("更换3号电梯门机板")
        follower.once("dialog", lambda dialog: dialog.accept())
        follower.locator("button[name=action][value=issue]").click()
        expect(follower.locator(".banner.success[role=status]")).to_be_visible()
        complaint.refresh_from_db()
        assert complaint.written_reply.issued_at is not None
        assert complaint.reply_via == "letter"
        follower.goto(url + reverse("complaint_letter_print", args=[complaint.pk]))
        expect(follower.locator("body")).to_contain_text("阳光花园")
        expect(follower.locator("body")).to_contain_text("更换3号电梯门机板")
        screenshot(follower, "complaint-04-written-reply-print.png")
        pdf = follower.request.get(url + reverse("complaint_letter_pdf", args=[complaint.pk]))
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")

        # The clerk calls the resident back from the queue: solved and satisfied.
        clock.move_to(T + timedelta(hours=5))
        desk.goto(url + reverse("callback_queue"))
        row = desk.locator("tr", has_text=complaint.number)
        expect(row).to_be_visible()
        screenshot(desk, "complaint-05-callback-queue.png")
        callback = complaint.callbacks.get(kind="complaint")
        desk.goto(url + reverse("callback_record", args=[callback.pk]))
        desk.locator("[name=reached][value=yes]").check()
        desk.locator("[name=solved][value=yes]").check()
        desk.locator("[name=satisfaction]").select_option("5")
        desk.locator("[name=comments]").fill("电梯已正常,业主表示满意")
        desk.locator("form button.primary").click()
        expect(desk.locator(".banner.success[role=status]")).to_be_visible()
        complaint.refresh_from_db()
        assert complaint.state == "confirmed"

        # The engineer files the corrective action report.
        fixer.goto(url + reverse("complaint_detail", args=[complaint.pk]))
        fixer.locator("[name='corrective-cause']").fill("门机板老化未列入维保计划")
        fixer.locator("[name='corrective-correction']").fill("更换门机板")
        fixer.locator("[name='corrective-prevention']").fill("每季度检查全部电梯门机板")
        fixer.locator("[name='corrective-owner']").fill("赵经理")
        fixer.locator("[name='corrective-due_date']").fill("2026-12-31")
        fixer.locator("#action-corrective button").click()
        expect(fixer.locator(".banner.success[role=status]")).to_be_visible()
        screenshot(fixer, "complaint-06-corrective-report.png")

        # The assistant closes the loop with the summary.
        follower.goto(url + reverse("complaint_detail", args=[complaint.pk]))
        follower.locator("[name='archive-cause']").fill("设备老化")
        follower.locator("[name='archive-lessons']").fill("维保计划缺少门机板检查")
        follower.locator("[name='archive-changes']").fill("维保计划增加门机板季度检查")
        follower.locator("#action-archive button").click()
        expect(follower.locator(".banner.success[role=status]")).to_be_visible()
        complaint.refresh_from_db()
        assert complaint.state == "archived"
        assert list(complaint.events.values_list("kind", flat=True)) == [
            "received",
            "handed_over",
            "dispatched",
            "escalated",
            "acknowledged",
            "resolved",
            "letter_issued",
            "confirmed",
            "corrective",
            "archived",
        ]
        screenshot(follower, "complaint-07-archived.png")
