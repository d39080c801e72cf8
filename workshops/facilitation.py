"""Facilitation (issue 18): what the instructor uses to run the room, live on every page.

- The phase (준비 → 업무 작성 → AI 분석 → 우선순위 정하기 → 마무리), with an optional countdown
  that ends at an instant in server time, so every screen shows the same time left and a page
  that reconnects picks it up from its snapshot.
- A one-line notice to every team, shown until replaced or cleared (each person may hide it on
  their own screen; a new notice shows again).
- A target ("팀마다 업무 N개 이상") and the minutes of inactivity after which the board marks a
  team as stalled; a team's 도움 요청, which the board shows until someone clears it.
- The spotlight: the projector shows one team's top candidates full-screen.

Who may call what is the views' check (workshops.access): everything but the help request is
the instructor's. Each change is one update and one event (`FacilitationChanged`), which the
live layer turns into one render per audience.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import User
from workshops import events
from workshops.models import (
    NOTICE_MAX_LENGTH,
    STALL_MINUTES_MAX,
    TARGET_TASKS_MAX,
    TIMER_MAX_MINUTES,
    Team,
    Workshop,
)
from workshops.services import RuleError

# What each phase allows a team to do with its priorities: dots are spent while the room
# decides; the lead confirms picks and writes plans then and while wrapping up.
VOTING_PHASES = frozenset({Workshop.Phase.PRIORITISE})
PLANNING_PHASES = frozenset({Workshop.Phase.PRIORITISE, Workshop.Phase.WRAP_UP})


def _refuse_if_closed(workshop: Workshop) -> None:
    if workshop.is_closed:
        raise RuleError(_("종료된 워크샵은 진행 단계를 바꿀 수 없습니다."))


def _changed(workshop: Workshop, fields: list[str], *, actor: User, what: str) -> Workshop:
    workshop.save(update_fields=[*fields, "updated_at"])
    audit.record(
        "workshop_facilitated",
        actor=actor,
        target=workshop,
        workshop=workshop,
        summary=what,
    )
    events.announce(
        events.FacilitationChanged(
            workshop_id=workshop.pk,
            phase="phase" in fields,
            targets="target_tasks" in fields,
            spotlight="spotlight_team" in fields,
        )
    )
    return workshop


@transaction.atomic
def phase_set(
    *, workshop: Workshop, phase: str, actor: User, minutes: int | None = None
) -> Workshop:
    """Move the room to `phase`; with `minutes`, start its countdown (else none runs)."""
    _refuse_if_closed(workshop)
    if phase not in Workshop.Phase.values:
        raise RuleError(_("알 수 없는 진행 단계입니다."), field="phase")
    workshop.phase = phase
    workshop.phase_ends_at = _ends_at(minutes) if minutes is not None else None
    return _changed(workshop, ["phase", "phase_ends_at"], actor=actor, what=f"phase:{phase}")


def _ends_at(minutes: int):
    if not 1 <= minutes <= TIMER_MAX_MINUTES:
        raise RuleError(
            _("타이머는 1분에서 %(max)d분 사이로 정해 주세요.") % {"max": TIMER_MAX_MINUTES},
            field="minutes",
        )
    return timezone.now() + timedelta(minutes=minutes)


@transaction.atomic
def timer_start(*, workshop: Workshop, minutes: int, actor: User) -> Workshop:
    _refuse_if_closed(workshop)
    workshop.phase_ends_at = _ends_at(minutes)
    return _changed(workshop, ["phase_ends_at"], actor=actor, what=f"timer:{minutes}")


@transaction.atomic
def timer_stop(*, workshop: Workshop, actor: User) -> Workshop:
    _refuse_if_closed(workshop)
    workshop.phase_ends_at = None
    return _changed(workshop, ["phase_ends_at"], actor=actor, what="timer:stop")


@transaction.atomic
def notice_set(*, workshop: Workshop, text: str, actor: User) -> Workshop:
    """Show `text` to every team (an empty text clears the notice)."""
    _refuse_if_closed(workshop)
    text = " ".join(text.split())  # one line
    if len(text) > NOTICE_MAX_LENGTH:
        raise RuleError(
            _("공지는 %(max)d자까지 쓸 수 있습니다. (지금 %(count)d자)")
            % {"max": NOTICE_MAX_LENGTH, "count": len(text)},
            field="notice",
        )
    workshop.notice = text
    workshop.notice_at = timezone.now() if text else None
    return _changed(
        workshop, ["notice", "notice_at"], actor=actor, what="notice" if text else "notice:clear"
    )


@transaction.atomic
def targets_set(
    *, workshop: Workshop, target_tasks: int, stall_minutes: int, actor: User
) -> Workshop:
    _refuse_if_closed(workshop)
    if not 1 <= target_tasks <= TARGET_TASKS_MAX:
        raise RuleError(
            _("목표 업무 수는 1에서 %(max)d 사이로 정해 주세요.") % {"max": TARGET_TASKS_MAX},
            field="target_tasks",
        )
    if not 1 <= stall_minutes <= STALL_MINUTES_MAX:
        raise RuleError(
            _("멈춘 팀 기준은 1분에서 %(max)d분 사이로 정해 주세요.") % {"max": STALL_MINUTES_MAX},
            field="stall_minutes",
        )
    workshop.target_tasks = target_tasks
    workshop.stall_minutes = stall_minutes
    return _changed(workshop, ["target_tasks", "stall_minutes"], actor=actor, what="targets")


@transaction.atomic
def spotlight_set(*, workshop: Workshop, team: Team | None, actor: User) -> Workshop:
    """Show `team` full-screen on the projector (None: back to the whole room's results)."""
    _refuse_if_closed(workshop)
    if team is not None and team.workshop_id != workshop.pk:
        raise RuleError(_("이 워크샵의 팀이 아닙니다."), field="team")
    workshop.spotlight_team = team
    return _changed(
        workshop,
        ["spotlight_team"],
        actor=actor,
        what=f"spotlight:{team.pk}" if team else "spotlight:off",
    )


@transaction.atomic
def help_request(*, team: Team, asking: bool) -> Team:
    """A team asks the instructor for help (`asking`), or says it no longer needs it. The
    instructor clears it the same way once they have been to the team."""
    Team.objects.filter(pk=team.pk).update(help_requested_at=timezone.now() if asking else None)
    team.refresh_from_db(fields=["help_requested_at"])
    events.announce(events.TeamChanged(team_id=team.pk, members=True))
    return team


def voting_open(workshop: Workshop) -> bool:
    return not workshop.is_closed and workshop.phase in VOTING_PHASES


def planning_open(workshop: Workshop) -> bool:
    return not workshop.is_closed and workshop.phase in PLANNING_PHASES


def stalls_at(team: Team, workshop: Workshop):
    """When the team counts as stalled if nothing changes before then: `stall_minutes` after
    its last task change (or after it was made), while the room is writing or analysing; None
    in the other phases, when nobody is "stalled"."""
    if workshop.is_closed or workshop.phase not in (Workshop.Phase.WRITE, Workshop.Phase.ANALYSE):
        return None
    since = team.last_activity_at or team.created_at
    return since + timedelta(minutes=workshop.stall_minutes)


def is_stalled(team: Team, workshop: Workshop, now=None) -> bool:
    at = stalls_at(team, workshop)
    return at is not None and (now or timezone.now()) >= at
