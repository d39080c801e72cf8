"""Renders the live regions of the pages, with the same partial templates the pages use.

Every function returns HTML whose root elements carry the region's id, so htmx's WebSocket
extension swaps them in place, and `data-version`: the time the render began. A render begins
after its change committed and reads the database after that, so the copy with the highest
version includes every change committed before it; the browser keeps the highest.
"""

import time
from dataclasses import dataclass

from django.template.loader import render_to_string

from workshops import selectors
from workshops.live import presence
from workshops.models import Participant, Team, Workshop

TEAM_PAGE = "workshops/team_detail.html"
WORKSHOP_PAGE = "workshops/workshop_detail.html"
LIVE = "workshops/_live.html"


def new_version() -> int:
    return time.time_ns()


def _render(names: list[str], context: dict) -> str:
    return "".join(render_to_string(name, context) for name in names)


def team_regions(team: Team, *, can_edit: bool, version: int | None = None) -> str:
    """A team's task list, latest activity and member line, for one audience."""
    version = version or new_version()
    team = Team.objects.select_related("workshop", "lead", "last_activity_by").get(pk=team.pk)
    context = {
        "team": team,
        "workshop": team.workshop,
        "tasks": selectors.team_tasks(team),
        "members": selectors.team_members(team),
        "can_edit": can_edit and not team.workshop.is_closed,
        "version": version,
    }
    return _render(
        [f"{TEAM_PAGE}#tasks-region", f"{TEAM_PAGE}#team-activity", f"{TEAM_PAGE}#team-members"],
        context,
    )


def analysis_progress(team: Team, *, can_edit: bool, version: int | None = None) -> str:
    """The team's AI analysis panel: its button, progress and last result."""
    from ai.selectors import progress_context

    context = progress_context(team, can_edit=can_edit and not team.workshop.is_closed)
    context["version"] = version or new_version()
    return render_to_string("ai/progress.html#progress", context)


def pulse(workshop: Workshop, version: int | None = None) -> str:
    context = {
        "workshop": workshop,
        "pulse": selectors.workshop_pulse(workshop.pk),
        "version": version or new_version(),
    }
    return render_to_string(f"{LIVE}#workshop-pulse", context)


def status(workshop: Workshop, version: int | None = None) -> str:
    context = {"workshop": workshop, "version": version or new_version()}
    return render_to_string(f"{LIVE}#workshop-status", context)


def board(workshop: Workshop, version: int | None = None) -> str:
    """The instructor's board and the list of who is online."""
    board = selectors.workshop_board(workshop, presence.online_user_ids(workshop.pk))
    context = {
        "workshop": workshop,
        "board": board,
        "online": board.online,
        "version": version or new_version(),
    }
    return _render([f"{WORKSHOP_PAGE}#board", f"{WORKSHOP_PAGE}#online"], context)


def summary(workshop: Workshop, version: int | None = None) -> str:
    """The instructor's results summary (charts, top candidates)."""
    from workshops.result_views import summary_context

    version = version or new_version()
    context = summary_context(workshop)
    context["version"] = version
    return render_to_string("workshops/_summary.html", context)


def add_form_notice(team: Team) -> str:
    """What replaces a team's add-task form when the workshop closes or reopens."""
    name = "closed-notice" if team.workshop.is_closed else "reopened-notice"
    return render_to_string(f"{TEAM_PAGE}#{name}", {"team": team})


@dataclass(frozen=True)
class Viewer:
    """Who a socket belongs to, and which page regions it shows."""

    user_id: int
    workshop_id: int
    role: str
    team_id: int | None
    viewing_team_id: int | None

    @property
    def is_instructor(self) -> bool:
        return self.role == Participant.Role.INSTRUCTOR


def viewer_for(user, workshop_id: int, team_param: str | None) -> Viewer | None:
    """The participation behind a socket, or None if the user may not watch this workshop."""
    participant = Participant.objects.filter(user=user, workshop_id=workshop_id).first()
    if participant is None:
        return None
    viewing = participant.team_id
    if participant.role == Participant.Role.INSTRUCTOR and team_param:
        # An instructor watching a team page: only a team of this workshop.
        viewing = (
            Team.objects.filter(pk=team_param, workshop_id=workshop_id)
            .values_list("pk", flat=True)
            .first()
            if team_param.isascii() and team_param.isdigit()
            else None
        )
    return Viewer(
        user_id=user.pk,
        workshop_id=workshop_id,
        role=participant.role,
        team_id=participant.team_id,
        viewing_team_id=viewing,
    )


def snapshot(viewer: Viewer) -> str:
    """Every live region the viewer's page shows, as a reload would render it."""
    version = new_version()
    workshop = Workshop.objects.get(pk=viewer.workshop_id)
    parts = [status(workshop, version)]
    if viewer.is_instructor:
        parts.append(board(workshop, version))
        parts.append(summary(workshop, version))
    if viewer.viewing_team_id:
        team = Team.objects.select_related("workshop").get(pk=viewer.viewing_team_id)
        can_edit = not viewer.is_instructor
        parts.append(team_regions(team, can_edit=can_edit, version=version))
        parts.append(analysis_progress(team, can_edit=can_edit, version=version))
        parts.append(pulse(workshop, version))
        if workshop.is_closed and can_edit:
            parts.append(add_form_notice(team))
    return "".join(parts)
