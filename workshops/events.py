"""Live events: the only place that pushes to browsers.

Services call these functions through `transaction.on_commit`, so nothing is pushed for a
change that rolled back. Each function renders a fragment once per audience and sends the
HTML in the group message; consumers only forward it. Audiences:

- `team_group`: the team's lead and members (task details, editable while the workshop is open);
- `instructors_group`: the workshop's instructors (every team's details, read-only, and the board);
- `workshop_group`: everyone in the workshop (status and workshop-wide counts, no team details);
- `session_group`: the sockets of one sign-in (closed when that browser signs out).

A fragment is rendered only while a page that shows it has a socket open (`presence.audiences`,
one cache read per event): nobody could receive it otherwise, and a socket that connects later
gets a full snapshot, read after its presence entry was written. A team's regions are read once
per change (`render.TeamView`) for both audiences and shared with the answer to the write.
Analysis events are the exception: they render for both audiences always (rare, and from the
worker, whose tests capture them without sockets).

The workshop-wide figures change with every task of every team. The instructor's board is the
costliest render, so it is rendered at most once per window (`LIVE_BOARD_DEBOUNCE`) per
workshop, trailing, so the last change is always shown, and only while an instructor has the
board or the summary open. The pulse is cheap to render but goes to every socket in the
workshop: it is sent at once if none went out in the last `LIVE_PULSE_WINDOW`, else once at
the window's end. A window of 0 sends at once (the tests do).
"""

import functools
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from workshops.live import presence, publisher, render
from workshops.models import Team, Workshop

logger = logging.getLogger(__name__)


def workshop_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def instructors_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}.instructors"


def user_group(user_id: int) -> str:
    """Every socket one person has open, on any device."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The sockets opened with one sign-in (one browser), not all of a user's devices."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"session.{digest}"


# --- Capturing, for tests (after Zulip's tests: check the events an action sends) -------------

_captured: list[list[tuple[str, str]]] = []


@contextmanager
def capture() -> Iterator[list[tuple[str, str]]]:
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


def _never_raises(event: Callable[..., None]) -> Callable[..., None]:
    """Events run after the change committed: a failed push must not turn a saved write into
    an error page (the user would save it twice), nor fail a worker's analysis. Log it; the
    next event or reconnect snapshot brings the browser up to date."""

    @functools.wraps(event)
    def wrapped(**kwargs: Any) -> None:
        try:
            event(**kwargs)
        except Exception:
            logger.exception("live: %s%s failed", event.__name__, kwargs)

    return wrapped


def _push_team(team: Team, version: int, audiences: presence.Audiences) -> None:
    """A team's regions to its own pages (editable) and to instructors watching it, each only
    if such a page is open; one read for both, kept for the rest of the request."""
    editors = audiences.team_page(team.pk)
    watchers = audiences.instructor_on_team_page(team.pk)
    view = render.team_view(team, version=version) if editors or watchers else None
    render.share_team_view(view, team_id=team.pk)
    if editors:
        _publish(team_group(team.pk), "team", render.team_regions(team, can_edit=True, view=view))
    if watchers:
        html = render.team_regions(team, can_edit=False, view=view)
        _publish(instructors_group(team.workshop_id), "team", html)


@_never_raises
def task_changed(*, team_id: int, workshop_id: int) -> None:
    """A task of the team was created, updated or deleted."""
    render.share_team_view(None, team_id=team_id)  # whatever happens below, it is out of date
    version = render.new_version()  # before any read, as on every render
    audiences = presence.audiences(workshop_id)
    if not audiences.anyone:
        return  # no page could show it: one opened later reads everything in its snapshot
    team = render.read_team(team_id)
    # The pulse goes to every socket in the workshop: send it first, it is the widest fan-out.
    _pulse_changed(team.workshop, version, audiences)
    _push_team(team, version, audiences)
    _board_changed(team.workshop_id, audiences)


@_never_raises
def analysis_changed(*, team_id: int) -> None:
    """An analysis of the team's tasks was requested, progressed, finished or overridden."""
    render.share_team_view(None, team_id=team_id)
    version = render.new_version()
    team = render.read_team(team_id)
    view = render.team_view(team, version=version)
    render.share_team_view(view, team_id=team.pk)
    for group, can_edit in (
        (team_group(team.pk), True),
        (instructors_group(team.workshop_id), False),
    ):
        html = render.team_regions(team, can_edit=can_edit, view=view)
        html += render.analysis_progress(team, can_edit=can_edit, view=view)
        _publish(group, "analysis", html)
    board_changed(workshop_id=team.workshop_id)


@_never_raises
def team_created(*, team_id: int) -> None:
    version = render.new_version()
    team = Team.objects.select_related("workshop").get(pk=team_id)
    audiences = presence.audiences(team.workshop_id)
    _pulse_changed(team.workshop, version, audiences)
    _board_changed(team.workshop_id, audiences)


