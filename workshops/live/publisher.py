"""Hands rendered fragments to the channel layer from any thread, without blocking requests.

Calling the channel layer from sync code with `async_to_sync` runs each call in a fresh event
loop when there is no outer loop (the worker, management commands), and channels-redis keeps
one connection pool per loop: that would open a new pool for every event. Instead every send
goes to one long-lived loop:

- with channels-redis, a daemon thread owned by this module, so the pool is made once;
- with the in-memory layer (embedded default, one process), the loop the consumers run on,
  because that layer's queues belong to one loop. A consumer registers it when it connects;
  with no consumer connected there is nobody to deliver to.

Sends are fire-and-forget for the caller and go out one at a time, in the order they were
made, through one sender task per loop: concurrent sends would each check a connection out of
the pool and grow it to the size of the burst. Failures are logged.
"""

import asyncio
import logging
import threading

from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_own_loop: asyncio.AbstractEventLoop | None = None
_consumer_loop: asyncio.AbstractEventLoop | None = None


def register_consumer_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by consumers: the loop the in-memory layer's queues live on."""
    global _consumer_loop
    _consumer_loop = loop


def _in_memory() -> bool:
    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def _start_own_loop() -> asyncio.AbstractEventLoop:
    global _own_loop
    with _lock:
        if _own_loop is None or _own_loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="live-publisher", daemon=True)
            thread.start()
            _own_loop = loop
        return _own_loop


def loop() -> asyncio.AbstractEventLoop | None:
    if _in_memory():
        if _consumer_loop is None or _consumer_loop.is_closed():
            return None
        return _consumer_loop
    return _start_own_loop()


_queues: dict[asyncio.AbstractEventLoop, asyncio.Queue] = {}
_senders: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


async def _sender(queue: asyncio.Queue) -> None:
    layer = get_channel_layer()
    while True:
        group, message = await queue.get()
        try:
            await layer.group_send(group, message)
        except Exception:
            logger.exception("live push to %s failed", group)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("live push failed", exc_info=task.exception())


_pending: set[asyncio.Task] = set()


def _enqueue(group: str, message: dict) -> None:
    """Queue a group message on the publishing loop (runs in that loop)."""
    running = asyncio.get_running_loop()
    if running is not _own_loop:
        # The consumers' own loop (in-memory layer, one process): the layer is in-process,
        # no pool to protect; one task per message, started in order.
        task = running.create_task(get_channel_layer().group_send(group, message))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
        task.add_done_callback(_log_failure)
        return
    queue = _queues.get(running)
    if queue is None:
        for stale in [known for known in _queues if known.is_closed()]:
            del _queues[stale]
            _senders.pop(stale, None)
        queue = _queues[running] = asyncio.Queue()
        _senders[running] = running.create_task(_sender(queue))
    queue.put_nowait((group, message))


def _send_message(group: str, message: dict) -> None:
    if get_channel_layer() is None:
        return
    target = loop()
    if target is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is target:
        _enqueue(group, message)
    else:
        target.call_soon_threadsafe(_enqueue, group, message)


def send(group: str, html: str) -> None:
    """Deliver `html` to every socket in `group`; each consumer forwards it unchanged."""
    _send_message(group, {"type": "push.html", "html": html})


def send_control(group: str, message: dict) -> None:
    _send_message(group, message)
