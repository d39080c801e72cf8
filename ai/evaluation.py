"""Measuring the ratings: a labelled set of tasks, a provider's answers to it, and how far the
two agree (`manage.py evaluate_ai`).

The set is a CSV (UTF-8) with the task import template's columns
(업무 영역, 업무명, 설명, 빈도, 횟수, 1회 소요(분)) and the expert's labels:
`기대 평가` (높음 / 보통 / 낮음 / 정보 부족), `기대 비율` (the share they expect, "lo-hi")
and `근거` (why). The labels are written by people who know
the work, never by the code under test.

Agreement is counted on the scale 낮음 < 보통 < 높음: `exact`, `within_one` (exact or one level
off) and `two_plus` (낮음 for 높음 or the reverse: the misses that mislead a plan). 정보 부족
stands outside the scale: asking back when the expert could judge, or judging when the expert
would ask, is counted as `needs_info_mismatch` (neither within one nor two levels), with 정보 부족
precision and recall on their own (None when nothing was asked or expected). `share_mae` is the
mean distance, in percentage points, from the answered share to the expected range (0 inside
it), over the tasks the expert could judge and the provider answered (a 정보 부족 answer's share
is 0); `unanswered` counts the rest.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ai.inputs import TaskInput
from ai.models import Rating
from ai.validation import InvalidAnswer, clean_result
from workshops.imports import COLUMNS, FREQUENCY_WORDS
from workshops.models import monthly_hours

DEFAULT_SET = Path(__file__).resolve().parent / "eval" / "tasks.csv"
LABEL_COLUMNS = ["기대 평가", "기대 비율", "근거"]

RATING_WORDS = {str(label): value for value, label in Rating.choices}
LEVEL = {Rating.LOW: 0, Rating.MEDIUM: 1, Rating.HIGH: 2}


class EvaluationSetError(ValueError):
    """The labelled file cannot be read; the message says where, in Korean."""


@dataclass(frozen=True)
class LabelledTask:
    line: int
    task: TaskInput
    rating: str
    share_low: int
    share_high: int
    rationale: str


@dataclass(frozen=True)
class Verdict:
    """One task: what the expert expects and what the provider answered."""

    labelled: LabelledTask
    rating: str  # "" when the provider gave no usable answer
    share: int
    method: str = ""
    reason: str = ""

    @property
    def distance(self) -> int | None:
        """Levels apart on 낮음 < 보통 < 높음; None when either side is 정보 부족 or no answer."""
        if self.labelled.rating in LEVEL and self.rating in LEVEL:
            return abs(LEVEL[Rating(self.labelled.rating)] - LEVEL[Rating(self.rating)])
        return None


def _int(value: str, line: int, column: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise EvaluationSetError(
            f"{line}행: ‘{column}’ 칸에는 정수를 적어 주세요 ({value!r})."
        ) from None
    if number < 0:
        raise EvaluationSetError(f"{line}행: ‘{column}’ 칸은 0 이상이어야 합니다.")
    return number


def _share_range(value: str, line: int) -> tuple[int, int]:
    low, sep, high = value.strip().partition("-")
    if not sep:
        raise EvaluationSetError(f"{line}행: ‘기대 비율’은 ‘60-80’처럼 적어 주세요 ({value!r}).")
    bounds = _int(low, line, "기대 비율"), _int(high, line, "기대 비율")
    if not bounds[0] <= bounds[1] <= 100:
        raise EvaluationSetError(f"{line}행: ‘기대 비율’의 범위가 올바르지 않습니다 ({value!r}).")
    return bounds


def read_set(text: str) -> list[LabelledTask]:
    """The labelled tasks of a CSV's text; raises EvaluationSetError on the first bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS + LABEL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise EvaluationSetError(f"열이 없습니다: {', '.join(missing)}")
    tasks = []
    for number, raw in enumerate(reader, start=1):
        line = reader.line_num  # the file's own line, blank lines and quoted breaks counted
        # A short row leaves its last columns None: read every cell as text.
        row = {column: (raw.get(column) or "") for column in COLUMNS + LABEL_COLUMNS}
        frequency = FREQUENCY_WORDS.get(row["빈도"].strip())
        if frequency is None:
            raise EvaluationSetError(f"{line}행: 빈도는 매일, 매주, 매월, 비정기 중 하나입니다.")
        rating = RATING_WORDS.get(row["기대 평가"].strip())
        if rating is None:
            raise EvaluationSetError(
                f"{line}행: 기대 평가는 높음, 보통, 낮음, 정보 부족 중 하나입니다."
            )
        occurrences = _int(row["횟수"], line, "횟수")
        minutes = _int(row["1회 소요(분)"], line, "1회 소요(분)")
        low, high = _share_range(row["기대 비율"], line)
        hours = monthly_hours(frequency=frequency, minutes=minutes, occurrences=occurrences)
        tasks.append(
            LabelledTask(
                line=line,
                task=TaskInput(
                    task_id=number,
                    key=f"t{number}",
                    domain=row["업무 영역"].strip(),
                    title=row["업무명"].strip(),
                    description=row["설명"].strip(),
                    frequency=frequency,
                    occurrences=occurrences,
                    minutes=minutes,
                    hours=hours,
                ),
                rating=rating,
                share_low=low,
                share_high=high,
                rationale=row["근거"].strip(),
            )
        )
    if not tasks:
        raise EvaluationSetError("평가할 업무가 한 줄도 없습니다.")
    return tasks


