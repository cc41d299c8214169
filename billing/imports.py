"""Imports from the previous system: opening balances (期初欠费) and meter readings, from a CSV
file or an Excel .xlsx workbook.

Reading and checking are pure functions of the file and a few bulk reads of the property's
units, fee items and what is already there: a dry run lists every row that would be refused
and why, and what would be created. The two services write, and only a whole file that is
valid, in one transaction (the file is checked again inside it). Nothing is ever half
imported."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import FeeItem, FeeNotice, FeeNoticeLine, MeterReading
from frontdesk import policy
from frontdesk.models import Property, Unit, User
from frontdesk.money import money

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
AMOUNT_LIMIT = Decimal(10) ** 10  # the money columns hold 12 digits, 2 of them decimals
NOTE_LENGTH = FeeNotice._meta.get_field("note").max_length
NUMBER_LENGTH = FeeNotice._meta.get_field("number").max_length


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


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_key(value) -> str:
    return re.sub(r"\s+", " ", str(value or "").strip().lower())


def _rows(records, columns: tuple[Column, ...]) -> list[Row]:
    header: dict[int, str] | None = None
    rows: list[Row] = []
    for number, record in enumerate(records, start=1):
        cells = list(record or ())
        if all(_blank(c) for c in cells):
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


def _shown(value) -> str:
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
    if _blank(value):
        return None, [_("the amount is missing")]
    try:
        amount = parse_number(value)
    except CellProblem:
        return None, [_("the amount “%(value)s” is not a number") % {"value": _shown(value)}]
    shown = {"value": _shown(value)}
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
    if _blank(value):
        return None, [_("the %(which)s reading is missing") % {"which": which}]
    shown = {"which": which, "value": _shown(value)}
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


def _label(value) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).replace("－", "-").replace("—", "-").replace("–", "-")


# --- checking the rows ---------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    reasons: list[str]

    @property
    def message(self) -> str:
        return _("Row %(row)s: %(reasons)s") % {
            "row": self.row,
            "reasons": _("; ").join(self.reasons),
        }


@dataclass(frozen=True)
class OpeningBalance:
    row: int
    unit: Unit
    amount: Decimal
    as_of: date
    note: str

    @property
    def number(self) -> str:
        return opening_number(self.unit, self.as_of)


@dataclass(frozen=True)
class Reading:
    row: int
    unit: Unit
    fee_item: FeeItem
    period: date
    previous: Decimal
    current: Decimal

    @property
    def usage(self) -> Decimal:
        return self.current - self.previous


@dataclass
class Check:
    """What a file would do: the rows refused with their reasons, and what would be made."""

    kind: str
    rows: int
    errors: list[RowError] = field(default_factory=list)
    creates: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.creates)

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors]


def opening_number(unit: Unit, as_of: date) -> str:
    return f"OB-{unit.label}-{as_of:%Y%m%d}"


def _units_by_label(property: Property) -> dict[str, Unit]:
    """The property's units by the label the desk says ("2-1503"). One query."""
    units = Unit.objects.filter(building__property=property).select_related("building")
    return {unit.label: unit for unit in units}


def _repeats(keys: dict[int, tuple]) -> dict[int, list[int]]:
    """For each row whose key appears on more than one row: all the rows with that key."""
    rows_of: dict[tuple, list[int]] = {}
    for row, key in keys.items():
        rows_of.setdefault(key, []).append(row)
    return {row: rows_of[key] for row, key in keys.items() if len(rows_of[key]) > 1}


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows)


def _row_unit(row: Row, units: dict, reasons: list[str]):
    """The row's unit by its label, or None with the reason."""
    raw = row.values.get("unit")
    label = _label(raw)
    unit = units.get(label)
    if not label:
        reasons.append(_("the unit is missing"))
    elif unit is None:
        reasons.append(_("unknown unit “%(unit)s”") % {"unit": _shown(raw)})
    return unit


def _row_value(raw, parse, reasons: list[str], missing: str, wrong: str):
    """A cell read by `parse`, or None with the reason (`wrong` names the %(value)s given)."""
    if _blank(raw):
        reasons.append(missing)
        return None
    try:
        return parse(raw)
    except ValueError:
        reasons.append(wrong % {"value": _shown(raw)})
        return None


