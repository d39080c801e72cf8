"""Who may see and change what. Views call these before anything else.

Outsiders get 404 (they must not learn that a workshop or team exists); people who may look
but not touch get 403 with the reason.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshops.models import Participant, Task, Team, Workshop


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    participant: Participant

    @property
    def can_edit_tasks(self) -> bool:
        return self.participant.team_id == self.team.pk and not self.team.workshop.is_closed

    @property
    def can_manage_team(self) -> bool:
        return self.can_edit_tasks and self.participant.is_lead


def _participation(user, workshop_id) -> Participant | None:
    if not user.is_authenticated:
        return None
    return (
        Participant.objects.select_related("workshop", "team")
        .filter(user=user, workshop_id=workshop_id)
        .first()
    )


class WorkshopClosed(PermissionDenied):
    """A write refused only because the workshop is closed: the person may otherwise make it.
    Views with typed input catch it to answer in place, keeping what was typed."""


# What a form refused by `WorkshopClosed` says above what was typed.
CLOSED_WHILE_TYPING = gettext_lazy(
    "워크샵이 종료되어 저장하지 못했습니다. 적은 내용은 그대로 있으니 필요하면 복사해 두세요."
)


def answered_in_place(response: HttpResponse) -> HttpResponse:
    """A write refused because the workshop closed while it was on its way, answered with its
    form as typed and the reason: still a 403, marked so the page's script (static/js/app.js)
    swaps it where the form is instead of showing a generic error."""
    response.status_code = 403
    response["Answer-In-Place"] = "true"
    return response


def _refuse_if_closed(workshop: Workshop) -> None:
    if workshop.is_closed:
        raise WorkshopClosed(_("종료된 워크샵은 읽기 전용입니다."))


def get_workshop_for_instructor(user, workshop_id) -> tuple[Workshop, Participant]:
    participant = _participation(user, workshop_id)
    if participant is None:
        raise Http404
    if not participant.is_instructor:
        raise PermissionDenied(_("강사만 할 수 있는 일입니다."))
    return participant.workshop, participant


def get_team_for_user(user, team_id, *, write=False, manage=False) -> TeamAccess:
    """The team, for its own lead and members and for its workshop's instructors.

    `write`: change the team's tasks (lead and members, while the workshop is not closed).
    `manage`: change the team itself and its invitations (the lead only).

    One query when a lead or member opens their own team (every request of the workshop's
    busiest pages): the user's participation in the team's workshop, with the team. An
    instructor's team is read in a second one.
    """
    if not user.is_authenticated:
        raise Http404
    try:
        # Without the people a page names (the lead, who changed a task last): they are read
        # only when a part of the page that names them is rendered (most loads are cached).
        participant = Participant.objects.select_related("workshop", "team").get(
            user=user, workshop__teams=team_id
        )  # one per user and workshop
    except Participant.DoesNotExist:  # no such team, or not in its workshop
        raise Http404 from None
    if participant.team_id == team_id:
        team = participant.team
    elif participant.is_instructor:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:  # deleted since the first query
            raise Http404
    else:
        # Another team's member: not even the team's existence is theirs to know.
        raise Http404
    # The participation's workshop is the same row; share it so changes are seen by both.
    team.workshop = participant.workshop
    access = TeamAccess(team=team, participant=participant)
    if write or manage:
        if participant.is_instructor:
            raise PermissionDenied(_("강사는 팀의 업무를 볼 수만 있습니다."))
        if manage and not participant.is_lead:
            raise PermissionDenied(_("팀장만 할 수 있는 일입니다."))
        # Last: `WorkshopClosed` means nothing but the closing stands in the way.
        _refuse_if_closed(team.workshop)
    return access


def get_task_for_user(user, task_id, *, write=False) -> tuple[Task, TeamAccess]:
    task = (
        # What the task's pages show of it: its domain, who changed it last (the card).
        Task.objects.select_related("domain", "updated_by").filter(pk=task_id).first()
    )
    if task is None:
        raise Http404
    access = get_team_for_user(user, task.team_id, write=write)
    task.team = access.team
    return task, access
