"""Per-user request limits (django-ratelimit on the shared cache), answered in Korean.

A limited POST gets a 429 page (or, for htmx, the same page, whose message the browser shows
as a toast) saying when to try again, with a Retry-After header. Each refusal is announced as
`request_refused` (sender: the limit's group); the spend dashboard's counter listens
(ai.budget.record_rate_limit_refusal), so this module knows nothing of who counts them.
"""

import math
from functools import wraps

from django.conf import settings
from django.dispatch import Signal
from django.shortcuts import render
from django_ratelimit.core import get_usage

# Sent for every request a limit refuses: sender=the group (e.g. "write", "ai:unavailable"),
# request=the request.
request_refused = Signal()


def wait_phrase(seconds: float) -> str:
    """How long to wait, as the person reads it: "40초" under a minute, else whole minutes
    rounded up ("5분"), never less than the time really left."""
    seconds = max(math.ceil(seconds), 1)
    if seconds < 60:
        return f"{seconds}초"
    return f"{math.ceil(seconds / 60)}분"


def too_many_requests(request, seconds_left: int, *, unavailable: bool = False, reason: str = ""):
    """The 429 page. `reason`: "join" for wrong join codes and "export" for downloads, which
    say so; else the generic message."""
    context = {"wait": wait_phrase(seconds_left), "unavailable": unavailable, "reason": reason}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(max(seconds_left, 1))
    return response


def rate_limited(group: str, rate_setting: str, *, method: str = "POST", reason: str = ""):
    """Limit the view's requests of `method` (POSTs) per signed-in user (per address for
    anonymous visitors). `reason`: which message the 429 page gives (too_many_requests)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == method:
                usage = get_usage(
                    request,
                    group=group,
                    key="user_or_ip",
                    rate=getattr(settings, rate_setting),
                    method=method,
                    increment=True,
                )
                if usage and usage["should_limit"]:
                    # time_left < 0: the cache could not count (Redis down) and
                    # RATELIMIT_FAIL_OPEN is off, so the request is refused to be safe.
                    unavailable = usage["time_left"] < 0
                    _record_refusal(request, f"{group}:unavailable" if unavailable else group)
                    if unavailable:
                        return too_many_requests(request, 30, unavailable=True)
                    return too_many_requests(request, usage["time_left"], reason=reason)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _record_refusal(request, group: str) -> None:
    request_refused.send(sender=group, request=request)


def wrong_guesses_limited(group: str, rate_setting: str, rate_per_address_setting: str):
    """Limit the view's *wrong* guesses (responses 404) per user and per address, any method.

    For codes that grant entry (a join code): a right code costs nothing, so 50 leads behind
    one office address join freely, while someone trying codes is stopped after a few misses.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            limits = [("user_or_ip", getattr(settings, rate_setting))]
            limits.append(("ip", getattr(settings, rate_per_address_setting)))
            for key, rate in limits:
                usage = get_usage(
                    request, group=f"{group}:{key}", key=key, rate=rate, increment=False
                )
                # Counted without adding this request: the limit is reached at `limit` misses.
                if usage and usage["count"] >= usage["limit"]:
                    _record_refusal(request, group)
                    # time_left: the real rest of the counting window (fixed windows).
                    return too_many_requests(request, usage["time_left"], reason=group)
            response = view(request, *args, **kwargs)
            if response.status_code == 404:
                for key, rate in limits:
                    get_usage(request, group=f"{group}:{key}", key=key, rate=rate, increment=True)
            return response

        return wrapped

    return decorator


ai_limited = rate_limited("ai", "AI_RATE_LIMIT")
# Downloads (exports): each one reads a whole workshop or team and builds a file.
exports_limited = rate_limited("export", "EXPORT_RATE_LIMIT", method="GET", reason="export")
write_limited = rate_limited("write", "WRITE_RATE_LIMIT")
# Joining: per person once signed in, per address before (a quick join is anonymous until it
# succeeds, and a whole room may share one office address: the limit is a room's worth).
joins_limited = rate_limited("join", "JOIN_RATE_LIMIT")
join_guesses_limited = wrong_guesses_limited(
    "join", "JOIN_GUESS_RATE_LIMIT", "JOIN_GUESS_RATE_LIMIT_PER_ADDRESS"
)
