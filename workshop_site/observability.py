"""Request ids, JSON logs, Sentry, security headers and session limits.

Every request gets an id: Railway's X-Railway-Request-Id (so our lines and the edge's HTTP log
share it), else X-Request-ID from another proxy, when it looks like an id; else a new one. It is
in every log line written while the request is handled, in the X-Request-ID response header and
on the error pages, so an operator can find a user's failed request by the id on their screen.
"""

import contextvars
import json
import logging
import re
import sys
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseServerError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Where a request id may come from, first match wins.
REQUEST_ID_HEADERS = ("X-Railway-Request-Id", "X-Request-ID")


def current_request_id(default: str = "-") -> str:
    """The id of the request being handled; `default` outside a request."""
    request_id = request_id_var.get()
    return default if request_id == "-" else request_id


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = next(
            (
                incoming
                for header in REQUEST_ID_HEADERS
                if _SAFE_ID.match(incoming := request.headers.get(header, ""))
            ),
            uuid.uuid4().hex,
        )
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request, exception):
        """Keep what a view raised for `server_error`, which under ASGI runs in another thread
        and cannot always see it."""
        request.raised = exception


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (a dash outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# The level names Railway's log explorer colours and filters by (docs.railway.com/observability/
# logs: "debug, info, warn, error"); anything above error is error there too.
LOG_LEVELS = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warn",
    logging.ERROR: "error",
    logging.CRITICAL: "error",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (LOG_FORMAT=json): `message` and `level`
    as Railway's structured logs expect them, the request id as a searchable attribute."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": LOG_LEVELS.get(record.levelno, "info"),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        before_send=_with_request_id,
    )
    logging.getLogger(__name__).debug("sentry enabled for %s", environment)


def _with_request_id(event, hint):
    """Tag each Sentry event with our request id, the one the error page shows the user."""
    event.setdefault("tags", {})["request_id"] = request_id_var.get()
    return event


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` means the database cannot be reached (restart, network, full pool),
    as opposed to a bug."""
    from django.db import InterfaceError, OperationalError

    try:
        from psycopg import OperationalError as PsycopgOperationalError
    except ImportError:  # SQLite-only installs
        PsycopgOperationalError = OperationalError
    return isinstance(error, OperationalError | InterfaceError | PsycopgOperationalError)


def database_reachable() -> bool:
    """A fresh connection with a short timeout, outside any pool (whose wait would only
    delay the answer by its own timeout)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return True  # SQLite is a file: if it failed, it was not a network outage
    import psycopg

    params = {**connection.get_connection_params(), "connect_timeout": 2}
    try:
        psycopg.connect(**params).close()
        return True
    except Exception:
        return False


def server_error(request, *args, **kwargs):
    """The 500 page, with the request id the operator will ask for. When the database is
    out of reach (a restart), a 503 that says so and when to try again instead: the request
    changed nothing, and the person's input is still on their screen."""
    request_id = getattr(request, "request_id", current_request_id())
    # A view's exception is kept by RequestIdMiddleware; one raised in a middleware (the
    # session read, say) may be out of sight in this thread: only then ask the database itself,
    # rather than opening a connection for every bug.
    error = getattr(request, "raised", None) or sys.exc_info()[1]
    unavailable = database_unavailable(error) if error is not None else not database_reachable()
    context = {
        "request_id": request_id,
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
    template, status = ("503.html", 503) if unavailable else ("500.html", 500)
    try:
        html = render_to_string(template, context)
    except Exception:  # the page must render even when templates cannot
        html = f"<h1>일시적인 오류가 났습니다</h1><p>요청 ID: {request_id}</p>"
    response = HttpResponseServerError(html, status=status)
    if unavailable:
        response["Retry-After"] = "10"
    return response


class SecurityHeadersMiddleware:
    """Permissions-Policy (no camera, microphone, location or payment), and a CSP nonce on
    every response: django-csp adds it only to pages that used it, and a policy that is the
    same on every page is simpler to reason about (and to test)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None:
            str(nonce)  # runs before CSPMiddleware writes the header (it is listed first)
        return response


SESSION_STARTED = "signed_in_at"
SESSION_SEEN = "last_seen_at"


class SessionLimitsMiddleware:
    """Sign people out after SESSION_IDLE_SECONDS without a request, and after
    SESSION_MAX_SECONDS whatever they do. The last-seen time is written at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            seen = session.get(SESSION_SEEN, now)
            # A quick-join participant's only way in is this browser: no idle sign-out (the
            # session still ends after SESSION_MAX_SECONDS).
            idle = (
                not getattr(user, "is_guest", False) and now - seen > settings.SESSION_IDLE_SECONDS
            )
            if now - started > settings.SESSION_MAX_SECONDS or idle:
                logout(request)
                messages.info(
                    request, _("오래 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요.")
                )
                from django.contrib.auth.views import redirect_to_login  # needs the apps

                return redirect_to_login(request.get_full_path())
            if now - seen > 60 or SESSION_SEEN not in session:
                session[SESSION_SEEN] = now
        return self.get_response(request)


def csp_nonce(request) -> dict:
    """Template context: the request's CSP nonce as `csp_nonce` (what django-htmx reads)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
