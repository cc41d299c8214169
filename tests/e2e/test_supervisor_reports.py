"""The supervisor's dashboard, drill-downs, exports, daily review and digest, in the browser."""

# The supervisor's reports, in the browser. A month at 阳光花园 is built through the services at
# fixed times (Shanghai): the October and November fee notices and their payments, five repairs
# and six complaints with their callbacks, escalations and replies, the day shift's handover of
# Tuesday 24 November. On Wednesday 25 November at 07:30 the supervisor opens the dashboard for
# 1-24 November and reads each figure against its target and the previous period, drills down to
# the rows behind three of them, downloads the Excel and CSV exports and the monthly PDF, then
# opens yesterday's daily review and signs it off with a note. At 08:00 (the property's digest
# hour) the sweep runs as beat would and e-mails yesterday's digest with the review link; the
# next sweep sends nothing more.
#
# Labels are compared in the page's language (zh-hans, whatever the catalogue holds today).

import csv
import io
from datetime import date

import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from frontdesk.tasks import sweep
from reports import review
from reports.figures import DIMENSIONS, FIGURE_KEYS, LABELS
from reports.models import DailyReview, DigestRun
from tests.e2e.conftest import screenshot
from tests.e2e.supervisor_reports_world import (
    DAY,
    FIGURE_ROWS,
    MEETS,
    RANGE,
    REVIEW_FIGURES,
    build_world,
    link_texts,
    local_hm,
    shanghai,
    table_cells,
    zh,
)
from tests.e2e.test_repair_path import sign_in
from tickets.models import Complaint, Escalation, RepairOrder
from visits.models import Callback


