"""Importing meter readings from CSV and .xlsx: the good path, bad rows, the header checked."""

from datetime import UTC, date, datetime

import pytest

from billing.models import FeeItem, MeterReading
from tests.billing.conftest import URL, D, counts, csv_file, file_error, post, refused, xlsx_file


@pytest.fixture
def water(sunshine):
    return FeeItem.objects.create(property=sunshine, name="water", basis="metered")


@pytest.fixture
def electricity(sunshine):
    return FeeItem.objects.create(property=sunshine, name="电费", basis="metered")


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
