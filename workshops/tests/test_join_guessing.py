"""Join codes cannot be guessed at speed: wrong codes are limited per person and per address
(security finding 7 of issue 19); right codes never count."""

import re

import pytest
from django.urls import reverse

from conftest import make_user

pytestmark = pytest.mark.django_db


def join(client, code: str):
    return client.get(reverse("workshops:join_workshop", args=[code]))


def test_wrong_codes_past_the_limit_get_a_korean_429_with_the_wait(client_as, outsider, settings):
    settings.JOIN_GUESS_RATE_LIMIT = "3/10m"
    client = client_as(outsider)
    assert [join(client, code).status_code for code in ("AAAAAA", "BBBBBB", "CCCCCC")] == [404] * 3
    response = join(client, "DDDDDD")
    assert response.status_code == 429
    # The window is fixed to the clock (django-ratelimit): near its end the wait is in seconds.
    assert re.search(r"\d+(분|초) 뒤", response.content.decode())
    assert int(response["Retry-After"]) > 0


def test_a_right_code_never_counts(client_as, outsider, workshop, settings):
    settings.JOIN_GUESS_RATE_LIMIT = "3/10m"
    client = client_as(outsider)
    statuses = {join(client, workshop.join_code).status_code for _ in range(5)}
    assert 429 not in statuses


def test_wrong_codes_from_one_address_are_limited_across_people(client_as, settings):
    settings.JOIN_GUESS_RATE_LIMIT_PER_ADDRESS = "4/10m"
    for index in range(4):
        join(client_as(make_user(f"guess{index}@example.com")), f"WRONG{index}")
    response = join(client_as(make_user("guess9@example.com")), "WRONGX")
    assert response.status_code == 429


def test_the_429_says_wrong_codes_were_the_reason_and_the_real_wait(client_as, outsider, settings):
    settings.JOIN_GUESS_RATE_LIMIT = "2/10m"
    client = client_as(outsider)
    join(client, "AAAAAA")
    join(client, "BBBBBB")
    response = join(client, "CCCCCC")
    text = response.content.decode()
    assert "참여 코드를 여러 번 잘못 입력했습니다" in text
    # The wait shown is what is left of the counting window, as Retry-After says.
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 600
    shown = f"{seconds}초" if seconds < 60 else f"{-(-seconds // 60)}분"
    assert f"{shown} 뒤에 다시 시도하세요" in text
