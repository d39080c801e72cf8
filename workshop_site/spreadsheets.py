"""Every CSV and XLSX cell the product writes goes through here.

Two dangers in a cell that someone's Excel opens:
- text a spreadsheet runs as a formula ("CSV injection", OWASP): a value starting with
  = + - @ tab or CR. In CSV it is written with a leading apostrophe; in XLSX as a text cell;
- characters XLSX cannot hold (C0 controls other than tab, newline and CR): openpyxl refuses
  the whole workbook, so they are dropped, wherever they came from.

CSV files start with a byte-order mark so that Excel opens Korean as UTF-8. XLSX sheets get
columns as wide as their contents (fit_columns; column_widths for a write-only sheet, which
is sized before its rows are written).
"""

import csv
import io
import unicodedata
from collections.abc import Iterable

from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def cell_value(value):
    """`value` as a cell may hold it: plain text without characters XLSX refuses."""
    if isinstance(value, Promise):  # lazy translations, e.g. choice labels
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value):
    value = cell_value(value)
    return "'" + value if looks_like_formula(value) else value


def write_csv(stream, rows: Iterable[Iterable]) -> None:
    """Write `rows` to a text stream as CSV, with the byte-order mark first."""
    stream.write(BOM)
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, rows)
    return buffer.getvalue().encode("utf-8")


def append_row(sheet, values: Iterable) -> None:
    """Append one row to an openpyxl sheet; formula-looking text stays text."""
    sheet.append([cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type = "s"


def write_only_row(sheet, values: Iterable, formats: dict[int, str] | None = None, font=None):
    """One row of cells for a write-only sheet (`sheet.append` of the result), as `append_row`
    writes them: formula-looking text stays text. `formats`: a number format by column index
    (from 0); `font`: the same font on every cell."""
    row = []
    for index, value in enumerate(values):
        cell = WriteOnlyCell(sheet, value=cell_value(value))
        if looks_like_formula(cell.value):
            cell.data_type = "s"
        if formats and index in formats:
            cell.number_format = formats[index]
        if font is not None:
            cell.font = font
        row.append(cell)
    return row


# Column widths are in Excel's units: about one digit "0" of the default font. A Hangul
# syllable (like every East Asian wide or full-width character) takes about two.
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60  # a long description is cut in view, not a screen wide
FILTER_BUTTON_WIDTH = 3  # the header's drop-down arrow covers the end of its text
COLUMN_PADDING = 2


def display_width(value) -> int:
    """How many Excel width units `value` needs on one line: its longest line, wide
    characters counted twice."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return max(
        (
            sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
            for line in text.splitlines()
        ),
        default=0,
    )


def _fitted(width: int) -> int:
    return min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, width + COLUMN_PADDING))


def column_widths(rows: Iterable[Iterable], *, filtered_header: bool = False) -> list[int]:
    """The width of each column of `rows` (header first) as fit_columns sizes a sheet holding
    them; for a write-only sheet, whose widths are set before its rows are written."""
    widths: list[int] = []
    for number, row in enumerate(rows):
        for index, value in enumerate(row):
            width = display_width(cell_value(value))
            if filtered_header and number == 0:
                width += FILTER_BUTTON_WIDTH
            if index == len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
    return [_fitted(width) for width in widths]


def fit_columns(sheet, *, filtered_header: bool = False) -> None:
    """Size each column of an openpyxl sheet to its widest cell (header included), between
    MIN_COLUMN_WIDTH and MAX_COLUMN_WIDTH. `filtered_header`: row 1 carries autofilter buttons,
    which need room beside the header text."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            width = display_width(cell.value)
            if filtered_header and cell.row == 1:
                width += FILTER_BUTTON_WIDTH
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), width)
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = _fitted(width)
