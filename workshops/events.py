"""Live events: what changed, announced once the change has committed.

Services in `workshops` and `ai` announce an event (`announce(TaskChanged(...))`) and never
render anything. Announcing waits for the current transaction to commit (nothing is announced
for a change that rolled back) and then hands the event to the sink: one function, installed
once at start-up by the presentation app (`board.live`), which works out who has a page open
that shows the change, renders each region once per audience and gives the HTML to the
publisher (`workshops.live.publisher`, transport only). The presentation app is installed, so
every process (web, worker, management commands) has the sink once Django is set up.

The groups below are the audiences a socket joins (`board.consumers`). A socket joins only the
groups of the regions its page has, so nothing is pushed to a page that cannot show it:

- `workshop_group`: every page of the workshop (its open/closed status);
- `team_pages_group`: every team page of the workshop, a lead's, a member's or an instructor's
  (workshop-wide counts, no team's details);
- `team_group`: the team's lead and members on its page (task details, editable while open);
- `team_watchers_group`: the workshop's instructors on that team's page (the same, read-only);
- `board_group`: instructors on the board (the board, who is online);
- `summary_group`: instructors on the results summary or its projector view;
- `user_group`: every socket of one person; `session_group`: the sockets of one sign-in.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)


def workshop_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}"


def team_pages_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}.team-pages"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def team_watchers_group(team_id: int) -> str:
    """The instructors who have this team's page open."""
    return f"team.{team_id}.instructors"


def board_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}.board"


def summary_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}.summary"


def user_group(user_id: int) -> str:
    """Every socket one person has open, on any device."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The sockets opened with one sign-in (one browser), not all of a user's devices."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"session.{digest}"


# --- Events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskChanged:
    """A task of the team was created, updated or deleted (`removed`)."""

    team_id: int
    workshop_id: int
    removed: bool = False


@dataclass(frozen=True)
class TeamChanged:
    """A team was created, or someone joined it (`members`: its member list changed)."""

    team_id: int
    members: bool = False


@dataclass(frozen=True)
class WorkshopStatusChanged:
    """Opened or closed: every open page turns editable or read-only without a reload."""

    workshop_id: int


@dataclass(frozen=True)
class FacilitationChanged:
    """The instructor moved the phase, started or stopped its timer, changed the notice, the
    targets or the projector's spotlight (workshops.facilitation). Every page shows the stage
    (phase, timer, notice); the flags say what else changed: `phase` (which opens or closes the
    teams' voting, and the board's 멈춤 markers), `targets` (the board's target and 멈춤
    markers), `spotlight` (the projector's team)."""

    workshop_id: int
    phase: bool = False
    targets: bool = False
    spotlight: bool = False


@dataclass(frozen=True)
class AnalysisChanged:
    """An analysis of the team's tasks was requested, progressed, finished or overridden."""

    team_id: int


@dataclass(frozen=True)
class WorkshopFiguresChanged:
    """Something only the workshop-wide figures show changed (an economy-mode batch)."""

    workshop_id: int


@dataclass(frozen=True)
class PresenceChanged:
    """Someone came online or went offline in the workshop."""

    workshop_id: int


@dataclass(frozen=True)
class SessionEnded:
    """A browser signed out: the sockets it opened close (other devices stay signed in)."""

    session_key: str


@dataclass(frozen=True)
class AccessChanged:
    """A person's place in a workshop ended or moved (removed, moved to another team, the team
    or workshop deleted): their sockets there check again whether they may stay."""

    user_id: int
    workshop_id: int


Event = (
    TaskChanged
    | TeamChanged
    | WorkshopStatusChanged
    | FacilitationChanged
    | AnalysisChanged
    | WorkshopFiguresChanged
    | PresenceChanged
    | SessionEnded
    | AccessChanged
)
Sink = Callable[[Event], None]


def _nowhere(event: Event) -> None:
    logger.debug("live: no sink installed, %r not delivered", event)


_sink: Sink = _nowhere


def install_sink(sink: Sink) -> Sink:
    """Make `sink` receive every event from now on; returns the one it replaces (tests put
    that back when they are done)."""
    global _sink
    previous, _sink = _sink, sink
    return previous


def announce(event: Event) -> None:
    """Deliver `event` to the sink once the current transaction commits, or at once outside
    one, after bumping the revision of what it changed (`workshops.revisions`: in the change's
    transaction, so cached pages never outlive it). Outside a transaction it never raises: it
    asks the database nothing but that bump (on_commit would open a connection to check
    autocommit, and a database blip would fail the caller)."""
    from workshops import revisions  # it reads models: not at import, before the registry

    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # What the event changed is cached no more: in the change's own transaction.
        revisions.bump_for_event(event)
        connection.on_commit(partial(_deliver, event))
    else:
        try:
            revisions.bump_for_event(event)
        except DatabaseError:
            logger.exception("live: no revision bump for %r", event)
        _deliver(event)


def _deliver(event: Event) -> None:
    """Events run after the change committed: a failed push must not turn a saved write into
    an error page (the user would save it twice), nor fail a worker's analysis. Log it; the
    next event or reconnect snapshot brings the browser up to date."""
    try:
        _sink(event)
    except Exception:
        logger.exception("live: delivering %r failed", event)
