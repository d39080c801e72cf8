"""Sessions end after SESSION_IDLE_SECONDS without a request and after SESSION_MAX_SECONDS."""

import time

from workshop_site.observability import SESSION_SEEN, SESSION_STARTED


def age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_signing_in_starts_the_clock(client_as, lead):
    client = client_as(lead)
    started = client.session[SESSION_STARTED]
    assert time.time() - started < 60


def test_an_active_session_stays_signed_in(client_as, lead, settings):
    client = client_as(lead)
    age_session(client, **{SESSION_SEEN: settings.SESSION_IDLE_SECONDS - 60})
    response = client.get("/")
    assert response.context["user"] == lead
    assert time.time() - client.session[SESSION_SEEN] < 60  # the visit was noted


def test_an_idle_session_is_signed_out_with_a_korean_notice(client_as, lead, settings):
    client = client_as(lead)
    age_session(client, **{SESSION_SEEN: settings.SESSION_IDLE_SECONDS + 60})
    response = client.get("/workshops/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/workshops/"
    assert not response.context["user"].is_authenticated
    assert "오래 사용하지 않아 로그아웃되었습니다" in response.content.decode()


def test_a_session_ends_at_its_maximum_age_however_busy(client_as, lead, settings):
    client = client_as(lead)
    age_session(client, **{SESSION_STARTED: settings.SESSION_MAX_SECONDS + 60, SESSION_SEEN: 5})
    response = client.get("/")
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated is False


def test_anonymous_visitors_are_untouched(client, db):
    response = client.get("/accounts/login/code/")
    assert response.status_code == 200
    assert SESSION_SEEN not in client.session
