"""Imports from the previous system: opening balances (期初欠费) and meter readings, from a CSV
file or an Excel .xlsx workbook. This module reads the file and its cells, with no database:
the file's data rows keyed by column (or FileProblem for a file that cannot be read), and
each cell's value or the reasons it is refused. billing.import_check checks the rows against
the property; billing.import_apply writes them."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontdesk.money import money

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
AMOUNT_LIMIT = Decimal(10) ** 10  # the money columns hold 12 digits, 2 of them decimals


class Kind(models.TextChoices):
    OPENING = "opening", gettext_lazy("Opening balances (期初欠费)")
    READINGS = "readings", gettext_lazy("Meter readings")


# --- the columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    names: tuple[str, ...]  # accepted header names, lower case; the first is the English one
    required: bool = True

    @property
    def shown(self) -> str:
        return " / ".join(self.names[:2])


COLUMNS = {
    Kind.OPENING: (
        Column("unit", ("unit", "房号")),
        Column("amount", ("amount", "金额")),
        Column("as_of", ("as_of", "截止日期", "as of")),
        Column("note", ("note", "备注"), required=False),
    ),
    Kind.READINGS: (
        Column("unit", ("unit", "房号")),
        Column("item", ("item", "收费项目", "项目")),
        Column("period", ("period", "月份", "期间")),
        Column("previous", ("previous", "上期读数")),
        Column("current", ("current", "本期读数")),
    ),
}


class FileProblem(Exception):
    """The file as a whole cannot be read: nothing in it is looked at further."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    number: int  # the row as the spreadsheet shows it: the header is row 1
    values: dict[str, Any]


# --- reading the file ----------------------------------------------------------------------------


def read_upload(upload, kind: str) -> list[Row]:
    """The data rows of an uploaded file (Django UploadedFile), or FileProblem."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_big()
    data = upload.read(MAX_BYTES + 1)
    return read_rows(upload.name or "", data, kind)


def _too_big() -> FileProblem:
    return FileProblem(
        _("The file is larger than %(mb)s MB: split it into smaller files.")
        % {"mb": MAX_BYTES // (1024 * 1024)}
    )


def read_rows(name: str, data: bytes, kind: str) -> list[Row]:
    """The file's data rows keyed by column, blank rows left out; or FileProblem."""
    if len(data) > MAX_BYTES:
        raise _too_big()
    lower = name.lower()
    if lower.endswith(".csv"):
        records = _csv_records(data)
    elif lower.endswith(".xlsx"):
        records = _xlsx_records(data)
    else:
        raise FileProblem(
            _("“%(name)s” is not a CSV file or an Excel .xlsx file.") % {"name": name or "?"}
        )
    return _rows(records, COLUMNS[kind])


