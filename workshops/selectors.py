"""Reads for pages. Each returns everything a page needs in a fixed number of queries."""

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.query import QuerySet

from accounts.models import User
from ai.selectors import (
    AnalysisSummary,
    attach_analyses,
    latest_economy_batch,
    runs_for_team,
    with_analysis_counts,
    workshop_savings,
)
from workshops.models import Domain, Participant, Task, Team, Workshop


@dataclass
class DomainTasks:
    domain: Domain
    tasks: list[Task] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((task.hours_per_month for task in self.tasks), Decimal("0"))


@dataclass
class TeamTasks:
    groups: list[DomainTasks]
    task_count: int
    total_hours: Decimal
    analysis: "AnalysisSummary"
    # (active, latest finished) analysis run: the analysis panel shows them too.
    runs: tuple = (None, None)

    @property
    def domains(self) -> list[Domain]:
        return [group.domain for group in self.groups]


def team_tasks(team: Team) -> TeamTasks:
    """The team's tasks grouped by the workshop's domains, each with its latest analysis."""
    groups = {
        domain.pk: DomainTasks(domain)
        for domain in Domain.objects.filter(workshop_id=team.workshop_id)
    }
    tasks = list(
        with_analysis_counts(Task.objects.filter(team=team))
        .select_related("updated_by")  # the card names who changed it last
        .order_by("created_at", "id")
    )
    for task in tasks:
        task.team = team
        group = groups[task.domain_id]
        task.domain = group.domain
        group.tasks.append(task)
    runs = runs_for_team(team.pk)
    _active, finished = runs
    return TeamTasks(
        groups=list(groups.values()),
        task_count=len(tasks),
        total_hours=sum((task.hours_per_month for task in tasks), Decimal("0")),
        analysis=attach_analyses(tasks, failed_ids=finished.failed_task_ids if finished else []),
        runs=runs,
    )


def team_members(team: Team) -> list[Participant]:
    """The team's members other than its lead, in the order they joined."""
    return list(
        Participant.objects.filter(team=team, role=Participant.Role.MEMBER)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def _sum_of_hours(tasks: QuerySet[Task]) -> Coalesce:
    return Coalesce(
        Subquery(
            tasks.order_by().values("team").annotate(h=Sum("hours_per_month")).values("h")[:1]
        ),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


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
    economy: object = None  # the workshop's latest economy-mode batch, if any


def workshop_board(workshop: Workshop, online_user_ids: AbstractSet[int] = frozenset()) -> Board:
    """Every team with its counts, hours saved and who of it is online; totals per domain."""
    savings = workshop_savings(workshop.pk)
    task_of_team = Task.objects.filter(team=OuterRef("pk"))
    teams = list(
        Team.objects.filter(workshop=workshop)
        .select_related("lead", "last_activity_by")
        .annotate(
            task_count=Coalesce(
                Subquery(
                    task_of_team.order_by().values("team").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            hours=_sum_of_hours(task_of_team),
        )
        .order_by("name", "id")
    )
    participants = list(
        Participant.objects.filter(workshop=workshop)
        .select_related("user", "team")
        .order_by("team__name", "role", "user__name", "id")
    )
    by_team: dict[int, list[Participant]] = {}
    for participant in participants:
        if participant.team_id:
            by_team.setdefault(participant.team_id, []).append(participant)
    board_teams = [
        BoardTeam(
            team=team,
            task_count=team.task_count,
            hours=team.hours,
            member_count=len(by_team.get(team.pk, [])),
            online_count=sum(1 for p in by_team.get(team.pk, []) if p.user_id in online_user_ids),
            saved_hours=savings.by_team.get(team.pk, Decimal("0")),
            ratings=savings.ratings_by_team.get(team.pk, {}),
        )
        for team in teams
    ]
    domains = list(
        Domain.objects.filter(workshop=workshop).annotate(
            task_count=Count("tasks"),
            hours=Coalesce(
                Sum("tasks__hours_per_month"),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
    )
    board_domains = [
        BoardDomain(
            domain=domain,
            task_count=domain.task_count,
            hours=domain.hours,
            saved_hours=savings.by_domain.get(domain.pk, Decimal("0")),
        )
        for domain in domains
    ]
    online = [p for p in participants if p.user_id in online_user_ids]
    return Board(
        teams=board_teams,
        domains=board_domains,
        online=online,
        participant_count=sum(1 for p in participants if not p.is_instructor),
        online_count=sum(1 for p in online if not p.is_instructor),
        task_count=sum(team.task_count for team in teams),
        total_hours=sum((team.hours for team in teams), Decimal("0")),
        saved_hours=savings.total,
        economy=latest_economy_batch(workshop.pk),
    )


@dataclass
class Pulse:
    team_count: int
    task_count: int
    total_hours: Decimal


def workshop_pulse(workshop_id: int) -> Pulse:
    """Workshop-wide progress every participant may see: counts only, no team's details."""
    # One query: every team with its tasks, if any.
    totals = Team.objects.filter(workshop_id=workshop_id).aggregate(
        team_count=Count("pk", distinct=True),
        task_count=Count("tasks"),
        total_hours=Coalesce(
            Sum("tasks__hours_per_month"),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )
    return Pulse(**totals)


@dataclass
class Home:
    instructing: list[Participant]
    participating: list[Participant]


def home_for_user(user: User) -> Home:
    participations = list(
        Participant.objects.filter(user=user)
        .select_related("workshop", "team")
        .order_by("-workshop__date", "-workshop_id")
    )
    return Home(
        instructing=[p for p in participations if p.is_instructor],
        participating=[p for p in participations if not p.is_instructor],
    )
