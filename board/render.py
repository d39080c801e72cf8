"""Renders the live regions of the pages, with the same partial templates the pages use.

Every function returns HTML whose root elements carry the region's id, so htmx's WebSocket
extension swaps them in place, and `data-version`: the time the render began. A render begins
after its change committed and reads the database after that, so the copy with the highest
version includes every change committed before it; the browser keeps the highest.
"""

import time
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ai.selectors import progress_context
from board import charts, reads, reports
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


# --- A team's regions: one read per change, shared by every render of it ---------------------


class TeamView:
    """A team's live regions, read once (`version` stamped before the read) and rendered at
    most once per region and audience. Both audiences' pushes of one change use it, and so
    does the answer to the write that caused the change (`board.live.written_team_view`).

    The rendered regions do not depend on the request: a push has none. The answers to htmx
    writes are the same HTML; their forms need no CSRF field, htmx sends the token in a header
    (`hx-headers` on <body>), as it does for everything a push brings."""

    REGIONS = {
        "tasks": "tasks-region",
        "activity": "team-activity",
        "members": "team-members",
        # A stub that loads each viewer's own copy (their dots): board.priority_views.
        "priorities": "team-priorities",
    }

    def __init__(self, team: Team, *, version: int | None = None):
        self.version = version or new_version()
        self.team = team
        self.tasks = reads.team_page(team)
        self._html: dict[tuple[str, bool], str] = {}

    @cached_property
    def members(self) -> list[Participant]:
        return selectors.team_members(self.team)

    def can_edit(self, can_edit: bool) -> bool:
        return can_edit and not self.team.workshop.is_closed

    def region(self, name: str, *, can_edit: bool) -> str:
        key = (name, self.can_edit(can_edit))
        if key not in self._html:
            if name == "tasks":
                attach_cards(self.tasks, can_edit=key[1])
            context = {
                "team": self.team,
                "workshop": self.team.workshop,
                "tasks": self.tasks,
                "members": self.members if name == "members" else (),
                "can_edit": key[1],
                "version": self.version,
            }
            self._html[key] = render_to_string(f"{TEAM_PAGE}#{self.REGIONS[name]}", context)
        return self._html[key]


# --- Task cards: each rendered once per content and audience, in each process --------------------

_cards: dict[tuple, str] = {}
_CARDS_MAX = 20_000
_CSRF_FIELD = 'name="csrfmiddlewaretoken"'


def attach_cards(page: reads.TeamPage, *, can_edit: bool, request=None) -> None:
    """Fill in each card's HTML (`card.html`, which the task list shows) from a cache of
    rendered cards: a team's list is rendered on every change of one of its tasks, and for
    each page load, and most of its cards are the same each time. A card that carries the
    request's CSRF token is rendered for that request and never kept."""
    if settings.DEBUG:  # templates may change under a running development server
        return
    how = (get_language(), timezone.get_current_timezone_name(), can_edit, request is not None)
    for card in page.cards:
        key = (how, card.content_key())
        html = _cards.get(key)
        if html is None:
            context = {"card": card, "can_edit": can_edit}
            html = render_to_string(f"{TEAM_PAGE}#task-card", context, request)
            if _CSRF_FIELD not in html:
                if len(_cards) >= _CARDS_MAX:
                    _cards.clear()
                _cards[key] = html
        card.html = html


def read_team(team_id: int) -> Team:
    """The team with what its regions show of it: workshop, lead, latest activity."""
    return Team.objects.select_related("workshop", "lead", "last_activity_by").get(pk=team_id)


def team_view(team: Team, *, version: int | None = None) -> TeamView:
    """Read a team's regions. Pass `version` stamped before `team` was read, when it was."""
    return TeamView(team, version=version)


def team_regions(
    team: Team, *, can_edit: bool, version: int | None = None, view: TeamView | None = None
) -> str:
    """A team's task list, latest activity and member line, for one audience."""
    view = view or team_view(read_team(team.pk), version=version or new_version())
    return "".join(view.region(name, can_edit=can_edit) for name in TeamView.REGIONS)


# What the template's `oob` variant of the task list adds to its root element.
_OOB_FROM, _OOB_TO = '" >', '" hx-swap-oob="true">'


def tasks_region(view: TeamView, *, can_edit: bool, oob: bool = False) -> str:
    """The team's task list, as pushed; with `oob`, marked for htmx to swap it out of band (as
    `{% with oob=True %}{% partial tasks-region %}` renders it, without rendering it again)."""
    html = view.region("tasks", can_edit=can_edit)
    if not oob:
        return html
    # Reviewed: `html` is our template's output (escaped as it rendered); the replacement adds
    # one constant attribute to its root element. str.replace drops the SafeString mark.
    return mark_safe(html.replace(_OOB_FROM, _OOB_TO, 1))  # noqa: S308  # nosec B308 B703


def analysis_progress(
    team: Team, *, can_edit: bool, version: int | None = None, view: TeamView | None = None
) -> str:
    """The team's AI analysis panel: its button, progress and last result."""
    runs = view.tasks.runs if view else None
    context = progress_context(team, can_edit=can_edit and not team.workshop.is_closed, runs=runs)
    context["version"] = view.version if view else version or new_version()
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


