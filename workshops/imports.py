"""Importing a team's tasks from the CSV or XLSX template: parse, check every row, then save
all of them in one transaction, or none.

CSV files may come from Excel as UTF-8 (with or without a byte-order mark) or, on Korean
Windows, as CP949; both are read. Nothing is saved until the lead confirms the preview, and a
file with any bad row saves nothing.

A row whose 업무명 the team already has (or an earlier row of the same file has), compared
without case and spaces, is a duplicate: the preview counts them ("이미 있는 업무 4개") and
they are skipped unless the lead ticks "import them anyway" — so the same file uploaded twice
adds nothing the second time.
"""

import csv
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from workshop_site.korean import josa
from workshop_site.spreadsheets import append_row, csv_bytes, fit_columns
from workshops.forms import TaskForm
from workshops.models import FREQUENCY_UNITS, Frequency, Team

logger = logging.getLogger(__name__)

COLUMNS = ["업무 영역", "업무명", "설명", "빈도", "횟수", "1회 소요(분)"]
FIELD_OF = {
    "업무 영역": "domain",
    "업무명": "title",
    "설명": "description",
    "빈도": "frequency",
    "횟수": "occurrences_per_period",
    "1회 소요(분)": "minutes_per_occurrence",
}
MAX_ROWS = 300

FREQUENCY_WORDS = {str(label): value for value, label in Frequency.choices}
FREQUENCY_WORDS.update({str(unit): value for value, unit in FREQUENCY_UNITS.items()})
FREQUENCY_WORDS.update({value: value for value in Frequency.values})


