"""The live sink: turns each announced event (`workshops.events`) into pushed HTML.

For each event it asks `presence` which audiences have a page open that shows the change
(one cache read), reads what those pages show once (`render.TeamView`), renders each region
once per audience and hands the HTML to the publisher, which only transports it. A fragment
nobody could receive is not rendered: a socket that connects later gets a full snapshot, read
after its presence entry was written. Analysis events are the exception: they render for both
audiences always (rare, and from the worker, whose tests capture them without sockets).

The workshop-wide figures change with every task of every team. The instructor's board is the
costliest render, so it is rendered at most once per window per workshop (`board_window`:
`LIVE_BOARD_DEBOUNCE`, longer for a large board so that its renders take at most a tenth of a
core), trailing, so the last change is always shown, and only while an instructor has the
board or the summary open. The pulse is cheap to render but goes to every socket in the
workshop: it is sent at once if none went out in the last `LIVE_PULSE_WINDOW`, else once at
the window's end. A window of 0 sends at once (the tests do).

The team a request's write changed, as its event read it after the commit, is kept for the
rest of that request (`written_team_view`), so the write's htmx answer is the same HTML as its
push without reading everything again.
"""

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import singledispatchmethod

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from board import render, reports
from board.render import TeamView
from workshop_site.observability import current_request_id
from workshops import events, priorities
from workshops.events import (
    AccessChanged,
    AnalysisChanged,
    FacilitationChanged,
    PresenceChanged,
    SessionEnded,
    TaskChanged,
    TeamChanged,
    WorkshopFiguresChanged,
    WorkshopStatusChanged,
)
from workshops.live import presence, publisher
from workshops.models import Team, Workshop

logger = logging.getLogger(__name__)


# --- What this request's events read, for the request's own answer ------------------------------

# {team id: TeamView}, tagged with the request id so nothing read for one request is ever shown
# in answer to another. Private to this app: the views below the sink read it, nothing else.
_written: ContextVar[tuple[str, dict[int, TeamView]]] = ContextVar(
    "live_written_team_views", default=("", {})
)


def _remember(view: TeamView | None, *, team_id: int) -> None:
    """Keep `view` (or, with None, nothing: forget an older one) for the rest of this request.
    The sink calls it for every team change, so what is kept is never older than the request's
    last write. Outside a request (worker, timer thread) it does nothing."""
    request_id = current_request_id(default="")
    if not request_id:
        return
    owner, views = _written.get()
    views = {**views} if owner == request_id else {}  # a new dict: contexts may share the old
    if view is None:
        views.pop(team_id, None)
    else:
        views[team_id] = view
    _written.set((request_id, views))


def written_team_view(team: Team) -> TeamView:
    """The team after this request's write: as the write's event read (and rendered) it after
    the commit, if it did (someone had the page open), else read now."""
    owner, views = _written.get()
    kept = views.get(team.pk) if owner and owner == current_request_id(default="") else None
    # Not from the cache: the caller read `team` before the write, and its revision names the
    # copy from before it (render.TeamView).
    return kept or render.team_view(team, cached=False)


# --- The sink ---------------------------------------------------------------------------------


def pulse_window(audiences: presence.Audiences) -> float:
    """How far apart the workshop's pulses go out: `LIVE_PULSE_WINDOW`, or for a large room
    long enough that they cost at most `LIVE_PULSE_FRAMES` socket messages a second (each
    pulse is one per open team page), never beyond PULSE_WINDOW_MAX. 0: one per change."""
    window = settings.LIVE_PULSE_WINDOW
    if not window or not settings.LIVE_PULSE_FRAMES:
        return window
    return min(
        max(window, audiences.team_page_sockets / settings.LIVE_PULSE_FRAMES), PULSE_WINDOW_MAX
    )


PULSE_WINDOW_MAX = 5.0  # seconds: the workshop's counts are never further behind than this


def _pulse_keys(workshop_id: int) -> tuple[str, str]:
    """(when the last pulse went out, a pulse is due): shared by every process."""
    return f"live:pulse-sent:{workshop_id}", f"live:pulse-pending:{workshop_id}"


# At most this share of a core goes to re-rendering one workshop's board: a render that took
# 0.15 s (300 teams) is followed by at least 1.5 s without one. It holds the process's
# interpreter while it runs, so every other request of the process waits that long.
BOARD_SHARE = 0.1
BOARD_WINDOW_MAX = 5.0  # seconds: the board is never further behind than this
_board_seconds: dict[int, float] = {}  # the last render's time per workshop, in this process


