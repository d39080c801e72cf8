"""Django's ASGI handler, with every HTTP request on one of a fixed set of reused threads.

Django runs each request's sync code (middleware, view, ORM) in a thread of its own: a new
single-thread executor per request, shut down afterwards by yet another thread. Under load
that is two threads started and joined per request, and as many requests computing at once as
are waiting, all taking turns on the GIL. A request that waits for PostgreSQL releases the GIL,
and to get it back waits for whichever request is computing to be interrupted (every 5 ms):
a page with a dozen queries waits tens of milliseconds for nothing.

Here a process runs at most `threads` requests' sync code at once, each on a long-lived thread
of its own (a single-thread executor, as asgiref requires of thread-sensitive code); the others
wait for a free thread in order of arrival. A slow request (an e-mail, an export) holds one
thread and the others go on. WebSocket consumers are untouched: their database calls use
asgiref's shared thread, as before.

The health checks do not queue: `/health/` must answer while every thread is busy, or the
platform would restart a process that is only loaded. They run as Django runs every request,
on a thread of their own.

The middleware chain and the view also run as one sync call on that thread, as under WSGI.
Django's async chain hops between the event loop and a thread at every middleware that is
sync-only (ours) or sync underneath (MiddlewareMixin's hooks, the CSRF view check, the view):
seven crossings a request here, each a GIL hand-over. The one async view (`/health/ready/`)
runs through async_to_sync, on the event loop, as Django runs async views under WSGI.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class PooledThreadsASGIHandler(ASGIHandler):
    unqueued_paths = ("/health/",)  # path prefixes served on a thread of their own

    def __init__(self, threads: int):
        super().__init__()
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self.threads = threads
        self._executors = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{index}")
            for index in range(threads)
        ]
        # Free executors, per event loop (a queue belongs to the loop that first waits on it;
        # daphne has one, tests may start several in turn).
        self._free: dict[asyncio.AbstractEventLoop, asyncio.Queue] = {}

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)  # ASGIHandler asks for the async chain

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    def _free_executors(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        queue = self._free.get(loop)
        if queue is None:
            for closed in [other for other in self._free if other.is_closed()]:
                del self._free[closed]
            queue = self._free[loop] = asyncio.Queue()
            for executor in self._executors:
                queue.put_nowait(executor)
        return queue

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        if scope["path"].startswith(self.unqueued_paths):
            async with ThreadSensitiveContext():
                await self.handle(scope, receive, send)
            return
        free = self._free_executors()
        executor = await free.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        except BaseException:
            # Cancelled (daphne gives up on a request whose client left) or failed: its view
            # may still be running on the thread. Hand the thread on once it is idle, so the
            # next request does not wait behind it while another thread is free.
            loop = asyncio.get_running_loop()
            executor.submit(lambda: None).add_done_callback(
                lambda _done: loop.call_soon_threadsafe(free.put_nowait, executor)
            )
            raise
        free.put_nowait(executor)
