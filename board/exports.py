"""Excel and CSV exports of a workshop or a team, with every task and its latest analysis.

XLSX (openpyxl) has the sheets 업무, 팀, 업무 영역, 실행 계획 and 계산 기준 (how hours become won
and people). CSV is the task sheet alone, UTF-8 with a byte-order mark so that Excel opens
Korean correctly. Won are whole numbers (the column says 원), shown in Excel as "520,000원".
Every cell goes through `workshop_site.spreadsheets`: text that starts like a formula is
written as text, never as a formula (a task title must not run in someone's Excel), and
characters XLSX cannot hold are dropped.
"""

import io
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ai import rubric
from ai.models import Source
from board import common_work
from board.reports import RATING_ORDER, PlanLine, Row, plans_for, team_report, workshop_summary
from workshop_site.figures import HOURS_NUMBER_FORMAT
from workshop_site.spreadsheets import column_widths, csv_bytes, write_only_row
from workshops.models import PERIODS_PER_MONTH, Frequency
from workshops.savings import HOURS_PER_FTE, MONTHS_PER_YEAR, format_won, savings

TASK_COLUMNS = [
    "팀",
    "업무 영역",
    "업무명",
    "설명",
    "빈도",
    "횟수",
    "1회 소요(분)",
    "월 시간",
    "자동화 가능성",
    "방법",
    "제안",
    "자동화 비율(%)",
    "월 절감 시간",
    "월 절감액(원)",
    "연 절감액(원)",
    "인원 환산(명)",
    "출처",
    "모델",
    "분석 시각",
    "도입 난이도",
    "더 필요한 정보",
    "메모",
    "근거",
    "요인",
]


# Excel shows these columns' numbers as workshops.savings.format_won writes won: "520,000원".
WON_FORMAT = '#,##0"원"'
WON_HEADER = "(원)"


def _money(hours: Decimal, hourly_cost: int) -> list:
    saved = savings(hours, hourly_cost)
    return [saved.monthly_won, saved.yearly_won, saved.fte]


class Labels:
    """Choice fields' labels as text, each translated once per file: 3,000 rows ask for the
    same few labels 12,000 times, and each lazy translation costs a lookup."""

    def __init__(self):
        self._seen: dict = {}

    def __call__(self, instance, field: str) -> str:
        key = (type(instance), field, getattr(instance, field))
        label = self._seen.get(key)
        if label is None:
            label = self._seen[key] = str(getattr(instance, f"get_{field}_display")())
        return label


def task_values(row: Row, hourly_cost: int, labels: Labels | None = None) -> list:
    label = labels or Labels()
    task, analysis = row.task, row.analysis
    values = [
        task.team.name,
        task.domain.name,
        task.title,
        task.description,
        label(task, "frequency"),
        task.occurrences_per_period,
        task.minutes_per_occurrence,
        task.hours_per_month,
    ]
    if analysis:
        values += [
            label(analysis, "rating"),
            label(analysis, "method"),
            analysis.suggestion,
            analysis.automatable_share,
            row.hours_saved,
            *_money(row.hours_saved, hourly_cost),
            label(analysis, "source"),
            analysis.model_id,
            timezone.localtime(analysis.created_at).strftime("%Y-%m-%d %H:%M"),
            label(analysis, "ease") if analysis.ease else "",
            analysis.missing_info,
            analysis.note,
            analysis.reason,
            " · ".join(f"{chip.label} {chip.shown}" for chip in rubric.chips(analysis.factors)),
        ]
    else:
        values += ["", "", "", "", Decimal("0"), 0, 0, Decimal("0")]
        values += [row.source_label, "", "", "", "", "", "", ""]
    return values


def tasks_csv(rows: list[Row], hourly_cost: int) -> bytes:
    labels = Labels()
    return csv_bytes([TASK_COLUMNS, *(task_values(row, hourly_cost, labels) for row in rows)])


def _sheet(workbook, title, header, lines):
    """A write-only sheet: sized and styled before its rows are streamed into it (openpyxl
    keeps no cells in memory, and nothing is looked up per row)."""
    sheet = workbook.create_sheet(title)
    lines = list(lines)
    # Columns as wide as their contents; a filter on every column over the header and the
    # data; the header kept in view.
    for index, width in enumerate(column_widths([header, *lines], filtered_header=True)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(lines) + 1}"
    sheet.freeze_panes = "A2"
    # Hours keep their exact value (a sum in Excel matches the app's total) and are shown
    # with one decimal, as on the screens (workshop_site.figures); won as "520,000원".
    formats = {index: HOURS_NUMBER_FORMAT for index, name in enumerate(header) if _is_hours(name)}
    formats.update({index: WON_FORMAT for index, name in enumerate(header) if WON_HEADER in name})
    sheet.append(write_only_row(sheet, header, font=Font(bold=True)))
    for line in lines:
        sheet.append(write_only_row(sheet, line, formats))
    return sheet


def _is_hours(column: str) -> bool:
    return column.endswith("시간") or column.startswith("그중 ")


