"""Hostile input, as properties: every form and POST endpoint, and every frame a client can
send on the workshop WebSocket.

For any input, generated (hypothesis) or from the catalogue in `hostile.py` (huge, empty,
whitespace, markup, SQL, Korean, emoji, combining marks, right-to-left, NUL and other control
characters, lone surrogates, bad UTF-8, duplicate and missing keys):

- no answer is a 5xx;
- text a form accepts is stored exactly as typed (after Django's documented strip) and shown
  HTML-escaped;
- input a form refuses gets a Korean message, comes back in the form, and writes nothing.

Each example runs in a savepoint that is rolled back, so examples share the fixtures without
seeing each other's rows. The write and AI rate limits (100/15 min, 20/h per user) are raised
for this module (`_limits_out_of_the_way`): generation sends hundreds of writes as one user,
and the limits have their own tests (ai/tests/test_rate_limits.py).
"""

import asyncio
import csv
import io
import itertools
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlparse

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from hypothesis import event, example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts.models import User
from ai.models import AnalysisRun, Rating, Source, TaskAnalysis
from conftest import make_user, task_data
from tests.hostile import (
    HOSTILE_NUMBERS,
    HOSTILE_TEXT,
    INVALID_NUMBERS,
    RAW_BYTES,
    any_text,
    as_django_reads,
    as_received,
    assert_errors_are_korean,
    assert_kept,
    assert_korean_error,
    assert_shown,
    body_of,
    count,
    examples,
    hostile_text_examples,
    kept_text,
    number_input,
    post,
    raw_value,
    rolled_back,
    text_input,
    too_big,
    write_counts,
)
from workshops import imports, services
from workshops.models import (
    MINUTES_MAX,
    MINUTES_PER_PERIOD,
    OCCURRENCES_MAX,
    Domain,
    Frequency,
    Participant,
    Task,
    Team,
    Workshop,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
COUNT_FILE = ARTIFACTS / "hostile-input-count.json"
FREQUENCIES = [str(value) for value in Frequency.values]
_emails = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    figures = write_counts(COUNT_FILE)
    print(f"\nhostile input: {figures['inputs_tried']} inputs tried ({COUNT_FILE})")


@pytest.fixture(autouse=True)
def _limits_out_of_the_way(settings):
    settings.WRITE_RATE_LIMIT = "1000000/m"
    settings.AI_RATE_LIMIT = "1000000/m"
    settings.ACCOUNT_RATE_LIMITS = {
        "request_login_code": "1000000/m/ip,1000000/m/key",
        "login_failed": "1000000/m/ip,1000000/m/key",
    }


def fresh_user(name: str = "새참가자") -> User:
    return make_user(f"hostile-{next(_emails)}@example.com", name)


def same_site(response) -> None:
    """A redirect never leads off the site, whatever was posted as `next`."""
    if 300 <= response.status_code < 400:
        target = urlparse(response["Location"])
        assert target.netloc in ("", "testserver"), response["Location"]


def outcome(accepted: bool) -> bool:
    """Record, for --hypothesis-show-statistics, how often each branch of a property ran."""
    event("accepted" if accepted else "refused")
    return accepted


# --- Tasks: add -------------------------------------------------------------------------------

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


@examples(25)
@given(field=st.sampled_from(sorted(TASK_TEXT_LIMITS)), value=text_input, htmx=st.booleans())
@hostile_text_examples(field=sorted(TASK_TEXT_LIMITS), htmx=False)
def test_task_text_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, team, domain, field, value, htmx
):
    client = client_as(lead)
    data = task_form(domain, **{field: value})
    expected = kept_text(value, max_length=TASK_TEXT_LIMITS[field], required=field == "title")
    with rolled_back():
        response = post(
            client,
            reverse("workshops:task_create", args=[team.pk]),
            data,
            endpoint="workshops:task_create",
            htmx=htmx,
        )
        if too_big(response.sent_body):
            assert response.status_code == 400
            assert_korean_error(response)
            assert not Task.objects.exists()
        elif not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert_kept(
                response, [v for k, v in data.items() if k in TASK_TEXT_LIMITS and k != field]
            )
            assert not Task.objects.exists()
        else:
            assert getattr(Task.objects.get(team=team), field) == expected
            page = response if htmx else client.get(team.get_absolute_url())
            assert_shown(body_of(page), expected, multiline=field == "description")


def read_int(value: str) -> int | None:
    """How Django's IntegerField reads a number (trailing ".0" dropped, then int())."""
    try:
        return int(re.sub(r"\.0*\s*$", "", value))
    except ValueError:
        return None


DOMAIN_PICKS = ["own", "other_workshop", "missing", "text", "huge", "empty", "negative"]


def domain_value(pick: str, domain, foreign_domain) -> str:
    return {
        "own": str(domain.pk),
        "other_workshop": str(foreign_domain.pk),
        "missing": "987654",
        "text": "영업",
        "huge": "9" * 30,
        "empty": "",
        "negative": "-1",
    }[pick]


def number_examples(test):
    for number in HOSTILE_NUMBERS:
        for field in ("occurrences", "minutes"):
            values = {"occurrences": "1", "minutes": "60", field: number}
            test = example(frequency="weekly", domain_pick="own", **values)(test)
    for frequency in ["hourly", "DAILY", "", "<script>alert(1)</script>", "weekly\x00", "매주"]:
        test = example(frequency=frequency, domain_pick="own", occurrences="1", minutes="60")(test)
    for pick in DOMAIN_PICKS[1:]:
        test = example(frequency="weekly", domain_pick=pick, occurrences="1", minutes="60")(test)
    return test


