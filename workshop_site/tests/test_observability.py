"""Request ids in responses, logs and error pages; JSON logs; Sentry from the environment."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workshop_site.observability import JsonFormatter, RequestIdFilter

BASE_DIR = Path(__file__).resolve().parents[2]


def help_pattern():
    """The URL pattern of the help page, whose view the tests below replace."""
    import board.urls

    return next(pattern for pattern in board.urls.workshop_pages if pattern.name == "help")


def test_every_response_carries_a_request_id(client, db):
    response = client.get("/")
    assert len(response["X-Request-ID"]) == 32


def test_a_well_formed_incoming_request_id_is_kept(client, db):
    response = client.get("/", headers={"X-Request-ID": "railway-abc-12345"})
    assert response["X-Request-ID"] == "railway-abc-12345"


def test_a_hostile_incoming_request_id_is_replaced(client, db):
    response = client.get("/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert "<" not in response["X-Request-ID"]


def test_log_lines_written_during_a_request_carry_its_id(client, db, caplog, monkeypatch):
    import board.urls
    from board import result_views

    def noisy(request):
        logging.getLogger("workshops.test").warning("something happened")
        return result_views.help_page(request)

    help_route = next(p for p in board.urls.workshop_pages if p.name == "help")
    monkeypatch.setattr(help_route, "callback", noisy)
    caplog.handler.addFilter(RequestIdFilter())
    response = client.get("/help/")
    logging.getLogger("x").warning("outside")
    ids = {record.getMessage(): getattr(record, "request_id", None) for record in caplog.records}
    assert ids["something happened"] == response["X-Request-ID"]
    assert ids["outside"] == "-"


def test_the_500_page_shows_the_request_id(client, db, monkeypatch):
    from board import result_views

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(result_views, "help_page", broken)
    from django.urls import clear_url_caches

    clear_url_caches()
    client.raise_request_exception = False

    monkeypatch.setattr(help_pattern(), "callback", broken)
    response = client.get("/help/")
    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()
    assert "일시적인 오류" in response.content.decode()


def test_a_database_outage_gets_a_503_that_says_so(client, db, monkeypatch):
    from django.db import OperationalError

    def unreachable(request):
        raise OperationalError("connection refused")

    client.raise_request_exception = False
    monkeypatch.setattr(help_pattern(), "callback", unreachable)
    response = client.get("/help/")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "데이터베이스에 잠시 연결할 수 없어" in body and "data-error-message" in body
    assert response["X-Request-ID"] in body


def test_a_bug_gets_the_500_page_without_a_database_probe(client, db, monkeypatch):
    from workshop_site import observability

    probes = []
    monkeypatch.setattr(observability, "database_reachable", lambda: probes.append(1) or False)

    def broken(request):
        raise RuntimeError("boom")

    client.raise_request_exception = False
    monkeypatch.setattr(help_pattern(), "callback", broken)
    assert client.get("/help/").status_code == 500
    assert probes == []


def test_sentry_events_carry_the_request_id():
    from workshop_site.observability import _with_request_id, request_id_var

    token = request_id_var.set("req-12345678")
    try:
        event = _with_request_id({"tags": {"a": "b"}}, None)
    finally:
        request_id_var.reset(token)
    assert event["tags"] == {"a": "b", "request_id": "req-12345678"}


def test_json_logs_are_one_object_a_line():
    record = logging.LogRecord("app", logging.ERROR, __file__, 1, "실패: %s", ("x",), None)
    record.request_id = "abc123abc"
    line = JsonFormatter().format(record)
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "error",
        "logger": "app",
        "message": "실패: x",
        "request_id": "abc123abc",
    }


def settings_in_subprocess(env: dict, code: str) -> str:
    full = {
        **os.environ,
        "SECRET_KEY": "x" * 60,
        "DJANGO_SETTINGS_MODULE": "workshop_site.settings",
    }
    full.update(env)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sentry_is_configured_from_the_environment():
    out = settings_in_subprocess(
        {
            "SENTRY_DSN": "https://public@sentry.example.com/1",
            "SENTRY_ENVIRONMENT": "staging",
            "SENTRY_RELEASE": "abc123",
            "SENTRY_TRACES_SAMPLE_RATE": "0.25",
        },
        "import sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(o['environment'], o['release'], o['traces_sample_rate'])",
    )
    assert out == "staging abc123 0.25"


def test_without_a_dsn_sentry_stays_off():
    out = settings_in_subprocess(
        {"SENTRY_DSN": ""}, "import sentry_sdk; print(sentry_sdk.is_initialized())"
    )
    assert out == "False"


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("LOG_FORMAT", {"LOG_FORMAT": "xml"}),
        (
            "SENTRY_TRACES_SAMPLE_RATE",
            {"SENTRY_DSN": "https://k@sentry.example.com/1", "SENTRY_TRACES_SAMPLE_RATE": "lots"},
        ),
    ],
)
def test_bad_settings_stop_the_process(name, env):
    full = {**os.environ, "SECRET_KEY": "x" * 60, **env}
    full["DJANGO_SETTINGS_MODULE"] = "workshop_site.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert name in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workshop_site.settings",
        "DEBUG": "0",
        "SECRET_KEY": "prod-" + "k3Y9x" * 12,
        "ALLOWED_HOSTS": "workshop.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://workshop.example.com",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_COOKIES": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "TRUST_X_FORWARDED_PROTO": "1",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
