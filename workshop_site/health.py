"""Health endpoints for the platform's checks.

/health/         liveness: the process answers; touches nothing else.
/health/deploy/  the deploy gate: the process answers and the database does (a migration-free
                 SELECT 1); what Railway probes before it routes traffic to a new deployment.
/health/ready/   readiness: the database, the cache, a channel-layer round trip and the age of
                 the newest worker heartbeat, each timed; 503 if any fails. For an external
                 uptime monitor: it ties the answer to the worker and Redis, which a web deploy
                 must not wait for.

The platform's probe arrives as plain HTTP with its own Host (Railway: `healthcheck.railway.app`)
and no X-Forwarded-Proto. `HealthProbeMiddleware`, first in the stack, answers /health/ and
/health/deploy/ for the hosts in HEALTHCHECK_HOSTS before host validation and the HTTPS
redirect; every other path still meets both.
"""

import asyncio
import time
import uuid

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.http.request import split_domain_port
from django.views.decorators.cache import never_cache

CHECK_TIMEOUT = 3.0


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


class HealthProbeMiddleware:
    """Answers the platform's health probe on the two probe paths only (see the docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = {"/health/": live, "/health/deploy/": deploy}

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is not None:
            host, _port = split_domain_port(request.META.get("HTTP_HOST", ""))
            if host in settings.HEALTHCHECK_HOSTS:
                return view(request)
        return self.get_response(request)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not return what was written")
    finally:
        cache.delete(key)
    return "ok"


async def _channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("health.")
    await layer.send(channel, {"type": "health.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "health.ping":
        raise RuntimeError("the channel layer returned something else")
    return "ok"


def _result(started: float, *, detail: str = "", error: Exception | None = None) -> dict:
    """One check's report: ok with its detail, or the error; with its time in ms."""
    result: dict = (
        {"ok": True, "detail": detail}
        if error is None
        else {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    )
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _answer(results: dict[str, dict]) -> JsonResponse:
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results},
        status=200 if healthy else 503,
    )


@never_cache
def deploy(request):
    """The deploy gate: liveness plus the database, timed; 503 with the error if it fails."""
    started = time.perf_counter()
    try:
        result = _result(started, detail=_database())
    except Exception as error:  # every failure is a report, not a crash
        result = _result(started, error=error)
    return _answer({"database": result})


# What /health/ready/ checks beyond the site's own parts, added by the apps that own them
# (ai.apps adds the worker's heartbeat): name -> a function that returns a detail or raises.
READY_CHECKS: dict = {}


async def _timed(name: str, check) -> tuple[str, dict]:
    started = time.perf_counter()
    try:
        if asyncio.iscoroutinefunction(check):
            detail = await asyncio.wait_for(check(), CHECK_TIMEOUT)
        else:
            # database_sync_to_async closes the thread's connection when done.
            detail = await asyncio.wait_for(database_sync_to_async(check)(), CHECK_TIMEOUT)
        return name, _result(started, detail=detail)
    except Exception as error:  # every failure is a report, not a crash
        return name, _result(started, error=error)


@never_cache
async def ready(request):
    checks = {
        "database": _database,
        "cache": _cache,
        "channel_layer": _channel_layer,
        **READY_CHECKS,
    }
    return _answer(dict(await asyncio.gather(*(_timed(n, c) for n, c in checks.items()))))
