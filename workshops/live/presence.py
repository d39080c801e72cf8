"""Who is connected to a workshop right now, across tabs and processes.

Each open socket is one entry `<user_id>:<connection_id>` with an expiry time, refreshed by the
consumer's heartbeat. A user is online while any entry of theirs is unexpired, so several tabs
count once, and a process that crashes leaves nothing behind for longer than the TTL.

With django-redis the entries live in a Redis sorted set per workshop (score = expiry), shared
by every web process. With the local-memory cache (embedded default, one process) they live in
a dict in this process.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache

TTL_SECONDS = 90
HEARTBEAT_SECONDS = 30


def _key(workshop_id: int) -> str:
    return f"presence:workshop:{workshop_id}"


def _member(user_id: int, connection_id: str) -> str:
    return f"{user_id}:{connection_id}"


def _users(members) -> set[int]:
    users = set()
    for member in members:
        text = member.decode() if isinstance(member, bytes) else member
        users.add(int(text.split(":", 1)[0]))
    return users


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

    def online_user_ids(self, workshop_id: int) -> set[int]:
        members = self.redis.zrangebyscore(self._prefixed(workshop_id), time.time(), "+inf")
        return _users(members)


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

    def online_user_ids(self, workshop_id):
        now = time.time()
        with self.lock:
            entries = dict(self.entries.get(workshop_id, {}))
        return _users(member for member, expiry in entries.items() if expiry > now)


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
    was_online = user_id in presence.online_user_ids(workshop_id)
    presence.touch(workshop_id, user_id, connection_id)
    return not was_online


def disconnect(workshop_id: int, user_id: int, connection_id: str) -> bool:
    """Forget a socket; True if the user has no other socket open now."""
    presence = store()
    presence.remove(workshop_id, user_id, connection_id)
    return user_id not in presence.online_user_ids(workshop_id)


def heartbeat(workshop_id: int, user_id: int, connection_id: str) -> int:
    """Keep a socket's entry alive; returns how many expired entries (ghosts) were removed."""
    presence = store()
    presence.touch(workshop_id, user_id, connection_id)
    return presence.prune(workshop_id)


def online_user_ids(workshop_id: int) -> set[int]:
    return store().online_user_ids(workshop_id)