def board(
    workshop: Workshop,
    version: int | None = None,
    online_user_ids: set[int] | None = None,
    facts: list[reports.Fact] | None = None,
) -> str:
    """The instructor's board and the list of who is online. `facts`: as for `summary`."""
    if online_user_ids is None:
        online_user_ids = presence.online_user_ids(workshop.pk)
    board = reads.workshop_board(workshop, online_user_ids, facts=facts)
    context = {
        "workshop": workshop,
        "board": board,
        "online": board.online,
        "version": version or new_version(),
    }
    return _render([f"{WORKSHOP_PAGE}#board", f"{WORKSHOP_PAGE}#online"], context)


def summary(
    workshop: Workshop, version: int | None = None, facts: list[reports.Fact] | None = None
) -> str:
    """The instructor's results summary (charts, top candidates). `facts`: the workshop's
    `reports.workshop_facts`, when the board rendered with it read them already."""
    version = version or new_version()
    # The figures without every task's row: that is what only the exports need.
    facts = reports.workshop_facts(workshop) if facts is None else facts
    figures = reports.workshop_summary(workshop, with_rows=False, facts=facts)
    context = charts.summary_context(figures, facts=facts, live=True)
    context["version"] = version
    return render_to_string("workshops/_summary.html", context)


def stage(workshop: Workshop, version: int | None = None) -> str:
    """The phase, its countdown and the notice: on every live page of the workshop."""
    context = {"workshop": workshop, "version": version or new_version()}
    return render_to_string(f"{LIVE}#workshop-stage", context)


SPOTLIGHT_ROWS = 5


def spotlight(workshop: Workshop, version: int | None = None, *, full: bool = False) -> str:
    """Which team the projector shows, as one line (the board); with `full`, also the team's
    top candidates and plans that the projector shows full-screen (the summary's group, which
    the projector view is in)."""
    team = (
        Team.objects.select_related("lead").filter(pk=workshop.spotlight_team_id).first()
        if workshop.spotlight_team_id
        else None
    )
    context: dict = {
        "workshop": workshop,
        "spot": team,
        "full": full,
        "version": version or new_version(),
    }
    if team is not None and full:
        report = reports.team_report(team)
        context["rows"] = [row for row in report.rows if row.analysis][:SPOTLIGHT_ROWS]
        context["report"] = report
        context["plans"] = reports.plans_for(team=team)
    return render_to_string("workshops/_spotlight.html", context)


def priorities_stub(team: Team, version: int | None = None) -> str:
    """What makes each open team page load its own priorities again (its voting opened or
    closed with the phase)."""
    context = {"team": team, "version": version or new_version()}
    return render_to_string(f"{TEAM_PAGE}#team-priorities", context)


class Page:
    """Which page a socket belongs to: it receives the regions that page has, no others."""

    TEAM = "team"  # a team page: a lead's or member's (editable), or an instructor's (read-only)
    BOARD = "board"  # the instructor's workshop page
    SUMMARY = "summary"  # the instructor's results summary, or its projector view


@dataclass(frozen=True)
class Viewer:
    """Who a socket belongs to, and which page regions it shows."""

    user_id: int
    workshop_id: int
    role: str
    team_id: int | None
    viewing_team_id: int | None
    page: str = Page.TEAM

    @property
    def is_instructor(self) -> bool:
        return self.role == Participant.Role.INSTRUCTOR


def viewer_for(
    user, workshop_id: int, team_param: str | None, page_param: str | None = None
) -> Viewer | None:
    """The participation behind a socket, or None if the user may not watch this workshop.
    `team_param`, `page_param`: the socket's `?team=` and `?page=`, which only an instructor's
    pages send (a lead's or member's socket is always their own team page)."""
    if workshop_id >= 2**63:  # no row has it, and SQLite cannot even compare it
        return None
    participant = Participant.objects.filter(user=user, workshop_id=workshop_id).first()
    if participant is None:
        return None
    viewing = participant.team_id
    page = Page.TEAM
    if participant.role == Participant.Role.INSTRUCTOR:
        viewing = None
        if team_param:
            # An instructor watching a team page: only a team of this workshop.
            viewing = (
                Team.objects.filter(pk=team_param, workshop_id=workshop_id)
                .values_list("pk", flat=True)
                .first()
                if team_param.isascii() and team_param.isdigit()
                else None
            )
        if viewing is None:
            page = Page.SUMMARY if page_param == Page.SUMMARY else Page.BOARD
    return Viewer(
        user_id=user.pk,
        workshop_id=workshop_id,
        role=participant.role,
        team_id=participant.team_id,
        viewing_team_id=viewing,
        page=page,
    )


def snapshot(viewer: Viewer) -> str:
    """Every live region the viewer's page shows, as a reload would render it."""
    version = new_version()
    workshop = Workshop.objects.get(pk=viewer.workshop_id)
    parts = [status(workshop, version), stage(workshop, version)]
    if viewer.page == Page.BOARD:
        parts.append(spotlight(workshop, version))
        parts.append(board(workshop, version))
    elif viewer.page == Page.SUMMARY:
        parts.append(spotlight(workshop, version, full=True))
        parts.append(summary(workshop, version))
    elif viewer.viewing_team_id:
        can_edit = not viewer.is_instructor
        view = team_view(read_team(viewer.viewing_team_id), version=version)
        parts.append(team_regions(view.team, can_edit=can_edit, view=view))
        parts.append(analysis_progress(view.team, can_edit=can_edit, view=view))
        parts.append(pulse(workshop, version))
    return "".join(parts)