def test_supervisor_reads_the_dashboard_drills_down_exports_signs_the_review_and_gets_the_digest(
    live_server,
    browser,
    tmp_path,
    sunshine,
    clerk,
    assistant,
    supervisor,
    project_manager,
    engineer,
    engineering,
    engineering_manager,
):
    url = live_server.url
    with time_machine.travel(shanghai(10, 1, 9), tick=True) as clock:
        world = build_world(
            sunshine, clerk, assistant, engineer, engineering, engineering_manager, clock
        )
        r = {key: o.number for key, o in world["repairs"].items()}
        c = world["complaints"]
        c2 = c["c2"]
        escalations = {e.level: e for e in Escalation.objects.filter(complaint=c2)}
        assert set(escalations) == {"department_manager", "project_manager"}
        assert local_hm(escalations["project_manager"].at) == "00:01"
        r5_callback = Callback.objects.get(kind="repair", repair=world["repairs"]["r5"])
        c5_reply = Callback.objects.get(kind="complaint_reply", complaint=c["c5"])
        assert r5_callback.status == c5_reply.status == "open"

        # 07:30 Wednesday: beat's sweep (no digest before 08:00); the supervisor signs in.
        clock.move_to(shanghai(11, 25, 7, 30))
        assert sweep()["digests_sent"] == 0
        assert not DigestRun.objects.exists()
        boss = sign_in(browser, live_server, "supervisor")

        # --- 1. The dashboard, for 1-24 November at 阳光花园 ---------------------------------
        boss.locator("header nav a[href='/reports/dashboard/']").click()
        filters = boss.locator("form[method=get][action='/reports/dashboard/']")
        filters.locator("[name=property]").select_option(str(sunshine.pk))
        filters.locator("[name=from]").fill(RANGE["from"])
        filters.locator("[name=to]").fill(RANGE["to"])
        filters.locator("[name=trend]").select_option("week")
        filters.locator("button[type=submit]").click()
        expect(boss).to_have_url(
            f"{url}/reports/dashboard/?property={sunshine.pk}&from=2026-11-01&to=2026-11-24"
            "&trend=week"
        )
        expect(boss.locator("h1")).to_contain_text("阳光花园")
        expect(boss.locator("body")).to_contain_text("2026-10-08")  # the previous period
        expect(boss.locator("body")).to_contain_text("2026-10-31")

        # Each figure in its card: the value, whether it meets the target, its own chart.
        cards = boss.locator(".d-figures article.d-figure")
        expect(cards).to_have_count(len(FIGURE_KEYS))
        for key, (value, counted, *_rest) in FIGURE_ROWS.items():
            card = boss.locator(f"article.d-figure[aria-labelledby='figure-{key}']")
            expect(card.locator(".d-value")).to_have_text(value)
            expect(card.locator("h2")).to_have_text(zh(LABELS[key]))
            expect(card).to_have_class("d-figure d-meets" if MEETS[key] else "d-figure d-misses")
            expect(card).to_contain_text(counted)
            chart = card.locator("svg.chart[role=img]")
            expect(chart).to_have_count(1)
            assert value in chart.get_attribute("aria-label")
        # The same figures as a table, for screen readers and printing.
        yes, no = zh("Yes"), zh("No")
        rows = table_cells(boss.locator("#figures-table tbody tr"))
        assert all(
            row[0].startswith(zh(LABELS[key])) for row, key in zip(rows, FIGURE_ROWS, strict=True)
        )
        assert [row[1:] for row in rows] == [
            [value, counted, target, yes if MEETS[key] else no, previous, change]
            for key, (value, counted, target, previous, change) in FIGURE_ROWS.items()
        ]
        overdue_card = boss.locator("article.d-figure[aria-labelledby='figure-overdue']")
        expect(overdue_card).to_contain_text(f"{zh('Replies')} 1")
        expect(overdue_card).to_contain_text(f"{zh('Callbacks')} 1")

        # The trend by week: a chart and its table.
        trend = boss.locator("section[aria-labelledby='trend-title']")
        expect(trend.locator("svg.chart[role=img]")).to_have_count(1)
        expect(trend.locator("svg.chart rect")).not_to_have_count(0)
        expect(trend.locator("svg.chart polyline")).to_have_count(1)  # satisfaction
        assert table_cells(trend.locator("tbody tr")) == [
            ["2026-11-01 – 2026-11-01", "0", "0", "—"],
            ["2026-11-02 – 2026-11-08", "0", "0", "—"],
            ["2026-11-09 – 2026-11-15", "1", "1", "100% (2/2)"],
            ["2026-11-16 – 2026-11-22", "2", "2", "50% (1/2)"],
            ["2026-11-23 – 2026-11-24", "3", "2", "—"],
        ]

        # The breakdowns: a chart beside each table.
        for kind in ("complaints", "repairs"):
            for dim in DIMENSIONS:
                block = boss.locator(f"section.d-block[aria-labelledby='{kind}-{dim}']")
                expect(block.locator("svg.chart[role=img]")).to_have_count(1)
                expect(block.locator("table.list tbody tr")).not_to_have_count(0)
        expect(boss.locator("svg.chart")).to_have_count(8 + 1 + 2 * len(DIMENSIONS))
        by_category = table_cells(
            boss.locator("section[aria-labelledby='complaints-category'] tbody tr")
        )
        label = {k: zh(v) for k, v in Complaint.Category.choices}
        assert by_category[0] == [label["lift"], "3", "33.3% (1/3)", "66.7% (2)"]
        assert {row[0]: row[1] for row in by_category} == {
            label["lift"]: "3",
            label["quality"]: "1",
            label["water_power"]: "1",
            label["attitude"]: "1",
        }
        by_channel = table_cells(
            boss.locator("section[aria-labelledby='repairs-channel'] tbody tr")
        )
        channel = {k: zh(v) for k, v in RepairOrder.Channel.choices}
        assert [row[:3] for row in by_channel] == [
            [channel["phone"], "3", "100% (3)"],
            *sorted([[channel["online"], "1", "0% (0)"], [channel["walk_in"], "1", "100% (1)"]]),
        ]
        screenshot(boss, "reports-01-dashboard.png")
        dashboard_url = boss.url

        # --- 2. Drill-downs: the rows behind the figures -------------------------------------
        boss.locator("article[aria-labelledby='figure-repair_handling'] h2 a").click()
        expect(boss).to_have_url(
            f"{url}/reports/drill/repair_handling/?property={sunshine.pk}"
            "&from=2026-11-01&to=2026-11-24&trend=week"
        )
        expect(boss.locator("h1")).to_contain_text(zh(LABELS["repair_handling"]))
        numbers = boss.locator("table.list tbody tr td:first-child a")
        expect(numbers).to_have_count(5)
        assert link_texts(numbers) == [r["r4"], r["r3"], r["r5"], r["r2"], r["r1"]]
        screenshot(boss, "reports-02-drill-repair-handling.png")
        # Only the one that misses the target: the order not yet done.
        boss.locator("a[href*='miss=1']").click()
        expect(numbers).to_have_count(1)
        assert link_texts(numbers) == [r["r3"]]
        expect(boss.locator("table.list tbody tr")).to_contain_text(
            zh(RepairOrder.State(world["repairs"]["r3"].state).label)
        )

        # Back on the dashboard: the direct-impact complaints that missed the window.
        boss.locator("a.button[href^='/reports/dashboard/?']").click()
        expect(boss).to_have_url(dashboard_url)
        boss.locator("article[aria-labelledby='figure-direct_fix'] a[href*='miss=1']").click()
        expect(boss).to_have_url(
            f"{url}/reports/drill/direct_fix/?property={sunshine.pk}"
            "&from=2026-11-01&to=2026-11-24&trend=week&miss=1"
        )
        expect(numbers).to_have_count(2)
        assert link_texts(numbers) == [c2.number, c["c6"].number]
        # c6 fixed late; c2's two escalations are waiting for an acknowledgement.
        c6_row = boss.locator("table.list tbody tr", has_text=c["c6"].number)
        expect(c6_row.locator("td").nth(7).locator(".tag.urgent")).to_have_text(no)
        c2_row = boss.locator("table.list tbody tr", has_text=c2.number)
        expect(c2_row.locator("td").nth(8).locator(".tag.urgent")).to_have_count(2)
        screenshot(boss, "reports-03-drill-direct-fix-misses.png")

        # The escalations nobody has acknowledged: c2's two steps, newest first.
        boss.goto(dashboard_url)
        boss.locator("article[aria-labelledby='figure-escalations'] h2 a").click()
        expect(boss).to_have_url(
            f"{url}/reports/drill/escalations/?property={sunshine.pk}"
            "&from=2026-11-01&to=2026-11-24&trend=week"
        )
        rows = table_cells(boss.locator("table.list tbody tr"))
        level = {k: zh(v) for k, v in Escalation.Level.choices}
        assert [row[:3] for row in rows] == [
            ["2026-11-25 00:01", c2.number, level["project_manager"]],
            ["2026-11-24 12:01", c2.number, level["department_manager"]],
        ]
        screenshot(boss, "reports-04-drill-escalations.png")

        # --- 3. The exports, through the page's links ----------------------------------------
        boss.goto(dashboard_url)
        with boss.expect_download() as got:
            boss.locator("a[href^='/reports/dashboard/export.xlsx?']").click()
        xlsx = got.value
        assert xlsx.suggested_filename == "dashboard-sunshine-20261101-20261124.xlsx"
        xlsx.save_as(tmp_path / xlsx.suggested_filename)
        book = load_workbook(tmp_path / xlsx.suggested_filename)
        assert len(book.sheetnames) == 4  # figures, complaints, repairs, trend
        sheet = list(book.worksheets[0].iter_rows(values_only=True))
        assert sheet[0][0].startswith("阳光花园") and "2026-11-01" in sheet[0][0]
        figures = {row[0]: row for row in sheet[3:]}
        assert list(figures) == [zh(LABELS[key]) for key in FIGURE_ROWS]
        as_xlsx = {key: figures[zh(LABELS[key])] for key in FIGURE_ROWS}
        assert as_xlsx["satisfaction"][1:5] == (0.75, 3, 4, 0.96)
        assert as_xlsx["complaint_callbacks"][1:6] == (1, 2, 2, 1, yes)
        assert as_xlsx["repair_callbacks"][1:4] == (0.3333, 1, 3)
        assert as_xlsx["repair_handling"][1:4] == (0.8, 4, 5)
        assert as_xlsx["direct_fix"][1:4] == (0.5, 2, 4)
        assert as_xlsx["escalations"][1:4] == (2, 2, None)
        assert as_xlsx["overdue"][1:4] == (2, 2, None)
        assert as_xlsx["collection"][1:9] == (0.6667, 200, 300, 0.95, no, 1, 300, 300)
        assert book.worksheets[0]["B4"].number_format == "0.0%"
        trend_sheet = list(book.worksheets[3].iter_rows(values_only=True))
        assert trend_sheet[6] == ("2026-11-16", "2026-11-22", 2, 2, 2, 1, 0.5)

        with boss.expect_download() as got:
            boss.locator("a[href^='/reports/dashboard/export.csv?']").click()
        csv_file = got.value
        assert csv_file.suggested_filename == "dashboard-sunshine-20261101-20261124.csv"
        csv_file.save_as(tmp_path / csv_file.suggested_filename)
        raw = (tmp_path / csv_file.suggested_filename).read_bytes()
        assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        as_csv = {row[0]: row for row in lines if row}
        for key, (value, counted, _target, _previous, _change) in FIGURE_ROWS.items():
            row = as_csv[zh(LABELS[key])]
            assert row[1] == value, key
            assert " / ".join(x for x in row[2:4] if x) == counted, key
        assert as_csv[zh(LABELS["collection"])][4:9] == [
            "95%",
            no,
            "100%",
            "300.00",
            "300.00",
        ]

        pdf_link = boss.locator("a[href^='/reports/monthly/2026-11.pdf']")
        assert (
            pdf_link.get_attribute("href") == f"/reports/monthly/2026-11.pdf?property={sunshine.pk}"
        )
        pdf = boss.request.get(url + pdf_link.get_attribute("href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(pdf.body()))
        width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (595, 842)  # A4
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "阳光花园" in text and "2026-11" in text
        assert "2026-11-01" in text and "2026-11-25" in text  # the month to today
        for key in FIGURE_ROWS:
            assert zh(LABELS[key]) in text, key
        for value in ("75%", "33.3%", "80%", "50%", "66.7%", "200.00 / 300.00", "3 / 4"):
            assert value in text, value
        assert label["lift"] in text

        # --- 4. Yesterday's review, signed off -------------------------------------------------
        boss.locator("header nav a[href='/reports/review/']").click()
        expect(boss.locator("h1")).to_contain_text("阳光花园")
        expect(boss.locator("h1")).to_contain_text("2026-11-24")  # yesterday, by default
        expect(boss.locator(".review-unsigned")).to_be_visible()
        with translation.override("zh-hans"):
            expected_rows = [list(row) for row in review.figure_rows(REVIEW_FIGURES)]
        assert table_cells(boss.locator("table.review-figures tbody tr")) == expected_rows

        received = boss.locator("#complaints tbody tr")
        expect(received).to_have_count(3)
        for key in ("c2", "c3", "c4"):
            expect(boss.locator(f"#complaint-{c[key].pk}")).to_contain_text(c[key].number)
        for key in ("c1", "c5", "c6"):
            expect(boss.locator("#complaints")).not_to_contain_text(c[key].number)
        fix = {k: zh(v) for k, v in review.FIX_RESULTS.items()}
        expect(boss.locator(f"#complaint-{c2.pk} .overdue-mark")).to_have_text(fix["missed"])
        expect(boss.locator(f"#complaint-{c['c3'].pk} .settled-mark")).to_have_text(
            fix["in_window"]
        )
        raised = boss.locator("#escalations tbody tr")
        expect(raised).to_have_count(1)
        dm, pm = escalations["department_manager"], escalations["project_manager"]
        expect(boss.locator(f"#raised-{dm.pk}")).to_contain_text(c2.number)
        expect(boss.locator(f"#raised-{dm.pk}")).to_contain_text("12:01")
        expect(boss.locator("#waiting tbody tr")).to_have_count(2)
        expect(boss.locator(f"#waiting-{dm.pk}")).to_contain_text(c2.number)
        expect(boss.locator(f"#waiting-{pm.pk}")).to_contain_text(c2.number)
        expect(boss.locator("#overdue tbody tr")).to_have_count(2)
        expect(boss.locator(f"#overdue-{c5_reply.pk}")).to_contain_text(c["c5"].number)
        expect(boss.locator(f"#overdue-{r5_callback.pk}")).to_contain_text(r["r5"])
        handovers = boss.locator("#handovers tbody tr")
        expect(handovers).to_have_count(1)
        expect(handovers).to_contain_text("3号楼电梯门机板待厂家到货,明早跟进")
        expect(handovers).to_contain_text("王前台 · 18:00")
        expect(handovers).to_contain_text("李助理 · 18:10")
        expect(boss.locator(".review-ledger-unsigned")).to_be_visible()
        sign = boss.locator("#sign form[action*='/reports/review/sign/']")
        expect(sign.locator("[name=day]")).to_have_value("2026-11-24")
        note = "3号楼电梯今天中午前必须修复,工程部向我回报;物业费催缴2-201"
        sign.locator("[name=note]").fill(note)
        screenshot(boss, "reports-05-review-to-sign.png")

        clock.move_to(shanghai(11, 25, 7, 40))
        assert sweep()["digests_sent"] == 0  # beat, every minute: still before 08:00
        sign.locator("button[type=submit]").click()
        expect(boss.locator(".banner.success[role=status]")).to_be_visible()
        signed = DailyReview.objects.get()
        assert (signed.property, signed.day, signed.signed_by) == (sunshine, DAY, supervisor)
        assert signed.note == note and signed.figures == REVIEW_FIGURES
        assert local_hm(signed.signed_at) == "07:40"
        expect(boss.locator(".review-signed")).to_contain_text("张主管")
        expect(boss.locator(".review-signed")).to_contain_text("2026-11-25 07:40")
        expect(boss.locator("#summary")).to_contain_text(note)
        expect(boss.locator("#sign")).to_have_count(0)  # signed once
        assert table_cells(boss.locator("table.review-figures tbody tr")) == expected_rows
        screenshot(boss, "reports-06-review-signed.png")

        # --- 5. The digest at the property's hour, sent by the sweep ---------------------------
        assert sunshine.digest_hour == 8
        sent_before = len(mail.outbox)
        clock.move_to(shanghai(11, 25, sunshine.digest_hour))
        assert sweep()["digests_sent"] == 2  # the supervisor and the project manager
        with translation.override(django_settings.LANGUAGE_CODE):
            subject = translation.gettext("%(property)s: daily review of %(day)s") % {
                "property": "阳光花园",
                "day": "2026-11-24",
            }
            digest_rows = review.figure_rows({**REVIEW_FIGURES, "review_signed": True})
        digests = [m for m in mail.outbox[sent_before:] if m.subject == subject]
        assert sorted(m.to[0] for m in digests) == ["boss@example.com", "pm@example.com"]
        message = next(m for m in digests if m.to == ["boss@example.com"])
        link = f"/reports/review/?property={sunshine.pk}&day=2026-11-24"
        assert link in message.body and "&amp;" not in message.body
        for figure, value in digest_rows:
            assert f"- {figure}: {value}\n" in message.body, figure
        run = DigestRun.objects.get()
        assert (run.property, run.day, run.recipients) == (sunshine, date(2026, 11, 25), 2)

        # The next minute's sweep sends nothing more.
        sent = len(mail.outbox)
        clock.move_to(shanghai(11, 25, sunshine.digest_hour, 1))
        assert sweep()["digests_sent"] == 0
        assert len(mail.outbox) == sent
        assert DigestRun.objects.count() == 1

        # The link in the e-mail opens the signed review.
        boss.goto(url + link)
        expect(boss.locator(".review-signed")).to_contain_text("张主管")
        expect(boss.locator("h1")).to_contain_text("2026-11-24")
