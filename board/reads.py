"""One read per page of what shows tasks together with their analyses: explicit dataclasses
(a task card, a team page, the instructor's board), never attributes set on model instances.
Each read costs a fixed number of queries, whatever the team's or workshop's size."""

from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from ai import askback, rubric
from ai.models import AnalysisRun, EconomyBatch, Rating, TaskAnalysis, saved_hours
from ai.selectors import (
    is_stale,
    latest_analyses_with_counts,
    latest_economy_batch,
    runs_for_team,
    with_analysis_counts,
)
from board import reports
from workshops import facilitation
from workshops.models import Domain, Participant, Task, Team, Workshop
from workshops.savings import DEFAULT_HOURLY_COST, Savings, savings

ZERO = Decimal("0")


# --- The team page -----------------------------------------------------------------------------


@dataclass
class TaskCard:
    """One task's card: the task, its latest analysis and what the card says of it. `html`
    is the rendered card, filled in by `board.render` from its cache of cards."""

    task: Task
    analysis: TaskAnalysis | None = None
    analysis_count: int = 0
    # The analysis's share applied to the task's hours as they are now, not when it was judged.
    hours_saved: Decimal = ZERO
    stale: bool = False  # the task changed since its latest analysis
    failed: bool = False  # the team's latest run could not analyse it (and nothing else did)
    hourly_cost: int = DEFAULT_HOURLY_COST  # the workshop's: the card shows the won it saves
    html: str = ""

    @property
    def pk(self) -> int:
        return self.task.pk

    @property
    def savings(self) -> Savings:
        return savings(self.hours_saved, self.hourly_cost)

    @property
    def question(self) -> askback.Question | None:
        """What to ask back, when the latest analysis could not judge the task."""
        if self.analysis is None or self.analysis.rating != Rating.NEEDS_INFO:
            return None
        return askback.next_question(self.task.description)

    @property
    def chips(self) -> list[rubric.Chip]:
        """The analysis's factors as the card's chips (none on rows older than prompt v2)."""
        return rubric.chips(self.analysis.factors) if self.analysis is not None else []

    @property
    def formula(self) -> str:
        """How our rubric turns the factors into the rating, shown under a lead's correction."""
        if self.analysis is None or not rubric.clean_factors(self.analysis.factors):
            return ""
        return rubric.formula(self.analysis.factors)

    def content_key(self) -> tuple[object, ...]:
        """Everything the card shows, as a hashable value: every field but the HTML, the task
        by its stored values and who changed it last, the analysis by its id (an analysis row
        is never changed, a new one is added) and who made it. A field added to the card is
        part of the key without anyone remembering to add it."""
        parts: list[object] = []
        for each in fields(self):
            value = getattr(self, each.name)
            if each.name == "html":
                continue
            if isinstance(value, Task):
                value = (_stored(value), _person(value.updated_by))
            elif isinstance(value, TaskAnalysis):
                value = (value.pk, _person(value.created_by))
            parts.append(value)
        return tuple(parts)


def _stored(task: Task) -> tuple[object, ...]:
    return tuple(getattr(task, column.attname) for column in Task._meta.concrete_fields)


def _person(user: User | None) -> tuple[object, ...] | None:
    return (user.pk, user.name, user.email) if user is not None else None


@dataclass
class AnalysisSummary:
    """A team's analysed tasks: how many, their ratings and the hours they would save."""

    hours_saved: Decimal = ZERO
    ratings: Counter[str] = field(default_factory=Counter)
    analysed: int = 0
    by_source: reports.SavedBySource = field(default_factory=reports.SavedBySource)

    def count(self, rating: str) -> int:
        return self.ratings.get(rating, 0)

    @property
    def high(self) -> int:
        return self.count(Rating.HIGH)

    @property
    def medium(self) -> int:
        return self.count(Rating.MEDIUM)

    @property
    def low(self) -> int:
        return self.count(Rating.LOW)

    @property
    def needs_info(self) -> int:
        return self.count(Rating.NEEDS_INFO)