@_never_raises
def participant_joined(*, team_id: int) -> None:
    render.share_team_view(None, team_id=team_id)
    version = render.new_version()
    team = render.read_team(team_id)
    audiences = presence.audiences(team.workshop_id)
    if audiences.team_page(team.pk):
        view = render.team_view(team, version=version)
        _publish(team_group(team.pk), "team", render.team_regions(team, can_edit=True, view=view))
    _board_changed(team.workshop_id, audiences)


@_never_raises
def workshop_status_changed(*, workshop_id: int) -> None:
    """Opened or closed: every open page turns editable or read-only without a reload."""
    version = render.new_version()
    workshop = Workshop.objects.get(pk=workshop_id)
    audiences = presence.audiences(workshop_id)
    if audiences.anyone:
        _publish(workshop_group(workshop.pk), "status", render.status(workshop, version))
    for team in Team.objects.filter(workshop=workshop).select_related(
        "workshop", "lead", "last_activity_by"
    ):
        if not audiences.team_page(team.pk):
            continue
        view = render.team_view(team, version=version)
        html = render.team_regions(team, can_edit=True, view=view)
        html += render.analysis_progress(team, can_edit=True, view=view)
        _publish(team_group(team.pk), "team", html + render.add_form_notice(team))
    _board_changed(workshop.pk, audiences)


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
def access_changed(*, user_id: int, workshop_id: int) -> None:
    """A person's place in a workshop ended or moved (removed, moved to another team, the
    team or workshop deleted): their sockets there check again, and close (4403) if the page
    they show is no longer theirs to see."""
    group = user_group(user_id)
    for events in _captured:
        events.append((group, "access_changed"))
    publisher.send_control(group, {"type": "access.changed", "workshop_id": workshop_id})


# --- Workshop-wide figures: the pulse and the board, at most once per window -------------------


def _board_window() -> float:
    return settings.LIVE_BOARD_DEBOUNCE


def _pulse_window() -> float:
    return settings.LIVE_PULSE_WINDOW


def _pulse_changed(workshop: Workshop, version: int, audiences: presence.Audiences) -> None:
    """The pulse is one message to every socket in the workshop, and with every lead typing
    it changes many times a second: send it at once if none went out in the last window, else
    once at the window's end (reading every change made meanwhile). So it costs at most about
    one fan-out per window, and is never more than a window behind."""
    if not audiences.any_team_page:
        return
    window = _pulse_window()
    if not window or cache.add(f"live:pulse-sent:{workshop.pk}", 1, timeout=window):
        _publish(workshop_group(workshop.pk), "pulse", render.pulse(workshop, version))
        return
    pending = f"live:pulse-pending:{workshop.pk}"
    if not cache.add(pending, 1, timeout=max(10, int(window * 4))):
        return  # a pulse is already due and will read this change
    if not publisher.call_later(window, lambda: _send_pulse_later(workshop.pk)):
        cache.delete(pending)


def _send_pulse_later(workshop_id: int) -> None:
    """Runs in a worker thread of the publishing loop, outside any request."""
    try:
        cache.delete(f"live:pulse-pending:{workshop_id}")  # before reading, as the board
        cache.set(f"live:pulse-sent:{workshop_id}", 1, timeout=_pulse_window())
        version = render.new_version()
        workshop = Workshop.objects.filter(pk=workshop_id).first()
        if workshop is not None and presence.audiences(workshop_id).any_team_page:
            _publish(workshop_group(workshop_id), "pulse", render.pulse(workshop, version))
    except Exception:
        logger.exception("live: pulse failed for workshop %s", workshop_id)
    finally:
        connections.close_all()


@_never_raises
def board_changed(*, workshop_id: int) -> None:
    _board_changed(workshop_id, presence.audiences(workshop_id))


def _board_changed(workshop_id: int, audiences: presence.Audiences) -> None:
    if not audiences.instructor_on_board:
        return  # an instructor who opens the board later gets it in their snapshot
    window = _board_window()
    if not window:
        _publish_board(workshop_id, audiences)
        return
    pending = f"live:board-pending:{workshop_id}"
    if not cache.add(pending, 1, timeout=max(10, int(window * 4))):
        return  # a render is already due and will read this change
    if not publisher.call_later(window, lambda: _send_board_later(workshop_id)):
        cache.delete(pending)


def _publish_board(workshop_id: int, audiences: presence.Audiences) -> None:
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is not None:
        # The board and the results summary: whichever page an instructor has open.
        version = render.new_version()
        html = render.board(workshop, version, online_user_ids=set(audiences.user_ids))
        html += render.summary(workshop, version)
        _publish(instructors_group(workshop_id), "board", html)


def _send_board_later(workshop_id: int) -> None:
    """Runs in a worker thread of the publishing loop, outside any request."""
    try:
        # Clear the flag before reading: a change committed after this point schedules
        # another render instead of being missed by this one.
        cache.delete(f"live:board-pending:{workshop_id}")
        audiences = presence.audiences(workshop_id)
        if audiences.instructor_on_board:  # still: the last one may have left meanwhile
            _publish_board(workshop_id, audiences)
    except Exception:
        logger.exception("live: board render failed for workshop %s", workshop_id)
    finally:
        connections.close_all()
