"""Common work across teams (issue 18): the workshop's tasks that are the same work in
different teams, each group a company-wide candidate with its combined hours — "12개 팀 · 월
140시간". Shown on the instructor's summary (its section "여러 팀의 공통 업무") and in the
exports (XLSX sheet "공통 업무", and the CSV `common-work.csv`).

The groups come from the tasks' words (ai.grouping) with the instructor's corrections applied
(workshops.models.CommonWorkChoice: merges and splits). Hours are the summary's own figures:
each task's current hours a month and its hours saved (the latest analysis's automatable share
of them, `ai.models.saved_hours`, as `board.reports` computes them), summed over the group.

Grouping a workshop costs little once its texts are analysed (each text once, then from the
cache: 0.15 s for 3,000 tasks, BENCHMARKS.md), but analysing thousands of new texts at once
does not (about 2 ms each). The result is kept in the cache under a digest
of every task's text, team and the corrections, so a page or a push with nothing changed in
them reuses it; a live push of a workshop larger than `LIVE_REGROUP_LIMIT` tasks shows the last
groups computed rather than grouping in the push (the page, the exports and a merge or split
group afresh).
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache

from ai import grouping
from board.reports import Fact, WorkshopSummary, facts_of, workshop_facts
from workshops.models import CommonWorkChoice, Task, Workshop

ZERO = Decimal("0")
LIVE_REGROUP_LIMIT = 3000
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Member:
    task_id: int
    title: str
    team_id: int
    team: str
    domain: str
    hours: Decimal
    saved: Decimal
    analysed: bool = True


@dataclass
class CommonWork:
    """One group: the same work in two or more teams."""

    title: str  # the title of the member most like the others
    members: list[Member] = field(default_factory=list)
    merged: bool = False  # an instructor merged groups into it

    @property
    def team_count(self) -> int:
        return len({member.team_id for member in self.members})

    @property
    def hours(self) -> Decimal:
        return sum((member.hours for member in self.members), ZERO)

    @property
    def saved(self) -> Decimal:
        return sum((member.saved for member in self.members), ZERO)

    @property
    def analysed(self) -> bool:
        """Whether any member has an analysis (else no hours saved can be said yet)."""
        return any(member.analysed for member in self.members)

    @property
    def anchor(self) -> int:
        """A task that names the group in forms (merge, split): its first member."""
        return self.members[0].task_id

    @property
    def teams(self) -> str:
        return ", ".join(sorted({member.team for member in self.members}))


def _digest(rows: list[tuple], choices: list[tuple]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(grouping.VERSION.encode())
    for pk, team_id, _team, title, description, _domain, _hours in rows:
        digest.update(f"{pk}:{team_id}:{grouping.text_key(title, description)};".encode())
    digest.update(json.dumps(choices).encode())
    return digest.hexdigest()


def _grouped(rows: list[tuple], choices: list[tuple]) -> dict:
    """{"groups": [[task id, ...], ...], "titles": [the medoid's task id, ...], "merged": [...]}"""
    index = {row[0]: position for position, row in enumerate(rows)}
    terms = grouping.terms_for_texts([(row[3], row[4]) for row in rows])
    keyed: dict[int, list[int]] = defaultdict(list)
    apart = []
    for task_id, group_key, is_apart in choices:
        if task_id not in index:
            continue
        if is_apart:
            apart.append(index[task_id])
        elif group_key is not None:
            keyed[group_key].append(index[task_id])
    linked = [members for members in keyed.values() if len(members) > 1]
    pinned = {member for members in linked for member in members}
    groups = grouping.group(terms, linked=linked, apart=apart)
    return {
        "groups": [[rows[i][0] for i in group] for group in groups],
        "titles": [rows[grouping.medoid(group, terms)][0] for group in groups],
        "merged": [bool(pinned.intersection(group)) for group in groups],
    }


def common_work(
    workshop: Workshop, *, facts: list[Fact] | None = None, live: bool = False
) -> list[CommonWork]:
    """The workshop's common work, most hours saved first (then most hours, most teams).
    `facts`: the summary's per-task figures when the caller has them (read here otherwise).
    `live`: a push, which may show the last groups computed (see the module's docstring)."""
    rows = list(
        Task.objects.filter(team__workshop=workshop)
        .order_by("pk")
        .values_list(
            "pk", "team_id", "team__name", "title", "description", "domain__name", "hours_per_month"
        )
    )
    choices = [
        list(choice)
        for choice in CommonWorkChoice.objects.filter(workshop=workshop)
        .order_by("task_id")
        .values_list("task_id", "group_key", "apart")
    ]
    if len(rows) < 2:
        return []
    key = f"common-work:{workshop.pk}:{_digest(rows, choices)}"
    latest = f"common-work:{workshop.pk}:latest"
    result = cache.get(key)
    if result is None and live and len(rows) > LIVE_REGROUP_LIMIT:
        result = cache.get(latest)
    if result is None:
        result = _grouped(rows, choices)
        cache.set_many({key: result, latest: result}, CACHE_SECONDS)
    saved = {
        fact.task_id: fact.saved
        for fact in (workshop_facts(workshop) if facts is None else facts)
        if fact.analysis_id is not None
    }
    by_id = {row[0]: row for row in rows}
    found = []
    for members, title_id, merged in zip(
        result["groups"], result["titles"], result["merged"], strict=True
    ):
        present = [by_id[task_id] for task_id in members if task_id in by_id]
        group = CommonWork(
            title=by_id[title_id][3] if title_id in by_id else (present[0][3] if present else ""),
            members=[
                Member(
                    task_id=pk,
                    title=title,
                    team_id=team_id,
                    team=team,
                    domain=domain,
                    hours=hours,
                    saved=saved.get(pk, ZERO),
                    analysed=pk in saved,
                )
                for pk, team_id, team, title, _description, domain, hours in present
            ],
            merged=merged,
        )
        if group.team_count >= 2:
            group.members.sort(key=lambda member: (member.team, member.task_id))
            found.append(group)
    found.sort(key=lambda group: (-group.saved, -group.hours, -group.team_count, group.title))
    return found


SHOWN_ON_SUMMARY = 20


@dataclass
class Section:
    """What the summary's section shows: the top groups (the rest are in the exports) and
    whether an instructor has corrected the grouping (then it offers to undo that)."""

    groups: list[CommonWork]
    corrected: bool

    @property
    def shown(self) -> list[CommonWork]:
        return self.groups[:SHOWN_ON_SUMMARY]

    @property
    def more(self) -> int:
        return max(len(self.groups) - SHOWN_ON_SUMMARY, 0)


def for_summary(
    summary: WorkshopSummary, *, facts: list[Fact] | None = None, live: bool = False
) -> Section:
    """The summary's common work, from the figures it already has where it has them."""
    if facts is None and summary.rows:
        facts = facts_of(summary.rows)
    return Section(
        groups=common_work(summary.workshop, facts=facts, live=live),
        corrected=CommonWorkChoice.objects.filter(workshop=summary.workshop).exists(),
    )


def group_of(groups: list[CommonWork], task_id: int) -> CommonWork | None:
    return next((g for g in groups if any(m.task_id == task_id for m in g.members)), None)


COLUMNS = [
    "공통 업무",
    "팀 수",
    "업무 수",
    "월 업무 시간",
    "월 절감 가능 시간",
    "팀",
    "묶인 업무",
    "강사가 합침",
]


def sheet_rows(groups: list[CommonWork]) -> list[list]:
    """One row a group: the export's "공통 업무" sheet and common-work.csv."""
    return [
        [
            group.title,
            group.team_count,
            len(group.members),
            group.hours,
            group.saved,
            group.teams,
            " / ".join(f"{member.title} ({member.team})" for member in group.members),
            "예" if group.merged else "",
        ]
        for group in groups
    ]