def check_openings(property: Property, rows: list[Row]) -> Check:
    """Every reason each row would be refused, and the opening balances the rest would make.
    Three queries whatever the number of rows."""
    units = _units_by_label(property)
    opened = dict(
        FeeNotice.objects.filter(property=property, kind=FeeNotice.Kind.OPENING)
        .order_by("pk")
        .values_list("unit_id", "number")
    )
    check = Check(kind=Kind.OPENING, rows=len(rows))
    parsed: dict[int, tuple] = {}
    reasons_of: dict[int, list[str]] = {}
    keys: dict[int, tuple] = {}
    for row in rows:
        reasons: list[str] = []
        unit = _row_unit(row, units, reasons)
        if unit is not None:
            keys[row.number] = (unit.pk,)
            if unit.pk in opened:
                reasons.append(
                    _("unit %(unit)s already has an opening balance (%(number)s)")
                    % {"unit": unit.label, "number": opened[unit.pk]}
                )
        amount, problems = parse_amount(row.values.get("amount"))
        reasons += problems
        as_of = _row_value(
            row.values.get("as_of"),
            parse_day,
            reasons,
            _("the date (as_of) is missing"),
            _("the date “%(value)s” is not a date as YYYY-MM-DD"),
        )
        note = "" if _blank(row.values.get("note")) else _shown(row.values["note"])
        if len(note) > NOTE_LENGTH:
            reasons.append(_("the note is longer than %(max)s characters") % {"max": NOTE_LENGTH})
        if unit is not None and as_of is not None:
            if len(opening_number(unit, as_of)) > NUMBER_LENGTH:
                reasons.append(_("the unit's label is too long for a notice number"))
        reasons_of[row.number] = reasons
        parsed[row.number] = (unit, amount, as_of, note)
    for row_number, rows_with in _repeats(keys).items():
        unit = parsed[row_number][0]
        reasons_of[row_number].append(
            _("unit %(unit)s appears more than once in the file (rows %(rows)s)")
            % {"unit": unit.label, "rows": _rows_text(rows_with)}
        )
    for row in rows:
        reasons = reasons_of[row.number]
        if reasons:
            check.errors.append(RowError(row.number, reasons))
        else:
            unit, amount, as_of, note = parsed[row.number]
            check.creates.append(OpeningBalance(row.number, unit, amount, as_of, note))
    return check


def check_readings(property: Property, rows: list[Row]) -> Check:
    """Every reason each row would be refused, and the meter readings the rest would record.
    Three queries whatever the number of rows."""
    units = _units_by_label(property)
    items = {
        item.name.strip(): item
        for item in FeeItem.objects.filter(property=property, basis=FeeItem.Basis.METERED)
    }
    check = Check(kind=Kind.READINGS, rows=len(rows))
    parsed: dict[int, tuple] = {}
    reasons_of: dict[int, list[str]] = {}
    keys: dict[int, tuple] = {}
    for row in rows:
        reasons: list[str] = []
        unit = _row_unit(row, units, reasons)
        raw_item = row.values.get("item")
        item = None
        if _blank(raw_item):
            reasons.append(_("the fee item is missing"))
        else:
            item = items.get(_shown(raw_item))
            if item is None:
                reasons.append(
                    _("“%(item)s” is not a metered fee item of this property")
                    % {"item": _shown(raw_item)}
                )
        period = _row_value(
            row.values.get("period"),
            parse_month,
            reasons,
            _("the period is missing"),
            _("the period “%(value)s” is not a month as YYYY-MM"),
        )
        previous, problems = parse_reading(row.values.get("previous"), _("previous"))
        reasons += problems
        current, problems = parse_reading(row.values.get("current"), _("current"))
        reasons += problems
        if previous is not None and current is not None and current < previous:
            reasons.append(
                _("the current reading %(current)s is less than the previous reading %(previous)s")
                % {"current": current, "previous": previous}
            )
        if unit is not None and item is not None and period is not None:
            keys[row.number] = (unit.pk, item.pk, period)
        reasons_of[row.number] = reasons
        parsed[row.number] = (unit, item, period, previous, current)
    periods = {key[2] for key in keys.values()}
    existing = set(
        MeterReading.objects.filter(
            fee_item__property=property, fee_item__basis=FeeItem.Basis.METERED, period__in=periods
        ).values_list("unit_id", "fee_item_id", "period")
    )
    for row_number, key in keys.items():
        if key in existing:
            unit, item, period = parsed[row_number][:3]
            reasons_of[row_number].append(
                _("unit %(unit)s already has a %(item)s reading for %(period)s")
                % {"unit": unit.label, "item": item.name, "period": f"{period:%Y-%m}"}
            )
    for row_number, rows_with in _repeats(keys).items():
        unit, item, period = parsed[row_number][:3]
        reasons_of[row_number].append(
            _(
                "unit %(unit)s, %(item)s, %(period)s appears more than once in the file (rows %(rows)s)"
            )
            % {
                "unit": unit.label,
                "item": item.name,
                "period": f"{period:%Y-%m}",
                "rows": _rows_text(rows_with),
            }
        )
    for row in rows:
        reasons = reasons_of[row.number]
        if reasons:
            check.errors.append(RowError(row.number, reasons))
        else:
            check.creates.append(Reading(row.number, *parsed[row.number]))
    return check


