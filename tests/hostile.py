"""The hostile-input catalogue, strategies and checks used by the hostile-input tests:
`tests/test_hostile_input.py` (the endpoints of every app) and each app's own
`<app>/tests/test_hostile_<feature>.py`.

Kept apart from the tests so the tests read as properties: what is sent, what must hold. A
hostile-input module imports `hostile_setup` (an autouse fixture): it raises the rate limits
and has the figures of the whole run written once, at its end.
"""

import itertools
import json
import os
import re
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from hypothesis import HealthCheck, event, example
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

IN_CI = os.environ.get("CI", "").lower() == "true"

# One profile for the module. Examples share the test's fixtures (each example runs in a
# savepoint that is rolled back), hence the function-scoped-fixture health check is off; the
# web requests make examples slow and large on purpose. CI replays the same examples every run.
hypothesis_settings.register_profile(
    "hostile-input",
    deadline=None,
    derandomize=IN_CI,
    database=None,  # nothing written outside test-artifacts; a failure prints its seed
    print_blob=True,
    max_examples=30,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)
PROFILE = hypothesis_settings.get_profile("hostile-input")


def examples(n: int):
    """The module's profile with `n` generated examples (explicit @example cases come on top)."""
    return hypothesis_settings(PROFILE, max_examples=n)


# --- The catalogue: one explicit input per hostile category -----------------------------------

HOSTILE_TEXT = {
    "huge_10k": "가" * 10_000,
    "huge_100k": "x" * 100_000,
    "empty": "",
    "whitespace_only": " \t\r\n\u3000\u00a0 ",
    "script": "<script>alert(1)</script>",
    "img_onerror": '"><img src=x onerror=alert(document.cookie)>',
    "sql": "'; DROP TABLE workshops_task; --",
    "template_and_format": "{{ request }} {% csrf_token %} %(name)s %s {0}",
    "korean": "월간 실적 보고서 작성 (엑셀 피벗)",
    "emoji_zwj": "👩\u200d👩\u200d👧\u200d👦 가족 🏳️\u200d🌈",
    "variation_selectors": "❤\ufe0f ☺\ufe0e ✔\ufe0f 1\ufe0f\u20e3",
    "combining": "e\u0301 n\u0303 Z\u0335\u0321\u0322\u0347a\u0338l\u0337g\u0336o\u0337 한\u0301",
    "rtl": "مرحبا שלום \u202eexe.fdp\u202c \u200f",
    "nul": "보고서\x00작성",
    "control": "\x01\x07\x08\x1b[31m빨강\x1b[0m\x7f\x9f",
    "line_separators": "첫째\u2028둘째\u2029셋째\ufeff\u200b",
}
# Text a client can send but a browser cannot: a lone surrogate, UTF-8-encoded as a broken
# client would; Django reads each bad byte as U+FFFD (see `as_django_reads`).
LONE_SURROGATE = "업무\ud800명"
EXPLICIT_TEXTS = frozenset([*HOSTILE_TEXT.values(), LONE_SURROGATE])
# Values a browser cannot produce but a client can send: a lone surrogate (as a broken
# client encodes it), invalid UTF-8, an overlong encoding.
RAW_BYTES = {
    "lone_surrogate": "업무\ud800명".encode("utf-8", "surrogatepass"),
    "invalid_utf8": b"\xff\xfe\xfd",
    "overlong_slash": b"\xc0\xaf",
}
HOSTILE_NUMBERS = [
    "",
    "abc",
    "-1",
    "0",
    "1.5",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "99999999999999999999999",
    "9" * 5000,
    " 5 ",
    "0x10",
    "1,000",
    "<script>alert(1)</script>",
    "'; DROP TABLE workshops_task; --",
    "５",
    "\x00",
]
# Numbers every form must refuse (the rest may be read as numbers by Python's int()).
INVALID_NUMBERS = frozenset(
    ["", "abc", "-1", "0", "1.5", "1e309", "-1e309", "NaN", "inf", "9" * 5000, "0x10", "\x00"]
)
EXPLICIT_VALUES = EXPLICIT_TEXTS | frozenset(HOSTILE_NUMBERS)

# Full Unicode except surrogates (a UTF-8 form cannot carry them), control characters included.
any_text = st.text()
long_text = st.builds(
    lambda unit, times: unit * times, st.text(min_size=1, max_size=3), st.integers(1, 3000)
)
hostile_mix = st.builds(
    lambda a, b, c: a + b + c,
    st.text(max_size=5),
    st.sampled_from(list(HOSTILE_TEXT.values())),
    st.text(max_size=5),
)
text_input = st.one_of(any_text, long_text, hostile_mix)
number_input = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-5, max_value=2000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(HOSTILE_NUMBERS),
    any_text,
)
# A form field's value as a client may send it: text, or raw bytes that are not valid UTF-8.
raw_value = st.one_of(text_input, st.sampled_from(list(RAW_BYTES.values())), st.binary(max_size=20))


