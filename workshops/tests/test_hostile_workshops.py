"""Hostile input on a workshop: creating and editing it (text, domains, dates) and opening or
closing it. The catalogue and its checks are in tests/hostile.py; the properties are described
in tests/test_hostile_input.py.
"""

import re
from decimal import Decimal

from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile import (
    HOSTILE_NUMBERS,
    HOSTILE_TEXT,
    any_text,
    assert_kept,
    assert_korean_error,
    assert_shown,
    body_of,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    hostile_text_examples,
    kept_text,
    number_input,
    outcome,
    post,
    rolled_back,
    text_input,
    too_big,
)
from workshops.models import Workshop

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


# --- Hourly cost and follow-up days (issue 18) ---------------------------------------------------

NUMBER_BOUNDS = {"hourly_cost": (1_000, 1_000_000), "follow_up_days": (0, 90)}


def number_examples(test):
    for value in [
        *HOSTILE_NUMBERS,
        "40,000원",
        "30일",
        "１０００",
        " 1 000 ",
        "1000000",
        "1000001",
        "0.0",
        "30.0",
    ]:
        for field in sorted(NUMBER_BOUNDS):
            test = example(field=field, value=value)(test)
    return test


@examples(20)
@given(field=st.sampled_from(sorted(NUMBER_BOUNDS)), value=number_input)
@number_examples
def test_workshop_numbers_are_stored_in_range_or_refused_in_korean(
    client_as, instructor, field, value
):
    client = client_as(instructor)
    data = workshop_form(title="숫자 확인 워크샵", **{field: value})
    low, high = NUMBER_BOUNDS[field]
    with rolled_back():
        response = post(
            client, reverse("workshops:workshop_create"), data, endpoint="workshop_create"
        )
        created = Workshop.objects.filter(title="숫자 확인 워크샵").first()
        if not outcome(created is not None):
            assert_korean_error(response, typed=[value])
            if not too_big(response.sent_body):
                assert_kept(response, ["숫자 확인 워크샵"])
            return
        stored = getattr(created, field)
        assert low <= stored <= high
        if value.strip():  # an empty field keeps the default; "30.0" is 30, as Django reads it
            assert stored == Decimal(re.sub(r"[\s,원일]", "", value))


# --- Opening and closing ------------------------------------------------------------------------


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


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


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