class UnreadableFile(Exception):
    """The file as a whole cannot be read; `message` says why, in Korean."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedRow:
    number: int  # the row number the person sees in their spreadsheet
    values: dict
    errors: list[str] = field(default_factory=list)
    data: dict | None = None  # cleaned, when valid
    duplicate: bool = False  # the team (or an earlier row) already has this 업무명

    @property
    def cells(self) -> list[str]:
        return [self.values[column] for column in COLUMNS]

    @property
    def labelled_cells(self) -> list[tuple[str, str]]:
        """(column, value): on a phone the preview stacks each row, every value under its name."""
        return [(column, self.values[column]) for column in COLUMNS]


@dataclass
class Preview:
    rows: list[ParsedRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.error_count

    @property
    def duplicate_count(self) -> int:
        return sum(1 for row in self.rows if row.duplicate)

    @property
    def new_count(self) -> int:
        return len(self.rows) - self.duplicate_count

    def rows_to_save(self, *, include_duplicates: bool = False) -> list[dict]:
        return [
            row.data
            for row in self.rows
            if row.data is not None and (include_duplicates or not row.duplicate)
        ]


def title_key(title: str) -> str:
    """A title as duplicates are compared: without case or any spaces (주간 보고 = 주간보고)."""
    return "".join(title.split()).casefold()


def template_rows(team: Team) -> list[list]:
    domain = team.workshop.domains.first()
    return [
        COLUMNS,
        [
            domain.name if domain else "영업",
            "주간 실적 보고서 작성",
            "CRM에서 실적을 내려받아 엑셀로 정리하고 보고서에 붙인다",
            "매주",
            1,
            90,
        ],
    ]


def template_csv(team: Team) -> bytes:
    return csv_bytes(template_rows(team))


def template_xlsx(team: Team) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "업무"
    for line in template_rows(team):
        append_row(sheet, line)  # a domain named "=2+5" stays text
    sheet.freeze_panes = "A2"
    fit_columns(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        _("파일의 글자 인코딩을 읽을 수 없습니다. UTF-8 또는 CP949 CSV로 저장해 주세요.")
    )


def _xlsx_table(raw: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [
            ["" if cell is None else cell for cell in row]
            for row in sheet.iter_rows(max_row=MAX_ROWS + 2, values_only=True)
        ]
    finally:
        workbook.close()


def _table(upload) -> list[list]:
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise UnreadableFile(
            _("파일이 너무 큽니다(최대 %(kb)dKB). 업무만 남기고 다시 저장해 주세요.")
            % {"kb": settings.IMPORT_MAX_BYTES // 1024}
        )
    raw = upload.read(settings.IMPORT_MAX_BYTES + 1)
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        try:
            return _xlsx_table(raw)
        except Exception:
            # A damaged workbook fails in many ways inside openpyxl (zip, XML, missing parts);
            # whichever it is, the user's answer is the same, and the file is not ours to fix.
            logger.info("import: unreadable workbook", exc_info=True)
            raise UnreadableFile(
                _("엑셀 파일을 열 수 없습니다. 템플릿으로 다시 저장해 주세요.")
            ) from None
    if name.endswith(".csv"):
        text = _decode(raw)
        try:
            return list(csv.reader(io.StringIO(text)))
        except csv.Error:
            raise UnreadableFile(
                _("CSV 형식이 올바르지 않습니다. 템플릿으로 다시 저장해 주세요.")
            ) from None
    raise UnreadableFile(_("CSV 또는 XLSX 파일만 올릴 수 있습니다."))


def parse(upload, team: Team) -> Preview:
    return check_table(_table(upload), team)


def check_table(table: list[list], team: Team) -> Preview:
    """Check every row of a table read from a file (or kept from the preview)."""
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if not table:
        raise UnreadableFile(_("파일이 비어 있습니다."))
    header = [str(cell).strip() for cell in table[0]]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise UnreadableFile(
            _("첫 줄에 이 열이 없습니다: %(columns)s. 템플릿의 첫 줄을 그대로 두세요.")
            % {"columns": ", ".join(missing)}
        )
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise UnreadableFile(_("한 번에 %(n)d개까지 올릴 수 있습니다.") % {"n": MAX_ROWS})
    domains = {d.name.casefold(): d for d in team.workshop.domains.all()}
    seen = {title_key(title) for title in team.tasks.values_list("title", flat=True)}
    rows = []
    for offset, cells in enumerate(body, start=2):
        values = {
            column: str(cells[header.index(column)]).strip()
            if header.index(column) < len(cells)
            else ""
            for column in COLUMNS
        }
        row = _check(offset, values, team, domains)
        key = title_key(values["업무명"])
        if key:
            row.duplicate = key in seen
            seen.add(key)
        rows.append(row)
    return Preview(rows=rows)


def _check(number: int, values: dict, team: Team, domains: dict) -> ParsedRow:
    row = ParsedRow(number=number, values=values)
    domain = domains.get(values["업무 영역"].casefold())
    if domain is None:
        row.errors.append(
            _("업무 영역 %(name)s 이 워크샵에 없습니다. 있는 영역: %(known)s")
            % {
                "name": josa(f"‘{values['업무 영역']}’", "이/가"),
                "known": ", ".join(d.name for d in domains.values()),
            }
        )
    frequency = FREQUENCY_WORDS.get(values["빈도"])
    if frequency is None:
        row.errors.append(_("빈도는 매일, 매주, 매월, 비정기 중 하나로 적어 주세요."))
    form = TaskForm(
        data={
            "title": values["업무명"],
            "description": values["설명"],
            "domain": domain.pk if domain else "",
            "frequency": frequency or "",
            "occurrences_per_period": _number(values["횟수"]),
            "minutes_per_occurrence": _number(values["1회 소요(분)"]),
        },
        workshop=team.workshop,
    )
    if form.is_valid():
        if not row.errors:
            row.data = form.cleaned_data
    else:
        for name, errors in form.errors.items():
            if name in ("domain", "frequency") and row.errors:
                continue  # already said, in words that name the column
            label = next((c for c, f in FIELD_OF.items() if f == name), "")
            for error in errors:
                row.errors.append(f"{label}: {error}" if label else error)
    return row


def _number(text: str) -> str:
    # Excel hands whole numbers over as "90.0".
    return text[:-2] if text.endswith(".0") else text
