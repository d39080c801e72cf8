"""How well `ai.grouping` tells the same work from different work: expert-labelled task pairs
(ai/eval/grouping_pairs.csv) and precision and recall over them.

Each row is two tasks and the expert's answer: 같은 업무 1 (one automation would serve both) or
0, with a one-line reason, and a split: `tune` (the thesaurus and the thresholds were set
looking at these) or `holdout` (every fourth pair, fixed before any tuning, never looked at
while tuning). Two figures per split:

- **grouped** — what the product does: every distinct task of the split becomes a task of its
  own team, the split is grouped as one workshop (`ai.grouping.group`), and a pair counts as
  "same" when both tasks land in one group. Other tasks of the file can pull a task into another
  group, as other teams' tasks would in a workshop;
- **pairwise** — the similarity of the two tasks alone against the threshold.

Precision: of the pairs called the same work, how many are; recall: of the pairs that are the
same work, how many were called so.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ai import grouping

DEFAULT_PAIRS = Path(__file__).resolve().parent / "eval" / "grouping_pairs.csv"
COLUMNS = ["영역", "업무 A", "설명 A", "업무 B", "설명 B", "같은 업무", "구분", "근거"]
SPLITS = ("tune", "holdout")


class PairFileError(ValueError):
    """A labelled pair file that cannot be read; the message is Korean."""


@dataclass(frozen=True)
class LabelledPair:
    line: int
    a: tuple[str, str]  # (title, description)
    b: tuple[str, str]
    same: bool
    split: str
    reason: str


def read_pairs(text: str) -> list[LabelledPair]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise PairFileError(f"열이 없습니다: {', '.join(missing)}")
    pairs = []
    for line, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values()):
            continue
        title_a, title_b = (row["업무 A"] or "").strip(), (row["업무 B"] or "").strip()
        if not title_a or not title_b:
            raise PairFileError(f"{line}행: 업무 A와 업무 B를 모두 적어야 합니다.")
        label = (row["같은 업무"] or "").strip()
        if label not in ("0", "1"):
            raise PairFileError(f"{line}행: ‘같은 업무’는 1(같은 업무) 또는 0이어야 합니다.")
        split = (row["구분"] or "").strip()
        if split not in SPLITS:
            raise PairFileError(f"{line}행: ‘구분’은 tune 또는 holdout이어야 합니다.")
        pairs.append(
            LabelledPair(
                line=line,
                a=(title_a, (row["설명 A"] or "").strip()),
                b=(title_b, (row["설명 B"] or "").strip()),
                same=label == "1",
                split=split,
                reason=(row["근거"] or "").strip(),
            )
        )
    if not pairs:
        raise PairFileError("평가할 쌍이 한 줄도 없습니다.")
    return pairs


@dataclass(frozen=True)
class Verdict:
    pair: LabelledPair
    score: float
    pairwise: bool  # score at or above the threshold
    grouped: bool  # both tasks in one group when the split is grouped as a workshop


def judge(pairs: list[LabelledPair]) -> list[Verdict]:
    """Every pair judged both ways; the grouping runs over the pairs given (one split)."""
    texts: list[tuple[str, str]] = []
    index: dict[tuple[str, str], int] = {}
    for pair in pairs:
        for text in (pair.a, pair.b):
            if text not in index:
                index[text] = len(texts)
                texts.append(text)
    terms = grouping.terms_for_texts(texts)
    groups = grouping.group(terms)
    group_of = {member: number for number, group in enumerate(groups) for member in group}
    verdicts = []
    for pair in pairs:
        a, b = index[pair.a], index[pair.b]
        score = grouping.similarity(terms[a], terms[b])
        verdicts.append(
            Verdict(
                pair=pair,
                score=score,
                pairwise=score >= grouping.THRESHOLD,
                grouped=a in group_of and group_of[a] == group_of.get(b),
            )
        )
    return verdicts


def _rates(verdicts: list[Verdict], attribute: str) -> dict[str, object]:
    called = [v for v in verdicts if getattr(v, attribute)]
    true_positive = sum(1 for v in called if v.pair.same)
    positives = sum(1 for v in verdicts if v.pair.same)
    return {
        "precision": round(true_positive / len(called), 3) if called else 0.0,
        "recall": round(true_positive / positives, 3) if positives else 0.0,
        "tp": true_positive,
        "fp": len(called) - true_positive,
        "fn": positives - true_positive,
    }


def figures(pairs: list[LabelledPair]) -> dict[str, object]:
    """The JSON line's figures: the whole file (grouped, the headline) and each split."""
    result: dict[str, object] = {
        "pairs": len(pairs),
        "same": sum(1 for pair in pairs if pair.same),
        "different": sum(1 for pair in pairs if not pair.same),
        "threshold": grouping.THRESHOLD,
        "linkage": grouping.LINKAGE,
        "version": grouping.VERSION,
    }
    everything = judge(pairs)
    result.update(_rates(everything, "grouped"))
    result["pairwise"] = _rates(everything, "pairwise")
    for split in SPLITS:
        chosen = [pair for pair in pairs if pair.split == split]
        if not chosen:
            continue
        verdicts = judge(chosen)
        result[split] = {
            "pairs": len(chosen),
            "grouped": _rates(verdicts, "grouped"),
            "pairwise": _rates(verdicts, "pairwise"),
        }
    return result
