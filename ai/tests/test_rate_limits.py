"""Requests per user are limited on the shared cache; a forged header cannot reset a count."""

from django.test import RequestFactory
from django.urls import reverse

from ai.models import Refusal
from conftest import make_user
from workshop_site.client_ip import client_ip
from workshop_site.ratelimits import wait_phrase


def test_the_21st_ai_request_in_an_hour_gets_a_korean_429(client_as, lead, task):
    client = client_as(lead)  # the default limit, 20 an hour
    url = reverse("ai:request", args=[task.team_id])
    for _ in range(20):
        assert client.post(url).status_code in (200, 302)
    response = client.post(url)
    assert response.status_code == 429
    # The hour's window is a fixed clock bucket, so what is left of it may be under a minute
    # ("40초"); the page names the same wait as the Retry-After header.
    wait = int(response["Retry-After"])
    assert 0 < wait <= 3600
    assert f"{wait_phrase(wait)} 뒤에 다시 시도하세요" in response.content.decode()
    assert Refusal.objects.get().kind == Refusal.Kind.RATE_LIMIT


def test_an_htmx_request_over_the_limit_gets_the_message_for_its_toast(
    settings, client_as, lead, task
):
    settings.AI_RATE_LIMIT = "1/h"
    client = client_as(lead)
    url = reverse("ai:request", args=[task.team_id])
    client.post(url)
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert "data-error-message" in response.content.decode()


def test_a_forged_forwarded_for_does_not_reset_the_count(db, settings, client_as):
    """A per-address limit (wrong join codes from one address, several people): a client that
    writes its own X-Forwarded-For is still counted at its real address."""
    settings.JOIN_GUESS_RATE_LIMIT_PER_ADDRESS = "2/10m"
    statuses = []
    for i in range(3):
        client = client_as(make_user(f"forger{i}@example.com"))
        url = reverse("workshops:join_workshop", args=[f"WRONG{i}"])
        statuses.append(client.get(url, headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code)
    assert statuses == [404, 404, 429]


def test_write_endpoints_are_limited_per_user(settings, client_as, lead, member, team, domain):
    settings.WRITE_RATE_LIMIT = "2/15m"
    url = reverse("workshops:task_create", args=[team.pk])
    data = {
        "title": "x",
        "domain": domain.pk,
        "frequency": "weekly",
        "occurrences_per_period": 1,
        "minutes_per_occurrence": 10,
    }
    lead_client = client_as(lead)
    assert [lead_client.post(url, data).status_code for _ in range(3)] == [302, 302, 429]
    # Another person has their own allowance.
    assert client_as(member).post(url, data).status_code == 302


def test_reading_is_not_limited(settings, client_as, lead, team):
    settings.WRITE_RATE_LIMIT = "1/15m"
    client = client_as(lead)
    assert [client.get(team.get_absolute_url()).status_code for _ in range(3)] == [200] * 3


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_the_address_is_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_behind_one_proxy_the_address_is_what_that_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "1.2.3.4" itself; our proxy appended the address it really saw.
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_a_short_forwarded_header_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


def test_anonymous_limits_count_per_address_whatever_the_header_says(db, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from workshop_site.ratelimits import rate_limited

    settings.WRITE_RATE_LIMIT = "2/m"
    settings.TRUSTED_PROXY_COUNT = 0
    view = rate_limited("anonymous-test", "WRITE_RATE_LIMIT")(lambda request: HttpResponse("ok"))

    def post(forged):
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forged)
        request.user = AnonymousUser()
        return view(request).status_code

    assert [post(f"10.0.0.{i}") for i in range(3)] == [200, 200, 429]