def hostile_text_examples(**axes):
    """@example for every catalogue text, once for each value of each axis (e.g. field=[...])."""
    ((axis, choices),) = [(k, v) for k, v in axes.items() if isinstance(v, list)] or [
        (None, [None])
    ]
    fixed = {k: v for k, v in axes.items() if not isinstance(v, list)}

    def apply(test):
        for choice in choices:
            for value in [*HOSTILE_TEXT.values(), LONE_SURROGATE]:
                extra = {axis: choice} if axis else {}
                test = example(value=value, **extra, **fixed)(test)
        return test

    return apply


# --- Counting what was tried --------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
COUNT_FILE = ARTIFACTS / "hostile-input-count.json"
TRIED: Counter = Counter()
EXPLICIT: Counter = Counter()


def count(endpoint: str, *values) -> None:
    TRIED[endpoint] += 1
    if any(isinstance(v, str) and v in EXPLICIT_VALUES for v in values):
        EXPLICIT[endpoint] += 1


def write_counts(path: Path) -> dict:
    """Merge this run's figures into `path`, under the database the run used."""
    total = sum(TRIED.values())
    explicit = sum(EXPLICIT.values())
    figures = {
        "inputs_tried": total,
        "explicit_catalogue_inputs": explicit,
        "generated_inputs": total - explicit,
        "by_endpoint": dict(sorted(TRIED.items())),
        "catalogue_categories": sorted(HOSTILE_TEXT) + sorted(RAW_BYTES),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        stored = {}
    stored[connection.vendor] = figures
    path.write_text(json.dumps(stored, ensure_ascii=False, indent=2) + "\n")
    return figures


class _CountReport:
    """Writes the figures once, when the run ends, over every hostile-input module that ran
    (the counters above are shared by all of them)."""

    figures: dict | None = None

    def pytest_sessionfinish(self, session):
        self.figures = write_counts(COUNT_FILE)

    def pytest_terminal_summary(self, terminalreporter):
        if self.figures:
            terminalreporter.write_line(
                f"hostile input: {self.figures['inputs_tried']} inputs tried ({COUNT_FILE})"
            )


@pytest.fixture(autouse=True)
def hostile_setup(request, settings):
    """Autouse in each module that imports it. The write and AI rate limits (100/15 min, 20/h
    per user) are raised: generation sends hundreds of writes as one user, and the limits have
    their own tests (ai/tests/test_rate_limits.py). The first test to run registers the
    report that writes `COUNT_FILE` at the end of the run."""
    settings.WRITE_RATE_LIMIT = "1000000/m"
    settings.AI_RATE_LIMIT = "1000000/m"
    settings.ACCOUNT_RATE_LIMITS = {
        "request_login_code": "1000000/m/ip,1000000/m/key",
        "login_failed": "1000000/m/ip,1000000/m/key",
    }
    manager = request.config.pluginmanager
    if not manager.has_plugin("hostile-input-counts"):
        manager.register(_CountReport(), "hostile-input-counts")


# --- Sending ------------------------------------------------------------------------------------


def form_body(fields) -> bytes:
    """x-www-form-urlencoded, as a browser sends a form. `fields`: a dict, or pairs (a key may
    repeat). str values go as UTF-8 (a lone surrogate as a broken client would encode it);
    bytes go as they are."""
    pairs = fields.items() if isinstance(fields, dict) else fields

    def encode(part) -> str:
        raw = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        return quote_plus(raw)

    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs).encode("ascii")


def as_received(body: bytes) -> dict[str, list[str]]:
    """What Django reads out of `body` (QueryDict's parsing: UTF-8, bad bytes replaced)."""
    received: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8"):
        received.setdefault(key, []).append(value)
    return received


def too_big(body: bytes) -> bool:
    return len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def post(client, url: str, fields, *, endpoint: str, htmx: bool = False, headers=None):
    body = form_body(fields)
    values = [v for _, v in (fields.items() if isinstance(fields, dict) else fields)]
    count(endpoint, *values)
    all_headers = {"HX-Request": "true"} if htmx else {}
    all_headers.update(headers or {})
    response = client.post(
        url, body, content_type="application/x-www-form-urlencoded", headers=all_headers
    )
    assert response.status_code < 500, f"{endpoint}: {response.status_code} for {body[:300]!r}"
    response.sent_body = body
    return response


