"""Loaded by pytest before Django's settings (see `addopts` in pyproject.toml).

Tests must not depend on a developer's shell: give them a throwaway key and plain static
storage (no collectstatic manifest needed). When the environment points the suite at
PostgreSQL or Redis (the second pass of `make test`), check they answer before any test runs:
on a laptop without them that pass is skipped with the reason; with CI=true it fails.
"""

import os
import socket
import tempfile
from urllib.parse import urlparse

import pytest

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Render the instructor's board at once instead of on a timer thread, so no render outlives
# the test that caused it; the debounce has its own tests.
os.environ.setdefault("LIVE_BOARD_DEBOUNCE", "0")
os.environ.setdefault("LIVE_PULSE_WINDOW", "0")
# The SQLite test database lives in a file so that server processes started by the browser
# and WebSocket tests open the same database as the test itself.
os.environ.setdefault(
    "SQLITE_TEST_NAME", os.path.join(tempfile.gettempdir(), f"workshop-test-{os.getpid()}.sqlite3")
)


def _unreachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return False
    except OSError:
        return True


def pytest_sessionstart(session):
    missing = []
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres") and _unreachable(database_url, 5432):
        missing.append(f"PostgreSQL at {urlparse(database_url).netloc}")
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url and _unreachable(redis_url, 6379):
        missing.append(f"Redis at {urlparse(redis_url).netloc}")
    if not missing:
        return
    what = " and ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.exit(f"{what} not reachable; CI=true requires it", returncode=1)
    pytest.exit(f"{what} not reachable: this test pass is skipped", returncode=0)
