"""XLSX columns as wide as their contents, Hangul counted double, within bounds."""

from decimal import Decimal

from openpyxl import Workbook

from workshop_site.spreadsheets import (
    MAX_COLUMN_WIDTH,
    MIN_COLUMN_WIDTH,
    column_widths,
    display_width,
    fit_columns,
)


def test_hangul_counts_double_and_the_longest_line_counts():
    assert display_width("abc") == 3
    assert display_width("업무명") == 6
    assert display_width("업무 A") == 6  # 2 + 2 + space + A
    assert display_width("짧은 줄\n아주 긴 두 번째 줄") == display_width("아주 긴 두 번째 줄")
    assert display_width(Decimal("12.50")) == 5
    assert display_width(None) == 0
    assert display_width("") == 0


def test_columns_fit_their_widest_cell_between_the_bounds():
    sheet = Workbook().active
    sheet.append(["업무명", "n", "설명"])
    sheet.append(["주간 실적 보고서 작성", 1, "가" * 100])
    sheet.append(["x", 12345678901234, ""])
    fit_columns(sheet)
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    assert widths["A"] == display_width("주간 실적 보고서 작성") + 2  # 21 + padding
    assert widths["B"] == 14 + 2  # the number, not the one-letter header
    assert widths["C"] == MAX_COLUMN_WIDTH  # a long text is capped


def test_a_narrow_column_keeps_the_minimum_and_a_filtered_header_its_button_room():
    sheet = Workbook().active
    sheet.append(["팀", "a"])
    sheet.append(["", "b"])
    fit_columns(sheet, filtered_header=True)
    assert sheet.column_dimensions["B"].width == MIN_COLUMN_WIDTH
    sheet = Workbook().active
    sheet.append(["업무 영역 이름"])  # 6 syllables, 2 spaces: 14 wide
    fit_columns(sheet, filtered_header=True)
    assert sheet.column_dimensions["A"].width == 14 + 3 + 2


def test_a_write_only_sheet_is_sized_as_fit_columns_sizes_a_sheet():
    rows = [["업무명", "n", "설명", "팀"], ["주간 실적 보고서 작성", 1, "가" * 100, None], ["x"]]
    sheet = Workbook().active
    for row in rows:
        sheet.append(row)
    fit_columns(sheet, filtered_header=True)
    fitted = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert column_widths(rows, filtered_header=True) == fitted
