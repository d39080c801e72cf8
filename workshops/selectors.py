"""Reads for pages. Each returns everything a page needs in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

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


def team_tasks(team: Team) -> TeamTasks:
    """The team's tasks grouped by the workshop's domains, in domain order."""
    groups = {
        domain.pk: DomainTasks(domain)
        for domain in Domain.objects.filter(workshop_id=team.workshop_id)
    }
    tasks = list(
        Task.objects.filter(team=team)
        .select_related("created_by", "updated_by")
        .order_by("created_at", "id")
    )
    for task in tasks:
        task.team = team
        group = groups[task.domain_id]
        task.domain = group.domain
        group.tasks.append(task)
    return TeamTasks(
        groups=list(groups.values()),
        task_count=len(tasks),
        total_hours=sum((task.hours_per_month for task in tasks), Decimal("0")),
    )


def team_members(team: Team) -> list[Participant]:
    """The team's members other than its lead, in the order they joined."""
    return list(
        Participant.objects.filter(team=team, role=Participant.Role.MEMBER)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def _count_of(queryset, column="pk"):
    return Coalesce(
        Subquery(
            queryset.order_by().values(column).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


@dataclass
class Board:
    teams: list[Team]
    domains: list[Domain]
    participant_count: int
    task_count: int
    total_hours: Decimal


def workshop_board(workshop: Workshop) -> Board:
    """Every team of the workshop with its counts, and totals per domain."""
    task_of_team = Task.objects.filter(team=OuterRef("pk"))
    teams = list(
        Team.objects.filter(workshop=workshop)
        .select_related("lead")
        .annotate(
            task_count=_count_of(task_of_team, "team"),
            member_count=_count_of(Participant.objects.filter(team=OuterRef("pk")), "team"),
            hours=Coalesce(
                Subquery(
                    task_of_team.order_by()
                    .values("team")
                    .annotate(h=Sum("hours_per_month"))
                    .values("h")[:1]
                ),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .order_by("name", "id")
    )
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
    return Board(
        teams=teams,
        domains=domains,
        participant_count=Participant.objects.filter(workshop=workshop)
        .exclude(role=Participant.Role.INSTRUCTOR)
        .count(),
        task_count=sum(team.task_count for team in teams),
        total_hours=sum((team.hours for team in teams), Decimal("0")),
    )


@dataclass
class Home:
    instructing: list[Participant]
    participating: list[Participant]


def home_for_user(user) -> Home:
    participations = list(
        Participant.objects.filter(user=user)
        .select_related("workshop", "team")
        .order_by("-workshop__date", "-workshop_id")
    )
    return Home(
        instructing=[p for p in participations if p.is_instructor],
        participating=[p for p in participations if not p.is_instructor],
    )
