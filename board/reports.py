"""What the team report, the workshop summary and the exports show, in a few queries each.

Every figure here comes from the same place: each task with its latest analysis, hours saved
being the analysis's automatable share of the task's current hours.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from ai.models import Ease, Rating, Source, TaskAnalysis, saved_hours
from ai.selectors import latest_analyses, latest_analyses_of_workshop
from workshops.models import Domain, FollowUp, Pick, Task, Team, Workshop
from workshops.savings import Savings, savings

ZERO = Decimal("0")
RATING_ORDER = [Rating.HIGH, Rating.MEDIUM, Rating.LOW, Rating.NEEDS_INFO]


@dataclass
class SavedBySource:
    """Hours saved a month, by who judged them: the AI (fresh or from the answer cache), the
    offline estimator (not an AI), or a person. Wherever hours are summed the page says how
    much of the sum is which, so a rule-based estimate is never taken for an AI's."""

    ai: Decimal = ZERO
    rules: Decimal = ZERO
    person: Decimal = ZERO
    rules_tasks: int = 0

    def add(self, source: str, hours: Decimal) -> None:
        if source == Source.RULES:
            self.rules += hours
            self.rules_tasks += 1
        elif source == Source.PERSON:
            self.person += hours
        elif source:
            self.ai += hours

    @property
    def parts(self) -> list[tuple[str, str, Decimal]]:
        """(css class, label, hours) of each source present; AI first, and always shown when
        rule-based estimates are, so "AI 분석 0.0시간" says plainly that nothing came from an AI."""
        parts = []
        if self.ai or self.rules_tasks:
            parts.append(("source-ai", str(Source.AI.label), self.ai))
        if self.rules_tasks:
            parts.append(("source-rules", str(Source.RULES.label), self.rules))
        if self.person:
            parts.append(("source-person", str(Source.PERSON.label), self.person))
        return parts


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
        return self.analysis.get_source_display() if self.analysis else "분석 전"


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
    by_source: SavedBySource = field(default_factory=SavedBySource)

    @property
    def saved_percent(self) -> float:
        return float(self.saved_hours * 100 / self.total_hours) if self.total_hours else 0.0

    @property
    def savings(self) -> Savings:
        return savings(self.saved_hours, self.team.workshop.hourly_cost)


