"""What the team report, the workshop summary and the exports show, in a few queries each.

Every figure here comes from the same place: each task with its latest analysis, hours saved
being the analysis's automatable share of the task's current hours.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from ai.models import Ease, Rating, Source, TaskAnalysis, saved_hours
from ai.selectors import latest_analyses
from workshops.models import Domain, Task, Team, Workshop

ZERO = Decimal("0")
RATING_ORDER = [Rating.HIGH, Rating.MEDIUM, Rating.LOW, Rating.NEEDS_INFO]
SOURCE_LABELS = {
    Source.AI: "AI",
    Source.CACHE: "AI (저장된 결과)",
    Source.RULES: "규칙 기반 추정",
    Source.PERSON: "사람이 정함",
}


@dataclass
class Row:
    """One task as reports show it."""

    task: Task
    analysis: TaskAnalysis | None
    hours_saved: Decimal

    @property
    def rating(self) -> str:
        return self.analysis.rating if self.analysis else ""

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.analysis.source, "") if self.analysis else "분석 전"


def rows_for(tasks: list[Task]) -> list[Row]:
    """Tasks with their latest analysis, most hours saved first (unanalysed last)."""
    latest = latest_analyses([task.pk for task in tasks])
    rows = []
    for task in tasks:
        analysis = latest.get(task.pk)
        hours = saved_hours(analysis.automatable_share, task.hours_per_month) if analysis else ZERO
        rows.append(Row(task=task, analysis=analysis, hours_saved=hours))
    rows.sort(key=lambda row: (row.analysis is None, -row.hours_saved, row.task.pk))
    return rows


def _tasks(**filters) -> list[Task]:
    return list(
        Task.objects.filter(**filters)
        .select_related("domain", "team", "created_by")
        .order_by("team__name", "domain__position", "created_at", "id")
    )


@dataclass
class TeamReport:
    team: Team
    rows: list[Row]
    total_hours: Decimal
    saved_hours: Decimal
    ratings: Counter
    analysed: int

    @property
    def saved_percent(self) -> float:
        return float(self.saved_hours * 100 / self.total_hours) if self.total_hours else 0.0


def team_report(team: Team) -> TeamReport:
    rows = rows_for(_tasks(team=team))
    ratings = Counter(row.rating for row in rows if row.analysis)
    return TeamReport(
        team=team,
        rows=rows,
        total_hours=sum((row.task.hours_per_month for row in rows), ZERO),
        saved_hours=sum((row.hours_saved for row in rows), ZERO),
        ratings=ratings,
        analysed=sum(ratings.values()),
    )


@dataclass
class DomainLine:
    domain: Domain
    counts: dict[str, int] = field(default_factory=dict)
    unanalysed: int = 0
    hours: Decimal = ZERO
    saved: Decimal = ZERO

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.unanalysed


@dataclass
class TeamLine:
    team: Team
    tasks: int = 0
    hours: Decimal = ZERO
    saved: Decimal = ZERO


@dataclass
class MatrixPoint:
    row: Row
    ease: str


@dataclass
class WorkshopSummary:
    workshop: Workshop
    rows: list[Row]
    domains: list[DomainLine]
    teams: list[TeamLine]
    top: list[Row]
    matrix: list[MatrixPoint]
    total_hours: Decimal
    saved_hours: Decimal
    ratings: Counter


def workshop_summary(workshop: Workshop) -> WorkshopSummary:
    rows = rows_for(_tasks(team__workshop=workshop))
    domains = {
        d.pk: DomainLine(d, counts=dict.fromkeys(RATING_ORDER, 0)) for d in workshop.domains.all()
    }
    teams = {
        t.pk: TeamLine(t) for t in Team.objects.filter(workshop=workshop).select_related("lead")
    }
    ratings = Counter()
    matrix = []
    for row in rows:
        line = domains[row.task.domain_id]
        team = teams[row.task.team_id]
        line.hours += row.task.hours_per_month
        team.tasks += 1
        team.hours += row.task.hours_per_month
        if row.analysis is None:
            line.unanalysed += 1
            continue
        line.counts[row.rating] = line.counts.get(row.rating, 0) + 1
        line.saved += row.hours_saved
        team.saved += row.hours_saved
        ratings[row.rating] += 1
        if row.analysis.ease in Ease.values:
            matrix.append(MatrixPoint(row=row, ease=row.analysis.ease))
    return WorkshopSummary(
        workshop=workshop,
        rows=rows,
        domains=list(domains.values()),
        teams=sorted(teams.values(), key=lambda t: (-t.saved, t.team.name)),
        top=[row for row in rows if row.analysis and row.hours_saved > 0][:10],
        matrix=matrix,
        total_hours=sum((row.task.hours_per_month for row in rows), ZERO),
        saved_hours=sum((row.hours_saved for row in rows), ZERO),
        ratings=ratings,
    )