@dataclass
class DomainCards:
    domain: Domain
    cards: list[TaskCard] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((card.task.hours_per_month for card in self.cards), ZERO)


@dataclass
class TeamPage:
    """A team's task list: its tasks grouped by the workshop's domains, with their totals."""

    groups: list[DomainCards]
    task_count: int
    total_hours: Decimal
    analysis: AnalysisSummary
    # (active, latest finished) analysis run: the analysis panel shows them too.
    runs: tuple[AnalysisRun | None, AnalysisRun | None] = (None, None)

    @property
    def domains(self) -> list[Domain]:
        return [group.domain for group in self.groups]

    @property
    def cards(self) -> list[TaskCard]:
        return [card for group in self.groups for card in group.cards]


def task_cards(
    tasks: list[Task],
    *,
    hourly_cost: int,
    failed_ids: Iterable[int] = (),
) -> tuple[list[TaskCard], AnalysisSummary]:
    """Cards for `tasks`, in their order, and their team's summary. Tasks read through
    `with_analysis_counts` cost one query here (none while none was analysed); others two.
    `hourly_cost`: the workshop's, for the won each card saves."""
    latest, counts = latest_analyses_with_counts(tasks)
    failed = set(failed_ids)
    summary = AnalysisSummary()
    cards = []
    for task in tasks:
        analysis = latest.get(task.pk)
        card = TaskCard(
            task=task,
            analysis=analysis,
            analysis_count=counts.get(task.pk, 0),
            failed=task.pk in failed and analysis is None,
            hourly_cost=hourly_cost,
        )
        if analysis is not None:
            card.stale = is_stale(analysis, task)
            card.hours_saved = saved_hours(analysis.automatable_share, task.hours_per_month)
            summary.analysed += 1
            summary.ratings[analysis.rating] += 1
            summary.hours_saved += card.hours_saved
            summary.by_source.add(analysis.source, card.hours_saved)
        cards.append(card)
    return cards, summary


def task_card(task: Task) -> TaskCard:
    """One task's card, as the team page shows it."""
    (card,), _summary = task_cards([task], hourly_cost=task.team.workshop.hourly_cost)
    return card


def team_page(team: Team) -> TeamPage:
    """The team's tasks grouped by the workshop's domains, each with its latest analysis."""
    groups = {
        domain.pk: DomainCards(domain)
        for domain in Domain.objects.filter(workshop_id=team.workshop_id)
    }
    tasks = list(
        with_analysis_counts(Task.objects.filter(team=team))
        .select_related("updated_by")  # the card names who changed it last
        .order_by("created_at", "id")
    )
    for task in tasks:
        # Each task's team and domain are the ones read here: no query per card.
        task.team = team
        task.domain = groups[task.domain_id].domain
    runs = runs_for_team(team.pk)
    _active, finished = runs
    cards, summary = task_cards(
        tasks,
        failed_ids=finished.failed_task_ids if finished else [],
        hourly_cost=team.workshop.hourly_cost,
    )
    for card in cards:
        groups[card.task.domain_id].cards.append(card)
    return TeamPage(
        groups=list(groups.values()),
        task_count=len(tasks),
        total_hours=sum((task.hours_per_month for task in tasks), ZERO),
        analysis=summary,
        runs=runs,
    )


# --- The instructor's board ----------------------------------------------------------------------


