"""The dashboard's exports (Excel, CSV, the monthly PDF) and its API."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.figures import FIGURE_KEYS
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UserFactory
from tests.helpers import body
from tests.reports.conftest import NOW, RANGE

# --- exports -------------------------------------------------------------------------------------------


def test_the_excel_export_has_the_figures_breakdowns_and_trend(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard_xlsx"), RANGE)
    assert response.status_code == 200
    assert 'filename="dashboard-all-20261109-20261122.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["Figures", "Complaints", "Repairs", "Trend"]
    figures = list(book["Figures"].iter_rows(values_only=True))
    assert figures[0][0].startswith("阳光花园: 2026-11-09 to 2026-11-22")
    assert figures[2][:6] == (
        "Figure",
        "Value",
        "Numerator",
        "Denominator",
        "Target",
        "Meets target",
    )
    satisfaction = figures[3]
    assert satisfaction[:6] == ("Satisfaction", 0.8, 4, 5, 0.96, "No")
    assert satisfaction[6:9] == (0.5, 1, 2)
    by_label = {row[0]: row for row in figures[3:]}
    assert by_label["Escalations not acknowledged"][1:4] == (2, 2, None)
    assert by_label["Collection rate"][2:4] == (250, 300)
    assert book["Figures"]["B4"].number_format == "0.0%"
    complaint_rows = list(book["Complaints"].iter_rows(values_only=True))
    assert ("Category", "Equipment: lift", 2, 2, 1, 0.5, 1, 0.5) in complaint_rows
    trend = list(book["Trend"].iter_rows(values_only=True))
    assert trend[3] == ("2026-11-09", "2026-11-15", 1, 2, 4, 4, 1)


def test_the_csv_export_opens_in_excel(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard_csv"), RANGE)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    satisfaction = next(row for row in rows if row and row[0] == "Satisfaction")
    assert satisfaction[1:9] == ["80%", "4", "5", "96%", "No", "50%", "1", "2"]
    overdue = next(row for row in rows if row and row[0] == "Replies and callbacks overdue")
    assert overdue[1:5] == ["3", "3", "", "0"]
    channel = [row for row in rows if row[:2] == ["Channel", "Letter"]]
    assert channel == [["Channel", "Letter", "1", "0", "0", "", "0", "0%"]]
    assert ["Repairs"] in rows and ["Trend"] in rows


def test_the_monthly_report_is_an_a4_pdf_of_the_figures_and_breakdowns(world, boss, sunshine):
    with at(NOW):
        response = boss.get(
            reverse("reports_monthly_pdf", args=["2026-11"]), {"property": sunshine.pk}
        )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Monthly report 2026-11" in text and "阳光花园" in text
    assert "2026-11-01 to 2026-11-24, compared with 2026-10-01 to 2026-10-31" in text
    for label in (
        "Satisfaction",
        "Repair handling rate",
        "Collection rate",
        "Complaints by category",
    ):
        assert label in text
    assert "Equipment: lift" in text and "Building 1" in text


def test_the_monthly_report_of_a_month_to_come_or_a_bad_month_is_not_found(world, boss):
    with at(NOW):
        assert boss.get(reverse("reports_monthly_pdf", args=["2026-12"])).status_code == 404
        assert boss.get("/reports/monthly/2026-13.pdf").status_code == 404


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures(world, boss, sunshine):
    with at(NOW):
        response = boss.get("/api/dashboard/", {**RANGE, "property": sunshine.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["properties"] == [sunshine.pk]
    assert (data["from"], data["to"]) == ("2026-11-09", "2026-11-22")
    assert (data["previous_from"], data["previous_to"]) == ("2026-10-26", "2026-11-08")
    found = {f["key"]: f for f in data["figures"]}
    assert list(found) == FIGURE_KEYS
    assert found["satisfaction"]["value"] == "0.8000"
    assert (found["satisfaction"]["numerator"], found["satisfaction"]["denominator"]) == (
        "4.00",
        "5.00",
    )
    assert found["satisfaction"]["target"] == "0.9600"
    assert found["satisfaction"]["meets_target"] is False
    assert found["satisfaction"]["previous"] == {
        "value": "0.5000",
        "numerator": "1.00",
        "denominator": "2.00",
    }
    assert found["overdue"]["value"] == "3.0000" and found["overdue"]["denominator"] is None
    assert found["collection"]["numerator"] == "250.00"
    assert data["complaints"]["category"][0] == {
        "key": "lift",
        "label": "Equipment: lift",
        "count": 2,
        "judged": 2,
        "fixed": 1,
        "fixed_share": "0.5000",
        "escalated": 1,
        "escalated_share": "0.5000",
    }
    assert [b["complaints"] for b in data["trend"]] == [1, 3]


def test_the_api_is_scoped_like_the_page(world, client, sunshine, clerk, elsewhere):
    resident = ResidentFactory(property=sunshine, name="住户", unit=world["u1"])
    resident.user = UserFactory(username="resident-user")
    resident.save(update_fields=["user"])
    client.force_login(resident.user)
    assert client.get("/api/dashboard/").status_code == 403
    client.force_login(clerk)
    assert client.get("/api/dashboard/").status_code == 404
    client.force_login(staff_at(elsewhere, "supervisor", username="other-boss"))
    with at(NOW):
        assert client.get("/api/dashboard/", {"property": sunshine.pk}).status_code == 404
        mine = client.get("/api/dashboard/", RANGE).json()
    assert mine["complaints_received"] == 0
    with at(NOW):
        bad = client.get("/api/dashboard/", {"from": "2026-11-20", "to": "2026-11-01"})
    assert bad.status_code == 400


def test_a_past_months_report_runs_to_its_last_day(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_monthly_pdf", args=["2026-10"]))
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "2026-10-01 to 2026-10-31, compared with 2026-09-01 to 2026-09-30" in text