def board_window(workshop_id: int) -> float:
    """How long the board waits after a change before it is rendered (trailing): at least
    `LIVE_BOARD_DEBOUNCE`, longer for a board whose render is costly (`BOARD_SHARE`)."""
    costly = _board_seconds.get(workshop_id, 0.0) / BOARD_SHARE
    return min(max(settings.LIVE_BOARD_DEBOUNCE, costly), BOARD_WINDOW_MAX)


def _later(delay: float, callback: Callable[[], None]) -> None:
    """Run `callback` in its own thread after `delay` seconds (a trailing debounce: at most one
    is pending per workshop and kind, see the cache flags below)."""
    timer = threading.Timer(delay, callback)
    timer.daemon = True
    timer.start()


class LiveSink:
    """Installed as the events' sink by `board.apps`. `publish` and `control` are the only
    ways out, so a test can record what a change sends by installing a subclass."""

    def __call__(self, event: events.Event) -> None:
        self.handle(event)

    def publish(self, group: str, kind: str, html: str) -> None:
        publisher.send(group, html)

    def control(self, group: str, kind: str, message: dict) -> None:
        publisher.send_control(group, message)

    @singledispatchmethod
    def handle(self, event: object) -> None:
        raise TypeError(f"no live handling for {event!r}")

    @handle.register
    def _(self, event: TaskChanged) -> None:
        _remember(None, team_id=event.team_id)  # whatever happens below, it is out of date
        render.pulse_changed(event.workshop_id)  # before any read, and if nobody is online
        render.board_changed(event.workshop_id)
        version = render.new_version()  # before any read, as on every render
        audiences = presence.audiences(event.workshop_id)
        if not audiences.anyone:
            return  # no page could show it: one opened later reads everything in its snapshot
        team = render.read_team(event.team_id)
        # The pulse goes to every socket in the workshop: first, it is the widest fan-out.
        self._pulse_changed(team.workshop, version, audiences)
        open_pages = audiences.team_page(team.pk) or audiences.instructor_on_team_page(team.pk)
        names = self._task_regions(team, event) if open_pages else render.TASK_REGIONS
        self._push_team(team, version, audiences, names=names)
        self._board_changed(team.workshop_id, audiences, bumped=True)

    @handle.register
    def _(self, event: AnalysisChanged) -> None:
        _remember(None, team_id=event.team_id)
        version = render.new_version()
        team = render.read_team(event.team_id)
        view = render.team_view(team, version=version)
        _remember(view, team_id=team.pk)
        for group, can_edit in (
            (events.team_group(team.pk), True),
            (events.team_watchers_group(team.pk), False),
        ):
            html = render.team_regions(team, can_edit=can_edit, view=view)
            html += render.analysis_progress(team, can_edit=can_edit, view=view)
            self.publish(group, "analysis", html)
        self._board_changed(team.workshop_id, presence.audiences(team.workshop_id))

    @handle.register
    def _(self, event: TeamChanged) -> None:
        if event.members:
            _remember(None, team_id=event.team_id)
        version = render.new_version()
        team = render.read_team(event.team_id)
        audiences = presence.audiences(team.workshop_id)
        if not event.members:  # a new team: one more in the workshop's counts
            render.pulse_changed(team.workshop_id)
            self._pulse_changed(team.workshop, version, audiences)
        elif audiences.team_page(team.pk):
            view = render.team_view(team, version=version)
            _remember(view, team_id=team.pk)  # the write's answer is the same HTML
            html = render.team_regions(team, can_edit=True, view=view)
            self.publish(events.team_group(team.pk), "team", html)
        self._board_changed(team.workshop_id, audiences)

    @handle.register
    def _(self, event: WorkshopStatusChanged) -> None:
        version = render.new_version()
        workshop = Workshop.objects.get(pk=event.workshop_id)
        audiences = presence.audiences(workshop.pk)
        if audiences.anyone:
            html = render.status(workshop, version) + render.stage(workshop, version)
            self.publish(events.workshop_group(workshop.pk), "status", html)
        for team in Team.objects.filter(workshop=workshop).select_related(
            "workshop", "lead", "last_activity_by"
        ):
            if not audiences.team_page(team.pk):
                continue
            # Read-only now (or editable again): the page locks (or unlocks) its other write
            # controls itself on the status push, keeping whatever someone was typing.
            view = render.team_view(team, version=version)
            html = render.team_regions(team, can_edit=True, view=view)
            html += render.analysis_progress(team, can_edit=True, view=view)
            self.publish(events.team_group(team.pk), "team", html)
        self._board_changed(workshop.pk, audiences)

    @handle.register
    def _(self, event: FacilitationChanged) -> None:
        """The stage to every page of the workshop; what else changed (see the event) only to
        the pages that show it: a notice or a timer renders nothing but the stage."""
        if event.phase or event.targets:  # the board's targets and 멈춤 markers, open or not
            render.board_changed(event.workshop_id)
        version = render.new_version()
        workshop = Workshop.objects.filter(pk=event.workshop_id).first()
        audiences = presence.audiences(event.workshop_id)
        if workshop is None or not audiences.anyone:
            return
        self.publish(events.workshop_group(workshop.pk), "stage", render.stage(workshop, version))
        if event.phase:  # voting opened or closed: each open team page reloads its priorities
            for team in Team.objects.filter(workshop=workshop).only("pk", "workshop_id"):
                if audiences.team_page(team.pk):
                    html = render.priorities_stub(team, version)
                    self.publish(events.team_group(team.pk), "priorities", html)
        if event.spotlight:
            self._push_spotlight(workshop, version, audiences)
        if event.phase or event.targets:  # the board's targets and 멈춤 markers
            self._board_changed(workshop.pk, audiences, bumped=True)

    def _push_spotlight(
        self, workshop: Workshop, version: int, audiences: presence.Audiences
    ) -> None:
        """The spotlight is on the board (one line) and on the summary and its projector view
        (the team in full): each rendered only if such a page is open."""
        if audiences.instructor_on_board:
            html = render.spotlight(workshop, version)
            self.publish(events.board_group(workshop.pk), "spotlight", html)
        if audiences.instructor_on_summary:
            html = render.spotlight(workshop, version, full=True)
            self.publish(events.summary_group(workshop.pk), "spotlight", html)

    @handle.register
    def _(self, event: WorkshopFiguresChanged) -> None:
        render.pulse_changed(event.workshop_id)  # a team may have gone with its tasks
        self._board_changed(event.workshop_id, presence.audiences(event.workshop_id))

    @handle.register
    def _(self, event: PresenceChanged) -> None:
        # Only the instructors' board shows who is online.
        self._board_changed(event.workshop_id, presence.audiences(event.workshop_id))

    @handle.register
    def _(self, event: SessionEnded) -> None:
        group = events.session_group(event.session_key)
        self.control(group, "session_ended", {"type": "session.ended"})

    @handle.register
    def _(self, event: AccessChanged) -> None:
        message = {"type": "access.changed", "workshop_id": event.workshop_id}
        self.control(events.user_group(event.user_id), "access_changed", message)

    # --- A team's regions ------------------------------------------------------------------------

    @staticmethod
    def _task_regions(team: Team, event: TaskChanged) -> tuple[str, ...]:
        """What a task's change alters of its team's page. The priorities' stub makes every
        open page of the team load its own copy again: not while they only say when voting
        opens (a change of a task does not alter that), unless the change removed a task
        (its votes, maybe the last, went with it)."""
        if not event.removed and priorities.waiting(team):
            return tuple(name for name in render.TASK_REGIONS if name != "priorities")
        return render.TASK_REGIONS

    def _push_team(
        self,
        team: Team,
        version: int,
        audiences: presence.Audiences,
        names: tuple[str, ...] = tuple(render.TeamView.REGIONS),
    ) -> None:
        """A team's regions (`names`) to its own pages (editable) and to instructors watching
        it, each only if such a page is open; one read for both, kept for the rest of the
        request."""
        editors = audiences.team_page(team.pk)
        watchers = audiences.instructor_on_team_page(team.pk)
        view = render.team_view(team, version=version) if editors or watchers else None
        _remember(view, team_id=team.pk)
        if view is None:
            return
        if editors:
            html = render.team_regions(team, can_edit=True, view=view, names=names)
            self.publish(events.team_group(team.pk), "team", html)
        if watchers:
            html = render.team_regions(team, can_edit=False, view=view, names=names)
            self.publish(events.team_watchers_group(team.pk), "team", html)

    # --- Workshop-wide figures: the pulse and the board, at most once per window --------------

    def _pulse_changed(
        self, workshop: Workshop, version: int, audiences: presence.Audiences
    ) -> None:
        """The pulse is one message to every team page of the workshop, and with every lead
        typing it changes many times a second: send it at once if none went out in the last
        window (`pulse_window`), else once at that window's end, reading every change made
        meanwhile. So pulses go out at least a window apart, and are never more than a window
        behind."""
        if not audiences.any_team_page:
            return
        window = pulse_window(audiences)
        if not window:
            html = render.pulse(workshop, version)
            self.publish(events.team_pages_group(workshop.pk), "pulse", html)
            return
        sent_key, pending_key = _pulse_keys(workshop.pk)
        if cache.get(pending_key):
            return  # a pulse is due at the window's end and will read this change
        now = time.time()
        if cache.add(sent_key, now, timeout=window):
            html = render.pulse(workshop, version)
            self.publish(events.team_pages_group(workshop.pk), "pulse", html)
            return
        if cache.add(pending_key, 1, timeout=max(10, int(window * 4))):
            sent_at = cache.get(sent_key)
            wait = window if sent_at is None else max(0.0, float(sent_at) + window - now)
            _later(wait, lambda: self._send_pulse_later(workshop.pk))
        # else another process scheduled it meanwhile

    def _send_pulse_later(self, workshop_id: int) -> None:
        """Runs in a timer thread, outside any request."""
        try:
            sent_key, pending_key = _pulse_keys(workshop_id)
            audiences = presence.audiences(workshop_id)
            # Before reading, as the board: a change from now on finds no pulse due.
            cache.set(sent_key, time.time(), timeout=pulse_window(audiences) or 0.001)
            cache.delete(pending_key)
            version = render.new_version()
            workshop = Workshop.objects.filter(pk=workshop_id).first()
            if workshop is not None and audiences.any_team_page:
                html = render.pulse(workshop, version)
                self.publish(events.team_pages_group(workshop_id), "pulse", html)
        except Exception:
            logger.exception("live: pulse failed for workshop %s", workshop_id)
        finally:
            connections.close_all()

    def _board_changed(
        self, workshop_id: int, audiences: presence.Audiences, *, bumped: bool = False
    ) -> None:
        """`bumped`: the handler bumped the board counter already (before an early return)."""
        if not bumped:
            render.board_changed(workshop_id)  # the cached board is out of date, open or not
        if not (audiences.instructor_on_board or audiences.instructor_on_summary):
            return  # an instructor who opens the board later gets it in their snapshot
        if not settings.LIVE_BOARD_DEBOUNCE:
            self._publish_board(workshop_id, audiences)
            return
        window = board_window(workshop_id)
        if cache.add(f"live:board-pending:{workshop_id}", 1, timeout=max(10, int(window * 4))):
            _later(window, lambda: self._send_board_later(workshop_id))
        # else a render is already due and will read this change

    def _publish_board(self, workshop_id: int, audiences: presence.Audiences) -> None:
        started = time.perf_counter()
        workshop = Workshop.objects.filter(pk=workshop_id).first()
        if workshop is not None:
            # The board and the results summary, each to the instructors who have it open.
            version = render.new_version()
            number = render.board_number(workshop_id)  # before the facts the board shows
            facts = reports.workshop_facts(workshop)  # one read for both
            if audiences.instructor_on_board:
                online = set(audiences.user_ids)
                html = render.board(
                    workshop, version, online_user_ids=online, facts=facts, number=number
                )
                self.publish(events.board_group(workshop_id), "board", html)
            if audiences.instructor_on_summary:
                html = render.summary(workshop, version, facts=facts)
                self.publish(events.summary_group(workshop_id), "summary", html)
            _board_seconds[workshop_id] = time.perf_counter() - started

    def _send_board_later(self, workshop_id: int) -> None:
        """Runs in a timer thread, outside any request."""
        try:
            # Clear the flag before reading: a change committed after this point schedules
            # another render instead of being missed by this one.
            cache.delete(f"live:board-pending:{workshop_id}")
            audiences = presence.audiences(workshop_id)
            # Still: the last one may have left meanwhile.
            if audiences.instructor_on_board or audiences.instructor_on_summary:
                self._publish_board(workshop_id, audiences)
        except Exception:
            logger.exception("live: board render failed for workshop %s", workshop_id)
        finally:
            connections.close_all()