@examples(30)
@given(
    # Half the draws plausible, so generation reaches the accepting branch too.
    occurrences=st.one_of(st.integers(1, 30).map(str), number_input),
    minutes=st.one_of(st.integers(1, 90).map(str), number_input),
    frequency=st.one_of(st.sampled_from(FREQUENCIES), any_text),
    domain_pick=st.one_of(st.just("own"), st.sampled_from(DOMAIN_PICKS)),
)
@number_examples
def test_task_numbers_and_choices_are_checked_never_crash(
    client_as, lead, team, domain, other_instructor, occurrences, minutes, frequency, domain_pick
):
    foreign_domain = Domain.objects.exclude(workshop=team.workshop).first()
    data = task_form(
        domain,
        title="숫자 확인 업무",
        occurrences_per_period=occurrences,
        minutes_per_occurrence=minutes,
        frequency=frequency,
        domain=domain_value(domain_pick, domain, foreign_domain),
    )
    with rolled_back():
        response = post(
            client_as(lead),
            reverse("workshops:task_create", args=[team.pk]),
            data,
            endpoint="workshops:task_create",
        )
        task = Task.objects.filter(team=team).first()
        if not outcome(task is not None):
            assert_korean_error(response, typed=[occurrences, minutes, frequency])
            assert_kept(response, ["숫자 확인 업무", data["description"]])
            return
        # Accepted: then every value was one a person could mean.
        assert domain_pick == "own"
        assert frequency in FREQUENCIES
        assert occurrences not in INVALID_NUMBERS and minutes not in INVALID_NUMBERS
        assert task.occurrences_per_period == read_int(occurrences)
        assert task.minutes_per_occurrence == read_int(minutes)
        assert 1 <= task.occurrences_per_period <= OCCURRENCES_MAX
        assert 1 <= task.minutes_per_occurrence <= MINUTES_MAX
        minutes_in_period = task.occurrences_per_period * task.minutes_per_occurrence
        assert minutes_in_period <= MINUTES_PER_PERIOD[Frequency(task.frequency)]


FORM_KEYS = [
    "title",
    "domain",
    "description",
    "frequency",
    "occurrences_per_period",
    "minutes_per_occurrence",
    "team",
    "created_by",
    "version",
    "id",
]
field_soup = st.lists(
    st.tuples(st.one_of(st.sampled_from(FORM_KEYS), any_text), raw_value), max_size=10
)


def soup_examples(test):
    cases = [
        [("title", "첫 번째 제목"), ("title", "두 번째 제목")],  # duplicate keys
        [("title", "")],  # nearly everything missing
        [],
        [("title", RAW_BYTES["lone_surrogate"])],
        [("title", RAW_BYTES["invalid_utf8"])],
        [("title", RAW_BYTES["overlong_slash"])],
        [("team", "1"), ("created_by", "1"), ("id", "1")],
        [("title[]", "배열"), ("title", "<script>alert(1)</script>")],
        [("\x00", "\x00"), ("title", "\x00")],
    ]
    for extra in cases:
        test = example(keep=sorted(set(FORM_KEYS[:6]) - {"title"}), extra=extra)(test)
    return test


@examples(30)
@given(keep=st.lists(st.sampled_from(FORM_KEYS[:6]), unique=True), extra=field_soup)
@soup_examples
def test_missing_duplicate_unknown_and_undecodable_fields_never_crash_the_task_form(
    client_as, lead, team, domain, other_team, keep, extra
):
    base = task_form(domain)
    fields = [(key, base[key]) for key in keep] + extra
    with rolled_back():
        response = post(
            client_as(lead),
            reverse("workshops:task_create", args=[team.pk]),
            fields,
            endpoint="workshops:task_create",
        )
        received = as_received(response.sent_body)
        task = Task.objects.first()
        if not outcome(task is not None):
            assert_korean_error(response, typed=[v for _, v in fields])
            return
        # A duplicate key counts with its last value, as Django reads it; nothing else a client
        # sends (team, author, id) reaches the row.
        assert task.title == received["title"][-1].strip()
        assert task.team_id == team.pk
        assert task.created_by_id == lead.pk
        assert not other_team.tasks.exists()


# --- Tasks: edit and delete --------------------------------------------------------------------


@examples(20)
@given(field=st.sampled_from(sorted(TASK_TEXT_LIMITS)), value=text_input, htmx=st.booleans())
@hostile_text_examples(field=sorted(TASK_TEXT_LIMITS), htmx=False)
def test_task_edits_are_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, task, domain, field, value, htmx
):
    client = client_as(lead)
    data = task_form(domain, title="고친 제목", version=str(task.version))
    data[field] = value
    expected = kept_text(value, max_length=TASK_TEXT_LIMITS[field], required=field == "title")
    with rolled_back():
        response = post(
            client,
            reverse("workshops:task_edit", args=[task.pk]),
            data,
            endpoint="workshops:task_edit",
            htmx=htmx,
        )
        stored = Task.objects.get(pk=task.pk)
        if too_big(response.sent_body) or not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert (stored.title, stored.version) == (task.title, task.version)
            if not too_big(response.sent_body):
                others = [v for k, v in data.items() if k in TASK_TEXT_LIMITS and k != field]
                assert_kept(response, others)
        else:
            assert getattr(stored, field) == expected
            assert stored.version == task.version + 1
            page = response if htmx else client.get(task.team.get_absolute_url())
            assert_shown(body_of(page), expected, multiline=field == "description")


def version_examples(test):
    for version in [*HOSTILE_NUMBERS, "2", str(2**31), str(2**63), "1.0", " 1 "]:
        test = example(version=version)(test)
    return test


@examples(25)
@given(version=st.one_of(number_input, st.integers(-(2**70), 2**70).map(str)))
@version_examples
def test_a_hostile_edit_version_is_refused_in_korean_and_keeps_the_edit(
    client_as, lead, task, domain, version
):
    data = task_form(domain, title="버전 확인으로 고친 제목", version=version)
    with rolled_back():
        response = post(
            client_as(lead),
            reverse("workshops:task_edit", args=[task.pk]),
            data,
            endpoint="workshops:task_edit",
        )
        stored = Task.objects.get(pk=task.pk)
        if read_int(version) == task.version:
            assert response.status_code == 302
            assert stored.title == "버전 확인으로 고친 제목"
            return
        assert_korean_error(response, typed=[version])
        assert_kept(response, ["버전 확인으로 고친 제목"])
        assert stored.title == task.title


# --- Endpoints that read no form fields ----------------------------------------------------------


def cast_for(request) -> SimpleNamespace:
    names = ["client_as", "instructor", "workshop", "lead", "team", "member", "task", "domain"]
    return SimpleNamespace(**{name: request.getfixturevalue(name) for name in names})


def _task_delete(c):
    def check(response):
        assert not Task.objects.filter(pk=c.task.pk).exists()

    return c.lead, reverse("workshops:task_delete", args=[c.task.pk]), check


def _invitation_create(c):
    def check(response):
        assert c.team.invitations.count() == 1

    return c.lead, reverse("workshops:invitation_create", args=[c.team.pk]), check


