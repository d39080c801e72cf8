"""How the app meets the platform in front of it (Railway): the health probe, the client address
header, the request id header, logs, and sign-in mail through an HTTPS mail API."""

import json
import logging
import re
import subprocess
import sys

import pytest
from django.core import mail
from django.test import RequestFactory

from support.fake_mail_api import FakePostmark
from workshop_site.client_ip import client_ip

PUBLIC_HOST = "workshop.example.com"
PROBE_HOST = "healthcheck.railway.app"
CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


@pytest.fixture
def production(settings):
    """The README's production settings behind Railway's edge."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [PUBLIC_HOST]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    return settings


# --- The health probe ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_probe_host_gets_200_from_the_deploy_gate_over_plain_http(client, production):
    # Railway probes with its own Host and without X-Forwarded-Proto.
    response = client.get("/health/deploy/", HTTP_HOST=PROBE_HOST)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_the_probe_host_gets_liveness_too(client, production):
    response = client.get("/health/", HTTP_HOST=PROBE_HOST)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_the_probe_host_reaches_nothing_but_the_probe_paths(client, production):
    assert client.get("/", HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get("/health/ready/", HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get("/admin/", HTTP_HOST=PROBE_HOST).status_code == 400


@pytest.mark.django_db
def test_pages_still_redirect_to_https_while_health_paths_answer_plain_http(client, production):
    page = client.get("/", HTTP_HOST=PUBLIC_HOST)
    assert page.status_code == 301
    assert page["Location"] == f"https://{PUBLIC_HOST}/"
    assert client.get("/health/deploy/", HTTP_HOST=PUBLIC_HOST).status_code == 200


@pytest.mark.django_db
def test_an_unknown_host_is_still_refused_on_the_probe_paths(client, production):
    assert client.get("/health/deploy/", HTTP_HOST="evil.example").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_the_deploy_gate_fails_with_the_database_named_when_it_is_unreachable(
    client, production, monkeypatch
):
    from workshop_site import health

    def broken():
        raise ConnectionError("could not connect to server")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/health/deploy/", HTTP_HOST=PROBE_HOST)
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == (
        "ConnectionError: could not connect to server"
    )


# --- The client's address -----------------------------------------------------------------------


def request_with(remote="10.0.0.9", **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_with_a_client_ip_header_the_address_is_that_header(settings):
    settings.CLIENT_IP_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Real-IP", 0
    request = request_with(**{"X-Real-IP": "203.0.113.7", "X-Forwarded-For": "1.2.3.4"})
    assert client_ip(request) == "203.0.113.7"


def test_with_a_client_ip_header_a_forged_forwarded_for_is_ignored(settings):
    settings.CLIENT_IP_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Real-IP", 0
    assert client_ip(request_with(**{"X-Forwarded-For": "1.2.3.4"})) == "10.0.0.9"


def test_a_client_ip_header_that_is_not_an_address_falls_back_to_the_peer(settings):
    settings.CLIENT_IP_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Real-IP", 0
    assert client_ip(request_with(**{"X-Real-IP": "<script>"})) == "10.0.0.9"


def test_allauth_reads_the_same_header():
    from allauth.core.internal.httpkit import get_client_ip

    # settings.py hands CLIENT_IP_HEADER to allauth; with it unset both use the peer.
    from django.conf import settings

    assert (settings.CLIENT_IP_HEADER or None) == settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    assert get_client_ip(request_with(**{"X-Real-IP": "203.0.113.7"})) == "10.0.0.9"


@pytest.mark.django_db
def test_the_audit_log_and_limits_see_the_railway_client_address(client, settings, lead):
    from accounts.models import AuditEntry

    settings.CLIENT_IP_HEADER, settings.TRUSTED_PROXY_COUNT = "X-Real-IP", 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    client.post(
        "/accounts/login/code/",
        {"email": lead.email},
        headers={"X-Real-IP": "198.51.100.23", "X-Forwarded-For": "6.6.6.6"},
        REMOTE_ADDR="10.0.0.1",
    )
    sign_in = CODE.search(mail.outbox[-1].body).group(1)
    client.post(
        "/accounts/login/code/confirm/",
        {"code": sign_in},
        headers={"X-Real-IP": "198.51.100.23"},
        REMOTE_ADDR="10.0.0.1",
    )
    entry = AuditEntry.objects.filter(action="sign_in").latest("at")
    assert entry.ip == "198.51.100.23"


def test_both_ways_of_finding_the_address_at_once_is_a_configuration_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import workshop_site.settings"],
        env={
            "DEBUG": "1",
            "CLIENT_IP_HEADER": "X-Real-IP",
            "TRUSTED_PROXY_COUNT": "1",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set CLIENT_IP_HEADER or TRUSTED_PROXY_COUNT, not both" in result.stderr


# --- Request ids and logs -----------------------------------------------------------------------


@pytest.mark.django_db
def test_railway_request_id_is_the_request_id(client):
    response = client.get(
        "/", headers={"X-Railway-Request-Id": "rw-9f8e7d6c5b4a", "X-Request-ID": "other-123456"}
    )
    assert response["X-Request-ID"] == "rw-9f8e7d6c5b4a"


@pytest.mark.django_db
def test_a_malformed_railway_request_id_falls_back_to_the_next_header(client):
    response = client.get(
        "/", headers={"X-Railway-Request-Id": "<bad id>", "X-Request-ID": "other-123456"}
    )
    assert response["X-Request-ID"] == "other-123456"


def settings_in_a_fresh_process(**env) -> dict:
    """LOGGING as settings.py builds it with these variables (and nothing else set)."""
    script = (
        "import json, workshop_site.settings as s; "
        "print(json.dumps({'format': s.LOG_FORMAT, "
        "'stream': s.LOGGING['handlers']['console'].get('stream')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_logs_are_json_on_stdout():
    assert settings_in_a_fresh_process() == {"format": "json", "stream": "ext://sys.stdout"}


def test_a_developer_gets_plain_lines_and_can_choose():
    assert settings_in_a_fresh_process(DEBUG="1")["format"] == "plain"
    assert settings_in_a_fresh_process(LOG_FORMAT="plain")["format"] == "plain"


def test_json_lines_carry_level_and_message_for_the_log_viewer():
    from workshop_site.observability import JsonFormatter

    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "디스크 %s", ("가득",), None)
    record.request_id = "abc12345"
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["message"], line["request_id"]) == (
        "warn",
        "디스크 가득",
        "abc12345",
    )


# --- Sign-in mail through an HTTPS mail API -----------------------------------------------------


@pytest.fixture
def postmark(settings):
    fake = FakePostmark(token="server-token-1", senders=["workshop@example.com"]).start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "server-token-1",
        "POSTMARK_API_URL": fake.url,
        "REQUESTS_TIMEOUT": 1,
    }
    settings.DEFAULT_FROM_EMAIL = "workshop@example.com"
    yield fake
    fake.stop()


@pytest.mark.django_db
def test_a_sign_in_code_goes_through_the_mail_api_and_signs_the_person_in(client, postmark):
    response = client.post("/accounts/login/code/", {"email": "lead@example.com"})
    assert response.status_code == 302
    [message] = postmark.messages
    assert message["To"] == "lead@example.com"
    assert message["From"] == "workshop@example.com"
    assert message["Subject"].startswith("[워크샵]")
    code = CODE.search(message["TextBody"]).group(1)
    confirmed = client.post("/accounts/login/code/confirm/", {"code": code})
    assert confirmed.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trouble", "setup"),
    [
        ("the provider is down", lambda fake, settings: setattr(fake, "fail_with", 503)),
        ("the provider is slow", lambda fake, settings: setattr(fake, "delay", 2.0)),
        (
            "the token is wrong",
            lambda fake, settings: settings.ANYMAIL.update(POSTMARK_SERVER_TOKEN="wrong"),
        ),
        (
            "the sender is not confirmed",
            lambda fake, settings: setattr(settings, "DEFAULT_FROM_EMAIL", "x@elsewhere.example"),
        ),
    ],
)
def test_when_the_mail_cannot_go_the_person_is_told_in_korean_to_ask_again(
    client, postmark, settings, trouble, setup
):
    setup(postmark, settings)
    response = client.post("/accounts/login/code/", {"email": "lead@example.com"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "코드 메일을 보내지 못했습니다" in page
    assert "코드 다시 받기" in page
    assert postmark.messages == []


@pytest.mark.django_db
def test_a_resend_that_works_clears_the_failure_notice(client, postmark):
    postmark.fail_with = 503
    client.post("/accounts/login/code/", {"email": "lead@example.com"})
    postmark.fail_with = None
    page = client.post("/accounts/login/code/confirm/", {"action": "resend"}, follow=True)
    assert "코드를 보냈습니다" in page.content.decode()
    assert len(postmark.messages) == 1


GOOD = {"From": "workshop@example.com", "To": "a@b.c", "Subject": "s", "TextBody": "x"}
TOKEN = {"X-Postmark-Server-Token": "t"}


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({}, GOOD, 401, 10),
        ({**TOKEN, "X-Postmark-Server-Token": "wrong"}, GOOD, 401, 10),
        ({**TOKEN, "Accept": "text/html"}, GOOD, 422, 409),
        (TOKEN, {**GOOD, "TextBody": ""}, 422, 300),
        (TOKEN, {**GOOD, "Subject": ""}, 422, 300),
        (TOKEN, {**GOOD, "To": ""}, 422, 300),
        (TOKEN, {**GOOD, "From": "someone@else.example"}, 422, 400),
        (TOKEN, {**GOOD, "To": ", ".join(f"p{n}@b.c" for n in range(51))}, 422, 300),
        (
            TOKEN,
            {**GOOD, "To": ", ".join(f"p{n}@b.c" for n in range(30)), "Bcc": "x@b.c, " * 21},
            422,
            300,
        ),
        (TOKEN, {**GOOD, "To": "not-an-address"}, 422, 300),
        (TOKEN, {**GOOD, "To": ["a@b.c"]}, 422, 300),
    ],
    ids=[
        "no token",
        "wrong token",
        "not json",
        "no body",
        "no subject",
        "no recipient",
        "unknown sender",
        "51 recipients",
        "51 across to and bcc",
        "malformed address",
        "not a string",
    ],
)
def test_the_fake_mail_api_refuses_what_postmark_refuses(headers, body, status, code):
    fake = FakePostmark(token="t")
    sent = {"Accept": "application/json", "Content-Type": "application/json", **headers}
    answer_status, answer = fake.check(sent, json.dumps(body).encode())
    assert (answer_status, answer["ErrorCode"]) == (status, code)
    assert fake.messages == []


def test_the_fake_mail_api_takes_the_token_in_any_case_and_the_test_token_delivers_nothing():
    fake = FakePostmark(token="Server-Token", sender_domains=["example.org"])
    sent = {"Accept": "application/json", "Content-Type": "application/json"}
    body = json.dumps({**GOOD, "From": "anyone@example.org"}).encode()
    assert fake.check({**sent, "X-Postmark-Server-Token": "SERVER-TOKEN"}, body)[0] == 200
    assert fake.check({**sent, "X-Postmark-Server-Token": "POSTMARK_API_TEST"}, body)[0] == 200
    assert len(fake.messages) == 1


def test_the_fake_mail_api_accepts_a_well_formed_message_as_postmark_answers():
    fake = FakePostmark(token="t")
    sent = {"Accept": "application/json", "Content-Type": "application/json", **TOKEN}
    status, answer = fake.check(sent, json.dumps(GOOD).encode())
    assert status == 200
    assert (answer["To"], answer["ErrorCode"], answer["Message"]) == ("a@b.c", 0, "OK")
    assert set(answer) == {"To", "SubmittedAt", "MessageID", "ErrorCode", "Message"}
    assert fake.messages == [GOOD]
