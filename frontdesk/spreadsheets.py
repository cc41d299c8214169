"""Text written to a spreadsheet stays text: a CSV cell or an Excel cell never runs as a
formula (CSV / formula injection), and an Excel cell drops the characters XML cannot carry.
Used by the complaint register's exports and the dashboard's."""

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """A cell a spreadsheet will show as text, never run: a leading quote before = + - @."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def xlsx_text(sheet, text: str):
    """Text as text in a write-only sheet: an Excel cell never turns into a formula, and
    characters XML cannot carry are dropped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would otherwise store it as a formula
    return cell
