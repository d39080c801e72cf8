"""Faults survived, against real processes on loopback.

Each test starts the app (daphne) or the worker as separate processes and breaks what they
depend on: a private Redis that is killed and started again, a private PostgreSQL cluster
that is shut down and started again, a worker killed with SIGKILL in the middle of an AI run,
an AI API that fails or hangs. The suite's own PostgreSQL and Redis are never touched.
"""

import asyncio
import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import require_service
from support.private_services import PrivatePostgres, PrivateRedis
from support.servers import BASE_DIR, ServerProcess, session_cookie_for
from support.sockets import connect_when_possible, receive_until

pytestmark = [pytest.mark.fault, pytest.mark.postgres]

TASK_FIELDS = {
    "description": "고객 문의 메일을 확인하고 담당자에게 배정",
    "frequency": "weekly",
    "occurrences_per_period": 1,
    "minutes_per_occurrence": 30,
}


class Visitor:
    """A browser, as far as the server can tell: a session cookie, CSRF, htmx headers."""

    def __init__(self, base_url: str, session_key: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.session_key = session_key
        self.csrf = ""

    def _cookies(self) -> str:
        cookies = {c.name: c.value for c in self.jar}
        if self.session_key:
            cookies["sessionid"] = self.session_key
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def request(self, path: str, data: dict | None = None, *, htmx=False, timeout=15):
        headers = {"Cookie": self._cookies()}
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **data}).encode()
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)
        return status, text, time.monotonic() - started

    def add_task(self, team_id: int, domain_id: int, title: str):
        if not self.csrf:
            self.request(f"/teams/{team_id}/")
        return self.request(
            f"/teams/{team_id}/tasks/",
            {"title": title, "domain": domain_id, **TASK_FIELDS},
            htmx=True,
        )


# --- Redis --------------------------------------------------------------------------------


@pytest.fixture
def private_redis():
    require_service("redis-server", PrivateRedis.available(), "apt-get install redis-server")
    redis = PrivateRedis().start()
    yield redis
    redis.remove()


@pytest.mark.django_db(transaction=True)
def test_redis_stopped_mid_session(server_dirs, private_redis, lead, team, domain):
    """Pages and writes keep working without Redis; live updates resume when it returns and
    a reconnecting page gets everything it missed."""
    from workshops.models import Task

    mail, logs = server_dirs
    server = ServerProcess(
        mail_dir=mail, log_dir=logs, env={"REDIS_URL": private_redis.url}
    ).start()
    cookie = session_cookie_for(lead)
    visitor = Visitor(server.url, cookie)
    socket_url = f"ws://127.0.0.1:{server.port}/ws/workshops/{team.workshop_id}/"
    tasks_region = f'id="team-{team.pk}-tasks"'
    try:

        async def scenario():
            socket, _ = await connect_when_possible(socket_url, cookie, server.url, tasks_region)
            assert visitor.add_task(team.pk, domain.pk, "레디스 있을 때")[0] == 200
            await receive_until(socket, "레디스 있을 때")

            private_redis.stop()
            status, body, seconds = await asyncio.to_thread(visitor.request, f"/teams/{team.pk}/")
            assert status == 200 and "레디스 있을 때" in body
            assert seconds < 5
            status, body, seconds = await asyncio.to_thread(
                visitor.add_task, team.pk, domain.pk, "레디스 없을 때"
            )
            assert status == 200 and "레디스 없을 때" in body
            assert seconds < 5
            await socket.close()

            private_redis.start()
            socket, snapshot = await connect_when_possible(
                socket_url, cookie, server.url, tasks_region
            )
            # The reconnected page's snapshot has what was added during the outage...
            assert "레디스 없을 때" in snapshot
            # ...and live pushes flow again.
            added = await asyncio.to_thread(visitor.add_task, team.pk, domain.pk, "돌아온 뒤")
            assert added[0] == 200
            await receive_until(socket, "돌아온 뒤")
            await socket.close()

        asyncio.run(scenario())
    finally:
        server.stop()
    assert set(Task.objects.filter(team=team).values_list("title", flat=True)) == {
        "레디스 있을 때",
        "레디스 없을 때",
        "돌아온 뒤",
    }
    log = server.log_path.read_text(errors="replace")
    assert "Error 111" in log or "Connection refused" in log  # logged, not raised


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_fail_closed_rate_limit_refuses_writes_in_korean(
    server_dirs, private_redis, lead, team, domain
):
    from workshops.models import Task

    mail, logs = server_dirs
    server = ServerProcess(
        mail_dir=mail,
        log_dir=logs,
        env={"REDIS_URL": private_redis.url, "RATELIMIT_FAIL_OPEN": "0"},
    ).start()
    visitor = Visitor(server.url, session_cookie_for(lead))
    try:
        assert visitor.add_task(team.pk, domain.pk, "제한 전")[0] == 200
        private_redis.stop()
        status, body, _ = visitor.add_task(team.pk, domain.pk, "제한 중")
        assert status == 429
        assert "data-error-message" in body and "잠시 후" in body
        assert visitor.request(f"/teams/{team.pk}/")[0] == 200  # reading is not limited
    finally:
        server.stop()
    assert list(Task.objects.filter(team=team).values_list("title", flat=True)) == ["제한 전"]


