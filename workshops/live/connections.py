"""How many WebSockets are open, per web process and in all, published to the shared cache.

The launch plan's rule of thumb was 100 simultaneous users per instance: when one web process
holds more than LIVE_CONNECTION_ALERT open sockets the operators get a warning in the log and
one Slack message (at most one an hour per process), and the admin's 실시간 연결 page shows
the figures.
Counting per process, not in all: two processes with 80 each are fine, one with 150 is not.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.cache import cache

from workshop_site.slack import send_slack
from workshops.live.metrics import dropped_total

logger = logging.getLogger("workshops.live")

PROCESS = f"{socket.gethostname()}:{os.getpid()}"
TTL = 120
REGISTRY = "live:conn:processes"
ALERTED = "live:conn:alerted"

_lock = threading.Lock()
_open = 0


def _key(process: str) -> str:
    return f"live:conn:{process}"


def opened() -> None:
    global _open
    with _lock:
        _open += 1
    publish()


def closed() -> None:
    global _open
    with _lock:
        _open = max(0, _open - 1)
    publish()


def publish() -> None:
    """Write this process's count (also from the consumers' heartbeat, so it never expires
    while the process lives) and check it against the alert threshold."""
    try:
        cache.set(_key(PROCESS), _open, TTL)
        now = time.time()
        registry = {p: until for p, until in (cache.get(REGISTRY) or {}).items() if until > now}
        registry[PROCESS] = now + TTL
        cache.set(REGISTRY, registry, None)
        if _open > settings.LIVE_CONNECTION_ALERT and cache.add(f"{ALERTED}:{PROCESS}", 1, 3600):
            _alert(_open)
    except Exception:  # counting must never break a socket
        logger.exception("live: could not publish connection count")


def per_process(registry: dict | None = None) -> dict[str, int]:
    now = time.time()
    registry = registry if registry is not None else (cache.get(REGISTRY) or {})
    alive = [process for process, until in registry.items() if until > now]
    counts = cache.get_many([_key(process) for process in alive])
    return {process: counts.get(_key(process), 0) for process in alive}


def total() -> int:
    return sum(per_process().values())


def report() -> dict:
    """What the operators' live-connection page shows (admin: 워크샵 → 실시간 연결)."""
    counts = per_process()
    return {
        "total": sum(counts.values()),
        "by_process": sorted(counts.items()),
        "threshold": settings.LIVE_CONNECTION_ALERT,
        "dropped": dropped_total(),
    }


def _alert(count: int) -> None:
    message = (
        f"[워크샵] 웹 프로세스 {PROCESS}의 실시간 연결이 {count}개로 "
        f"기준({settings.LIVE_CONNECTION_ALERT})을 넘었습니다. 웹 프로세스를 늘릴지 확인하세요."
    )
    logger.warning(message)
    send_slack(message)
