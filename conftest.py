"""Shared test cast and service guards.

The cast (after healthchecks' tests): one open workshop run by `instructor`, with two teams.
`lead` and `member` are in `team`; `other_lead` leads `other_team`; `outsider` is signed in but
in no workshop; `other_instructor` runs a different workshop. Every view test can use the same
people to check who may see and change what.
"""

import os
import shutil
import socket
from datetime import date
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group

from accounts.models import INSTRUCTOR_GROUP, User
from workshops import services
from workshops.models import Participant, Workshop

IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require_service(name: str, available: bool, how: str) -> None:
    """Skip on a laptop without the service; fail in CI, where every service must be up."""
    if available:
        return
    message = f"{name} is not available ({how})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    require_service(
        "Chromium", os.path.exists(path), "install Debian's package: apt-get install chromium"
    )
    return path


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    require_service("Redis", _reachable(url, 6379), f"nothing answers at {url}")
    return url


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` or `redis` belong to the second pass (make test-postgres),
    which runs on PostgreSQL with Redis; in the SQLite pass they are not run."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    on_redis = settings.CACHES["default"]["BACKEND"].startswith("django_redis")
    skip_pg = pytest.mark.skip(reason="runs in the PostgreSQL pass (make test-postgres)")
    skip_redis = pytest.mark.skip(reason="runs in the Redis pass (make test-postgres)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not on_redis:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached results must not leak from one test into the next."""
    from django.core.cache import cache

    yield
    cache.clear()


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(email=email, name=name or email.split("@")[0])


@pytest.fixture
def instructor(db) -> User:
    user = make_user("instructor@example.com", "김강사")
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    return user


@pytest.fixture
def workshop(instructor) -> Workshop:
    workshop = services.workshop_create(
        creator=instructor,
        title="3월 팀장 워크샵",
        description="",
        date=date(2026, 3, 10),
        domain_names=["영업", "인사", "재무", "총무"],
    )
    return services.workshop_open(workshop=workshop)


@pytest.fixture
def lead(db) -> User:
    return make_user("lead@example.com", "박팀장")


@pytest.fixture
def team(workshop, lead):
    return services.team_create(
        workshop=workshop, lead=lead, team_name="영업1팀", display_name="박팀장"
    )


@pytest.fixture
def member(team):
    user = make_user("member@example.com", "정팀원")
    Participant.objects.create(
        user=user, workshop=team.workshop, role=Participant.Role.MEMBER, team=team
    )
    return user


@pytest.fixture
def other_lead(db) -> User:
    return make_user("other.lead@example.com", "최팀장")


@pytest.fixture
def other_team(workshop, other_lead):
    return services.team_create(
        workshop=workshop, lead=other_lead, team_name="재무팀", display_name="최팀장"
    )


@pytest.fixture
def outsider(db) -> User:
    return make_user("outsider@example.com", "외부인")


@pytest.fixture
def other_instructor(db) -> User:
    user = make_user("other.instructor@example.com", "이강사")
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    services.workshop_create(
        creator=user,
        title="다른 워크샵",
        description="",
        date=date(2026, 4, 1),
        domain_names=["기획"],
    )
    return user


@pytest.fixture
def domain(workshop):
    return workshop.domains.get(name="영업")


def task_data(domain, **overrides) -> dict:
    data = {
        "domain": domain,
        "title": "주간 보고서 작성",
        "description": "CRM 실적을 엑셀로 정리",
        "frequency": "weekly",
        "occurrences_per_period": 1,
        "minutes_per_occurrence": 60,
    }
    data.update(overrides)
    return data


@pytest.fixture
def task(team, lead, domain):
    return services.task_create(team=team, actor=lead, data=task_data(domain))


@pytest.fixture
def client_as(client):
    """client_as(user) signs the test client in as `user` (None: stays anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


# --- Real servers and browsers -----------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def server_dirs(tmp_path_factory):
    mail = tmp_path_factory.mktemp("mail")
    logs = tmp_path_factory.mktemp("server-logs")
    return mail, logs


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, server_dirs):
    """The app served by a real daphne process on loopback, on the test database."""
    from support.servers import ServerProcess

    mail, logs = server_dirs
    server = ServerProcess(mail_dir=mail, log_dir=logs).start()
    yield server
    server.stop()


@pytest.fixture
def browser(chromium_path):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still plain synchronous calls, so Django's async-safety guard is lifted for the test.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def signed_in_context(browser):
    """signed_in_context(server, user, **options): a browser context already signed in."""
    from support.servers import session_cookie_for

    def make(server, user, **options):
        context = browser.new_context(**options)
        if user is not None:
            context.add_cookies(
                [{"name": "sessionid", "value": session_cookie_for(user), "url": server.url}]
            )
        return context

    return make


@pytest.fixture
def slack(settings):
    from support.servers import SlackListener

    listener = SlackListener()
    settings.SLACK_WEBHOOK_URL = listener.url
    settings.ADMINS = [("운영자", "ops@example.com")]
    yield listener
    listener.stop()


@pytest.fixture
def live_state():
    """After a live test: forget presence and the in-memory channel layer's messages."""
    yield
    import asyncio

    from channels.layers import get_channel_layer

    from workshops.live import presence

    presence.reset()
    layer = get_channel_layer()
    if hasattr(layer, "flush") and type(layer).__module__.startswith("workshops"):
        asyncio.run(layer.flush())
