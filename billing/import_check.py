"""The dry run of an import: every reason each row of a file would be refused, and what the
rest would make. Pure functions of the rows (billing.import_parse) and a few bulk reads of the
property's units, fee items and what is already there, whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from billing.import_parse import (
    Kind,
    Row,
    cell_text,
    is_blank,
    parse_amount,
    parse_day,
    parse_month,
    parse_reading,
    unit_label,
)
from billing.models import FeeItem, FeeNotice, MeterReading
from billing.notices import OpeningBalance, opening_number
from frontdesk.models import Property, Unit

NOTE_LENGTH = FeeNotice._meta.get_field("note").max_length
NUMBER_LENGTH = FeeNotice._meta.get_field("number").max_length


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
    label = unit_label(raw)
    unit = units.get(label)
    if not label:
        reasons.append(_("the unit is missing"))
    elif unit is None:
        reasons.append(_("unknown unit “%(unit)s”") % {"unit": cell_text(raw)})
    return unit


def _row_value(raw, parse, reasons: list[str], missing: str, wrong: str):
    """A cell read by `parse`, or None with the reason (`wrong` names the %(value)s given)."""
    if is_blank(raw):
        reasons.append(missing)
        return None
    try:
        return parse(raw)
    except ValueError:
        reasons.append(wrong % {"value": cell_text(raw)})
        return None


def _sorted_out(kind: str, rows: list[Row], reasons_of: dict, parsed: dict, make) -> Check:
    """Each row refused with its reasons, or what it makes: make(row number, *its values)."""
    check = Check(kind=kind, rows=len(rows))
    for row in rows:
        reasons = reasons_of[row.number]
        if reasons:
            check.errors.append(RowError(row.number, reasons))
        else:
            check.creates.append(make(row.number, *parsed[row.number]))
    return check


def check_openings(property: Property, rows: list[Row]) -> Check:
    """Every reason each row would be refused, and the opening balances the rest would make.
    Three queries whatever the number of rows."""
    units = _units_by_label(property)
    opened = dict(
        FeeNotice.objects.filter(property=property, kind=FeeNotice.Kind.OPENING)
        .order_by("pk")
        .values_list("unit_id", "number")
    )
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
        note = "" if is_blank(row.values.get("note")) else cell_text(row.values["note"])
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
    return _sorted_out(Kind.OPENING, rows, reasons_of, parsed, OpeningBalance)


def check_readings(property: Property, rows: list[Row]) -> Check:
    """Every reason each row would be refused, and the meter readings the rest would record.
    Three queries whatever the number of rows."""
    units = _units_by_label(property)
    items = {
        item.name.strip(): item
        for item in FeeItem.objects.filter(property=property, basis=FeeItem.Basis.METERED)
    }
    keys: dict[int, tuple] = {}
    parsed: dict[int, tuple] = {}
    reasons_of: dict[int, list[str]] = {}
    for row in rows:
        reasons: list[str] = []
        unit = _row_unit(row, units, reasons)
        raw_item = row.values.get("item")
        item = None
        if is_blank(raw_item):
            reasons.append(_("the fee item is missing"))
        else:
            item = items.get(cell_text(raw_item))
            if item is None:
                reasons.append(
                    _("“%(item)s” is not a metered fee item of this property")
                    % {"item": cell_text(raw_item)}
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
    return _sorted_out(Kind.READINGS, rows, reasons_of, parsed, Reading)


def check_rows(kind: str, property: Property, rows: list[Row]) -> Check:
    """The dry run."""
    return {Kind.OPENING: check_openings, Kind.READINGS: check_readings}[kind](property, rows)