def team_report(team: Team) -> TeamReport:
    rows = rows_for(_tasks(team=team))
    ratings = Counter(row.rating for row in rows if row.analysis)
    by_source = SavedBySource()
    for row in rows:
        if row.analysis:
            by_source.add(row.analysis.source, row.hours_saved)
    return TeamReport(
        team=team,
        rows=rows,
        total_hours=sum((row.task.hours_per_month for row in rows), ZERO),
        saved_hours=sum((row.hours_saved for row in rows), ZERO),
        ratings=ratings,
        analysed=sum(ratings.values()),
        by_source=by_source,
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
    by_source: SavedBySource = field(default_factory=SavedBySource)


@dataclass
class MatrixPoint:
    row: Row
    ease: str


@dataclass
class WorkshopSummary:
    workshop: Workshop
    rows: list[Row]  # empty when built `with_rows=False`
    domains: list[DomainLine]
    teams: list[TeamLine]
    top: list[Row]
    matrix: list[MatrixPoint]
    total_hours: Decimal
    saved_hours: Decimal
    ratings: Counter
    task_count: int = 0
    by_source: SavedBySource = field(default_factory=SavedBySource)

    @property
    def savings(self) -> Savings:
        return savings(self.saved_hours, self.workshop.hourly_cost)


@dataclass
class Fact:
    """What the summary's figures need of one task and its latest analysis."""

    task_id: int
    team_id: int
    domain_id: int
    hours: Decimal
    analysis_id: int | None = None
    rating: str = ""
    ease: str = ""
    saved: Decimal = ZERO
    source: str = ""

    def sort_key(self):
        return (self.analysis_id is None, -self.saved, self.task_id)  # as `rows_for`


def facts_of(rows: list[Row]) -> list[Fact]:
    return [
        Fact(
            task_id=row.task.pk,
            team_id=row.task.team_id,
            domain_id=row.task.domain_id,
            hours=row.task.hours_per_month,
            analysis_id=row.analysis.pk if row.analysis else None,
            rating=row.rating,
            ease=row.analysis.ease if row.analysis else "",
            saved=row.hours_saved,
            source=row.analysis.source if row.analysis else "",
        )
        for row in rows
    ]


def workshop_facts(workshop: Workshop) -> list[Fact]:
    """Every task of the workshop with its latest analysis, as plain values (no model objects;
    the same facts as `facts_of(rows_for(...))`), in two queries. The one aggregate the
    board and the summary are both built from: a push of both reads it once."""
    facts = {
        task_id: Fact(task_id, team_id, domain_id, hours)
        for task_id, team_id, domain_id, hours in Task.objects.filter(team__workshop=workshop)
        .order_by()
        .values_list("pk", "team_id", "domain_id", "hours_per_month")
    }
    latest = latest_analyses_of_workshop(workshop.pk).values_list(
        "task_id", "pk", "rating", "ease", "automatable_share", "source"
    )
    for task_id, analysis_id, rating, ease, share, source in latest:
        fact = facts.get(task_id)
        if fact is None:  # a task added between the two reads: the next push shows it
            continue
        fact.analysis_id, fact.rating, fact.ease, fact.source = analysis_id, rating, ease, source
        fact.saved = saved_hours(share, fact.hours)
    return sorted(facts.values(), key=Fact.sort_key)


def _rows_by_analysis(facts: list[Fact]) -> dict[int, Row]:
    """Full rows for a few analysed facts (the top candidates, the matrix)."""
    saved = {fact.analysis_id: fact.saved for fact in facts}
    analyses = TaskAnalysis.objects.filter(pk__in=saved).select_related(
        "task__team", "task__domain"
    )
    return {a.pk: Row(task=a.task, analysis=a, hours_saved=saved[a.pk]) for a in analyses}


def workshop_summary(
    workshop: Workshop, *, with_rows: bool = True, facts: list[Fact] | None = None
) -> WorkshopSummary:
    """The workshop's figures. `with_rows=False` leaves out the row of every task (only the
    exports list them): the sums and counts then come from plain values (`facts`, read here
    unless the caller has them), and full objects are read only for the top candidates and
    the matrix. Same figures either way."""
    if with_rows:
        rows = rows_for(_tasks(team__workshop=workshop))
        facts = facts_of(rows)
        row_of = {row.analysis.pk: row for row in rows if row.analysis}
    else:
        rows = []
        facts = workshop_facts(workshop) if facts is None else facts
    domains = {
        d.pk: DomainLine(d, counts=dict.fromkeys(RATING_ORDER, 0)) for d in workshop.domains.all()
    }
    teams = {
        t.pk: TeamLine(t) for t in Team.objects.filter(workshop=workshop).select_related("lead")
    }
    ratings = Counter()
    by_source = SavedBySource()
    top, matrix = [], []
    for fact in facts:
        line, team = domains.get(fact.domain_id), teams.get(fact.team_id)
        if line is None or team is None:
            continue  # deleted between the reads: the next push shows the workshop without it
        line.hours += fact.hours
        team.tasks += 1
        team.hours += fact.hours
        if fact.analysis_id is None:
            line.unanalysed += 1
            continue
        line.counts[fact.rating] = line.counts.get(fact.rating, 0) + 1
        line.saved += fact.saved
        team.saved += fact.saved
        team.by_source.add(fact.source, fact.saved)
        by_source.add(fact.source, fact.saved)
        ratings[fact.rating] += 1
        if fact.saved > 0 and len(top) < 10:
            top.append(fact)
        if fact.ease in Ease.values:
            matrix.append(fact)
    if not with_rows:
        row_of = _rows_by_analysis(top + matrix) if top or matrix else {}
    return WorkshopSummary(
        workshop=workshop,
        rows=rows,
        domains=list(domains.values()),
        teams=sorted(teams.values(), key=lambda t: (-t.saved, t.team.name)),
        top=[row_of[f.analysis_id] for f in top if f.analysis_id in row_of],
        matrix=[
            MatrixPoint(row=row_of[f.analysis_id], ease=f.ease)
            for f in matrix
            if f.analysis_id in row_of
        ],
        total_hours=sum((fact.hours for fact in facts), ZERO),
        saved_hours=sum((fact.saved for fact in facts), ZERO),
        ratings=ratings,
        task_count=len(facts),
        by_source=by_source,
    )


@dataclass
class Totals:
    """The workshop's tasks, hours and hours saved per team and per domain, from its facts."""

    task_count: int = 0
    hours: Decimal = ZERO
    saved: Decimal = ZERO
    ratings: Counter[str] = field(default_factory=Counter)
    rules_tasks: int = 0  # rated by the offline estimator (not an AI)


def totals_by(facts: list[Fact], key: str) -> dict[int, Totals]:
    """{team or domain id (`key`: "team_id" or "domain_id"): its totals}."""
    totals: dict[int, Totals] = {}
    for fact in facts:
        line = totals.setdefault(getattr(fact, key), Totals())
        line.task_count += 1
        line.hours += fact.hours
        if fact.analysis_id is not None:
            line.saved += fact.saved
            line.ratings[fact.rating] += 1
            if fact.source == Source.RULES:
                line.rules_tasks += 1
    return totals


# --- Action plans ---------------------------------------------------------------------------------

_EASE_RANK = {Ease.EASY: 0, Ease.MEDIUM: 1, Ease.HARD: 2}


@dataclass
class PlanLine:
    """One team's pick with its plan, its task's latest analysis and the votes it had."""

    pick: Pick
    analysis: TaskAnalysis | None
    votes: int

    @property
    def ease(self) -> str:
        return self.analysis.ease if self.analysis else ""

    @property
    def ease_label(self) -> str:
        return str(Ease(self.ease).label) if self.ease in Ease.values else "—"

    @property
    def expected_savings(self) -> Savings:
        return savings(self.pick.expected_hours, self.pick.team.workshop.hourly_cost)

    @property
    def actual_savings(self) -> Savings | None:
        """What the lead reported in the follow-up, as money; None until they do."""
        if self.pick.actual_hours is None:
            return None
        return savings(self.pick.actual_hours, self.pick.team.workshop.hourly_cost)


def plans_for(*, workshop: Workshop | None = None, team: Team | None = None) -> list[PlanLine]:
    """The picks of a workshop (or one team), ranked as the summary shows them: most expected
    hours first, then the easier to bring in."""
    picks = Pick.objects.select_related(
        "task__domain", "team__lead", "team__workshop", "owner"
    ).annotate(vote_count=Count("task__votes", distinct=True))
    picks = picks.filter(team=team) if team is not None else picks.filter(team__workshop=workshop)
    chosen = list(picks)
    latest = latest_analyses([pick.task_id for pick in chosen])
    lines = [
        PlanLine(
            pick=pick,
            analysis=latest.get(pick.task_id),
            votes=pick.vote_count,  # type: ignore[attr-defined]
        )
        for pick in chosen
    ]
    lines.sort(
        key=lambda line: (
            -line.pick.expected_hours,
            _EASE_RANK.get(line.ease, 3),
            line.pick.team.name,
        )
    )
    return lines


# --- Estimated against actual (the follow-up after the course) ---------------------------------


@dataclass
class PlanOutcome:
    """A team's plans (or a workshop's, `team` None): the hours they expected a month, and what
    the leads reported after the course (status, actual hours) through the follow-up link."""

    team: Team | None
    hourly_cost: int
    plans: int = 0
    expected: Decimal = ZERO
    actual: Decimal = ZERO  # the sum of the plans that have an actual figure
    reported: int = 0  # plans with an actual figure
    statuses: Counter[str] = field(default_factory=Counter)
    follow_up: FollowUp | None = None

    @property
    def expected_savings(self) -> Savings:
        return savings(self.expected, self.hourly_cost)

    @property
    def actual_savings(self) -> Savings:
        return savings(self.actual, self.hourly_cost)

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """(label, count) of each status present, in the order of the choices."""
        return [
            (str(label), self.statuses[value])
            for value, label in Pick.Status.choices
            if self.statuses[value]
        ]

    def add(self, pick: Pick) -> None:
        self.plans += 1
        self.expected += pick.expected_hours
        self.statuses[pick.status] += 1
        if pick.actual_hours is not None:
            self.reported += 1
            self.actual += pick.actual_hours


@dataclass
class Outcomes:
    teams: list[PlanOutcome]
    total: PlanOutcome

    @property
    def any_reported(self) -> bool:
        return self.total.reported > 0


def plan_outcomes(
    workshop: Workshop, *, team: Team | None = None, lines: list[PlanLine] | None = None
) -> Outcomes:
    """Estimated against actual per team (teams with plans, by name) and in total, for the
    workshop or one `team` of it. `lines`: their `plans_for`, when the caller read them."""
    if lines is None:
        lines = plans_for(team=team) if team is not None else plans_for(workshop=workshop)
    follow_ups = (
        FollowUp.objects.filter(team=team)
        if team
        else FollowUp.objects.filter(team__workshop=workshop)
    )
    sent = {follow_up.team_id: follow_up for follow_up in follow_ups}
    total = PlanOutcome(team=None, hourly_cost=workshop.hourly_cost)
    teams: dict[int, PlanOutcome] = {}
    for line in lines:
        pick = line.pick
        outcome = teams.setdefault(
            pick.team_id,
            PlanOutcome(
                team=pick.team, hourly_cost=workshop.hourly_cost, follow_up=sent.get(pick.team_id)
            ),
        )
        outcome.add(pick)
        total.add(pick)
    ordered = sorted(teams.values(), key=lambda o: (o.team.name, o.team.pk) if o.team else ("", 0))
    return Outcomes(teams=ordered, total=total)