def _xlsx(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workshop_xlsx(workshop, progress: Callable[[int], None] | None = None) -> bytes:
    """The workshop's XLSX. `progress`: told how far the build is, in percent, as it goes."""
    report = progress or (lambda percent: None)
    summary = workshop_summary(workshop)
    report(20)
    cost = workshop.hourly_cost
    labels = Labels()
    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        "업무",
        TASK_COLUMNS,
        [task_values(row, cost, labels) for row in summary.rows],
    )
    report(70)
    _sheet(
        workbook,
        "팀",
        [
            "팀",
            "팀장",
            "업무 수",
            "월 시간",
            "월 절감 시간",
            "월 절감액(원)",
            "연 절감액(원)",
            "인원 환산(명)",
            "그중 AI 분석",
            f"그중 {Source.RULES.label}",
            f"그중 {Source.PERSON.label}",
        ],
        [
            [
                t.team.name,
                t.team.lead.display_name,
                t.tasks,
                t.hours,
                t.saved,
                *_money(t.saved, cost),
                t.by_source.ai,
                t.by_source.rules,
                t.by_source.person,
            ]
            for t in summary.teams
        ],
    )
    _sheet(
        workbook,
        "업무 영역",
        [
            "업무 영역",
            "업무 수",
            *[str(rating.label) for rating in RATING_ORDER],
            "분석 전",
            "월 시간",
            "월 절감 시간",
        ],
        [
            [
                line.domain.name,
                line.total,
                *[line.counts.get(rating, 0) for rating in RATING_ORDER],
                line.unanalysed,
                line.hours,
                line.saved,
            ]
            for line in summary.domains
        ],
    )
    _sheet(
        workbook,
        "실행 계획",
        PLAN_COLUMNS,
        [plan_values(line) for line in plans_for(workshop=workshop)],
    )
    _sheet(
        workbook,
        "공통 업무",
        common_work.COLUMNS,
        common_work.sheet_rows(common_work.for_summary(summary).groups),
    )
    _basis_sheet(workbook, cost)
    report(80)
    return _xlsx(workbook)


def workshop_csv(workshop, progress: Callable[[int], None] | None = None) -> bytes:
    """The workshop's task sheet as CSV."""
    return tasks_csv(workshop_summary(workshop).rows, workshop.hourly_cost)


def _basis_sheet(workbook, hourly_cost: int) -> None:
    """How the won and people columns are made, so a reader of the file can check them."""
    _sheet(
        workbook,
        "계산 기준",
        ["항목", "값", "설명"],
        [
            ["시간당 인건비", format_won(hourly_cost), "워크샵 설정 (강사가 바꿀 수 있음)"],
            [
                "월 근무시간",
                f"{HOURS_PER_FTE}시간",
                "월 소정근로시간: (주 40시간 + 주휴 8시간) × 365 ÷ 7 ÷ 12",
            ],
            ["월 절감액", "월 절감 시간 × 시간당 인건비", "원 단위 반올림"],
            ["연 절감액", f"월 절감액 × {MONTHS_PER_YEAR}", ""],
            [
                "인원 환산",
                f"월 절감 시간 ÷ {HOURS_PER_FTE}",
                "절감 시간이 몇 명의 한 달 근무에 해당하는지",
            ],
            [
                "월 시간",
                "횟수 × 1회 소요(분) × 월 환산 ÷ 60",
                f"월 환산: 매일 {PERIODS_PER_MONTH[Frequency.DAILY]}일, "
                f"매주 {PERIODS_PER_MONTH[Frequency.WEEKLY]}주, 매월·비정기 1회",
            ],
            ["월 절감 시간", "월 시간 × 자동화 비율", ""],
        ],
    )


def common_work_csv(workshop) -> bytes:
    """The "공통 업무" sheet alone, as CSV."""
    groups = common_work.common_work(workshop)
    return csv_bytes([common_work.COLUMNS, *common_work.sheet_rows(groups)])


PLAN_COLUMNS = [
    "팀",
    "업무",
    "업무 영역",
    "담당",
    "첫 단계",
    "목표일",
    "도구·방법",
    "예상 월 절감 시간",
    "예상 월 절감액(원)",
    "도입 난이도",
    "진행 상황",
    "실제 월 절감 시간",
    "실제 월 절감액(원)",
    "받은 표",
]


def plan_values(line: PlanLine) -> list:
    pick = line.pick
    return [
        pick.team.name,
        pick.task.title,
        pick.task.domain.name,
        pick.owner.display_name if pick.owner else "",
        pick.first_step,
        pick.target_date,
        pick.method,
        pick.expected_hours,
        line.expected_savings.monthly_won,
        line.ease_label if line.ease else "",
        pick.get_status_display(),
        pick.actual_hours,
        line.actual_savings.monthly_won if line.actual_savings else None,
        line.votes,
    ]


def plans_csv(workshop) -> bytes:
    return csv_bytes([PLAN_COLUMNS, *(plan_values(line) for line in plans_for(workshop=workshop))])


def team_xlsx(team) -> bytes:
    report = team_report(team)
    cost = team.workshop.hourly_cost
    labels = Labels()
    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        "업무",
        TASK_COLUMNS,
        [task_values(row, cost, labels) for row in report.rows],
    )
    _sheet(
        workbook, "실행 계획", PLAN_COLUMNS, [plan_values(line) for line in plans_for(team=team)]
    )
    _basis_sheet(workbook, cost)
    return _xlsx(workbook)


def filename(prefix: str, suffix: str) -> str:
    """An ASCII-safe attachment name (the Korean title travels in filename*)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{prefix}-{stamp}.{suffix}"
