"""HTTP requests run on a fixed set of reused threads, at most WEB_THREADS at once."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import iscoroutinefunction
from asgiref.testing import ApplicationCommunicator
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from workshop_site.http_threads import PooledThreadsASGIHandler


class Recorder:
    """What the test views saw: the threads they ran on and how many ran at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.threads: set[str] = set()
        self.finished: list[str] = []

    def view(self, seconds: float, name: str):
        def view(request):
            with self.lock:
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
                self.threads.add(threading.current_thread().name)
            time.sleep(seconds)
            with self.lock:
                self.running -= 1
                self.finished.append(name)
            return HttpResponse(name)

        return view


urlpatterns = []  # this module is the URLconf of its tests; `views` fills it


async def async_view(request):
    await asyncio.sleep(0)
    return HttpResponse(f"async on {threading.current_thread().name}")


@pytest.fixture
def views():
    recorder = Recorder()
    urlpatterns[:] = [
        path("slow/", recorder.view(0.15, "slow")),
        path("very-slow/", recorder.view(1.0, "very-slow")),
        path("fast/", recorder.view(0, "fast")),
        path("async/", async_view),
    ]
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        yield recorder


def scope_for(path_: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path_,
        "raw_path": path_.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def get(app, path_: str) -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(app, scope_for(path_))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=1)
    return start["status"], body


def test_requests_run_at_most_threads_at_once_on_reused_threads(views):
    app = PooledThreadsASGIHandler(threads=2)

    async def run():
        return await asyncio.gather(*(get(app, "/slow/") for _ in range(6)))

    answers = asyncio.run(run())
    assert answers == [(200, b"slow")] * 6
    assert views.most_at_once == 2
    # Two long-lived threads served all six: no thread per request.
    assert len(views.threads) == 2
    assert all(name.startswith("http-") for name in views.threads)


def test_a_slow_request_holds_one_thread_and_the_others_go_on(views):
    app = PooledThreadsASGIHandler(threads=2)

    async def run():
        slow = asyncio.ensure_future(get(app, "/very-slow/"))
        await asyncio.sleep(0.1)  # the slow one has its thread
        fast = await asyncio.gather(*(get(app, "/fast/") for _ in range(3)))
        return fast, await slow

    fast, slow = asyncio.run(run())
    assert fast == [(200, b"fast")] * 3
    assert slow == (200, b"very-slow")
    assert views.finished == ["fast", "fast", "fast", "very-slow"]


def test_one_thread_runs_requests_one_after_another_in_order(views):
    app = PooledThreadsASGIHandler(threads=1)

    async def run():
        first = asyncio.ensure_future(get(app, "/very-slow/"))
        await asyncio.sleep(0.1)
        return await asyncio.gather(first, get(app, "/fast/"))

    assert asyncio.run(run()) == [(200, b"very-slow"), (200, b"fast")]
    assert views.most_at_once == 1
    assert views.finished == ["very-slow", "fast"]


def test_the_app_serves_http_through_the_pooled_handler(settings):
    from workshop_site.asgi import django_asgi_app

    assert isinstance(django_asgi_app, PooledThreadsASGIHandler)
    assert django_asgi_app.threads == settings.WEB_THREADS


def test_threads_must_be_at_least_one():
    with pytest.raises(ValueError):
        PooledThreadsASGIHandler(threads=0)


def test_the_middleware_and_the_view_run_as_one_sync_call(views):
    """Not a hop between the event loop and a thread at every middleware, as Django's async
    chain makes with sync middleware."""
    app = PooledThreadsASGIHandler(threads=1)
    assert not iscoroutinefunction(app._middleware_chain)
    assert asyncio.run(get(app, "/fast/")) == (200, b"fast")
    assert views.threads == {"http-0_0"}


def test_an_async_view_still_answers(views):
    # As Django runs async views under WSGI: on the event loop, through async_to_sync.
    status, body = asyncio.run(get(PooledThreadsASGIHandler(threads=1), "/async/"))
    assert (status, body) == (200, b"async on MainThread")


def test_a_cancelled_request_hands_its_thread_on_only_once_idle(views):
    """daphne cancels a request whose client left; its view runs on. The next requests go to
    the free thread, not behind it."""
    app = PooledThreadsASGIHandler(threads=2)

    async def run():
        abandoned = ApplicationCommunicator(app, scope_for("/very-slow/"))
        await abandoned.send_input({"type": "http.request", "body": b"", "more_body": False})
        await asyncio.sleep(0.1)  # the view has its thread
        abandoned.future.cancel()
        await asyncio.sleep(0)
        answers = await asyncio.gather(get(app, "/fast/"), get(app, "/fast/"))
        await asyncio.sleep(1.2)  # the abandoned view finishes; its thread comes back
        again = await asyncio.gather(get(app, "/slow/"), get(app, "/slow/"))
        return answers, again

    answers, again = asyncio.run(run())
    assert answers == [(200, b"fast")] * 2
    assert views.finished[:3] == ["fast", "fast", "very-slow"]
    assert again == [(200, b"slow")] * 2
    assert views.most_at_once == 2  # both threads free again


def test_health_checks_do_not_wait_for_a_thread(views):
    app = PooledThreadsASGIHandler(threads=1)
    urlpatterns.append(path("health/", views.view(0, "health")))

    async def run():
        busy = asyncio.ensure_future(get(app, "/very-slow/"))
        await asyncio.sleep(0.1)  # the only thread is busy
        health = await get(app, "/health/")
        return health, await busy

    assert asyncio.run(run()) == ((200, b"health"), (200, b"very-slow"))
    assert views.finished == ["health", "very-slow"]


def test_the_installed_django_and_asgiref_are_the_verified_ones():
    from workshop_site.checks import http_threads_verified

    assert http_threads_verified(None) == []


def test_an_upgrade_stops_the_start_until_verified_again(monkeypatch):
    from workshop_site import checks

    installed = {"django": "6.0.1", "asgiref": "3.13.0"}
    monkeypatch.setattr(checks, "version", installed.__getitem__)
    [error] = checks.http_threads_verified(None)
    assert error.id == "workshop_site.E001"
    assert "verified with django 5.2, but django 6.0 is installed" in error.msg
