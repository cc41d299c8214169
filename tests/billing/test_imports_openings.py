"""Importing opening balances (期初欠费): dry run, import, bad rows, the service, the amounts."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.import_apply import ImportRefused, openings_import
from billing.import_parse import parse_amount, read_rows
from billing.models import FeeNotice
from tests.billing.conftest import (
    GOOD,
    URL,
    D,
    counts,
    csv_file,
    existing_opening,
    post,
    refused,
    xlsx_file,
)

# --- opening balances: the good path ------------------------------------------------------------


def test_the_dry_run_shows_what_would_be_made_and_writes_nothing(finance_client, sunshine, units):
    upload = csv_file(
        "unit,amount,as_of,note", "2-1503,1234.5,2026-10-31,旧系统欠费", "3-0101,80,2026-10-31,"
    )

    response = post(finance_client, upload, action=None)  # no button named: a dry run

    body = response.content.decode()
    assert response.status_code == 200
    assert counts() == (0, 0, 0)
    check = response.context["check"]
    assert check.errors == []
    assert [(o.unit.label, o.amount, o.as_of, o.note) for o in check.creates] == [
        ("2-1503", D("1234.50"), date(2026, 10, 31), "旧系统欠费"),
        ("3-0101", D("80.00"), date(2026, 10, 31), ""),
    ]
    assert "OB-2-1503-20261031" in body and "1234.50" in body
    assert "No problems found: 2 rows would be imported" in body


def test_a_valid_file_imports_exactly(finance_client, finance, sunshine, units):
    upload = csv_file(
        "unit,amount,as_of,note", "2-1503,1234.5,2026-10-31,旧系统欠费", "3-0101,80,2026-09-30,"
    )
    before = timezone.now()

    response = post(finance_client, upload, action="import")

    assert response.status_code == 302 and response.url == URL
    notices = list(FeeNotice.objects.order_by("number"))
    assert [
        (n.unit.label, n.kind, n.number, n.period, n.due_date, n.total, n.paid, n.settled, n.note)
        for n in notices
    ] == [
        (
            "2-1503",
            "opening",
            "OB-2-1503-20261031",
            date(2026, 10, 31),
            date(2026, 10, 31),
            D("1234.50"),
            D("0.00"),
            False,
            "旧系统欠费",
        ),
        (
            "3-0101",
            "opening",
            "OB-3-0101-20260930",
            date(2026, 9, 30),
            date(2026, 9, 30),
            D("80.00"),
            D("0.00"),
            False,
            "",
        ),
    ]
    assert all(n.property == sunshine and n.issued_at >= before for n in notices)
    for notice in notices:
        line = notice.lines.get()
        assert (line.description, line.quantity, line.unit_price, line.amount) == (
            "Opening balance",
            D("1.00"),
            notice.total,
            notice.total,
        )
    page = finance_client.get(URL)
    assert "Imported 2 opening balances at 阳光花园." in page.content.decode()


def test_chinese_headers_and_an_excel_workbook_with_typed_cells(finance_client, sunshine, units):
    upload = xlsx_file(
        [
            ["房号", "金额", "截止日期", "备注"],
            ["2-1503", 1234.56, date(2026, 10, 31), "物业费"],
            [None, None, None, None],  # a blank row is skipped
            ["3-0101", 80, "2026-10-31", None],
        ]
    )

    response = post(finance_client, upload, action="import")

    assert response.status_code == 302
    assert dict(FeeNotice.objects.values_list("number", "total")) == {
        "OB-2-1503-20261031": D("1234.56"),
        "OB-3-0101-20261031": D("80.00"),
    }
    assert FeeNotice.objects.get(unit=units["2-1503"]).note == "物业费"


def test_a_csv_saved_by_chinese_excel_gbk_is_read(finance_client, units):
    upload = csv_file(
        "房号,金额,截止日期,备注", "2-1503,100.00,2026-10-31,期初", encoding="gb18030"
    )

    response = post(finance_client, upload, action="import")

    assert response.status_code == 302
    assert FeeNotice.objects.get().note == "期初"


def test_opening_balances_count_as_owed_but_not_in_the_collection_rate(
    finance_client, sunshine, units
):
    from billing import queries
    from billing.payments import units_owed

    post(finance_client, csv_file("unit,amount,as_of", "2-1503,500,2026-10-31"), action="import")

    assert units_owed([units["2-1503"]]) == D("500.00")
    rate = queries.collection_rate(
        FeeNotice.objects.filter(property=sunshine), date(2026, 1, 1), date(2026, 12, 1)
    )
    assert rate.notices == 0


# --- opening balances: bad rows -----------------------------------------------------------------


BAD_ROWS = [
    ("9-9999,100,2026-10-31,", "Row 3: unknown unit “9-9999”"),
    (",100,2026-10-31,", "Row 3: the unit is missing"),
    ("2-1503,abc,2026-10-31,", "Row 3: the amount “abc” is not a number"),
    ("2-1503,,2026-10-31,", "Row 3: the amount is missing"),
    ("2-1503,-5,2026-10-31,", "Row 3: the amount -5 is negative"),
    ("2-1503,0,2026-10-31,", "Row 3: the amount is zero"),
    ("2-1503,0.00,2026-10-31,", "Row 3: the amount is zero"),
    ("2-1503,12.345,2026-10-31,", "Row 3: the amount 12.345 has more than 2 decimals"),
    ("2-1503,1e3,2026-10-31,", "Row 3: the amount “1e3” is not a number"),
    ("2-1503,100,2026/10/31,", "Row 3: the date “2026/10/31” is not a date as YYYY-MM-DD"),
    ("2-1503,100,2026-02-30,", "Row 3: the date “2026-02-30” is not a date as YYYY-MM-DD"),
    ("2-1503,100,20261031,", "Row 3: the date “20261031” is not a date as YYYY-MM-DD"),
    ("2-1503,100,,", "Row 3: the date (as_of) is missing"),
    ("2-1503,100,2026-10-31," + "x" * 201, "Row 3: the note is longer than 200 characters"),
    ("2-1504,100,2026-10-31,", "Row 3: unit 2-1504 appears more than once in the file (rows 2, 3)"),
]


@pytest.mark.parametrize("action", ["check", "import"])
@pytest.mark.parametrize(("bad", "message"), BAD_ROWS)
def test_a_bad_row_is_named_with_its_reason_and_nothing_is_written(
    finance_client, units, action, bad, message
):
    before = counts()
    upload = csv_file("unit,amount,as_of,note", GOOD, bad)

    response = post(finance_client, upload, action=action)

    assert response.status_code == 400
    assert counts() == before
    assert message in refused(response)
    assert message.split(": ", 1)[1] in response.content.decode()
    if action == "import":
        n = len(refused(response))
        said = "1 row would be refused." if n == 1 else f"{n} rows would be refused."
        assert f"Nothing was imported: {said}" in response.content.decode()


@pytest.mark.parametrize("action", ["check", "import"])
def test_a_unit_that_already_has_an_opening_balance_is_refused(finance_client, units, action):
    existing_opening(units["2-1503"])
    before = counts()
    upload = csv_file("unit,amount,as_of,note", GOOD, "2-1503,100,2026-10-31,")

    response = post(finance_client, upload, action=action)

    assert response.status_code == 400
    assert counts() == before == (1, 1, 0)
    assert refused(response) == [
        "Row 3: unit 2-1503 already has an opening balance (OB-2-1503-20260630)"
    ]


def test_every_refused_row_is_listed_with_all_its_reasons(finance_client, units):
    upload = csv_file(
        "unit,amount,as_of",
        "9-9999,-1,2026-13-01",  # three reasons on one row
        GOOD,
        "2-1503,1.999,2026-10-31",
        "",  # blank lines are skipped, the row numbers stay the file's
        "2-1503,5,2026-10-31",
    )

    response = post(finance_client, upload, action="import")

    assert response.status_code == 400
    assert counts() == (0, 0, 0)
    assert refused(response) == [
        "Row 2: unknown unit “9-9999”; the amount -1 is negative; "
        "the date “2026-13-01” is not a date as YYYY-MM-DD",
        "Row 4: the amount 1.999 has more than 2 decimals; "
        "unit 2-1503 appears more than once in the file (rows 4, 6)",
        "Row 6: unit 2-1503 appears more than once in the file (rows 4, 6)",
    ]
    assert [o.row for o in response.context["check"].creates] == [3]


# --- the services and the pure functions -----------------------------------------------------------


def test_the_import_service_refuses_an_invalid_file_whole(sunshine, finance, units):
    rows = read_rows(
        "o.csv", b"unit,amount,as_of\n2-1503,5,2026-10-31\n2-1504,0,2026-10-31\n", "opening"
    )

    with pytest.raises(ImportRefused) as refusal:
        openings_import(property=sunshine, by=finance, rows=rows)

    assert refusal.value.messages == ["Row 3: the amount is zero"]
    assert counts() == (0, 0, 0)


def test_the_import_service_checks_the_role(sunshine, clerk, units):
    rows = read_rows("o.csv", b"unit,amount,as_of\n2-1503,5,2026-10-31\n", "opening")

    with pytest.raises(ValidationError, match="Only finance"):
        openings_import(property=sunshine, by=clerk, rows=rows)
    assert counts() == (0, 0, 0)


def test_importing_the_same_file_twice_makes_nothing_the_second_time(sunshine, finance, units):
    rows = read_rows("o.csv", b"unit,amount,as_of\n2-1503,5,2026-10-31\n", "opening")
    assert openings_import(property=sunshine, by=finance, rows=rows) == 1

    with pytest.raises(ImportRefused):
        openings_import(property=sunshine, by=finance, rows=rows)
    assert counts() == (1, 1, 0)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("1234.5", D("1234.50")),
        (" 80 ", D("80.00")),
        ("1,234.50", D("1234.50")),
        ("¥99.9", D("99.90")),
        (1234.56, D("1234.56")),
        (0.1, D("0.10")),
        (7, D("7.00")),
        ("2.500", D("2.50")),
    ],
)
def test_amounts_that_are_read(value, amount):
    assert parse_amount(value) == (amount, [])


@pytest.mark.parametrize("value", ["12,34", "1.2.3", "NaN", "inf", True, "一百"])
def test_amounts_that_are_not_numbers(value):
    parsed, problems = parse_amount(value)
    assert parsed is None and "is not a number" in problems[0]
