"""Live events: the only place that pushes to browsers.

Services call these functions through `transaction.on_commit`, so nothing is pushed for a
change that rolled back. Each function renders a fragment once per audience and sends the
HTML in the group message; consumers only forward it. Audiences:

- `team_group`: the team's lead and members (task details, editable while the workshop is open);
- `instructors_group`: the workshop's instructors (every team's details, read-only, and the board);
- `workshop_group`: everyone in the workshop (status and workshop-wide counts, no team details);
- `session_group`: the sockets of one sign-in (closed when that browser signs out).

The instructor's board is the costliest render and changes with every task and every
connection, so it is rendered at most once per `BOARD_WINDOW` per workshop (trailing, so the
last change is always shown). `LIVE_BOARD_DEBOUNCE = 0` renders it at once (the tests do).
"""

import functools
import hashlib
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from workshops.live import publisher, render
from workshops.models import Team, Workshop

logger = logging.getLogger(__name__)


def workshop_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def instructors_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}.instructors"


def session_group(session_key: str) -> str:
    """The sockets opened with one sign-in (one browser), not all of a user's devices."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"session.{digest}"


# --- Capturing, for tests (after Zulip's tests: check the events an action sends) -------------

_captured: list[list[tuple[str, str]]] = []


@contextmanager
def capture():
    """Collect (group, kind) for every event published inside the block."""
    events: list[tuple[str, str]] = []
    _captured.append(events)
    try:
        yield events
    finally:
        _captured.remove(events)


def _publish(group: str, kind: str, html: str) -> None:
    for events in _captured:
        events.append((group, kind))
    publisher.send(group, html)


# --- Events ----------------------------------------------------------------------------------


def _never_raises(event):
    """Events run after the change committed: a failed push must not turn a saved write into
    an error page (the user would save it twice), nor fail a worker's analysis. Log it; the
    next event or reconnect snapshot brings the browser up to date."""

    @functools.wraps(event)
    def wrapped(**kwargs):
        try:
            event(**kwargs)
        except Exception:
            logger.exception("live: %s%s failed", event.__name__, kwargs)

    return wrapped


@_never_raises
def task_changed(*, team_id: int) -> None:
    """A task of the team was created, updated or deleted."""
    team = Team.objects.select_related("workshop").get(pk=team_id)
    version = render.new_version()
    # The pulse goes to every socket in the workshop: send it first, it is the widest fan-out.
    _publish(workshop_group(team.workshop_id), "pulse", render.pulse(team.workshop, version))
    _publish(team_group(team.pk), "team", render.team_regions(team, can_edit=True, version=version))
    _publish(
        instructors_group(team.workshop_id),
        "team",
        render.team_regions(team, can_edit=False, version=version),
    )
    board_changed(workshop_id=team.workshop_id)


@_never_raises
def analysis_changed(*, team_id: int) -> None:
    """An analysis of the team's tasks was requested, progressed, finished or overridden."""
    team = Team.objects.select_related("workshop").get(pk=team_id)
    version = render.new_version()
    for group, can_edit in (
        (team_group(team.pk), True),
        (instructors_group(team.workshop_id), False),
    ):
        html = render.team_regions(team, can_edit=can_edit, version=version)
        html += render.analysis_progress(team, can_edit=can_edit, version=version)
        _publish(group, "analysis", html)
    board_changed(workshop_id=team.workshop_id)


@_never_raises
def team_created(*, team_id: int) -> None:
    team = Team.objects.select_related("workshop").get(pk=team_id)
    _publish(workshop_group(team.workshop_id), "pulse", render.pulse(team.workshop))
    board_changed(workshop_id=team.workshop_id)


@_never_raises
def participant_joined(*, team_id: int) -> None:
    team = Team.objects.select_related("workshop").get(pk=team_id)
    version = render.new_version()
    _publish(team_group(team.pk), "team", render.team_regions(team, can_edit=True, version=version))
    board_changed(workshop_id=team.workshop_id)


@_never_raises
def workshop_status_changed(*, workshop_id: int) -> None:
    """Opened or closed: every open page turns editable or read-only without a reload."""
    workshop = Workshop.objects.get(pk=workshop_id)
    version = render.new_version()
    _publish(workshop_group(workshop.pk), "status", render.status(workshop, version))
    for team in Team.objects.filter(workshop=workshop).select_related("workshop"):
        html = render.team_regions(team, can_edit=True, version=version)
        html += render.analysis_progress(team, can_edit=True, version=version)
        _publish(team_group(team.pk), "team", html + render.add_form_notice(team))
    board_changed(workshop_id=workshop.pk)


@_never_raises
def presence_changed(*, workshop_id: int) -> None:
    """Someone came online or went offline: only the instructors' board shows it."""
    board_changed(workshop_id=workshop_id)


@_never_raises
def session_ended(*, session_key: str) -> None:
    """A browser signed out: close the sockets it opened (other devices stay signed in)."""
    group = session_group(session_key)
    for events in _captured:
        events.append((group, "session_ended"))
    publisher.send_control(group, {"type": "session.ended"})


@_never_raises
def board_changed(*, workshop_id: int) -> None:
    window = settings.LIVE_BOARD_DEBOUNCE
    if not window:
        _publish_board(workshop_id)
        return
    pending = f"live:board-pending:{workshop_id}"
    if not cache.add(pending, 1, timeout=max(10, int(window * 4))):
        return  # a render is already due and will read this change
    if not publisher.call_later(window, lambda: _send_board_later(workshop_id)):
        cache.delete(pending)


def _publish_board(workshop_id: int) -> None:
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is not None:
        # The board and the results summary: whichever page an instructor has open.
        html = render.board(workshop) + render.summary(workshop)
        _publish(instructors_group(workshop_id), "board", html)


def _send_board_later(workshop_id: int) -> None:
    """Runs in a worker thread of the publishing loop, outside any request."""
    try:
        # Clear the flag before reading: a change committed after this point schedules
        # another render instead of being missed by this one.
        cache.delete(f"live:board-pending:{workshop_id}")
        _publish_board(workshop_id)
    except Exception:
        logger.exception("live: board render failed for workshop %s", workshop_id)
    finally:
        connections.close_all()