@dataclass
class BoardTeam:
    """One team's line on the instructor's board."""

    team: Team
    task_count: int
    hours: Decimal
    member_count: int
    online_count: int
    saved_hours: Decimal
    ratings: dict[str, int]
    rules_tasks: int = 0  # of its rated tasks, how many the offline estimator rated
    target: int = 0  # the workshop's 팀별 목표 업무 수
    stalled: bool = False  # no task change for the workshop's stall_minutes while writing
    stalls_at: datetime | None = None  # when it will be, if nothing changes (the page's clock)
    html: str = ""  # the rendered row, when the board's renderer had it (board.render)

    @property
    def target_met(self) -> bool:
        return self.task_count >= self.target

    def content_key(self) -> tuple:
        """Everything the row shows: two lines with the same key render the same HTML."""
        team = self.team
        return (
            team.pk,
            team.name,
            team.help_requested_at,
            team.lead.display_name,
            team.last_activity_at,
            team.last_activity_by.display_name if team.last_activity_by else None,
            self.task_count,
            self.hours,
            self.member_count,
            self.online_count,
            self.saved_hours,
            tuple(sorted(self.ratings.items())),
            self.rules_tasks,
            self.target,
            self.stalled,
            self.stalls_at,
        )


@dataclass
class BoardDomain:
    """One domain's totals on the board."""

    domain: Domain
    task_count: int
    hours: Decimal
    saved_hours: Decimal


@dataclass
class Board:
    teams: list[BoardTeam]
    domains: list[BoardDomain]
    online: list[Participant]
    participant_count: int
    online_count: int
    task_count: int
    total_hours: Decimal
    saved_hours: Decimal
    economy: EconomyBatch | None = None  # the workshop's latest economy-mode batch, if any
    by_source: reports.SavedBySource = field(default_factory=reports.SavedBySource)


def workshop_board(
    workshop: Workshop,
    online_user_ids: AbstractSet[int] = frozenset(),
    facts: list[reports.Fact] | None = None,
) -> Board:
    """Every team with its counts, hours saved and who of it is online; totals per domain.
    `facts`: the workshop's `reports.workshop_facts`, when the caller read them for the
    summary too (a push of both reads them once)."""
    facts = reports.workshop_facts(workshop) if facts is None else facts
    by_team = reports.totals_by(facts, "team_id")
    by_domain = reports.totals_by(facts, "domain_id")
    teams = list(
        Team.objects.filter(workshop=workshop)
        .select_related("lead", "last_activity_by")
        .order_by("name", "id")
    )
    participants = list(
        Participant.objects.filter(workshop=workshop)
        .select_related("user", "team")
        .order_by("team__name", "role", "user__name", "id")
    )
    people: dict[int, list[Participant]] = {}
    for participant in participants:
        if participant.team_id:
            people.setdefault(participant.team_id, []).append(participant)
    none = reports.Totals()
    now = timezone.now()
    board_teams = []
    for team in teams:
        totals, members = by_team.get(team.pk, none), people.get(team.pk, [])
        stalls_at = facilitation.stalls_at(team, workshop)
        board_teams.append(
            BoardTeam(
                team=team,
                task_count=totals.task_count,
                hours=totals.hours,
                member_count=len(members),
                online_count=sum(1 for p in members if p.user_id in online_user_ids),
                saved_hours=totals.saved,
                ratings=dict(totals.ratings),
                rules_tasks=totals.rules_tasks,
                target=workshop.target_tasks,
                stalled=stalls_at is not None and now >= stalls_at,
                stalls_at=stalls_at,
            )
        )
    board_domains = [
        BoardDomain(
            domain=domain,
            task_count=by_domain.get(domain.pk, none).task_count,
            hours=by_domain.get(domain.pk, none).hours,
            saved_hours=by_domain.get(domain.pk, none).saved,
        )
        for domain in Domain.objects.filter(workshop=workshop)
    ]
    online = [p for p in participants if p.user_id in online_user_ids]
    by_source = reports.SavedBySource()
    for fact in facts:
        by_source.add(fact.source, fact.saved)
    return Board(
        teams=board_teams,
        domains=board_domains,
        online=online,
        participant_count=sum(1 for p in participants if not p.is_instructor),
        online_count=sum(1 for p in online if not p.is_instructor),
        task_count=len(facts),
        total_hours=sum((fact.hours for fact in facts), ZERO),
        saved_hours=sum((fact.saved for fact in facts if fact.analysis_id is not None), ZERO),
        economy=latest_economy_batch(workshop.pk),
        by_source=by_source,
    )