def _invitation_revoke(c):
    invitation = services.invitation_create(team=c.team, actor=c.lead)

    def check(response):
        invitation.refresh_from_db()
        assert invitation.is_revoked

    return c.lead, reverse("workshops:invitation_revoke", args=[invitation.pk]), check


def _analysis_request(c):
    def check(response):
        assert AnalysisRun.objects.filter(team=c.team).count() == 1

    return c.lead, reverse("ai:request", args=[c.team.pk]), check


def _analysis_deep(c):
    def check(response):
        assert AnalysisRun.objects.filter(team=c.team, mode="deep").count() == 1

    return c.member, reverse("ai:deep", args=[c.task.pk]), check


def _analysis_retry(c):
    from ai import requests as ai_requests

    run, _created = ai_requests.analysis_request(team=c.team, actor=c.lead)

    def check(response):
        assert AnalysisRun.objects.filter(team=c.team).count() == 1  # nothing failed: no retry

    return c.lead, reverse("ai:retry", args=[run.pk]), check


def _economy(c):
    def check(response):
        assert not c.workshop.economy_batches.exists()  # no API key: refused, in Korean

    return c.instructor, reverse("ai:economy", args=[c.workshop.pk]), check


def _import_confirm(c):
    def check(response):
        assert response["Location"] == reverse("workshops:task_import", args=[c.team.pk])
        assert c.team.tasks.count() == 1

    return c.lead, reverse("workshops:task_import_confirm", args=[c.team.pk]), check


def _logout(c):
    def check(response):
        assert not response.wsgi_request.user.is_authenticated

    return c.lead, reverse("account_logout"), check


def _account_login(c):
    # The password sign-in address leads to the e-mail code form, whatever is posted.
    def check(response):
        assert response["Location"].startswith(reverse("account_request_login_code"))

    return None, reverse("account_login"), check


NO_INPUT_ENDPOINTS = {
    "account_login": _account_login,
    "workshops:task_delete": _task_delete,
    "workshops:invitation_create": _invitation_create,
    "workshops:invitation_revoke": _invitation_revoke,
    "ai:request": _analysis_request,
    "ai:deep": _analysis_deep,
    "ai:retry": _analysis_retry,
    "ai:economy": _economy,
    "workshops:task_import_confirm": _import_confirm,
    "account_logout": _logout,
}
header_soup = st.dictionaries(
    st.sampled_from(["HX-Current-URL", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Prompt"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    max_size=3,
)


def catalogue_soup(test):
    # The whole catalogue in one body (each text as a key and as a value), then the hostile
    # `next` values one at a time: these endpoints read nothing, so one body per kind will do.
    everything = [(value, value) for value in HOSTILE_TEXT.values()]
    test = example(fields=everything, headers={})(test)
    for target in ["//evil.example.com/", "https://evil.example.com/", HOSTILE_TEXT["script"]]:
        test = example(fields=[("next", target)], headers={})(test)
    return test


@pytest.mark.parametrize("endpoint", sorted(NO_INPUT_ENDPOINTS))
@examples(6)
@given(fields=st.lists(st.tuples(any_text, raw_value), max_size=6), headers=header_soup)
@catalogue_soup
def test_endpoints_without_input_ignore_whatever_is_posted(request, endpoint, fields, headers):
    c = cast_for(request)
    with rolled_back():
        actor, url, check = NO_INPUT_ENDPOINTS[endpoint](c)
        client = c.client_as(actor)
        response = post(client, url, fields, endpoint=endpoint, headers=headers)
        if too_big(response.sent_body):
            assert_korean_error(response)
            return
        assert response.status_code in (200, 302)
        same_site(response)
        check(response)


def status_examples(test):
    for action in ["open", "close", "", "OPEN", "delete", "close\x00", *HOSTILE_TEXT.values()]:
        test = example(action=action)(test)
    return test


@examples(15)
@given(action=st.one_of(st.sampled_from(["open", "close"]), any_text))
@status_examples
def test_workshop_status_changes_only_for_the_two_known_actions(
    client_as, instructor, workshop, action
):
    client = client_as(instructor)
    with rolled_back():
        response = post(
            client,
            reverse("workshops:workshop_status", args=[workshop.pk]),
            {"action": action},
            endpoint="workshops:workshop_status",
        )
        assert response.status_code == 302
        status = Workshop.objects.get(pk=workshop.pk).status
        if action == "close":
            assert status == Workshop.Status.CLOSED
            return
        assert status == Workshop.Status.OPEN
        if action != "open":
            assert_korean_error(client.get(response["Location"]))


# --- Teams, joining, invitations, profile ------------------------------------------------------

NAME_LIMIT = 50


@examples(20)
@given(value=text_input)
@hostile_text_examples()
@example(value="재무팀")  # another team's name
@example(value=" 재무팀 ")
def test_a_team_name_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, team, other_team, value
):
    client = client_as(lead)
    expected = kept_text(value, max_length=NAME_LIMIT)
    taken = expected is not None and expected.casefold() == other_team.name.casefold()
    with rolled_back():
        response = post(
            client,
            reverse("workshops:team_edit", args=[team.pk]),
            {"name": value},
            endpoint="workshops:team_edit",
        )
        stored = Team.objects.get(pk=team.pk).name
        if not outcome(expected is not None and not taken):
            assert_korean_error(response, typed=[value])
            assert stored == team.name
        else:
            assert stored == expected
            assert_shown(body_of(client.get(team.get_absolute_url())), expected)


@examples(20)
@given(field=st.sampled_from(["team_name", "display_name"]), value=text_input)
@hostile_text_examples(field=["team_name", "display_name"])
def test_joining_keeps_team_and_display_names_as_typed_or_refuses_in_korean(
    client, workshop, field, value
):
    data = {"team_name": "새로운 팀", "display_name": "새 팀장", field: value}
    expected = kept_text(value, max_length=NAME_LIMIT)
    with rolled_back():
        user = fresh_user("원래 이름")
        client.force_login(user)
        response = post(
            client,
            reverse("workshops:join_workshop", args=[workshop.join_code]),
            {**data, "privacy_consent": "on"},
            endpoint="workshops:join_workshop",
        )
        team = Team.objects.filter(lead=user).first()
        if too_big(response.sent_body) or not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert team is None
            assert not Participant.objects.filter(user=user).exists()
            if not too_big(response.sent_body):
                assert_kept(response, [v for k, v in data.items() if k != field])
            return
        user.refresh_from_db()
        assert (team.name, user.name) == (
            as_django_reads(data["team_name"]).strip(),
            as_django_reads(data["display_name"]).strip(),
        )
        assert_shown(body_of(client.get(team.get_absolute_url())), expected)


@examples(15)
@given(value=text_input)
@hostile_text_examples()
def test_accepting_an_invitation_keeps_the_display_name_as_typed_or_refuses_in_korean(
    client, team, lead, value
):
    invitation = services.invitation_create(team=team, actor=lead)
    expected = kept_text(value, max_length=NAME_LIMIT)
    with rolled_back():
        user = fresh_user("원래 이름")
        client.force_login(user)
        response = post(
            client,
            invitation.get_absolute_url(),
            {"display_name": value, "privacy_consent": "on"},
            endpoint="workshops:accept_invitation",
        )
        joined = Participant.objects.filter(user=user, team=team).exists()
        user.refresh_from_db()
        if not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert not joined
            assert user.name == "원래 이름"
            return
        assert joined
        assert user.name == expected
        assert_shown(body_of(client.get(team.get_absolute_url())), expected)


@examples(15)
@given(value=text_input)
@hostile_text_examples()
def test_a_profile_name_is_stored_and_shown_as_typed_or_refused_in_korean(client_as, member, value):
    client = client_as(member)
    expected = kept_text(value, max_length=NAME_LIMIT)
    with rolled_back():
        response = post(client, reverse("profile"), {"name": value}, endpoint="profile")
        stored = User.objects.get(pk=member.pk).name
        if not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert stored == member.name
            return
        assert stored == expected
        assert_shown(body_of(client.get(reverse("profile"))), expected)


# --- Workshops ----------------------------------------------------------------------------------

WORKSHOP_TEXT_LIMITS = {"title": 200, "description": 2000}


def workshop_form(**overrides) -> dict:
    data = {
        "title": "4월 팀장 워크샵",
        "date": "2026-04-10",
        "description": "업무 자동화 실습",
        "domains": "영업\n인사\n재무\n총무",
    }
    data.update(overrides)
    return data


@examples(20)
@given(
    action=st.sampled_from(["create", "edit"]),
    field=st.sampled_from(sorted(WORKSHOP_TEXT_LIMITS)),
    value=text_input,
)
@hostile_text_examples(field=sorted(WORKSHOP_TEXT_LIMITS), action="create")
def test_workshop_text_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, instructor, workshop, action, field, value
):
    client = client_as(instructor)
    data = workshop_form(**{field: value})
    expected = kept_text(value, max_length=WORKSHOP_TEXT_LIMITS[field], required=field == "title")
    url = (
        reverse("workshops:workshop_create")
        if action == "create"
        else reverse("workshops:workshop_edit", args=[workshop.pk])
    )
    with rolled_back():
        before = Workshop.objects.count()
        response = post(client, url, data, endpoint=f"workshops:workshop_{action}")
        saved = (
            Workshop.objects.exclude(pk=workshop.pk).first()
            if action == "create"
            else Workshop.objects.get(pk=workshop.pk)
        )
        if too_big(response.sent_body) or not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert Workshop.objects.count() == before
            if action == "edit":
                assert (saved.title, saved.description) == (workshop.title, workshop.description)
            if not too_big(response.sent_body):
                assert_kept(response, [v for k, v in data.items() if k != field])
            return
        assert getattr(saved, field) == expected
        page = body_of(client.get(saved.get_absolute_url()))
        assert_shown(page, expected, multiline=field == "description")


