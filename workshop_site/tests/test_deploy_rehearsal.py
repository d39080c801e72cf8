"""The deploy guide's commands, run as Railway runs them (bin/rehearse-deploy), and the worker's
start waiting for the web service's migrations instead of burning restarts."""

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from support.bench import recreate_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rehearsal_services():
    """On the PostgreSQL pass, a database of the rehearsal's own and a Redis database beside the
    suite's; on the SQLite pass nothing (the rehearsal uses SQLite in a temporary folder)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield {}
        return
    import psycopg

    name = f"workshop_rehearsal_{os.getpid()}"
    admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    database_url = urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()
    recreate_database(database_url)
    env = {"REHEARSE_DATABASE_URL": database_url}
    if os.environ.get("REDIS_URL"):
        env["REHEARSE_REDIS_URL"] = (
            urllib.parse.urlsplit(os.environ["REDIS_URL"])._replace(path="/14").geturl()
        )
    yield env
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_deploy_rehearsal_passes_every_step(rehearsal_services):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "rehearse-deploy"), "--timeout", "60"],
        cwd=ROOT,
        env={**os.environ, **rehearsal_services},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["passed"], (report, result.stderr[-3000:])
    assert report["healthcheck"]["status"] == 200
    assert report["pages_redirect_to_https"]["status"] == 301
    assert report["sign_in_by_mail_api"]["mails"] == 1
    assert report["ready"]["checks"] == ["cache", "channel_layer", "database", "worker"]
    assert all(seconds is not None for seconds in report["sigterm_stops"]["seconds"].values())


def worker_env(folder: Path, **extra) -> dict:
    return {
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(folder),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def heartbeats(folder: Path) -> int:
    try:
        with sqlite3.connect(folder / "db.sqlite3") as connection:
            return connection.execute("SELECT COUNT(*) FROM ai_workerheartbeat").fetchone()[0]
    except sqlite3.OperationalError:  # no such table yet
        return 0


def test_the_worker_waits_for_migrations_then_starts(tmp_path):
    env = worker_env(tmp_path, WORKER_MIGRATION_WAIT="120")
    worker = subprocess.Popen(
        [str(ROOT / "bin" / "start-worker")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(4)
        assert worker.poll() is None  # waiting, not crashing on missing tables
        assert heartbeats(tmp_path) == 0
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 60
        while heartbeats(tmp_path) == 0 and time.monotonic() < deadline:
            assert worker.poll() is None
            time.sleep(0.5)
        assert heartbeats(tmp_path) == 1
        worker.send_signal(signal.SIGTERM)  # exec'd: the worker itself gets it
        assert worker.wait(timeout=30) is not None
        assert "waiting for the web service's pre-deploy migrations" in worker.stdout.read()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_the_worker_gives_up_with_a_reason_when_migrations_never_come(tmp_path):
    result = subprocess.run(
        [str(ROOT / "bin" / "start-worker")],
        cwd=ROOT,
        env=worker_env(tmp_path, WORKER_MIGRATION_WAIT="0"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "migrations still pending" in result.stderr
