"""Priorities and action plans (issue 18): each person of a team spends VOTES_PER_PERSON dots on
its tasks, the lead confirms up to PICKS_PER_TEAM picks, and each pick gets an action plan.

Who may call what is the views' check (workshops.access): votes by anyone of the team, picks and
plans by its lead. These functions keep the counts true under concurrent requests: the voter's
(or team's) row is locked while counting, so two quick taps cannot spend a fourth dot.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import User
from workshops import events, facilitation
from workshops.models import (
    PICKS_PER_TEAM,
    VOTES_PER_PERSON,
    Participant,
    Pick,
    Task,
    Team,
    Vote,
)
from workshops.services import RuleError

MONTHLY_HOURS_MAX = Decimal("9999")  # a plan's expected or actual hours saved a month


def parse_monthly_hours(raw: str) -> Decimal:
    """Hours a month as a lead types them ("12.5", "1,234"): 0 to MONTHLY_HOURS_MAX, to the
    hundredth. Raises ValueError for anything else. The plan form and the follow-up page."""
    try:
        hours = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(raw) from None
    if not hours.is_finite() or not 0 <= hours <= MONTHLY_HOURS_MAX:
        raise ValueError(raw)
    return hours.quantize(Decimal("0.01"))


def _lock_seat(team: Team, user: User) -> Participant:
    seat = (
        Participant.objects.select_for_update()
        .filter(team=team, user=user)
        .exclude(role=Participant.Role.INSTRUCTOR)
        .first()
    )
    if seat is None:
        raise RuleError(_("이 팀의 팀장과 팀원만 투표할 수 있습니다."))
    return seat


@transaction.atomic
def vote_toggle(*, task: Task, user: User) -> tuple[bool, int]:
    """Put `user`'s dot on `task`, or take it back. Returns (voted now, dots left)."""
    team = task.team
    if not facilitation.voting_open(team.workshop):
        raise RuleError(_("투표는 강사가 '우선순위 정하기' 단계를 열었을 때 할 수 있습니다."))
    _lock_seat(team, user)  # serialises this person's votes in this team
    mine = Vote.objects.filter(task__team=team, user=user)
    existing = mine.filter(task=task).first()
    if existing is not None:
        existing.delete()
        voted = False
    else:
        if mine.count() >= VOTES_PER_PERSON:
            raise RuleError(
                _("투표는 한 사람에 %(count)d표입니다. 다른 업무의 표를 거두고 다시 누르세요.")
                % {"count": VOTES_PER_PERSON}
            )
        try:
            with transaction.atomic():
                Vote.objects.create(task=task, user=user)
        except IntegrityError:
            raise RuleError(_("이미 투표한 업무입니다.")) from None
        voted = True
    events.announce(events.TaskChanged(team_id=team.pk, workshop_id=team.workshop_id))
    return voted, VOTES_PER_PERSON - mine.count()


@dataclass(frozen=True)
class TallyRow:
    task: Task
    votes: int
    mine: bool  # the viewer's dot is on it

    @property
    def dots(self) -> str:
        return "●" * self.votes


@dataclass
class Tally:
    """A team's tasks by votes, with the viewer's own dots and the picks so far."""

    rows: list[TallyRow]
    dots_left: int
    picks: list[Pick]
    voters: int  # how many people of the team voted at all
    votes_per_person: int = VOTES_PER_PERSON

    @property
    def picks_left(self) -> int:
        return max(0, PICKS_PER_TEAM - len(self.picks))

    @property
    def picked_ids(self) -> set[int]:
        return {pick.task_id for pick in self.picks}


def waiting(team: Team) -> bool:
    """Whether the team's priorities only say when voting opens: before the room prioritises,
    while nobody has voted or picked (then they do not change with the tasks)."""
    workshop = team.workshop
    return not workshop.is_closed and not facilitation.planning_open(workshop) and not has_any(team)