def domains_examples(test):
    cases = [
        "",
        "\n\n  \n",
        "영업\n영업",
        "영업\nㅇ영업\n영업 ",
        "Sales\nSALES",
        "Straße\nSTRASSE",
        "\n".join(f"영역{i}" for i in range(21)),
        "가" * 51,
        "영업\x00",
        "<script>alert(1)</script>\n'; DROP TABLE workshops_domain; --",
        "👩\u200d👩\u200d👧\u200d👦\n❤\ufe0f\n\u202e역방향",
        "영업\r\n인사\r재무",
    ]
    for domains in cases:
        test = example(domains=domains, date="2026-04-10")(test)
    for date in [
        "",
        "2026-13-45",
        "2026-02-29",
        "0000-01-01",
        "10000-01-01",
        "-1",
        "1e309",
        "２０２６-０４-１０",
        "2026-04-10\x00",
        "<script>",
        "9" * 300,
    ]:
        test = example(domains="영업", date=date)(test)
    return test


@examples(25)
@given(
    domains=st.one_of(st.lists(st.text(max_size=60), max_size=25).map("\n".join), text_input),
    date=st.one_of(st.dates().map(str), any_text),
)
@domains_examples
def test_workshop_domains_and_dates_are_checked_never_crash(client_as, instructor, domains, date):
    client = client_as(instructor)
    data = workshop_form(title="영역 확인 워크샵", domains=domains, date=date)
    with rolled_back():
        response = post(
            client, reverse("workshops:workshop_create"), data, endpoint="workshop_create"
        )
        created = Workshop.objects.filter(title="영역 확인 워크샵").first()
        if not outcome(created is not None):
            assert_korean_error(response, typed=[domains, date])
            if not too_big(response.sent_body):
                assert_kept(response, ["영역 확인 워크샵"])
            return
        names = [line.strip() for line in domains.splitlines() if line.strip()]
        assert list(created.domains.values_list("name", flat=True)) == names
        page = body_of(client.get(created.get_absolute_url()))
        for name in names:
            assert escape(name) in page


# --- AI: override -------------------------------------------------------------------------------


def override_examples(test):
    for value in HOSTILE_TEXT.values():
        test = example(rating="HIGH", note=value)(test)
    for rating in ["", "high", "VERY_HIGH", "HIGH\x00", "<script>alert(1)</script>", "1"]:
        test = example(rating=rating, note="이유")(test)
    return test