def check_rows(kind: str, property: Property, rows: list[Row]) -> Check:
    """The dry run."""
    return {Kind.OPENING: check_openings, Kind.READINGS: check_readings}[kind](property, rows)


# --- writing ---------------------------------------------------------------------------------------


class ImportRefused(ValidationError):
    """The file has rows that would be refused: nothing was written. Carries the check."""

    def __init__(self, check: Check):
        super().__init__(check.messages or [_("The file has nothing to import.")])
        self.check = check


def _checked(kind: str, property: Property, by: User, rows: list[Row]) -> Check:
    if not policy.allows(by, "fees.import", property):
        raise ValidationError(
            _("Only finance, a supervisor or the project manager can import at %(property)s.")
            % {"property": property.name}
        )
    # One import at a time per property: the second waits, then finds what the first made.
    list(Property.objects.select_for_update().filter(pk=property.pk).values_list("pk", flat=True))
    check = check_rows(kind, property, rows)
    if not check.ok:
        raise ImportRefused(check)
    return check


def openings_import(*, property: Property, by: User, rows: list[Row]) -> int:
    """Bring in the opening balances of a whole file, or nothing: one fee notice (kind
    "opening") with one line per row. Returns how many were made."""
    now = timezone.now()
    try:
        with transaction.atomic():
            check = _checked(Kind.OPENING, property, by, rows)
            notices = [
                FeeNotice(
                    property=property,
                    unit=o.unit,
                    kind=FeeNotice.Kind.OPENING,
                    period=o.as_of,
                    number=o.number,
                    issued_at=now,
                    due_date=o.as_of,
                    total=o.amount,
                    note=o.note,
                )
                for o in check.creates
            ]
            FeeNotice.objects.bulk_create(notices, batch_size=500)
            FeeNoticeLine.objects.bulk_create(
                [
                    FeeNoticeLine(
                        notice=notice,
                        description=_("Opening balance"),
                        quantity=Decimal(1),
                        unit_price=notice.total,
                        amount=notice.total,
                    )
                    for notice in notices
                ],
                batch_size=500,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Some of these opening balances were imported meanwhile: check the file again.")
        ) from exc
    return len(notices)


def readings_import(*, property: Property, by: User, rows: list[Row]) -> int:
    """Record the meter readings of a whole file, or nothing. Returns how many were made."""
    now = timezone.now()
    try:
        with transaction.atomic():
            check = _checked(Kind.READINGS, property, by, rows)
            made = MeterReading.objects.bulk_create(
                [
                    MeterReading(
                        unit=r.unit,
                        fee_item=r.fee_item,
                        period=r.period,
                        previous=r.previous,
                        current=r.current,
                        read_at=now,
                        entered_by=by,
                    )
                    for r in check.creates
                ],
                batch_size=500,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Some of these readings were recorded meanwhile: check the file again.")
        ) from exc
    return len(made)


def import_rows(kind: str, *, property: Property, by: User, rows: list[Row]) -> int:
    return {Kind.OPENING: openings_import, Kind.READINGS: readings_import}[kind](
        property=property, by=by, rows=rows
    )
