"""A person stopped by a sign-in limit is told how long to wait, with the real time left."""

import re
import time

import pytest
from django.core import mail
from django.test import Client

from workshop_site.ratelimits import wait_phrase

CODE_FORM = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"
EMAIL = "lead@example.com"

pytestmark = pytest.mark.django_db


class Clock:
    """time.time at a moment the test moves (the process's clock, allauth's and ours)."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


def request_code(client, email=EMAIL):
    return client.post(CODE_FORM, {"email": email})


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def wrong_codes(client, times=5):
    response = None
    for _ in range(times):
        response = client.post(CONFIRM, {"code": "ZZZZ-ZZZZ"}, follow=True)
    return response


def test_asking_for_codes_too_often_says_how_many_seconds_are_left(clock):
    # A pending code keeps a browser on the code page; each browser here asks once.
    for _ in range(3):  # the limit: three codes a minute per address
        assert request_code(Client()).status_code == 302
        clock.now += 10
    response = request_code(Client())  # 30 s after the first request
    assert response.status_code == 200
    text = page_text(response)
    assert "로그인 코드를 짧은 시간에 너무 많이 요청했습니다. 30초 뒤에 다시 시도하세요." in text
    assert "잠시 후에" not in text
    assert len(mail.outbox) == 3

    clock.now += 30  # the first request leaves the window
    assert request_code(Client()).status_code == 302


def test_the_last_wrong_code_says_the_code_is_void_and_a_new_one_can_be_asked_now(client):
    request_code(client)
    response = wrong_codes(client)
    assert response.redirect_chain[-1][0].startswith(CODE_FORM)
    text = page_text(response)
    assert (
        "로그인 코드를 5번 잘못 입력해 이 코드는 더 쓸 수 없습니다. "
        "아래에서 새 코드를 받아 다시 로그인하세요."
    ) in text
    assert "잠시 후에" not in text
    assert request_code(client).status_code == 302  # and indeed: no wait


def test_the_last_wrong_code_tells_the_wait_when_no_new_code_may_be_sent_yet(clock):
    browsers = [Client() for _ in range(3)]
    for browser in browsers:
        request_code(browser)
        clock.now += 10
    clock.now -= 5  # 25 s after the first request
    text = page_text(wrong_codes(browsers[-1]))
    assert "로그인 코드를 5번 잘못 입력해 이 코드는 더 쓸 수 없습니다." in text
    assert "35초 뒤에 새 코드를 받아 다시 로그인하세요." in text


def test_a_wrong_code_before_the_last_says_only_that_it_is_wrong(client):
    request_code(client)
    response = client.post(CONFIRM, {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 200
    assert "더 쓸 수 없습니다" not in page_text(response)


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (0, "1초"),
        (0.2, "1초"),
        (30, "30초"),
        (59.5, "1분"),
        (60, "1분"),
        (61, "2분"),
        (600, "10분"),
    ],
)
def test_waits_read_as_seconds_under_a_minute_and_minutes_rounded_up(seconds, phrase):
    assert wait_phrase(seconds) == phrase