# --- PostgreSQL -----------------------------------------------------------------------------

SETUP_SCRIPT = """
import json
from datetime import date
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string
from accounts.models import User
from workshops import services

instructor = User.objects.create_user(email="teacher@example.com", name="강사")
instructor.is_superuser = True
instructor.save()
workshop = services.workshop_create(
    creator=instructor,
    title="장애 워크샵",
    description="",
    date=date(2026, 11, 26),
    domain_names=["영업", "재무"],
)
services.workshop_open(workshop=workshop, actor=instructor)
lead = User.objects.create_user(email="lead@example.com", name="김팀장")
team = services.team_create(workshop=workshop, lead=lead, team_name="영업팀", display_name="김팀장")
store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
store[SESSION_KEY] = str(lead.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = lead.get_session_auth_hash()
store.create()
domain = workshop.domains.first()
print(json.dumps({"team": team.pk, "domain": domain.pk, "session": store.session_key}))
"""


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def private_postgres():
    require_service("PostgreSQL server binaries", PrivatePostgres.available(), "postgresql")
    postgres = PrivatePostgres().create()
    yield postgres
    postgres.remove()


def test_postgresql_restarted(server_dirs, private_postgres):
    """During the outage requests fail quickly with a Korean page (503, not a 500 or a hang);
    afterwards the same server process serves again, and nothing half-saved is left."""
    import psycopg

    mail, logs = server_dirs
    extra = {"DATABASE_URL": private_postgres.url, "DATABASE_POOL": "1", "REDIS_URL": ""}
    server = ServerProcess(mail_dir=mail, log_dir=logs, env=extra)
    env = server.environment()
    manage(env, "migrate", "--noinput")
    ids = json.loads(manage(env, "shell", "-c", SETUP_SCRIPT).strip().splitlines()[-1])
    server.start()
    visitor = Visitor(server.url, ids["session"])
    team_page = f"/teams/{ids['team']}/"
    try:
        assert visitor.add_task(ids["team"], ids["domain"], "장애 전")[0] == 200

        private_postgres.stop()
        status, body, seconds = visitor.request(team_page)
        assert status == 503 and seconds < 10
        assert "data-error-message" in body and "데이터베이스" in body
        assert "Traceback" not in body
        status, body, seconds = visitor.add_task(ids["team"], ids["domain"], "장애 중")
        assert status == 503 and seconds < 10
        probe = Visitor(server.url, "")  # the platform's health check, no cookies
        ready = probe.request("/health/ready/")
        assert ready[0] == 503 and json.loads(ready[1])["checks"]["database"]["ok"] is False
        assert probe.request("/health/")[0] == 200  # the process itself is alive

        private_postgres.start()
        status, body, _ = visitor.request(team_page)
        assert status == 200 and "장애 전" in body
        assert visitor.add_task(ids["team"], ids["domain"], "장애 뒤")[0] == 200
        ready = json.loads(probe.request("/health/ready/")[1])
        assert ready["checks"]["database"]["ok"] is True
    finally:
        server.stop()
    with psycopg.connect(private_postgres.url.replace("postgres://", "postgresql://")) as db:
        titles = [row[0] for row in db.execute("select title from workshops_task order by id")]
    assert titles == ["장애 전", "장애 뒤"]
