"""Every CSV and XLSX cell the product writes goes through here.

Two dangers in a cell that someone's Excel opens:
- text a spreadsheet runs as a formula ("CSV injection", OWASP): a value starting with
  = + - @ tab or CR. In CSV it is written with a leading apostrophe; in XLSX as a text cell;
- characters XLSX cannot hold (C0 controls other than tab, newline and CR): openpyxl refuses
  the whole workbook, so they are dropped, wherever they came from.

CSV files start with a byte-order mark so that Excel opens Korean as UTF-8.
"""

import csv
import io
from collections.abc import Iterable

from django.utils.functional import Promise
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
