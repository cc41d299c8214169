"""The complaint register (投诉记录表): the filtered list by keyset, its Excel and CSV exports of
the same rows, and the A4 printed register. Another property's complaint never shows; bad
filters get a message (400); every page and export runs a fixed number of queries."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.clock import at
from tests.conftest import staff_at
from tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    ResidentFactory,
    UnitFactory,
    UserFactory,
    complaint_received,
)
from tests.helpers import body, text
from tickets.complaints import escalations
from tickets.complaints import register_queries as register_queries
from tickets.complaints import services as complaints
from tickets.models import Complaint, Escalation

N = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
PAGES = [
    "complaint_register",
    "complaint_register_xlsx",
    "complaint_register_csv",
    "complaint_register_print",
]


def listed(response) -> list[int]:
    return [c.pk for c in response.context["complaints"]]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(body(response))).active
    return list(sheet.iter_rows(values_only=True))


def pks(*complaints_) -> list[int]:
    return [c.pk for c in complaints_]


# --- the page ----------------------------------------------------------------------------------


def test_register_lists_the_propertys_complaints_newest_first_and_never_another_propertys(
    desk, sunshine, elsewhere, clerk, engineering
):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="1503")
    lin = ResidentFactory(property=sunshine, name="林晓峰", unit=unit)
    with at(N - timedelta(days=1)):
        older = complaint_received(
            sunshine,
            by=clerk,
            channel="letter",
            category="attitude",
            direct_impact=False,
            complainant_name="周先生",
            complainant_company="华信科技",
        )
    with at(N):
        newer = complaint_received(sunshine, by=clerk, resident=lin, department=engineering)
        foreign = complaint_received(elsewhere, by=staff_at(elsewhere), complainant_name="外人")

    with at(N + timedelta(hours=1)):
        response = desk.get(reverse("complaint_register"))

    assert response.status_code == 200
    assert listed(response) == pks(newer, older)
    assert foreign.pk not in listed(response)
    page = text(response)
    assert f'href="{reverse("complaint_detail", args=[newer.pk])}">{newer.number}</a>' in page
    assert f'href="{reverse("complaint_new")}"' in page and "New complaint" in page
    # Received in the property's local time; complainant with company; unit; the rest.
    assert "2026-11-24 10:00" in page and "2026-11-23 10:00" in page
    assert "周先生" in page and "华信科技" in page and "2-1503" in page and "林晓峰" in page
    assert "Letter" in page and "Service attitude" in page and "Equipment: lift" in page
    assert "工程部" in page and "With the department" in page and "Direct" in page
    assert "外人" not in page
    # Nor in the exports or on paper.
    assert [row[5] for row in csv_rows(desk.get(reverse("complaint_register_csv")))[1:]] == [
        "林晓峰",
        "周先生",
    ]
    assert [row[5] for row in xlsx_rows(desk.get(reverse("complaint_register_xlsx")))[1:]] == [
        "林晓峰",
        "周先生",
    ]
    printed = desk.get(reverse("complaint_register_print"))
    assert listed(printed) == pks(newer, older) and "外人" not in text(printed)


def test_the_new_complaint_link_is_only_for_the_desk(client, sunshine, engineer):
    client.force_login(engineer)
    response = client.get(reverse("complaint_register"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Complaint register" in text(response)
    assert reverse("complaint_new") not in text(response)


def test_a_resident_gets_not_found_and_a_stranger_the_login_page(client, sunshine, clerk):
    complaint_received(sunshine, by=clerk)
    resident = ResidentFactory(property=sunshine)
    resident.user = UserFactory(username="resident")
    resident.save(update_fields=["user"])

    for name in PAGES:
        assert client.get(reverse(name)).status_code == 302
    client.force_login(resident.user)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404


# --- filters -----------------------------------------------------------------------------------


def test_each_filter_narrows_the_register(desk, sunshine, clerk, engineering):
    b2 = UnitFactory(building=BuildingFactory(property=sunshine, number="2"), number="201")
    in_b2 = ResidentFactory(property=sunshine, unit=b2)
    with at(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)):  # 10:00 on the 20th in Shanghai
        old = complaint_received(sunshine, by=clerk, category="attitude", direct_impact=False)
    with at(datetime(2026, 11, 20, 16, 30, tzinfo=UTC)):  # 00:30 on the 21st in Shanghai
        after_midnight = complaint_received(sunshine, by=clerk, direct_impact=False)
    with at(N):
        lift = complaint_received(sunshine, by=clerk)
        letter = complaint_received(
            sunshine, by=clerk, channel="letter", category="quality", direct_impact=False
        )
        idea = complaint_received(
            sunshine, by=clerk, kind="suggestion", category="other", direct_impact=False
        )
        sent = complaint_received(sunshine, by=clerk, resident=in_b2, department=engineering)
    url = reverse("complaint_register")

    def only(**params):
        response = desk.get(url, params)
        assert response.status_code == 200
        return listed(response)

    assert set(only()) == set(pks(old, after_midnight, lift, letter, idea, sent))
    assert only(state="dispatched") == pks(sent)
    assert set(only(state="received")) == set(pks(old, after_midnight, lift, letter, idea))
    assert only(category="quality") == pks(letter)
    assert only(department=engineering.pk) == pks(sent)
    assert only(building=b2.building_id) == pks(sent)
    assert only(channel="letter") == pks(letter)
    assert only(kind="suggestion") == pks(idea)
    assert only(received_to="2026-11-20") == pks(old)
    assert only(received_from="2026-11-21", received_to="2026-11-21") == pks(after_midnight)
    assert set(only(received_from="2026-11-24")) == set(pks(lift, letter, idea, sent))
    # The exports and the print take the filters along.
    page = text(desk.get(url, {"category": "quality"}))
    assert f'href="{reverse("complaint_register_csv")}?category=quality"' in page
    assert f'href="{reverse("complaint_register_xlsx")}?category=quality"' in page
    assert f'href="{reverse("complaint_register_print")}?category=quality"' in page


def test_overdue_filter_and_marks_follow_the_reply_and_callback_deadlines(
    desk, sunshine, clerk, engineering
):
    with at(N):
        unanswered = complaint_received(sunshine, by=clerk, direct_impact=False)
        on_the_spot = complaint_received(
            sunshine, by=clerk, direct_impact=False, answered_on_spot=True
        )
        not_called_back = complaint_received(
            sunshine, by=clerk, direct_impact=False, department=engineering
        )
        complaints.complaint_reply(complaint=not_called_back, by=clerk, via="phone", text="已答复")
        complaints.complaint_resolve(complaint=not_called_back, by=clerk, resolution="已修好")
    with at(N + timedelta(days=4)):
        fresh = complaint_received(sunshine, by=clerk, direct_impact=False)
    url = reverse("complaint_register")

    with at(N + timedelta(days=1)):  # nothing is due yet
        assert desk.get(url, {"overdue": "yes"}).context["complaints"] == []
    with at(N + timedelta(days=5)):  # three days (plain calendar days here) have passed
        late = desk.get(url, {"overdue": "yes"})
        in_time = desk.get(url, {"overdue": "no"})

    assert set(listed(late)) == set(pks(unanswered, not_called_back))
    assert set(listed(in_time)) == set(pks(on_the_spot, fresh))
    marks = {c.pk: (c.is_reply_late, c.is_callback_late) for c in late.context["complaints"]}
    assert marks == {unanswered.pk: (True, False), not_called_back.pk: (False, True)}
    assert "⚠ Reply overdue" in text(late) and "⚠ Callback overdue" in text(late)
    assert "⚠" not in text(in_time)


def test_escalation_filters_and_marks(
    desk, sunshine, clerk, engineering, engineering_manager, project_manager
):
    with at(N):
        picked_up = complaint_received(sunshine, by=clerk, department=engineering)
        waiting = complaint_received(sunshine, by=clerk, department=engineering)
        calm = complaint_received(sunshine, by=clerk, direct_impact=False)
    # The fix window (2 hours) passes, then the local day ends: both steps of the ladder.
    escalations.complaints_escalate(now=N + timedelta(hours=3))
    escalations.complaints_escalate(now=N + timedelta(hours=15))
    for escalation, by in (
        (picked_up.escalations.get(level="department_manager"), engineering_manager),
        (picked_up.escalations.get(level="project_manager"), project_manager),
    ):
        escalations.escalation_acknowledge(escalation=escalation, by=by)
    assert Escalation.objects.filter(complaint=waiting, acknowledged_at__isnull=True).count() == 2
    url = reverse("complaint_register")

    assert set(listed(desk.get(url, {"escalated": "yes"}))) == set(pks(picked_up, waiting))
    assert listed(desk.get(url, {"escalated": "no"})) == pks(calm)
    assert listed(desk.get(url, {"unacknowledged": "yes"})) == pks(waiting)
    assert set(listed(desk.get(url, {"unacknowledged": "no"}))) == set(pks(picked_up, calm))
    page = text(desk.get(url, {"escalated": "yes"}))
    assert "▲ Department manager · not acknowledged" in page
    assert "▲▲ Project manager · not acknowledged" in page
    assert page.count("· not acknowledged") == 2  # the picked-up ones carry no such mark
    assert page.count("▲▲ Project manager") == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "nonsense"}, "Select a valid choice"),
        ({"overdue": "maybe"}, "Select a valid choice"),
        ({"department": "another property's"}, "Select a valid choice"),
        ({"building": "another property's"}, "Select a valid choice"),
        ({"received_from": "yesterday"}, "Enter a valid date."),
    ],
)
def test_a_bad_filter_is_refused_with_the_message_on_the_page_and_by_the_exports(
    desk, sunshine, elsewhere, clerk, params, message
):
    complaint_received(sunshine, by=clerk)
    if params.get("department"):
        params = {"department": DepartmentFactory(property=elsewhere).pk}
    if params.get("building"):
        params = {"building": BuildingFactory(property=elsewhere, number="9").pk}

    for name in PAGES:
        response = desk.get(reverse(name), params)

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert listed(response) == []
        assert message in text(response)
        assert "Correct the marked filters." in text(response)


def test_a_broken_page_link_gets_a_message(desk, sunshine, clerk):
    complaint_received(sunshine, by=clerk)

    response = desk.get(reverse("complaint_register"), {"before": "yesterday"})

    assert response.status_code == 400
    assert listed(response) == []
    assert "That page link is not valid" in text(response)


# --- paging ------------------------------------------------------------------------------------


def test_register_pages_by_keyset_newest_first_and_page_two_has_the_older_rows(
    desk, sunshine, clerk
):
    # Two batches received in the same instant: the id breaks the tie.
    for moment in (N - timedelta(days=1), N):
        with at(moment):
            for _n in range(30):
                complaint_received(sunshine, by=clerk, complainant_name="陈", direct_impact=False)
    complaint_received(sunshine, by=clerk, complainant_name="陈", category="attitude")
    url = reverse("complaint_register")

    first = desk.get(url, {"category": "lift"})
    page_one = listed(first)
    older = first.context["older_query"]
    assert len(page_one) == 50
    assert "category=lift" in older
    assert f'href="?{older.replace("&", "&amp;")}"' in text(first)
    with CaptureQueriesContext(connection) as queries:
        second = desk.get(f"{url}?{older}")
    page_two = listed(second)

    expected = list(
        Complaint.objects.filter(category="lift")
        .order_by("-received_at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 60
    assert page_one == expected[:50]
    assert page_two == expected[50:]
    assert second.context["older_query"] is None
    assert 'rel="next"' not in text(second) and "Newest" in text(second)
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


# --- the exports -------------------------------------------------------------------------------


@pytest.fixture
def five_lifts_and_a_rude_guard(sunshine, clerk, engineering):
    """Five lift complaints a minute apart (one starting with a formula), and one about
    attitude that the lift filter leaves out."""
    made = []
    for n in range(5):
        with at(N + timedelta(minutes=n)):
            made.append(
                complaint_received(
                    sunshine,
                    by=clerk,
                    complainant_name=f"周先生{n}",
                    complainant_company="华信科技",
                    description='=HYPERLINK("http://evil.example","电梯")'
                    if n == 2
                    else "电梯困人",
                    department=engineering if n % 2 else None,
                )
            )
    with at(N + timedelta(minutes=9)):
        complaint_received(sunshine, by=clerk, category="attitude", complainant_name="保安态度")
    return list(reversed(made))  # newest first, as the register lists them


def test_excel_export_has_a_bold_header_and_every_filtered_row(
    desk, five_lifts_and_a_rude_guard, monkeypatch
):
    monkeypatch.setattr(register_queries, "CHUNK_SIZE", 2)  # three chunks for five rows
    expected = five_lifts_and_a_rude_guard

    with at(N + timedelta(hours=1)):
        response = desk.get(reverse("complaint_register_xlsx"), {"category": "lift"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="complaint-register-2026-11-24.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body(response)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Complaint number", "Property", "Received", "Kind")
    assert "What happened" in header and "Escalations" in header and "Overdue" in header
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["J"].width == 50  # the description
    data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [row["Complaint number"] for row in data] == [c.number for c in expected]
    newest = data[0]
    assert newest["Received"] == "2026-11-24 10:04"
    # The reply is due at 24:00 of the third day after; the fix two hours after receipt.
    assert (newest["Reply due"], newest["Fix due"]) == ("2026-11-28 00:00", "2026-11-24 12:04")
    assert newest["Replied"] is None and newest["State"] == "Received"
    assert (newest["Property"], newest["Complainant"], newest["Company"]) == (
        "阳光花园",
        "周先生4",
        "华信科技",
    )
    assert (newest["Category"], newest["Channel"], newest["Direct impact"]) == (
        "Equipment: lift",
        "Phone",
        "Yes",
    )
    assert [row["Department"] for row in data] == [None, "工程部", None, "工程部", None]
    # The formula-looking description is text, never a formula.
    formula = sheet.cell(row=4, column=header.index("What happened") + 1)
    assert formula.value == '=HYPERLINK("http://evil.example","电梯")'
    assert formula.data_type == "s"
    assert "保安态度" not in [row["Complainant"] for row in data]


def test_csv_export_has_the_bom_the_header_every_filtered_row_and_no_formulas(
    desk, five_lifts_and_a_rude_guard, monkeypatch
):
    monkeypatch.setattr(register_queries, "CHUNK_SIZE", 2)
    expected = five_lifts_and_a_rude_guard

    with at(N + timedelta(hours=1)):
        response = desk.get(reverse("complaint_register_csv"), {"category": "lift"})
        raw = body(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="complaint-register-2026-11-24.csv"' in response["Content-Disposition"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["Complaint number", "Property", "Received"]
    data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [row["Complaint number"] for row in data] == [c.number for c in expected]
    assert data[0]["Received"] == "2026-11-24 10:04" and data[0]["Company"] == "华信科技"
    assert data[2]["What happened"] == '\'=HYPERLINK("http://evil.example","电梯")'
    assert data[1]["What happened"] == "电梯困人"


def test_exports_show_escalations_and_overdue_marks(
    desk, sunshine, clerk, engineering, engineering_manager
):
    with at(N):
        complaint = complaint_received(sunshine, by=clerk, department=engineering)
    escalations.complaints_escalate(now=N + timedelta(hours=3))
    with at(N + timedelta(hours=4, minutes=5)):  # 14:05 in Shanghai
        escalations.escalation_acknowledge(
            escalation=complaint.escalations.get(), by=engineering_manager
        )
    escalations.complaints_escalate(now=N + timedelta(hours=15))

    with at(N + timedelta(days=5)):
        csv_data = csv_rows(desk.get(reverse("complaint_register_csv")))
        xlsx_data = xlsx_rows(desk.get(reverse("complaint_register_xlsx")))

    for header, row in ((csv_data[0], csv_data[1]), (list(xlsx_data[0]), xlsx_data[1])):
        row = dict(zip(header, row, strict=True))
        assert row["Escalations"] == (
            "Department manager (acknowledged 2026-11-24 14:05); Project manager (not acknowledged)"
        )
        assert row["Overdue"] == "Reply overdue"


def test_csv_guards_every_formula_start(desk, sunshine, clerk):
    starts = ["=1+1", "+1", "-1", "@SUM(A1)", "普通"]
    with at(N):
        for start in starts:
            complaint_received(sunshine, by=clerk, description=start)

    rows = csv_rows(desk.get(reverse("complaint_register_csv")))

    column = rows[0].index("What happened")
    assert sorted(row[column] for row in rows[1:]) == sorted(
        ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "普通"]
    )


# --- the printed register ----------------------------------------------------------------------


def test_printed_register_is_a4_landscape_with_the_property_and_the_filters(
    desk, five_lifts_and_a_rude_guard
):
    with at(N + timedelta(hours=1)):
        response = desk.get(reverse("complaint_register_print"), {"category": "lift"})

    assert response.status_code == 200
    assert listed(response) == pks(*five_lifts_and_a_rude_guard)
    page = text(response)
    assert "@page { size: A4 landscape" in page
    assert "<h1>阳光花园 · Complaint register</h1>" in page
    assert "Category: Equipment: lift" in page
    assert "5 complaints." in page and "Only the newest" not in page
    assert "周先生4" in page and "电梯困人" in page and "保安态度" not in page


def test_printed_register_stops_at_the_limit_and_says_so(
    desk, five_lifts_and_a_rude_guard, monkeypatch
):
    monkeypatch.setattr(register_queries, "PRINT_LIMIT", 3)

    response = desk.get(reverse("complaint_register_print"))

    newest = Complaint.objects.order_by("-received_at", "-id").values_list("pk", flat=True)
    assert listed(response) == list(newest[:3])
    assert "Only the newest 3 complaints are printed" in text(response)
    assert "Filters: none (every complaint)" in " ".join(text(response).split())


# --- query counts ------------------------------------------------------------------------------


def _varied(property, clerk, department, count):
    """Complaints with every kind of detail a row shows: unit, company, department,
    escalations, a reply and a callback."""
    for n in range(count):
        complaint = complaint_received(
            property,
            by=clerk,
            resident=ResidentFactory(property=property),
            complainant_company="华信科技",
            department=department if n % 2 == 0 else None,
            direct_impact=n % 3 != 2,
        )
        if n % 2 == 0:
            complaints.complaint_reply(complaint=complaint, by=clerk, via="phone", text="已答复")
            complaints.complaint_resolve(complaint=complaint, by=clerk, resolution="已修好")
    escalations.complaints_escalate(now=N + timedelta(days=1))


def _count(response, name) -> int:
    if name == "complaint_register_xlsx":
        return len(xlsx_rows(response)) - 1
    if name == "complaint_register_csv":
        return len(csv_rows(response)) - 1
    return len(response.context["complaints"])


@pytest.mark.parametrize("name", PAGES)
def test_pages_and_exports_run_a_fixed_number_of_queries_whatever_the_rows(
    desk, sunshine, clerk, engineering, django_assert_num_queries, name
):
    url = reverse(name)
    with at(N):
        _varied(sunshine, clerk, engineering, 1)
    with at(N + timedelta(days=5)), CaptureQueriesContext(connection) as one:
        assert _count(desk.get(url), name) == 1
    with at(N + timedelta(hours=1)):
        _varied(sunshine, clerk, engineering, 4)

    with at(N + timedelta(days=5)), django_assert_num_queries(len(one.captured_queries)):
        assert _count(desk.get(url), name) == 5


def test_exports_walk_the_register_in_chunks_of_two_queries_each(
    desk, sunshine, clerk, engineering, monkeypatch
):
    monkeypatch.setattr(register_queries, "CHUNK_SIZE", 2)
    url = reverse("complaint_register_csv")
    with at(N):
        _varied(sunshine, clerk, engineering, 2)
    with CaptureQueriesContext(connection) as one_chunk:
        assert len(csv_rows(desk.get(url))) == 1 + 2
    with at(N + timedelta(hours=1)):
        _varied(sunshine, clerk, engineering, 2)
    with CaptureQueriesContext(connection) as two_chunks:
        assert len(csv_rows(desk.get(url))) == 1 + 4

    # One more chunk: its rows, then their escalations; never one query per row.
    assert len(two_chunks.captured_queries) == len(one_chunk.captured_queries) + 2