@examples(20)
@given(rating=st.one_of(st.sampled_from(Rating.values), any_text), note=text_input)
@override_examples
def test_an_override_note_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, task, rating, note
):
    client = client_as(lead)
    expected = kept_text(note, max_length=500, required=False)
    with rolled_back():
        response = post(
            client,
            reverse("ai:override", args=[task.pk]),
            {"rating": rating, "note": note},
            endpoint="ai:override",
        )
        override = TaskAnalysis.objects.filter(task=task, source=Source.PERSON).first()
        if too_big(response.sent_body) or not outcome(
            expected is not None and rating in Rating.values
        ):
            assert_korean_error(response, typed=[rating, note])
            assert override is None
            if not too_big(response.sent_body) and expected is not None:
                assert_kept(response, [note])
            return
        assert (override.rating, override.note) == (rating, expected)
        if expected:
            history = body_of(client.get(reverse("ai:history", args=[task.pk])))
            assert_shown(history, expected)
            assert_shown(body_of(client.get(task.team.get_absolute_url())), expected)


# --- Signing in by e-mail code ------------------------------------------------------------------


def email_examples(test):
    for value in HOSTILE_TEXT.values():
        test = example(email=value)(test)
    for email in [
        "LEAD@Example.COM",
        " lead@example.com ",
        "a@b",
        "@example.com",
        "lead@@example.com",
        "lead@example.com\x00",
        "리더@예시.한국",
        "lead+<script>@example.com",
        "a" * 64 + "@" + "b" * 63 + ".com",
        "x" * 400 + "@example.com",
    ]:
        test = example(email=email)(test)
    return test


def over_model_length(email: str) -> bool:
    # Addresses Django's form accepts (up to 320 characters) but the account table does not
    # (254): see test_an_address_longer_than_an_account_can_hold_is_refused_in_korean.
    return 254 < len(email.strip()) <= 320


@examples(25)
@given(email=st.one_of(st.emails(), text_input).filter(lambda e: not over_model_length(e)))
@email_examples
def test_requesting_a_sign_in_code_never_crashes_and_explains_refusals_in_korean(db, client, email):
    with rolled_back():
        users_before = User.objects.count()
        response = post(
            client,
            reverse("account_request_login_code"),
            {"email": email},
            endpoint="account_request_login_code",
        )
        same_site(response)
        if outcome(response.status_code == 302):
            address = email.strip().lower()
            assert User.objects.filter(email__iexact=address).exists()
            assert mail.outbox and mail.outbox[-1].to == [address]
            page = body_of(client.get(response["Location"]))
            assert escape(address) in page
            mail.outbox.clear()
            return
        assert_korean_error(response, typed=[email])
        assert User.objects.count() == users_before
        if not too_big(response.sent_body) and "\x00" not in email:
            assert_kept(response, [email.strip()])


def code_examples(test):
    for value in HOSTILE_TEXT.values():
        test = example(code=value, action="")(test)
    for code in ["0000-0000", "ABCD-EFGH", "-", "😀😀😀😀-😀😀😀😀", "\x00" * 8]:
        test = example(code=code, action="")(test)
    for action in ["resend", "RESEND", "<script>alert(1)</script>", "\x00"]:
        test = example(code="0000-0000", action=action)(test)
    return test


@examples(15)
@given(
    code=st.one_of(text_input, st.from_regex(r"[A-Z0-9]{4}-[A-Z0-9]{4}", fullmatch=True)),
    action=st.one_of(st.just(""), any_text),
)
@code_examples
def test_a_wrong_sign_in_code_is_refused_in_korean(client, lead, code, action):
    with rolled_back():
        client.post(reverse("account_request_login_code"), {"email": lead.email})
        sent = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
        mail.outbox.clear()
        if as_django_reads(code).replace("-", "").strip().lower() == sent.replace("-", "").lower():
            return  # guessed the code: a correct sign-in, not hostile input
        fields = {"code": code, **({"action": action} if action else {})}
        response = post(
            client,
            reverse("account_confirm_login_code"),
            fields,
            endpoint="account_confirm_login_code",
        )
        same_site(response)
        assert "_auth_user_id" not in client.session
        if action == "resend":
            assert response.status_code == 302  # a new code is on its way; nothing to refuse
            return
        assert_korean_error(response, typed=[code, action])


# allauth's stock account pages stay reachable by address (no link leads there): garbage
# posted to any of them must not crash, and any error they list must be in Korean.
STOCK_ACCOUNT_PAGES = [
    "account_signup",
    "account_reset_password",
    "account_change_password",
    "account_set_password",
    "account_email",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_inactive",
    "socialaccount_signup",
    "socialaccount_connections",
    "account_reset_password_done",
    "account_email_verification_sent",
    "account_reset_password_from_key_done",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
]
ACCOUNT_FIELDS = [
    "email",
    "password",
    "password1",
    "password2",
    "oldpassword",
    "code",
    "next",
    "action_add",
    "action_remove",
    "action_primary",
    "account",
]


def stock_page_examples(test):
    # Every catalogue text reaches every field, spread over a few bodies.
    values = [*HOSTILE_TEXT.values(), "//evil.example.com/"]
    for shift in range(0, len(values), len(ACCOUNT_FIELDS)):
        rotated = values[shift:] + values[:shift]
        fields = list(zip(ACCOUNT_FIELDS, rotated, strict=False))
        test = example(fields=fields, signed_in=True)(test)
    return example(fields=[], signed_in=False)(test)


@pytest.mark.parametrize("name", STOCK_ACCOUNT_PAGES)
@examples(3)
@given(
    fields=st.lists(st.tuples(st.sampled_from(ACCOUNT_FIELDS) | any_text, raw_value), max_size=6),
    signed_in=st.booleans(),
)
@stock_page_examples
def test_stock_account_pages_never_crash_on_garbage(client_as, lead, name, fields, signed_in):
    with rolled_back():
        client = client_as(lead if signed_in else None)
        response = post(client, reverse(name), fields, endpoint=name)
        same_site(response)
        assert_errors_are_korean(response, typed=[v for _, v in fields])


# --- Joining by code, invitation links, ids in addresses -----------------------------------------


def path_examples(test):
    for value in [*HOSTILE_TEXT.values(), "..", "%00", "a/b", "9" * 40]:
        test = example(value=value)(test)
    return test


@examples(20)
@given(value=text_input.filter(lambda v: v not in ("", ".")))
@path_examples
def test_hostile_join_codes_are_answered_in_korean(client_as, lead, workshop, value):
    client = client_as(lead)
    with rolled_back():
        count("workshops:join", value)
        response = client.get(reverse("workshops:join"), {"code": value})
        assert response.status_code < 500
        if response.status_code == 200:
            assert_korean_error(response, typed=[value])
        path = f"/join/{quote(value, safe='')}/"
        for method in ("get", "post"):
            count("workshops:join_workshop", value)
            answer = getattr(client, method)(path, {"team_name": value, "display_name": value})
            assert answer.status_code < 500
            if answer.status_code == 404:
                assert_korean_error(answer, typed=[value])


