"""Counts of live messages the channel layer could not deliver.

channels-redis drops a group message for a channel whose queue is full and only logs it at
INFO; the in-memory layer drops it silently. Neither is acceptable unseen: both paths end
here, which logs a warning and keeps a count in the cache (shared across processes with Redis).
"""

import logging
import re

from django.core.cache import cache

logger = logging.getLogger("workshops.live")

DROPPED_KEY = "live:dropped"


def record_dropped(count: int, group: str) -> None:
    logger.warning("live: %s message(s) dropped for full channels in group %s", count, group)
    try:
        if not cache.add(DROPPED_KEY, count, timeout=None):
            cache.incr(DROPPED_KEY, count)
    except Exception:  # the count is best effort; the warning above is already logged
        logger.exception("live: could not count dropped messages")


def dropped_total() -> int:
    return int(cache.get(DROPPED_KEY) or 0)


_OVER_CAPACITY = re.compile(r"^(\d+) of \d+ channels over capacity in group (\S+)")


class ChannelsRedisCapacityFilter(logging.Filter):
    """Attached to the channels_redis.core logger: turns its capacity notice into a count."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = _OVER_CAPACITY.match(record.getMessage())
        if match:
            record_dropped(int(match.group(1)), match.group(2))
        return True
