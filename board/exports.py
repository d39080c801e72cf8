"""Excel and CSV exports of a workshop or a team, with every task and its latest analysis.

XLSX (openpyxl) has three sheets: 업무, 팀, 업무 영역. CSV is the task sheet alone, UTF-8 with a
byte-order mark so that Excel opens Korean correctly. Every cell goes through
`workshop_site.spreadsheets`: text that starts like a formula is written as text, never as a
formula (a task title must not run in someone's Excel), and characters XLSX cannot hold are
dropped.
"""

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from ai import rubric
from ai.models import Source
from board import common_work
from board.reports import RATING_ORDER, PlanLine, Row, plans_for, team_report, workshop_summary
from workshop_site.spreadsheets import append_row, csv_bytes, fit_columns
from workshops.models import Frequency

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
    "출처",
    "모델",
    "분석 시각",
    "도입 난이도",
    "더 필요한 정보",
    "메모",
    "근거",
    "요인",
]


def task_values(row: Row) -> list:
    task, analysis = row.task, row.analysis
    values = [
        task.team.name,
        task.domain.name,
        task.title,
        task.description,
        Frequency(task.frequency).label,
        task.occurrences_per_period,
        task.minutes_per_occurrence,
        task.hours_per_month,
    ]
    if analysis:
        values += [
            analysis.get_rating_display(),
            analysis.get_method_display(),
            analysis.suggestion,
            analysis.automatable_share,
            row.hours_saved,
            row.source_label,
            analysis.model_id,
            timezone.localtime(analysis.created_at).strftime("%Y-%m-%d %H:%M"),
            analysis.get_ease_display() if analysis.ease else "",
            analysis.missing_info,
            analysis.note,
            analysis.reason,
            " · ".join(f"{chip.label} {chip.shown}" for chip in rubric.chips(analysis.factors)),
        ]
    else:
        values += ["", "", "", "", Decimal("0"), row.source_label, "", "", "", "", "", "", ""]
    return values


def tasks_csv(rows: list[Row]) -> bytes:
    return csv_bytes([TASK_COLUMNS, *(task_values(row) for row in rows)])


def _sheet(workbook, title, header, lines, *, first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        append_row(sheet, line)
    # A filter on every column over the header and the data, the header kept in view, and
    # columns as wide as their contents.
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
    fit_columns(sheet, filtered_header=True)
    return sheet


def _xlsx(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workshop_xlsx(workshop) -> bytes:
    summary = workshop_summary(workshop)
    workbook = Workbook()
    _sheet(workbook, "업무", TASK_COLUMNS, [task_values(row) for row in summary.rows], first=True)
    _sheet(
        workbook,
        "팀",
        [
            "팀",
            "팀장",
            "업무 수",
            "월 시간",
            "월 절감 시간",
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
    return _xlsx(workbook)


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
    "도입 난이도",
    "진행 상황",
    "실제 월 절감 시간",
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
        line.ease_label if line.ease else "",
        pick.get_status_display(),
        pick.actual_hours,
        line.votes,
    ]


def team_xlsx(team) -> bytes:
    report = team_report(team)
    workbook = Workbook()
    _sheet(workbook, "업무", TASK_COLUMNS, [task_values(row) for row in report.rows], first=True)
    _sheet(
        workbook, "실행 계획", PLAN_COLUMNS, [plan_values(line) for line in plans_for(team=team)]
    )
    return _xlsx(workbook)


def filename(prefix: str, suffix: str) -> str:
    """An ASCII-safe attachment name (the Korean title travels in filename*)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{prefix}-{stamp}.{suffix}"
