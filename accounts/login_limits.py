"""How long allauth's sign-in limits make a person wait, in the words the sign-in pages use.

allauth keeps, per limit, the times of the recent hits in the cache (a sliding window) but only
says "try again later". Reading the same entries tells the real time left: the oldest hit that
keeps the count at the limit leaves the window then.
"""

import math
import time

from allauth.account import app_settings as account_settings
from allauth.core.internal.ratelimit import get_cache_key, get_rates
from django.core.cache import cache
from django.utils.translation import gettext as _

from workshop_site.ratelimits import wait_phrase

APP = "allauth.account"


def seconds_until_allowed(request, *, action: str, key: str | None = None) -> int:
    """Seconds until `action` (e.g. "request_login_code") is allowed again for this request
    and key; 0 if it is allowed now."""
    now = time.time()
    wait = 0.0
    for rate in get_rates(app=APP, action=action):
        if (rate.per == "key" and key is None) or (
            rate.per == "user" and not request.user.is_authenticated
        ):
            continue
        cache_key = get_cache_key(request, app=APP, action=action, rate=rate, key=key)
        hits = sorted(t for t in cache.get(cache_key, []) if t > now - rate.duration)
        if len(hits) >= rate.amount:
            wait = max(wait, hits[len(hits) - rate.amount] + rate.duration - now)
    return math.ceil(wait)


def longest_window(action: str) -> float:
    return max((rate.duration for rate in get_rates(app=APP, action=action)), default=60)


def too_many_code_requests_message(request, email: str) -> str:
    """The request-code form refused: this address (or this network) asked too often."""
    key = email.lower()
    wait = seconds_until_allowed(request, action="request_login_code", key=key)
    # 0 here: allauth refused without counting (its cache lock was busy); the window is safe.
    return _("로그인 코드를 짧은 시간에 너무 많이 요청했습니다. %(wait)s 뒤에 다시 시도하세요.") % {
        "wait": wait_phrase(wait or longest_window("request_login_code"))
    }


def code_used_up_message(request, email: str | None) -> str:
    """The code was typed wrong too many times: it is void and a new one must be asked for."""
    message = _("로그인 코드를 %(count)d번 잘못 입력해 이 코드는 더 쓸 수 없습니다.") % {
        "count": account_settings.LOGIN_BY_CODE_MAX_ATTEMPTS
    }
    wait = 0
    if email:
        wait = seconds_until_allowed(request, action="request_login_code", key=email.lower())
    if wait:
        return (
            message
            + " "
            + _("%(wait)s 뒤에 새 코드를 받아 다시 로그인하세요.") % {"wait": wait_phrase(wait)}
        )
    return message + " " + _("아래에서 새 코드를 받아 다시 로그인하세요.")