def _csv_records(data: bytes):
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if b"\x00" in data:
        raise FileProblem(_("The file is not a CSV text file."))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(_("The file is not a CSV text file."))
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise FileProblem(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        raise FileProblem(_("The file is empty."))
    unreadable = (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        OSError,
    )
    if not data.startswith(b"PK"):
        raise FileProblem(_("The file is not an Excel .xlsx workbook."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as exc:
        raise FileProblem(_("The file is not an Excel .xlsx workbook.")) from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise FileProblem(_("The file is empty."))
        yield from sheet.iter_rows(values_only=True)
    except unreadable as exc:
        raise FileProblem(_("The workbook cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        book.close()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_key(value) -> str:
    return re.sub(r"\s+", " ", str(value or "").strip().lower())


def _rows(records, columns: tuple[Column, ...]) -> list[Row]:
    header: dict[int, str] | None = None
    rows: list[Row] = []
    for number, record in enumerate(records, start=1):
        cells = list(record or ())
        if all(is_blank(c) for c in cells):
            continue
        if header is None:
            header = _header(cells, columns)
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(
                _("The file has more than %(max)s rows: split it into smaller files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
        values = {key: (cells[i] if i < len(cells) else None) for i, key in header.items()}
        rows.append(Row(number, values))
    if header is None:
        raise FileProblem(_("The file is empty."))
    if not rows:
        raise FileProblem(_("The file has a header but no rows under it."))
    return rows


def _header(cells: list, columns: tuple[Column, ...]) -> dict[int, str]:
    by_name = {name: column.key for column in columns for name in column.names}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = by_name.get(_header_key(cell))
        if key is None:
            continue  # a column we do not read
        if key in found:
            raise FileProblem(
                _("Two columns of the header mean “%(column)s”: columns %(a)s and %(b)s.")
                % {"column": key, "a": found[key] + 1, "b": i + 1}
            )
        found[key] = i
    missing = [c.shown for c in columns if c.required and c.key not in found]
    if missing:
        raise FileProblem(
            _("The header row has no column for: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(c.shown for c in columns)}
        )
    return {i: key for key, i in found.items()}


# --- reading one cell ----------------------------------------------------------------------------


class CellProblem(ValueError):
    pass


def cell_text(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


_NUMBER = re.compile(r"^-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def parse_number(value) -> Decimal:
    """A number from a cell: a number cell, or text like "1234.5", "1,234.50", "¥80"."""
    if isinstance(value, bool) or isinstance(value, datetime | date):
        raise CellProblem(value)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # what the cell shows, not the binary fraction
    else:
        text = str(value).strip().lstrip("¥￥").strip()
        if not _NUMBER.match(text):
            raise CellProblem(value)
        number = Decimal(text.replace(",", ""))
    if not number.is_finite():
        raise CellProblem(value)
    return number


def _decimals_ok(number: Decimal) -> bool:
    try:
        return number == number.quantize(Decimal("0.01"))
    except InvalidOperation:
        return False


def parse_amount(value) -> tuple[Decimal | None, list[str]]:
    """Yuan, more than zero, at most 2 decimals."""
    if is_blank(value):
        return None, [_("the amount is missing")]
    try:
        amount = parse_number(value)
    except CellProblem:
        return None, [_("the amount “%(value)s” is not a number") % {"value": cell_text(value)}]
    shown = {"value": cell_text(value)}
    if amount < 0:
        return None, [_("the amount %(value)s is negative") % shown]
    if amount == 0:
        return None, [_("the amount is zero")]
    if not _decimals_ok(amount):
        return None, [_("the amount %(value)s has more than 2 decimals") % shown]
    if amount >= AMOUNT_LIMIT:
        return None, [_("the amount %(value)s is too large") % shown]
    return money(amount), []


def parse_reading(value, which: str) -> tuple[Decimal | None, list[str]]:
    """A meter reading: zero or more, at most 2 decimals. ``which`` names it in messages."""
    if is_blank(value):
        return None, [_("the %(which)s reading is missing") % {"which": which}]
    shown = {"which": which, "value": cell_text(value)}
    try:
        number = parse_number(value)
    except CellProblem:
        return None, [_("the %(which)s reading “%(value)s” is not a number") % shown]
    if number < 0:
        return None, [_("the %(which)s reading %(value)s is negative") % shown]
    if not _decimals_ok(number):
        return None, [_("the %(which)s reading %(value)s has more than 2 decimals") % shown]
    if number >= AMOUNT_LIMIT:
        return None, [_("the %(which)s reading %(value)s is too large") % shown]
    return money(number), []


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_day(value) -> date:
    """YYYY-MM-DD (or a date cell of a workbook); ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = _DATE.match(str(value or "").strip())
    if not found:
        raise ValueError(value)
    day = date(int(found[1]), int(found[2]), int(found[3]))
    if not 1900 <= day.year <= 2999:
        raise ValueError(value)
    return day


def parse_month(value) -> date:
    """YYYY-MM (or a date cell of a workbook) as the month's first day; ValueError otherwise."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    found = _MONTH.match(str(value or "").strip())
    if not found:
        raise ValueError(value)
    year, month = int(found[1]), int(found[2])
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        raise ValueError(value)
    return date(year, month, 1)


def unit_label(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).replace("－", "-").replace("—", "-").replace("–", "-")
