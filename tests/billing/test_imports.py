"""Imports of opening balances (期初欠费) and meter readings from CSV and .xlsx: the dry run
lists every refused row with the reason and writes nothing; an import writes the whole file
or nothing; bad files are refused with a clear message."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from billing.import_apply import ImportRefused, openings_import
from billing.import_parse import Kind, parse_amount, read_rows
from billing.models import FeeItem, FeeNotice, FeeNoticeLine, MeterReading
from frontdesk.models import Property
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, UserFactory

D = Decimal
URL = "/billing/import/"


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def units(sunshine):
    two = BuildingFactory(property=sunshine, number="2")
    three = BuildingFactory(property=sunshine, number="3")
    return {
        "2-1503": UnitFactory(building=two, number="1503"),
        "2-1504": UnitFactory(building=two, number="1504"),
        "3-0101": UnitFactory(building=three, number="0101"),
    }


@pytest.fixture
def finance(sunshine):
    return staff_at(sunshine, "finance", username="finance", first_name="周会计")


@pytest.fixture
def finance_client(client, finance):
    client.force_login(finance)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def water(sunshine):
    return FeeItem.objects.create(property=sunshine, name="water", basis="metered")


@pytest.fixture
def electricity(sunshine):
    return FeeItem.objects.create(property=sunshine, name="电费", basis="metered")


def csv_file(*lines, name="openings.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(encoding), "text/csv")


def xlsx_file(rows, name="openings.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile(
        name, data.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def post(client, upload, *, action="check", kind="opening", property=None, **extra):
    data = {"kind": kind, "file": upload, **extra}
    if action is not None:
        data["action"] = action
    data["property"] = (property or Property.objects.get(code="sunshine")).pk
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def counts():
    return (
        FeeNotice.objects.count(),
        FeeNoticeLine.objects.count(),
        MeterReading.objects.count(),
    )


def refused(response) -> list[str]:
    check = response.context["check"]
    return check.messages if check else []


def file_error(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


GOOD = "2-1504,88.00,2026-10-31,"


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


def existing_opening(unit):
    notice = FeeNotice.objects.create(
        property=unit.building.property,
        unit=unit,
        kind="opening",
        period=date(2026, 6, 30),
        number=f"OB-{unit.label}-20260630",
        issued_at=datetime(2026, 7, 1, tzinfo=UTC),
        due_date=date(2026, 6, 30),
        total=D("10.00"),
    )
    FeeNoticeLine.objects.create(
        notice=notice, description="Opening balance", quantity=1, unit_price=10, amount=10
    )
    return notice


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


# --- bad files ---------------------------------------------------------------------------------------


BAD_FILES = [
    (lambda: SimpleUploadedFile("list.txt", b"unit,amount\n"), "is not a CSV file or an Excel"),
    (lambda: SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" * 10), "is not a CSV file"),
    (lambda: SimpleUploadedFile("empty.csv", b""), "The submitted file is empty."),
    (lambda: SimpleUploadedFile("blank.csv", b"\n\n  \n"), "The file is empty."),
    (lambda: csv_file("unit,amount,as_of,note"), "The file has a header but no rows under it."),
    (
        lambda: csv_file("unit,amount,note", "2-1503,100,"),
        "The header row has no column for: as_of / 截止日期",
    ),
    (
        lambda: csv_file("unit,房号,amount,as_of", "2-1503,2-1503,1,2026-10-31"),
        "Two columns of the header mean “unit”",
    ),
    (
        lambda: SimpleUploadedFile("binary.csv", b"PK\x03\x04\x00\x00garbage"),
        "The file is not a CSV text file.",
    ),
    (
        lambda: SimpleUploadedFile("fake.xlsx", b"unit,amount,as_of\n2-1503,1,2026-10-31\n"),
        "The file is not an Excel .xlsx workbook.",
    ),
    (
        lambda: SimpleUploadedFile("broken.xlsx", b"PK\x03\x04 not really a zip"),
        "The file is not an Excel .xlsx workbook.",
    ),
    (
        lambda: SimpleUploadedFile(
            "big.csv", b"unit,amount,as_of\n" + b"2-1503,1,2026-10-31\n" * 270_000
        ),
        "The file is larger than 5 MB",
    ),
    (
        lambda: csv_file("unit,amount,as_of", *["2-1503,1,2026-10-31"] * 50_001),
        "The file has more than 50,000 rows",
    ),
]


@pytest.mark.parametrize("action", ["check", "import"])
@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_written(
    finance_client, units, action, make, message
):
    existing_opening(units["3-0101"])
    before = counts()

    response = post(finance_client, make(), action=action)

    assert response.status_code == 400
    assert counts() == before
    assert message in file_error(response)
    assert response.context["check"] is None


def test_exactly_50000_rows_are_read(finance_client, units):
    rows = read_rows(
        "many.csv",
        ("unit,amount,as_of\n" + "2-1503,1,2026-10-31\n" * 50_000).encode(),
        Kind.OPENING,
    )
    assert len(rows) == 50_000 and rows[-1].number == 50_001


# --- meter readings ------------------------------------------------------------------------------------


READINGS_HEADER = "unit,item,period,previous,current"


def test_meter_readings_import_exactly(finance_client, finance, units, water, electricity):
    upload = csv_file(
        READINGS_HEADER,
        "2-1503,water,2026-11,120.5,135",
        "2-1503,电费,2026-11,1000,1180.25",
        "3-0101,water,2026-11,10,10",
        name="readings.csv",
    )

    checked = post(finance_client, upload, kind="readings")
    assert checked.status_code == 200 and counts() == (0, 0, 0)
    upload.seek(0)
    response = post(finance_client, upload, kind="readings", action="import")

    assert response.status_code == 302
    readings = MeterReading.objects.order_by("unit_id", "fee_item__name")
    assert [
        (r.unit.label, r.fee_item.name, r.period, r.previous, r.current, r.entered_by)
        for r in readings
    ] == [
        ("2-1503", "water", date(2026, 11, 1), D("120.50"), D("135.00"), finance),
        ("2-1503", "电费", date(2026, 11, 1), D("1000.00"), D("1180.25"), finance),
        ("3-0101", "water", date(2026, 11, 1), D("10.00"), D("10.00"), finance),
    ]
    assert "Imported 3 meter readings" in finance_client.get(URL).content.decode()


def test_readings_from_a_workbook_with_chinese_headers(finance_client, units, water):
    upload = xlsx_file(
        [
            ["房号", "收费项目", "月份", "上期读数", "本期读数"],
            ["2-1503", "water", date(2026, 11, 1), 120.5, 135],
        ],
        name="readings.xlsx",
    )

    response = post(finance_client, upload, kind="readings", action="import")

    assert response.status_code == 302
    reading = MeterReading.objects.get()
    assert (reading.period, reading.usage) == (date(2026, 11, 1), D("14.50"))


BAD_READINGS = [
    (
        "2-1504,water,2026-11,50,49.99",
        "Row 3: the current reading 49.99 is less than the previous reading 50.00",
    ),
    ("9-9999,water,2026-11,1,2", "Row 3: unknown unit “9-9999”"),
    ("2-1504,gas,2026-11,1,2", "Row 3: “gas” is not a metered fee item of this property"),
    (
        "2-1504,management,2026-11,1,2",
        "Row 3: “management” is not a metered fee item of this property",
    ),
    ("2-1504,water,2026-13,1,2", "Row 3: the period “2026-13” is not a month as YYYY-MM"),
    ("2-1504,water,Nov 2026,1,2", "Row 3: the period “Nov 2026” is not a month as YYYY-MM"),
    ("2-1504,water,2026-11,x,2", "Row 3: the previous reading “x” is not a number"),
    ("2-1504,water,2026-11,-1,2", "Row 3: the previous reading -1 is negative"),
    ("2-1504,water,2026-11,1,2.005", "Row 3: the current reading 2.005 has more than 2 decimals"),
    ("2-1504,water,2026-11,1,", "Row 3: the current reading is missing"),
    (
        "2-1503,water,2026-11,1,2",
        "Row 3: unit 2-1503, water, 2026-11 appears more than once in the file (rows 2, 3)",
    ),
    ("3-0101,water,2026-10,1,2", "Row 3: unit 3-0101 already has a water reading for 2026-10"),
]


@pytest.mark.parametrize("action", ["check", "import"])
@pytest.mark.parametrize(("bad", "message"), BAD_READINGS)
def test_a_bad_reading_is_named_with_its_reason_and_nothing_is_written(
    finance_client, finance, sunshine, units, water, action, bad, message
):
    FeeItem.objects.create(property=sunshine, name="management", basis="area")
    MeterReading.objects.create(
        unit=units["3-0101"],
        fee_item=water,
        period=date(2026, 10, 1),
        previous=0,
        current=5,
        read_at=datetime(2026, 10, 5, tzinfo=UTC),
        entered_by=finance,
    )
    before = counts()
    upload = csv_file(READINGS_HEADER, "2-1503,water,2026-11,1,2", bad, name="readings.csv")

    response = post(finance_client, upload, kind="readings", action=action)

    assert response.status_code == 400
    assert counts() == before
    assert message in refused(response)
    assert message.split(": ", 1)[1] in response.content.decode()
    # Only the bad row is refused (a repeated row: both of its rows).
    assert len(refused(response)) == (2 if "more than once" in message else 1)


def test_the_readings_header_is_checked(finance_client, units, water):
    upload = csv_file("unit,item,period,current", "2-1503,water,2026-11,2", name="r.csv")

    response = post(finance_client, upload, kind="readings", action="import")

    assert response.status_code == 400
    assert counts() == (0, 0, 0)
    assert "no column for: previous / 上期读数" in file_error(response)


# --- who may import -------------------------------------------------------------------------------


def test_the_desk_clerk_may_not_import(clerk_client, units):
    response = post(clerk_client, csv_file("unit,amount,as_of", GOOD), action="import")

    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_a_resident_gets_404(client, sunshine, units):
    resident = ResidentFactory(property=sunshine, unit=units["2-1503"])
    resident.user = UserFactory(username="lin")
    resident.save(update_fields=["user"])
    client.force_login(resident.user)

    assert client.get(URL).status_code == 404
    assert post(client, csv_file("unit,amount,as_of", GOOD), action="import").status_code == 404
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("role", ["supervisor", "project_manager", "finance"])
def test_supervisors_managers_and_finance_may_import(client, sunshine, units, role):
    client.force_login(staff_at(sunshine, role, username=role))

    response = post(client, csv_file("unit,amount,as_of", GOOD), action="import")

    assert response.status_code == 302
    assert FeeNotice.objects.get().unit == units["2-1504"]


def test_another_propertys_units_are_unknown_and_its_property_cannot_be_chosen(
    client, sunshine, elsewhere, units
):
    there = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0101")
    user = staff_at(sunshine, "finance", username="both")
    staff_at(elsewhere, "clerk", username="both")  # works there, but not as finance
    client.force_login(user)

    unknown = post(client, csv_file("unit,amount,as_of", "9-0101,5,2026-10-31"), property=sunshine)
    chosen = post(
        client,
        csv_file("unit,amount,as_of", "9-0101,5,2026-10-31"),
        property=elsewhere,
        action="import",
    )

    assert refused(unknown) == ["Row 2: unknown unit “9-0101”"]
    assert chosen.status_code == 400 and "property" in chosen.context["form"].errors
    assert not FeeNotice.objects.filter(unit=there).exists()


def test_the_page_offers_both_kinds_and_both_actions(finance_client):
    body = finance_client.get(URL).content.decode()

    assert 'name="kind" value="opening"' in body and 'name="kind" value="readings"' in body
    assert 'value="check"' in body and 'value="import"' in body
    assert 'enctype="multipart/form-data"' in body


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
