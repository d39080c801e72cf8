"""Hostile input on a team's tasks: adding, editing and deleting them, and bodies too large to
read (posted to the task form). The catalogue and its checks are in tests/hostile.py; the
properties are described in tests/test_hostile_input.py.
"""

import re

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile import (
    HOSTILE_NUMBERS,
    INVALID_NUMBERS,
    RAW_BYTES,
    TASK_TEXT_LIMITS,
    any_text,
    as_received,
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
    raw_value,
    rolled_back,
    task_form,
    text_input,
    too_big,
)
from workshops.models import (
    MINUTES_MAX,
    MINUTES_PER_PERIOD,
    OCCURRENCES_MAX,
    Domain,
    Frequency,
    Task,
)

FREQUENCIES = [str(value) for value in Frequency.values]


# --- Tasks: add -------------------------------------------------------------------------------


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
