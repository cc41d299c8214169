"""An import's bad file (wrong type, empty, bad header, too big) is refused and writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.import_parse import Kind, read_rows
from tests.billing.conftest import counts, csv_file, existing_opening, file_error, post

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