@contextmanager
def rolled_back():
    """Run one example in a savepoint and undo it, so examples do not see each other's rows.
    The cache is emptied too: sessions are read through it (cached_db), and a session the
    savepoint took back must not live on there (a pending sign-in code, say)."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        cache.clear()


# --- What the answer must look like -------------------------------------------------------------

HANGUL = re.compile("[\uac00-\ud7a3]")
ERROR_LIST = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
ERROR_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
ERROR_PAGE_MESSAGE = re.compile(r'<p class="error-message" data-error-message>(.*?)</p>', re.S)
FLASH = re.compile(r'<p class="message ([^"]*)">(.*?)</p>', re.S)
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=")


from workshop_site.forms import CONTROL_CHARACTERS  # noqa: E402


def as_django_reads(value: str) -> str:
    """`value` after the trip through a form body: bytes that are not UTF-8 (a lone
    surrogate) arrive as U+FFFD, as QueryDict decodes them."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def kept_text(value, *, max_length: int, required: bool = True) -> str | None:
    """What a Django CharField keeps of `value` sent in a form (strip=True,
    ProhibitNullCharactersValidator, max_length), or None when it must refuse it: our forms
    also refuse control characters other than tab, newline and CR (RefusesControlCharacters)."""
    if not isinstance(value, str):
        return None
    kept = as_django_reads(value).strip()
    if CONTROL_CHARACTERS.search(kept) or len(kept) > max_length or (required and not kept):
        return None
    return kept


def body_of(response) -> str:
    return response.content.decode("utf-8", "replace")


def error_items(body: str) -> list[str]:
    return [item for ul in ERROR_LIST.findall(body) for item in ERROR_ITEM.findall(ul)]


def assert_errors_are_korean(response, *, typed=()) -> None:
    """Whatever errors the page lists are in Korean (there may be none)."""
    for item in error_items(body_of(response)):
        own = item
        for value in typed:
            if isinstance(value, str) and value.strip():
                own = own.replace(escape(value), "").replace(escape(value.strip()), "")
        assert HANGUL.search(own), f"error not in Korean: {item!r}"


def assert_korean_error(response, *, typed=()) -> None:
    """The answer says what is wrong, in Korean: a form error list, a Korean error page, or a
    Korean flash message. Text the person typed (which an error may quote) does not count."""
    body = body_of(response)
    if response.status_code in (400, 403, 404, 429):
        page = ERROR_PAGE_MESSAGE.findall(body) + error_items(body)
        assert page and all(HANGUL.search(p) for p in page), body[:2000]
        return
    flashes = [m for tags, m in FLASH.findall(body) if "error" in tags]
    assert error_items(body) or flashes, f"no error shown ({response.status_code}): {body[:2000]}"
    assert_errors_are_korean(response, typed=typed)
    for flash in flashes:
        assert HANGUL.search(flash), f"message not in Korean: {flash!r}"


def assert_kept(response, values) -> None:
    """The form came back holding what the person typed (HTML-escaped)."""
    body = body_of(response)
    for value in values:
        assert escape(value) in body, f"input lost: {value[:80]!r}"


def assert_shown(body: str, value: str, *, multiline: bool = False) -> None:
    """`value` is on the page as typed, escaped, and never as live markup."""
    shown = linebreaksbr(value, autoescape=True) if multiline else escape(value)
    assert shown in body, f"not shown as typed: {value[:80]!r}"
    if any(markup in value for markup in RAW_MARKUP):
        assert value not in body


def same_site(response) -> None:
    """A redirect never leads off the site, whatever was posted as `next`."""
    if 300 <= response.status_code < 400:
        target = urlparse(response["Location"])
        assert target.netloc in ("", "testserver"), response["Location"]


def outcome(accepted: bool) -> bool:
    """Record, for --hypothesis-show-statistics, how often each branch of a property ran."""
    event("accepted" if accepted else "refused")
    return accepted


# --- Forms more than one module posts -----------------------------------------------------------

# Numbers that do not repeat within a run: for e-mail addresses and titles.
serials = itertools.count()
NAME_LIMIT = 50
TASK_TEXT_LIMITS = {"title": 200, "description": 2000}


def task_form(own_domain, **overrides) -> dict:
    data = {
        "title": "주간 보고서 작성",
        "domain": str(own_domain.pk),
        "description": "CRM 실적을 엑셀로 정리",
        "frequency": "weekly",
        "occurrences_per_period": "1",
        "minutes_per_occurrence": "60",
    }
    data.update(overrides)
    return data
