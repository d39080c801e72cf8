"""Reads of workshops, teams and people for pages, in a fixed number of queries each. Reads
that show tasks with their analyses are the presentation app's (`board.reads`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from workshops.models import Participant, Team, Workshop


def team_members(team: Team) -> list[Participant]:
    """The team's members other than its lead, in the order they joined."""
    return list(
        Participant.objects.filter(team=team, role=Participant.Role.MEMBER)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def joined_people(workshop: Workshop) -> list[Participant]:
    """Everyone who joined the workshop (not its instructors), newest first, with their team:
    the join slide's list."""
    return list(
        Participant.objects.filter(workshop=workshop)
        .exclude(role=Participant.Role.INSTRUCTOR)
        .select_related("user", "team")
        .order_by("-joined_at", "-id")
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
