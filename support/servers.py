"""Test support: real server processes on loopback, sign-in without the e-mail round trip.

Browser and multi-process tests need the app served as in production (daphne, ASGI,
WebSockets), against the very database the test writes to.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.utils.module_loading import import_string

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """A DATABASE_URL naming the test database this process is using now."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"


class ServerProcess:
    """One daphne process serving the app on 127.0.0.1."""

    def __init__(self, *, port: int | None = None, mail_dir: Path, log_dir: Path, env=None):
        self.port = port or free_port()
        self.mail_dir = mail_dir
        self.log_path = log_dir / f"daphne-{self.port}.log"
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": test_database_url(),
                "DEBUG": "0",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "WHITENOISE_USE_FINDERS": "1",
                "STATIC_MANIFEST": "0",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail_dir),
                "LIVE_BOARD_DEBOUNCE": "0.2",
                "SECRET_KEY": settings.SECRET_KEY,
            }
        )
        redis_url = settings.CACHES["default"].get("LOCATION")
        if settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
            env["REDIS_URL"] = redis_url
        else:
            env.pop("REDIS_URL", None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30) -> "ServerProcess":
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "workshop_site.asgi:application",
            ],
            cwd=BASE_DIR,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"daphne did not listen on {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Die without a goodbye, like a crashed process: sockets drop with no close frame."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


class WorkerProcess:
    """The background worker (`manage.py worker`) against the same database and Redis as
    ServerProcess, polling for jobs every `interval` seconds."""

    def __init__(self, *, log_dir: Path, env=None, interval: float = 0.2):
        self.server_env = ServerProcess(mail_dir=log_dir, log_dir=log_dir, env=env)
        self.log_path = log_dir / "worker.log"
        self.interval = interval
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                str(self.interval),
            ],
            cwd=BASE_DIR,
            env=self.server_env.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise RuntimeError(f"the worker exited; see {self.log_path}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def session_cookie_for(user) -> str:
    """A signed-in session for `user`, stored where every process can read it."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def latest_code(mail_dir: Path, email: str) -> str:
    """The sign-in code most recently mailed to `email` by the file-based backend."""
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text(errors="replace")
        if f"To: {email}" in text:
            match = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", text)
            if match:
                return match.group(1)
    raise AssertionError(f"no sign-in code mailed to {email} in {mail_dir}")


class SlackListener:
    """A local HTTP listener standing in for a Slack incoming webhook."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        listener = self
        self.messages: list[dict] = []
        self.status = 200

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                import json

                length = int(self.headers.get("content-length") or 0)
                listener.messages.append(json.loads(self.rfile.read(length)))
                self.send_response(listener.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/test"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