@examples(20)
@given(value=text_input.filter(lambda v: v not in ("", ".")))
@path_examples
def test_hostile_invitation_tokens_are_not_found_in_korean(client_as, outsider, value):
    client = client_as(outsider)
    path = f"/invite/{quote(value, safe='')}/"
    for method in ("get", "post"):
        count("workshops:accept_invitation", value)
        response = getattr(client, method)(path, {"display_name": value})
        assert response.status_code in (404, 301)  # 301: a path without its final slash
        if response.status_code == 404:
            assert_korean_error(response)


ID_ROUTES = [
    ("workshops:workshop_edit", "post"),
    ("workshops:workshop_status", "post"),
    ("workshops:team_edit", "post"),
    ("workshops:task_create", "post"),
    ("workshops:invitation_create", "post"),
    ("workshops:invitation_revoke", "post"),
    ("workshops:task_edit", "post"),
    ("workshops:task_delete", "post"),
    ("workshops:task_import", "post"),
    ("workshops:task_import_confirm", "post"),
    ("ai:request", "post"),
    ("ai:retry", "post"),
    ("ai:deep", "post"),
    ("ai:override", "post"),
    ("ai:economy", "post"),
]


PAGE_ROUTES = [
    ("workshops:workshop_detail", "get"),
    ("workshops:workshop_summary", "get"),
    ("workshops:team_detail", "get"),
    ("workshops:task_detail", "get"),
    ("workshops:team_report", "get"),
    ("ai:progress", "get"),
    ("ai:history", "get"),
]
# Routes whose id is looked up through a foreign key (Participant.workshop_id): on SQLite an
# id past 64 bits crashes there (see test_a_workshop_id_past_64_bits_is_not_found).
WORKSHOP_ROUTES = {
    "workshops:workshop_edit",
    "workshops:workshop_status",
    "workshops:workshop_detail",
    "workshops:workshop_summary",
    "ai:economy",
}


def id_path(name: str, number: int) -> str:
    return reverse(name, args=[1]).replace("/1/", f"/{number}/", 1)


@examples(2)
@given(number=st.integers(min_value=0))
@example(number=0)
@example(number=2**31)
@example(number=2**63)
@example(number=10**40)
def test_ids_out_of_any_range_are_not_found_never_crash(client_as, lead, team, instructor, number):
    routes = ID_ROUTES + PAGE_ROUTES
    # Each route asked by someone it would serve: the instructor for workshop pages.
    for user, workshop_routes in ((instructor, True), (lead, False)):
        client = client_as(user)
        for name, method in routes:
            if (name in WORKSHOP_ROUTES) != workshop_routes:
                continue
            count(name, str(number))
            response = getattr(client, method)(id_path(name, number), {"title": "x"})
            assert response.status_code == 404, (name, number, response.status_code)
            assert_korean_error(response)


# --- Importing a task list ----------------------------------------------------------------------


def csv_upload(rows, name="tasks.csv"):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows([imports.COLUMNS, *rows])
    return upload(buffer.getvalue().encode("utf-8", "surrogatepass"), name)


def upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def post_file(client, url: str, content: bytes, filename: str):
    """A multipart upload written out by hand, so the file name can be anything a client sends
    (empty, a path, quotes, non-ASCII)."""
    boundary = "hostile-input-boundary"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode("utf-8", "surrogatepass")
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def import_url(team):
    return reverse("workshops:task_import", args=[team.pk])


@examples(15)
@given(field=st.sampled_from(["title", "description"]), value=text_input)
@hostile_text_examples(field=["title"])  # the description gets the catalogue on the forms
def test_imported_text_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, team, domain, field, value
):
    client = client_as(lead)
    cells = {"title": "가져온 업무", "description": "가져온 설명", field: value}
    row = [domain.name, cells["title"], cells["description"], "매주", "1", "60"]
    expected = kept_text(value, max_length=TASK_TEXT_LIMITS[field], required=field == "title")
    if value != as_django_reads(value):
        expected = None  # not UTF-8: the file as a whole cannot be read
    with rolled_back():
        count("workshops:task_import", value)
        response = client.post(import_url(team), {"file": csv_upload([row])})
        assert response.status_code == 200
        if not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert not team.tasks.exists()
            return
        count("workshops:task_import_confirm", value)
        confirmed = client.post(reverse("workshops:task_import_confirm", args=[team.pk]))
        assert confirmed.status_code == 302
        assert getattr(team.tasks.get(), field) == expected
        page = body_of(client.get(team.get_absolute_url()))
        assert_shown(page, expected, multiline=field == "description")


def number_cell_examples(test):
    for number in HOSTILE_NUMBERS:
        test = example(frequency="매주", minutes=number, domain_name="영업")(test)
    for frequency in ["hourly", "", "매시간", "<script>alert(1)</script>", "매주\x00"]:
        test = example(frequency=frequency, minutes="60", domain_name="영업")(test)
    for name in ["없는 영역", "", "영업\x00", "'; DROP TABLE workshops_domain; --"]:
        test = example(frequency="매주", minutes="60", domain_name=name)(test)
    return test


@examples(15)
@given(
    frequency=st.one_of(st.sampled_from(["매일", "매주", "매월", "비정기", "weekly"]), any_text),
    minutes=number_input,
    domain_name=st.one_of(st.sampled_from(["영업", "인사"]), any_text),
)
@number_cell_examples
def test_imported_numbers_frequencies_and_domains_are_checked_row_by_row(
    client_as, lead, team, frequency, minutes, domain_name
):
    client = client_as(lead)
    row = [domain_name, "가져온 업무", "설명", frequency, "1", minutes]
    with rolled_back():
        count("workshops:task_import", frequency, minutes, domain_name)
        response = client.post(import_url(team), {"file": csv_upload([row])})
        assert response.status_code == 200
        assert not team.tasks.exists()  # nothing is saved before the confirmation
        if "저장</button>" not in body_of(response):
            assert_korean_error(response, typed=[frequency, minutes, domain_name])


