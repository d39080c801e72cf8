"""Who is connected to a workshop right now, across tabs and processes, and to which page.

Each open socket is one entry `<user_id>:<connection_id>` with an expiry time, refreshed by the
consumer's heartbeat. A user is online while any entry of theirs is unexpired, so several tabs
count once, and a process that crashes leaves nothing behind for longer than the TTL.

A connection id starts with the socket's audience (`connection_id(...)`): which live regions
its page shows. `audiences()` reads them all in one cache read, so an event can skip rendering
a fragment nobody could receive. That loses nothing: a socket that connects later gets a full
snapshot, read after its entry was written. An entry without an audience (an older process
during a deploy) counts as every audience.

With django-redis the entries live in a Redis sorted set per workshop (score = expiry), shared
by every web process. With the local-memory cache (embedded default, one process) they live in
a dict in this process.
"""

import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

TTL_SECONDS = 90
HEARTBEAT_SECONDS = 30


def _key(workshop_id: int) -> str:
    return f"presence:workshop:{workshop_id}"


def _member(user_id: int, connection_id: str) -> str:
    return f"{user_id}:{connection_id}"


def _users(members) -> set[int]:
    return set(Audiences.of(members).user_ids)


# --- Audiences: what the page behind a socket shows ------------------------------------------

# A socket's page, as the prefix of its connection id: "t" + team id for a lead's or member's
# team page; "i" alone for an instructor's board; "i" + team id for an instructor watching
# that team's page (read-only); "s" for an instructor's results summary (or its projector view).
TEAM = "t"
INSTRUCTOR = "i"
SUMMARY = "s"


def connection_id(*, instructor: bool, team_id: int | None, summary: bool = False) -> str:
    """A new socket's id, led by its page: `t12-…`, `i-…`, `i12-…` or `s-…`."""
    if summary:
        return f"{SUMMARY}-{uuid.uuid4().hex}"
    prefix = INSTRUCTOR if instructor else TEAM
    return f"{prefix}{team_id or ''}-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Audiences:
    """Who is online in a workshop and which pages they have open, from one presence read."""

    user_ids: frozenset[int] = frozenset()
    pages: frozenset[str] = frozenset()
    untagged: bool = False  # some entry says nothing of its page: assume every page
    team_page_sockets: int = 0  # how many sockets of team pages are open (the pulse's fan-out)

    @classmethod
    def of(cls, members) -> "Audiences":
        users, pages, untagged, team_pages = set(), set(), False, 0
        for member in members:
            text = member.decode() if isinstance(member, bytes) else member
            user, _sep, connection = text.partition(":")
            users.add(int(user))
            page, dash, _nonce = connection.partition("-")
            if dash and page and page[0] in (TEAM, INSTRUCTOR, SUMMARY):
                pages.add(page)
                team_pages += page not in (INSTRUCTOR, SUMMARY)
            else:
                untagged = True
                team_pages += 1
        return cls(frozenset(users), frozenset(pages), untagged, team_pages)

    @property
    def anyone(self) -> bool:
        return bool(self.user_ids)

    @property
    def any_team_page(self) -> bool:
        """Some team page is open, a lead's, a member's or an instructor's (the pulse)."""
        return self.untagged or any(page not in (INSTRUCTOR, SUMMARY) for page in self.pages)

    def team_page(self, team_id: int) -> bool:
        """A socket of the team's lead or members is open (their team page)."""
        return self.untagged or f"{TEAM}{team_id}" in self.pages

    def instructor_on_team_page(self, team_id: int) -> bool:
        return self.untagged or f"{INSTRUCTOR}{team_id}" in self.pages

    @property
    def instructor_on_board(self) -> bool:
        """An instructor has the board open."""
        return self.untagged or INSTRUCTOR in self.pages

    @property
    def instructor_on_summary(self) -> bool:
        """An instructor has the results summary (or its projector view) open."""
        return self.untagged or SUMMARY in self.pages


class RedisPresence:
    def __init__(self):
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")

    def _prefixed(self, workshop_id: int) -> str:
        return cache.make_key(_key(workshop_id))

    def touch(self, workshop_id: int, user_id: int, connection_id: str) -> None:
        key = self._prefixed(workshop_id)
        pipe = self.redis.pipeline()
        pipe.zadd(key, {_member(user_id, connection_id): time.time() + TTL_SECONDS})
        pipe.expire(key, TTL_SECONDS * 2)
        pipe.execute()

    def remove(self, workshop_id: int, user_id: int, connection_id: str) -> None:
        self.redis.zrem(self._prefixed(workshop_id), _member(user_id, connection_id))

    def prune(self, workshop_id: int) -> int:
        return self.redis.zremrangebyscore(self._prefixed(workshop_id), "-inf", time.time())

    def members(self, workshop_id: int) -> list:
        return self.redis.zrangebyscore(self._prefixed(workshop_id), time.time(), "+inf")


class LocalPresence:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries: dict[int, dict[str, float]] = {}

    def touch(self, workshop_id, user_id, connection_id):
        with self.lock:
            self.entries.setdefault(workshop_id, {})[_member(user_id, connection_id)] = (
                time.time() + TTL_SECONDS
            )

    def remove(self, workshop_id, user_id, connection_id):
        with self.lock:
            self.entries.get(workshop_id, {}).pop(_member(user_id, connection_id), None)

    def prune(self, workshop_id):
        now = time.time()
        with self.lock:
            entries = self.entries.get(workshop_id, {})
            expired = [member for member, expiry in entries.items() if expiry <= now]
            for member in expired:
                del entries[member]
        return len(expired)

    def members(self, workshop_id):
        now = time.time()
        with self.lock:
            entries = dict(self.entries.get(workshop_id, {}))
        return [member for member, expiry in entries.items() if expiry > now]


_store = None
_store_lock = threading.Lock()


def store():
    """The presence store for the configured cache (built once per process)."""
    global _store
    with _store_lock:
        if _store is None:
            backend = settings.CACHES["default"]["BACKEND"]
            _store = RedisPresence() if backend.startswith("django_redis") else LocalPresence()
        return _store


def reset() -> None:
    """Forget the store (tests switch caches)."""
    global _store
    with _store_lock:
        _store = None


def connect(workshop_id: int, user_id: int, connection_id: str) -> bool:
    """Record a new socket; True if the user was offline before it."""
    presence = store()
    was_online = user_id in _users(presence.members(workshop_id))
    presence.touch(workshop_id, user_id, connection_id)
    return not was_online


def disconnect(workshop_id: int, user_id: int, connection_id: str) -> bool:
    """Forget a socket; True if the user has no other socket open now."""
    presence = store()
    presence.remove(workshop_id, user_id, connection_id)
    return user_id not in _users(presence.members(workshop_id))


def heartbeat(workshop_id: int, user_id: int, connection_id: str) -> int:
    """Keep a socket's entry alive; returns how many expired entries (ghosts) were removed."""
    presence = store()
    presence.touch(workshop_id, user_id, connection_id)
    return presence.prune(workshop_id)


def online_user_ids(workshop_id: int) -> set[int]:
    return _users(store().members(workshop_id))


def audiences(workshop_id: int) -> Audiences:
    """Which audiences have a socket open in the workshop: one cache read."""
    return Audiences.of(store().members(workshop_id))