def verdicts(labelled: list[LabelledTask], items: dict[str, dict], mode: str) -> list[Verdict]:
    """Each labelled task with the provider's answer item for it (by key), checked as the
    product checks answers: an invalid or missing item counts as no answer."""
    result = []
    for each in labelled:
        try:
            clean = clean_result(items[each.task.key], mode)
        except (KeyError, InvalidAnswer):
            result.append(Verdict(each, rating="", share=0))
            continue
        result.append(
            Verdict(
                each,
                rating=clean["rating"],
                share=clean["automatable_share"],
                method=clean["method"],
                reason=clean.get("reason", "") or clean["suggestion"],
            )
        )
    return result


def _share_error(verdict: Verdict) -> int:
    low, high = verdict.labelled.share_low, verdict.labelled.share_high
    return max(low - verdict.share, 0, verdict.share - high)


def agreement(results: list[Verdict]) -> dict[str, object]:
    """The figures `evaluate_ai --json` prints."""
    n = len(results)
    exact = sum(1 for v in results if v.rating and v.rating == v.labelled.rating)
    two_plus = sum(1 for v in results if (v.distance or 0) >= 2)
    unanswered = sum(1 for v in results if not v.rating)
    judged = [v for v in results if v.labelled.rating != Rating.NEEDS_INFO and v.rating]
    asked = [v for v in results if v.rating == Rating.NEEDS_INFO]
    expected_asks = [v for v in results if v.labelled.rating == Rating.NEEDS_INFO]
    both = sum(1 for v in asked if v.labelled.rating == Rating.NEEDS_INFO)
    # Asking when the expert could judge, or judging when the expert would ask: not on the
    # scale, so neither within one level nor two; counted on their own.
    needs_info_mismatch = sum(
        1
        for v in results
        if v.rating
        and v.rating != v.labelled.rating
        and Rating.NEEDS_INFO in (v.rating, v.labelled.rating)
    )
    return {
        "n": n,
        "exact": exact,
        "within_one": sum(1 for v in results if v.distance is not None and v.distance <= 1)
        + sum(1 for v in results if v.rating == v.labelled.rating == Rating.NEEDS_INFO),
        "two_plus": two_plus,
        "needs_info_mismatch": needs_info_mismatch,
        "unanswered": unanswered,
        "exact_rate": round(exact / n, 3) if n else 0.0,
        "share_mae": round(sum(map(_share_error, judged)) / len(judged), 1) if judged else None,
        "needs_info_precision": round(both / len(asked), 3) if asked else None,
        "needs_info_recall": round(both / len(expected_asks), 3) if expected_asks else None,
    }