def malformed_xlsx() -> dict[str, bytes]:
    good = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(imports.COLUMNS)
    workbook.save(good)
    parts = zipfile.ZipFile(io.BytesIO(good.getvalue()))

    def rebuilt(replace: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name in parts.namelist():
                archive.writestr(name, replace.get(name, parts.read(name)))
        return out.getvalue()

    return {
        "truncated": good.getvalue()[:400],
        "not_a_zip": b"PK\x03\x04" + b"\x00" * 64,
        "empty_zip": b"PK\x05\x06" + b"\x00" * 18,
        "sheet_not_xml": rebuilt({"xl/worksheets/sheet1.xml": b"<<<not xml"}),
        "workbook_without_sheets": rebuilt({"xl/workbook.xml": b"<x/>"}),
        "styles_not_xml": rebuilt({"xl/styles.xml": b"<<<"}),
    }


# Malformed spreadsheets that once crashed the import inside openpyxl (XML and missing parts).
BROKEN_XLSX = {"sheet_not_xml", "workbook_without_sheets", "styles_not_xml"}


def file_examples(test):
    cases = [
        (b"", "tasks.csv"),
        (b"\xff\xfe\x00\x00garbage", "tasks.csv"),
        ("업무 영역,업무명\n영업,제목\n".encode("cp949"), "tasks.csv"),
        (b"\x00" * 100, "tasks.csv"),
        (b"a," * 5000, "tasks.csv"),
        (b'"' + b"x" * 200_000 + b'"', "tasks.csv"),  # one field past csv's own limit
        (b"x" * (600 * 1024), "tasks.csv"),  # past IMPORT_MAX_BYTES
        ("\n".join(["영업,제목,설명,매주,1,60"] * 10).encode(), "tasks.csv"),  # no header
        (b"<script>alert(1)</script>", "tasks.html"),
        (b"%PDF-1.4", "tasks.pdf"),
        (b"plain", ""),  # a browser's "no file chosen"
        (b"plain", "tasks.csv\x00.xlsx"),
        (b"plain", '"; name="other'),
        ("업무 영역\n".encode(), "업무 목록 👩\u200d👩\u200d👧.csv"),
        (b"plain", "x" * 500 + ".csv"),
    ]
    cases += [(content, "tasks.xlsx") for content in malformed_xlsx().values()]
    for content, name in cases:
        test = example(content=content, name=name)(test)
    return test


@examples(20)
@given(
    content=st.binary(max_size=2000),
    name=st.one_of(
        st.sampled_from(["tasks.csv", "tasks.xlsx", "tasks.CSV", "tasks", "../../etc/passwd.csv"]),
        st.text(st.characters(exclude_characters='"\r\n'), max_size=30),
    ),
)
@file_examples
def test_unreadable_files_are_refused_in_korean_and_save_nothing(
    client_as, lead, team, content, name
):
    client = client_as(lead)
    with rolled_back():
        count("workshops:task_import", content.decode("latin-1"))
        response = post_file(client, import_url(team), content, name)
        assert response.status_code == 200
        assert not team.tasks.exists()
        if "저장</button>" not in body_of(response):
            assert_korean_error(response)


def test_an_import_of_more_rows_than_allowed_is_refused_in_korean(client_as, lead, team, domain):
    rows = [[domain.name, f"업무 {i}", "", "매주", "1", "60"] for i in range(imports.MAX_ROWS + 1)]
    count("workshops:task_import")
    response = client_as(lead).post(import_url(team), {"file": csv_upload(rows)})
    assert_korean_error(response)
    assert not team.tasks.exists()


# --- Bodies too large to read -------------------------------------------------------------------


def test_a_body_past_the_upload_limit_gets_the_korean_400_page_and_writes_nothing(
    client_as, lead, team, domain, settings
):
    data = task_form(domain, description="가" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3))
    response = post(
        client_as(lead),
        reverse("workshops:task_create", args=[team.pk]),
        data,
        endpoint="workshops:task_create",
    )
    assert response.status_code == 400
    assert_korean_error(response)
    assert not Task.objects.exists()


def test_more_fields_than_django_reads_get_the_korean_400_page(client_as, lead, team, domain):
    fields = list(task_form(domain).items()) + [(f"f{i}", "x") for i in range(300)]
    response = post(
        client_as(lead),
        reverse("workshops:task_create", args=[team.pk]),
        fields,
        endpoint="workshops:task_create",
    )
    assert response.status_code == 400
    assert_korean_error(response)
    assert not Task.objects.exists()


# --- The WebSocket ------------------------------------------------------------------------------

# The only message a client may send is {"type": "resync"}; everything else must be ignored
# without closing the socket. A socket is opened per example, so the examples stay few.

frame = st.one_of(
    st.builds(lambda text: {"text_data": text}, any_text),
    st.builds(lambda data: {"bytes_data": data}, st.binary(max_size=200)),
    st.builds(
        lambda obj: {"text_data": json.dumps(obj)},
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | any_text,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["type", "html", "data", "team"]) | any_text, inner, max_size=3
                )
            ),
            max_leaves=8,
        ),
    ),
)
HOSTILE_FRAMES = [
    {"text_data": "x" * (1024 * 1024)},  # huge
    {"bytes_data": b"\x00\xff" * 4096},  # binary
    {"text_data": "{not json"},
    {"text_data": '{"type": "resync"'},  # truncated
    {"text_data": '{"type": "resync", "type": "drop"}'},  # duplicate keys
    {"text_data": '{"type": ["resync"]}'},
    {"text_data": json.dumps({"type": "push.html", "html": "<script>alert(1)</script>"})},
    {"text_data": json.dumps({"type": "session.ended"})},
    {"text_data": '"\\ud800"'},  # a lone surrogate, escaped
    {"text_data": "\ud800"},  # a lone surrogate, raw
    {"text_data": "\x00" * 100},
    {"text_data": "'; DROP TABLE workshops_task; --"},
    {"text_data": "👩\u200d👩\u200d👧\u200d👦 \u202e مرحبا"},
    {"text_data": "1e309"},
    {"text_data": "[" * 500},  # deep, but within what the decoder handles
    {"text_data": "[" * 1024},  # deeper than the decoder's recursion (RecursionError)
    {"text_data": ""},
    {"bytes_data": b""},
]
DEEP_FRAME = {"text_data": "[" * 1024}


async def open_socket(workshop_id, user, query="", timeout=5):
    from support import sockets

    return await sockets.open_socket(f"/ws/workshops/{workshop_id}/{query}", user, timeout=timeout)


