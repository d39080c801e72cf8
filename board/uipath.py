"""The teams' picks as automation ideas for UiPath Automation Hub (issue 18): one CSV row per
pick, in the High Level Assessment's fields, so a company's CoE loads the workshop's outcome into
its pipeline instead of retyping it.

The columns are the keys Automation Hub documents for submitting an idea with a High Level
Assessment ("Input for High Level Assessment", Automation Hub API guide:
https://docs.uipath.com/automation-hub/automation-cloud/latest/api-guide/input-for-high-level-assessment):
process_name, process_description, category, submitter, owner and the five 1–5 answers
rules, input_type, input_quality, stability, documentation. Automation Hub's Import Pipeline
takes the same answers; its template's headings are matched to these in its import screen.

Our rubric knows three factors of a task (ai.rubric: 입력 자료, 처리 방식, 예외); the five
answers are read from them as below (README, "Automation Hub"). An answer our factors cannot
tell is left empty rather than guessed, so the CoE fills it in.
"""

from ai.rubric import EXCEPTIONS, INPUT, WORK
from board.reports import plans_for
from workshop_site.figures import format_hours
from workshop_site.spreadsheets import csv_bytes
from workshops.models import Workshop

COLUMNS = [
    "process_name",
    "process_description",
    "category",
    "department",
    "submitter",
    "owner",
    "rules",
    "input_type",
    "input_quality",
    "stability",
    "documentation",
]

# "How rule-based is your task?" 1 very creative … 5 very rule-based.
RULES = {"RULE": 5, "MIXED": 4, "JUDGEMENT": 2, "PEOPLE": 1}
# "How would you describe the input data?" 1 entirely paper … 5 entirely digital.
INPUT_TYPE = {"PAPER": 1, "FILE": 4, "SYSTEM": 5}
# "How structured is the input data?" 1 very unstructured … 5 very structured; frequent
# exceptions take one step off (each case differs).
INPUT_QUALITY = {"PAPER": 2, "FILE": 4, "SYSTEM": 5}
# "Do you expect changes in how the task is done in the next 6 months?" is not one of our
# factors: left empty. "Is there documentation?" neither: left empty.


def _email(user) -> str:
    if user is None or user.is_guest:  # a quick-join seat has no address to give
        return ""
    return user.email


def answers(factors: dict) -> dict[str, int | str]:
    """The High Level Assessment's answers our factors tell; "" where they do not."""
    work = factors.get(WORK.key, "")
    source = factors.get(INPUT.key, "")
    quality: int | str = INPUT_QUALITY.get(source, "")
    if quality and factors.get(EXCEPTIONS.key) == "MANY":
        quality = max(1, int(quality) - 1)
    return {
        "rules": RULES.get(work, ""),
        "input_type": INPUT_TYPE.get(source, ""),
        "input_quality": quality,
        "stability": "",
        "documentation": "",
    }


def _description(line) -> str:
    pick = line.pick
    parts = [pick.task.description.strip()] if pick.task.description.strip() else []
    plan = [
        f"도구·방법: {pick.method}" if pick.method else "",
        f"첫 단계: {pick.first_step}" if pick.first_step else "",
        f"목표일: {pick.target_date:%Y-%m-%d}" if pick.target_date else "",
        f"예상 절감: 월 {format_hours(pick.expected_hours)}시간",
        f"팀 투표: {line.votes}표",
    ]
    parts.append(" / ".join(item for item in plan if item))
    return "\n".join(parts)


def picks_csv(workshop: Workshop) -> bytes:
    rows: list[list] = [COLUMNS]
    for line in plans_for(workshop=workshop):
        pick = line.pick
        found = answers(line.analysis.factors if line.analysis else {})
        rows.append(
            [
                pick.task.title,
                _description(line),
                pick.task.domain.name,
                pick.team.name,
                _email(pick.team.lead),
                _email(pick.owner),
                *(found[key] for key in COLUMNS[6:]),
            ]
        )
    return csv_bytes(rows)