def has_any(team: Team) -> bool:
    """Whether anyone of the team has voted or the lead has picked a task (one query)."""
    return (
        Task.objects.filter(team=team)
        .filter(Q(votes__isnull=False) | Q(pick__isnull=False))
        .exists()
    )


def tally(team: Team, viewer: User | None = None) -> Tally:
    """The team's tasks with their votes, most first (ties by the order they were written)."""
    viewer_id = viewer.pk if viewer is not None else None
    tasks = (
        Task.objects.filter(team=team)
        .annotate(
            vote_count=Count("votes", distinct=True),
            mine=Count("votes", filter=Q(votes__user_id=viewer_id), distinct=True),
        )
        .order_by("-vote_count", "created_at", "id")
    )
    rows = [TallyRow(task, task.vote_count, bool(task.mine)) for task in tasks]  # type: ignore[attr-defined]
    used = sum(1 for row in rows if row.mine)
    picks = list(
        Pick.objects.filter(team=team).select_related("task", "owner").order_by("confirmed_at")
    )
    voters = Vote.objects.filter(task__team=team).values("user").distinct().count()
    return Tally(rows=rows, dots_left=VOTES_PER_PERSON - used, picks=picks, voters=voters)


@transaction.atomic
def pick_confirm(
    *, task: Task, actor: User, method: str = "", expected_hours: Decimal = Decimal("0")
) -> Pick:
    """The lead confirms `task` as one of the team's picks, its plan prefilled with the method
    and the hours the analysis gave (the caller reads them: this layer knows no analyses)."""
    team = Team.objects.select_for_update().select_related("workshop").get(pk=task.team_id)
    if not facilitation.planning_open(team.workshop):
        raise RuleError(
            _("실행할 업무는 '우선순위 정하기'나 '마무리' 단계에서 선정할 수 있습니다.")
        )
    if Pick.objects.filter(task=task).exists():
        raise RuleError(_("이미 선정한 업무입니다."))
    if Pick.objects.filter(team=team).count() >= PICKS_PER_TEAM:
        raise RuleError(
            _("팀마다 %(count)d개까지 선정합니다. 다른 선정을 취소한 뒤 다시 고르세요.")
            % {"count": PICKS_PER_TEAM}
        )
    pick = Pick.objects.create(
        team=team,
        task=task,
        confirmed_by=actor,
        method=method[:100],
        expected_hours=max(expected_hours, Decimal("0")),
    )
    audit.record("pick_confirmed", actor=actor, target=task, workshop=team.workshop)
    events.announce(events.TaskChanged(team_id=team.pk, workshop_id=team.workshop_id))
    return pick


@transaction.atomic
def pick_remove(*, pick: Pick, actor: User) -> None:
    task = pick.task
    team = task.team
    pick.delete()
    audit.record("pick_removed", actor=actor, target=task, workshop=team.workshop)
    events.announce(events.TaskChanged(team_id=team.pk, workshop_id=team.workshop_id))


@transaction.atomic
def plan_update(
    *,
    pick: Pick,
    actor: User,
    owner: User | None,
    first_step: str,
    target_date: date | None,
    method: str,
    expected_hours: Decimal,
) -> Pick:
    """Save a pick's action plan. The owner must be someone of the team."""
    if (
        owner is not None
        and not Participant.objects.filter(team_id=pick.team_id, user=owner).exists()
    ):
        raise RuleError(_("담당자는 이 팀의 팀장이나 팀원 중에서 고르세요."), field="owner")
    if expected_hours < 0:
        raise RuleError(_("예상 절감 시간은 0 이상이어야 합니다."), field="expected_hours")
    pick.owner, pick.first_step, pick.target_date = owner, first_step.strip(), target_date
    pick.method, pick.expected_hours = method.strip(), expected_hours
    pick.save()
    events.announce(events.TaskChanged(team_id=pick.team_id, workshop_id=pick.team.workshop_id))
    return pick