async def drain(socket, seconds=0.1, first=3.0) -> list[dict]:
    """Everything the socket sends until it has been quiet for `seconds`, after waiting up to
    `first` seconds for the first message (a process's first snapshot renders cold templates:
    0.28 s seen on PostgreSQL)."""
    received = []
    wait = first
    while not await socket.receive_nothing(timeout=wait, interval=0.01):
        received.append(await socket.receive_output())
        wait = seconds
    return received


async def receive_containing(socket, text: str, timeout=5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        output = await socket.receive_output(timeout=deadline - loop.time())
        assert output["type"] == "websocket.send", output
        if text in output.get("text", ""):
            return
    pytest.fail(f"{text!r} never arrived")


def still_running(socket) -> None:
    if socket.future.done():
        socket.future.result()  # re-raises what crashed the consumer
        pytest.fail("the consumer stopped")


def frames_examples(test):
    # Every catalogue frame, one after another on one socket (a socket per frame would cost a
    # second each), then the huge and the binary ones alone.
    test = example(frames=HOSTILE_FRAMES)(test)
    test = example(frames=HOSTILE_FRAMES[:1])(test)
    return example(frames=HOSTILE_FRAMES[1:2])(test)


@pytest.mark.django_db(transaction=True)
@examples(10)
@given(frames=st.lists(frame, min_size=1, max_size=8))
@frames_examples
def test_hostile_frames_are_ignored_and_the_socket_stays_live(
    live_state, workshop, lead, team, domain, frames
):
    title = f"소켓 확인 {next(_emails)}"

    async def scenario():
        socket, connected, _code = await open_socket(workshop.pk, lead)
        assert connected
        await drain(socket)
        for sent in frames:
            count("ws:receive", sent.get("text_data"))
            # Sent as the raw ASGI event: the communicator's helper refuses empty frames.
            event = {"type": "websocket.receive"}
            if "text_data" in sent:
                event["text"] = sent["text_data"]
            else:
                event["bytes"] = sent["bytes_data"]
            await socket.send_input(event)
        for output in await drain(socket, first=0.1):  # nothing new is due
            assert output["type"] == "websocket.send", output  # a resync answer, never a close
        still_running(socket)
        # Still live: a change made now reaches this socket.
        await database_sync_to_async(services.task_create)(
            team=team, actor=lead, data=task_data(domain, title=title)
        )
        await receive_containing(socket, escape(title))
        await socket.disconnect()

    async_to_sync(scenario)()


WS_WORKSHOP_IDS = ["own", "0", "987654", str(2**31), str(2**63)]


@pytest.mark.django_db(transaction=True)
@examples(5)
@given(
    team_param=st.one_of(any_text, st.integers().map(str)),
    workshop_id=st.sampled_from(WS_WORKSHOP_IDS),
)
@example(team_param="%00", workshop_id="own")
@example(team_param="9" * 40, workshop_id="own")
@example(team_param="-1", workshop_id="own")
@example(team_param="<script>", workshop_id="own")
@example(team_param="1 OR 1=1", workshop_id="987654")
@example(team_param="", workshop_id=WS_WORKSHOP_IDS[-1])
def test_hostile_connect_parameters_are_refused_or_ignored_never_fatal(
    live_state, workshop, instructor, team, team_param, workshop_id
):
    target = workshop.pk if workshop_id == "own" else workshop_id

    async def scenario():
        query = "?team=" + quote(team_param, safe="")
        count("ws:connect", team_param)
        socket, connected, code = await open_socket(target, instructor, query)
        assert connected or code == 4403
        assert connected == (workshop_id == "own")
        if connected:
            received = await drain(socket)
            assert received and all(o["type"] == "websocket.send" for o in received)
            still_running(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


@pytest.mark.django_db(transaction=True)
def test_a_deeply_nested_json_frame_is_ignored(live_state, workshop, lead, team):
    async def scenario():
        socket, _connected, _code = await open_socket(workshop.pk, lead)
        await drain(socket)
        await socket.send_to(**DEEP_FRAME)
        assert await socket.receive_nothing(timeout=0.3)
        still_running(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_socket_for_a_workshop_id_past_64_bits_is_refused(live_state, instructor, workshop):
    async def scenario():
        socket, connected, code = await open_socket(2**63, instructor, timeout=1)
        assert (connected, code) == (False, 4403)
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("kind", sorted(BROKEN_XLSX))
def test_a_malformed_spreadsheet_is_refused_in_korean(client_as, lead, team, kind):
    client = client_as(lead)
    client.raise_request_exception = False
    response = client.post(import_url(team), {"file": upload(malformed_xlsx()[kind], "tasks.xlsx")})
    assert response.status_code == 200
    assert_korean_error(response)


@pytest.mark.parametrize("name", sorted(WORKSHOP_ROUTES))
def test_a_workshop_id_past_64_bits_is_not_found(client_as, instructor, workshop, name):
    client = client_as(instructor)
    client.raise_request_exception = False
    method = "get" if name in dict(PAGE_ROUTES) else "post"
    response = getattr(client, method)(id_path(name, 2**63))
    assert response.status_code == 404


def test_an_invitation_link_with_a_nul_is_not_found(client_as, outsider):
    client = client_as(outsider)
    client.raise_request_exception = False
    response = client.get("/invite/%00/")
    assert response.status_code == 404


def test_domains_that_clash_only_in_the_database_are_refused_in_korean(client_as, instructor):
    client = client_as(instructor)
    client.raise_request_exception = False
    data = workshop_form(title="대소문자 워크샵", domains="İ\ni")
    response = client.post(reverse("workshops:workshop_create"), data)
    # Python's casefold tells "İ" from "i"; PostgreSQL's lower() does not (SQLite's lower()
    # leaves non-ASCII alone, so there they do not clash at all).
    if connection.vendor == "postgresql":
        assert response.status_code == 200
        assert_korean_error(response)
        assert not Workshop.objects.filter(title="대소문자 워크샵").exists()
    else:
        assert response.status_code == 302
        assert Workshop.objects.get(title="대소문자 워크샵").domains.count() == 2


def test_an_address_longer_than_an_account_can_hold_is_refused_in_korean(db, client):
    client.raise_request_exception = False
    email = "a" * 250 + "@example.com"
    response = client.post(reverse("account_request_login_code"), {"email": email})
    assert response.status_code == 200
    assert_korean_error(response)
    assert not User.objects.filter(email=email).exists()
