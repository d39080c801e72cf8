"""Renders the live regions of the pages, with the same partial templates the pages use.

Every function returns HTML whose root elements carry the region's id, so htmx's WebSocket
extension swaps them in place, and `data-version`: the time the render began. A render begins
after its change committed and reads the database after that, so the copy with the highest
version includes every change committed before it; the browser keeps the highest.
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from accounts.models import User
from ai.selectors import progress_context, runs_for_team
from board import charts, reads, reports
from workshops import selectors
from workshops.live import presence
from workshops.models import Participant, Team, Workshop

TEAM_PAGE = "workshops/team_detail.html"
WORKSHOP_PAGE = "workshops/workshop_detail.html"
LIVE = "workshops/_live.html"

logger = logging.getLogger(__name__)


def new_version() -> int:
    return time.time_ns()


def _render(names: list[str], context: dict) -> str:
    return "".join(render_to_string(name, context) for name in names)


# --- A team's regions: one read per change, shared by every render of it ---------------------


class TeamView:
    """A team's live regions, read once (`version` stamped before the read) and rendered at
    most once per region and audience. Both audiences' pushes of one change use it, and so
    does the answer to the write that caused the change (`board.live.written_team_view`), and
    the team page's load.

    Rendered regions are kept in the cache, one copy per region and audience, with the team's
    and its workshop's revisions they were read at (`workshops.revisions`, bumped in the
    transaction of every change that alters them); a copy is taken only while those are still
    the team's. A page load after no change reads its regions from there instead of the
    database, and the push of a change renders what the next loads read. So `team` must be
    read with its workshop after the change it is to show (`read_team`): its revisions say
    which copy.

    The rendered regions do not depend on the request: a push has none. What does (the CSRF
    token of a page's forms without JavaScript) and the version stamp are marks in the cached
    copy, filled in for each use (`_fill`). The answers to htmx writes and pushes carry no CSRF
    field; htmx sends the token in a header (`hx-headers` on <body>), as it does for everything
    a push brings."""

    REGIONS = {
        "tasks": "tasks-region",
        "activity": "team-activity",
        "members": "team-members",
        # A stub that loads each viewer's own copy (their dots): board.priority_views.
        "priorities": "team-priorities",
    }

    def __init__(self, team: Team, *, version: int | None = None, cached: bool = True):
        self.version = version or new_version()
        self.team = team
        self.cached = cached  # False: `team` was read before a change it is to show
        # {(region, can edit): (HTML with marks, what the page needs of the read)}
        self._copies: dict[tuple[str, bool], tuple[str, dict] | None] = {}

    @cached_property
    def tasks(self) -> reads.TeamPage:
        """The team's tasks and analyses: read only when a region is not in the cache (or a
        caller needs the figures themselves)."""
        return reads.team_page(self.team)

    @cached_property
    def members(self) -> list[Participant]:
        return selectors.team_members(self.team)

    def can_edit(self, can_edit: bool) -> bool:
        return can_edit and not self.team.workshop.is_closed

    def _cache_key(self, name: str, can_edit: bool) -> str:
        return _team_key(self.team, "region", name, int(can_edit))

    def load(self, names: tuple[str, ...], *, can_edit: bool) -> None:
        """Fetch these regions' cached copies in one round trip (a page load's)."""
        can_edit = self.can_edit(can_edit)
        wanted = [name for name in names if (name, can_edit) not in self._copies]
        if not wanted or not self.cached or not _page_cache_on():
            return
        keys = {self._cache_key(name, can_edit): name for name in wanted}
        found = _cache_get_many(list(keys))
        for key, name in keys.items():
            self._copies[(name, can_edit)] = _current(found.get(key), self.team)

    def _copy(self, name: str, can_edit: bool) -> tuple[str, dict]:
        key = (name, can_edit)
        copy = self._copies.get(key)
        if copy is not None:
            return copy
        cached = self.cached and _page_cache_on()
        if cached and key not in self._copies:  # not asked yet (a miss of `load` is None)
            copy = _current(_cache_get(self._cache_key(name, can_edit)), self.team)
        if copy is None:
            if name == "tasks":
                attach_cards(self.tasks, can_edit=can_edit)
            elif name in ("members", "activity"):
                load_people(self.team)
            context = {
                "team": self.team,
                "workshop": self.team.workshop,
                "tasks": self.tasks if name == "tasks" else None,
                "members": self.members if name == "members" else (),
                "can_edit": can_edit,
                "version": VERSION_MARK,
                "csrf_token": CSRF_MARK,
            }
            html = render_to_string(f"{TEAM_PAGE}#{self.REGIONS[name]}", context)
            facts = {"task_count": self.tasks.task_count} if name == "tasks" else {}
            copy = (html, facts)
            if cached and _reads_are_committed():
                _cache_set(self._cache_key(name, can_edit), (_revisions(self.team), copy))
        self._copies[key] = copy
        return copy

    def region(self, name: str, *, can_edit: bool, csrf_token: str | None = None) -> str:
        """The region's HTML stamped with this view's version; its forms carry `csrf_token`
        (a page load's) or, pushed and in htmx answers, no CSRF field."""
        html, _facts = self._copy(name, self.can_edit(can_edit))
        return _fill(html, self.version, csrf_token)

    def runs(self) -> tuple:
        """The team's (active, last finished) analysis run: the task list's, if this view
        read it (a region not in the cache), else read now."""
        if "tasks" in self.__dict__:
            return self.tasks.runs
        return runs_for_team(self.team.pk)

    def marked(self, name: str, *, can_edit: bool) -> str:
        """The region's HTML with its version and CSRF marks, for a page kept with its marks
        (`team_page`)."""
        return self._copy(name, self.can_edit(can_edit))[0]

    def task_count(self, *, can_edit: bool) -> int:
        """How many tasks the tasks region shows (the page opens its add form when none)."""
        return self._copy("tasks", self.can_edit(can_edit))[1]["task_count"]


def team_fragment(
    team: Team, name: str, parts: tuple, build: Callable[[], str], *, csrf_token: str | None
) -> str:
    """Another fragment of a team's page, cached as its regions are (`TeamView`): `parts` is
    what else it depends on (the viewer, what they may do); `build` renders it with
    `csrf_token=CSRF_MARK` in its context. `team` must have been read after the last change
    the fragment is to show (not before the request's own write)."""
    if not _page_cache_on():
        return fill_marks(build(), csrf_token=csrf_token)
    key = _team_key(team, "fragment", name, *parts)
    html = _current(_cache_get(key), team)
    if html is None:
        html = build()
        if _reads_are_committed():
            _cache_set(key, (_revisions(team), html))
    return fill_marks(html, csrf_token=csrf_token)


def team_page(team: Team, parts: tuple, build: Callable[[], tuple[str, float | None]]) -> str:
    """The whole team page, with its marks, kept as its regions are (`TeamView`) per kind of
    viewer (`parts`: who they are, what they may do). `build` renders it with every
    per-request part a mark and returns it with the time (epoch seconds) after which it must
    not be shown (an invitation on it expires), or None. Fill it with `fill_page`."""
    if not _page_cache_on():
        return build()[0]
    key = _team_key(team, "page", *parts)
    kept = _current(_cache_get(key), team)
    if kept is not None and (kept[1] is None or time.time() < kept[1]):
        return kept[0]
    html, until = build()
    if _reads_are_committed():
        _cache_set(key, (_revisions(team), (html, until)))
    return html


def fill_page(html: str, *, version: int, csrf_token: str, nonce: str, live: dict[str, str]) -> str:
    """A `team_page` for one load: its live parts (`live`: mark → HTML rendered now, with the
    version and CSRF marks), a fresh submit key, the request's nonce, version and token."""
    for mark, part in live.items():
        html = html.replace(mark, part)
    html = html.replace(NONCE_MARK, nonce).replace(SUBMIT_MARK, uuid.uuid4().hex)
    return _fill(html, version, csrf_token)


def _team_key(team: Team, *parts) -> str:
    """A cache key of a part of the team's page: what rendered it, language and time zone. One
    key per part, so a team keeps one copy of each, whatever its changes: the copy carries the
    revisions it was read at (`_revisions`), and is taken only while they are current."""
    every = ("team-page", _RELEASE, team.pk, get_language(), _zone(), *parts)
    return ":".join(str(part) for part in every)


def _revisions(team: Team) -> tuple[int, int]:
    return team.revision, team.workshop.revision


def _current(kept, team: Team):
    """A kept (revisions, copy) pair's copy if its revisions are the team's now, else None."""
    if kept is None or kept[0] != _revisions(team):
        return None
    return kept[1]


# --- Marks in cached copies, filled in for each use ----------------------------------------------


def _mark(name: str) -> str:
    """A mark no one can type into a task: derived from the secret key (the same in every
    process, as the shared cache needs), and never served, so never seen."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:page-mark:{name}".encode()).hexdigest()
    return f"{name}-{digest[:20]}"


VERSION_MARK = _mark("version")
CSRF_MARK = _mark("csrf")
NOW_MARK = _mark("now")  # the time of each use, in seconds (the board's clock for stage.js)
# The team page's own (`team_page`): the request's CSP nonce, a fresh submit key for its add
# form, and the parts that change without a revision (rendered for each load).
NONCE_MARK = _mark("nonce")
SUBMIT_MARK = _mark("submit")
STAGE_MARK = _mark("stage")  # while a phase's countdown runs: it is relative to now
PULSE_MARK = _mark("pulse")  # the workshop's counts, kept under their own counter
PROGRESS_MARK = _mark("progress")  # the analysis panel: runs change no revision
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_MARK}">'


def _fill(html: str, version: int, csrf_token: str | None) -> str:
    # Reviewed: `html` is our template's output (escaped as it rendered); the version is an
    # integer and the token Django's (letters and digits). str.replace drops the SafeString mark.
    html = html.replace(VERSION_MARK, str(version)).replace(NOW_MARK, str(int(time.time())))
    if csrf_token is None:
        html = html.replace(_CSRF_INPUT, "")
    else:
        html = html.replace(CSRF_MARK, csrf_token)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def fill_marks(html: str, *, csrf_token: str | None) -> str:
    """A fragment rendered with `csrf_token=CSRF_MARK`, for one use (its forms carry
    `csrf_token`, or with None no CSRF field)."""
    return _fill(html, 0, csrf_token)


def _release() -> str:
    """What the cached copies were rendered by: a deploy of other templates or code must not
    read the copies of the one before it (the cache outlives processes)."""
    digest = hashlib.sha256()
    for root in ("templates", "board", "ai", "workshops", "workshop_site", "accounts"):
        for path in sorted((settings.BASE_DIR / root).rglob("*")):
            if path.suffix in (".html", ".py") and "tests" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    digest.update(f"{VERSION_MARK}{CSRF_MARK}{NOW_MARK}".encode())  # a new secret key: new marks
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"  # the static files' names
    if settings.STATIC_ROOT and manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]


_RELEASE = _release()


def _reads_are_committed() -> bool:
    """Whether what this thread reads now is committed: inside a transaction of ours, a copy
    could show what then rolls back, under a revision a later commit takes again. (A test's
    own transaction, which wraps everything it does, does not count.)"""
    blocks = transaction.get_connection().atomic_blocks
    return all(getattr(block, "_from_testcase", False) for block in blocks)


def _page_cache_on() -> bool:
    return bool(settings.PAGE_CACHE_SECONDS) and not settings.DEBUG


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: without it, read and render
        logger.warning("page cache unavailable; rendering", exc_info=True)
        return None


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("page cache unavailable; rendering", exc_info=True)
        return {}


def _cache_set(key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout=timeout or settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unavailable; not keeping a copy", exc_info=True)


# --- Task cards: each rendered once per content and audience, in each process --------------------

_cards: dict[tuple, str] = {}
_rows: dict[tuple, str] = {}
_KEPT_MAX = 20_000  # per store: renders of the same content, kept in each process


def _kept(store: dict[tuple, str], key: tuple, build: Callable[[], str]) -> str:
    """`build()`'s HTML, kept in this process under `key` (everything it shows)."""
    html = store.get(key)
    if html is None:
        html = build()
        if _reads_are_committed():  # an analysis that rolls back may leave its id to another
            if len(store) >= _KEPT_MAX:
                store.clear()
            store[key] = html
    return html


def attach_cards(page: reads.TeamPage, *, can_edit: bool) -> None:
    """Fill in each card's HTML (`card.html`, which the task list shows) from a cache of
    rendered cards: a team's list is rendered on every change of one of its tasks, and most of
    its cards are the same each time. Their forms carry the CSRF mark (`_fill`)."""
    if settings.DEBUG:  # templates may change under a running development server
        return
    how = (get_language(), _zone(), can_edit)
    for card in page.cards:
        context = {"card": card, "can_edit": can_edit, "csrf_token": CSRF_MARK}
        card.html = _kept(
            _cards,
            (how, card.content_key()),
            lambda context=context: render_to_string(f"{TEAM_PAGE}#task-card", context),
        )


def attach_rows(board: reads.Board, workshop: Workshop) -> None:
    """Fill in each team's row of the board (`line.html`) as `attach_cards` does for cards:
    the board is rendered again after every change of any team, and most of its rows are the
    same each time (a row of 300 was 0.3 ms to render)."""
    if settings.DEBUG:
        return
    how = (get_language(), _zone(), workshop.pk, workshop.is_closed, workshop.stall_minutes)
    for line in board.teams:
        context = {"line": line, "workshop": workshop, "now": NOW_MARK}
        line.html = _kept(
            _rows,
            (how, line.content_key()),
            lambda context=context: render_to_string(f"{WORKSHOP_PAGE}#board-row", context),
        )


def load_people(team: Team) -> None:
    """The people the team's regions name, the lead and who changed a task last, in one query
    if the team was read without them (`workshops.access` reads the team alone: most page
    loads take their regions from the cache and name no one)."""
    fields = [
        field
        for field in (Team.lead, Team.last_activity_by)
        if getattr(team, field.field.attname) is not None and not field.is_cached(team)
    ]
    if not fields:
        return
    people = User.objects.in_bulk({getattr(team, field.field.attname) for field in fields})
    for field in fields:
        person = people.get(getattr(team, field.field.attname))
        if person is not None:
            setattr(team, field.field.name, person)


def read_team(team_id: int) -> Team:
    """The team with what its regions show of it: workshop, lead, latest activity."""
    return Team.objects.select_related("workshop", "lead", "last_activity_by").get(pk=team_id)


def team_view(team: Team, *, version: int | None = None, cached: bool = True) -> TeamView:
    """Read a team's regions. Pass `version` stamped before `team` was read, when it was;
    `cached=False` when `team` was read before a change the regions are to show."""
    return TeamView(team, version=version, cached=cached)


def team_regions(
    team: Team,
    *,
    can_edit: bool,
    version: int | None = None,
    view: TeamView | None = None,
    names: Iterable[str] = TeamView.REGIONS,
) -> str:
    """A team's task list, latest activity, member line and priorities stub (or of those,
    `names`), for one audience."""
    view = view or team_view(read_team(team.pk), version=version or new_version())
    return "".join(view.region(name, can_edit=can_edit) for name in names)


# What a change of a task alters of its team's regions: not who is in the team.
TASK_REGIONS = ("tasks", "activity", "priorities")


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
    # The runs the task list was read with, if it was; else read alone (not every task).
    runs = view.tasks.runs if view and "tasks" in view.__dict__ else None
    context = progress_context(team, can_edit=can_edit and not team.workshop.is_closed, runs=runs)
    context["version"] = view.version if view else version or new_version()
    return render_to_string("ai/progress.html#progress", context)


COUNTED_CACHE_SECONDS = 60


def workshop_pulse(workshop_id: int) -> selectors.Pulse:
    """The workshop's counts: every lead's page shows them, and every task of every team
    changes them. Kept as `_counted` says, under a counter the sink bumps (`pulse_changed`)."""
    return _counted("pulse", workshop_id, (), lambda: selectors.workshop_pulse(workshop_id))


def pulse_marked(workshop: Workshop) -> str:
    """The counts' HTML with the version mark (a team page's load), kept as `workshop_pulse`
    is: under the counter the sink bumps."""

    def build() -> str:
        context = {
            "workshop": workshop,
            "pulse": selectors.workshop_pulse(workshop.pk),
            "version": VERSION_MARK,
        }
        return render_to_string(f"{LIVE}#workshop-pulse", context)

    return _counted("pulse", workshop.pk, ("html",), build)


def pulse_changed(workshop_id: int) -> None:
    """After a change of the workshop's counts committed (the live sink calls it)."""
    _bump_counter(f"pulse-number:{workshop_id}")


def pulse(workshop: Workshop, version: int | str | None = None) -> str:
    context = {
        "workshop": workshop,
        "pulse": workshop_pulse(workshop.pk),
        "version": version or new_version(),
    }
    return render_to_string(f"{LIVE}#workshop-pulse", context)


def status(workshop: Workshop, version: int | None = None) -> str:
    context = {"workshop": workshop, "version": version or new_version()}
    return render_to_string(f"{LIVE}#workshop-status", context)


def board(
    workshop: Workshop,
    version: int | None = None,
    online_user_ids: AbstractSet[int] | None = None,
    facts: list[reports.Fact] | None = None,
    csrf_token: str | None = None,
    number: int | None = None,
) -> str:
    """The instructor's board and the list of who is online. `facts`: as for `summary`, read
    after `number`, the board counter (`board_number`): the push then keeps what it renders
    for the next page loads. Without `facts`, cached under the counter and who is online.
    `csrf_token`: a page load's."""
    if online_user_ids is None:
        online_user_ids = presence.online_user_ids(workshop.pk)
    online = frozenset(online_user_ids)

    def build() -> str:
        board = reads.workshop_board(workshop, online, facts=facts)
        attach_rows(board, workshop)
        context = {
            "workshop": workshop,
            "board": board,
            "online": board.online,
            "version": VERSION_MARK,
            "csrf_token": CSRF_MARK,
            "now": NOW_MARK,  # filled with the time of each use: stage.js reads its clock from it
        }
        return _render([f"{WORKSHOP_PAGE}#board", f"{WORKSHOP_PAGE}#online"], context)

    who = hashlib.sha256(",".join(map(str, sorted(online))).encode()).hexdigest()[:16]
    if facts is not None and number is None:
        html = build()  # read before anyone knows which counter: not kept
    else:
        html = _counted("board", workshop.pk, (workshop.revision, who), build, number=number)
    return _fill(html, version or new_version(), csrf_token)


def board_number(workshop_id: int) -> int | None:
    """The board counter now: read it before reading what a board is rendered from."""
    if not (_page_cache_on() and _shared_cache()):
        return None
    return _cache_get(f"board-number:{workshop_id}") or 0


def board_changed(workshop_id: int) -> None:
    """After a change the board shows committed (the live sink calls it for every event that
    reaches the board): the next read renders it again."""
    _bump_counter(f"board-number:{workshop_id}")


def _counted(
    kind: str, workshop_id: int, parts: tuple, build: Callable[[], Any], number: int | None = None
) -> Any:
    """`build()`, kept with the number of the workshop's `kind` counter it was read at; read
    back (with the counter, in one round trip) while the counter still has that number. A read
    that began before a bump keeps the old number, which no later read accepts.

    The counter is in the shared cache: without one (the in-memory cache of a one-process
    development setup, which a worker's changes cannot reach), nothing is kept. A change no
    service made (the admin's) has no bump: such a copy lives `COUNTED_CACHE_SECONDS`.
    `number`: the counter as the caller read it before reading what `build` uses; the copy is
    then built and kept, not read."""
    if not (_page_cache_on() and _shared_cache()):
        return build()
    counter = f"{kind}-number:{workshop_id}"
    every = (kind, _RELEASE, workshop_id, *parts)
    latest = ":".join(str(each) for each in (*every, get_language(), _zone()))
    if number is None:
        found = _cache_get_many([counter, latest])
        number = found.get(counter) or 0
        kept = found.get(latest)
        if kept is not None and kept[0] == number:
            return kept[1]
    value = build()
    if _reads_are_committed():
        _cache_set(latest, (number, value), timeout=COUNTED_CACHE_SECONDS)
    return value


def _zone() -> str:
    return timezone.get_current_timezone_name()


def _bump_counter(counter: str) -> None:
    try:
        try:
            cache.incr(counter)
        except ValueError:  # the first change: a counter that never expires
            if not cache.add(counter, 1, timeout=None):
                cache.incr(counter)
    except Exception:
        logger.warning("page cache unavailable; %s not bumped", counter, exc_info=True)


def _shared_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"].startswith("django_redis")


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


def stage(workshop: Workshop, version: int | str | None = None) -> str:
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


def copy_shown(team: Team) -> str:
    """Which copy of the team's regions a page shows: its team's and workshop's revisions. A
    page sends it back (its socket's and its progress poll's `?shown=`) so that what it has
    already is not sent again; the task list of a 1,000-task team is most of a megabyte."""
    return f"{team.revision}.{team.workshop.revision}"


def snapshot(viewer: Viewer, shown: str | None = None) -> str:
    """Every live region the viewer's page shows, as a reload would render it; a team page's
    own regions only if they changed since the copy it says it shows (`shown`)."""
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
        if shown != copy_shown(view.team):
            parts.append(team_regions(view.team, can_edit=can_edit, view=view))
        parts.append(analysis_progress(view.team, can_edit=can_edit, view=view))
        parts.append(pulse(workshop, version))
    return "".join(parts)
