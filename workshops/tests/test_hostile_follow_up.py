"""Hostile input on the follow-up page (the link a lead gets by mail after the course): the
status and actual hours of each plan, the plan ids, and the token in the address. The catalogue
and its checks are in tests/hostile.py; the properties in tests/test_hostile_input.py."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, example, given
from hypothesis import strategies as st

from tests.hostile import (
    HOSTILE_NUMBERS,
    HOSTILE_TEXT,
    any_text,
    assert_kept,
    assert_korean_error,
    count,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    number_input,
    outcome,
    post,
    rolled_back,
    too_big,
)
from workshops import follow_up, services
from workshops.models import FollowUp, Pick, Workshop


def picked(task, expected_hours=Decimal("0")) -> Pick:
    """`task` as one of its team's picks (made directly: when a lead may pick is the priorities'
    own rule, tested with them)."""
    return Pick.objects.create(team=task.team, task=task, expected_hours=expected_hours)


TOKEN = "hostile-follow-up-token-0123456789abcdefghijk"


@pytest.fixture
def link(workshop, team, lead, task):
    """Our team's follow-up, sent: (its page, its plan)."""
    chosen = picked(task, Decimal("4"))
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=31))
    now = timezone.now()
    FollowUp.objects.create(
        team=team,
        token_hash=follow_up.token_hash(TOKEN),
        sent_to=lead.email,
        sent_at=now,
        expires_at=now + timedelta(days=30),
    )
    return reverse("workshops:follow_up", args=[TOKEN]), chosen


def expected_hours(raw: str) -> Decimal | bool | None:
    """What the page should store for `raw` (None: left empty), or False: refused."""
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    if not value.is_finite() or not 0 <= value <= 9999:
        return False
    return value.quantize(Decimal("0.01"))


def report_examples(test):
    for actual in [*HOSTILE_NUMBERS, "12.5", "1,234", " 7 ", "9999", "9999.001", "0.005"]:
        test = example(status="done", actual=actual)(test)
    for status in ["", "DONE", "완료", "done\x00", *HOSTILE_TEXT.values()]:
        test = example(status=status, actual="3")(test)
    return test


@examples(25)
@given(
    status=st.one_of(st.sampled_from(Pick.Status.values), any_text),
    actual=number_input,
)
@report_examples
def test_a_report_is_stored_as_typed_or_refused_in_korean(client, link, status, actual):
    url, chosen = link
    data = {"plan": chosen.pk, f"status-{chosen.pk}": status, f"actual-{chosen.pk}": actual}
    hours = expected_hours(actual)
    with rolled_back():
        response = post(client, url, data, endpoint="workshops:follow_up")
        stored = Pick.objects.get(pk=chosen.pk)
        accepted = status in Pick.Status.values and hours is not False and "\x00" not in actual
        if too_big(response.sent_body) or not outcome(response.status_code == 302):
            assert_korean_error(response, typed=[status, actual])
            assert (stored.status, stored.actual_hours) == (Pick.Status.NOT_STARTED, None)
            if not too_big(response.sent_body) and actual.strip():
                assert_kept(response, [actual])
            return
        assert accepted, (status, actual)
        assert (stored.status, stored.actual_hours) == (status, hours)


@examples(15)
@given(plan=any_text)
@example(plan="0")
@example(plan="-1")
@example(plan=str(2**63))
@example(plan="1 ")
@example(plan="")
def test_plan_ids_not_of_the_team_are_refused_never_crash(client, link, plan):
    url, chosen = link
    assume(plan != str(chosen.pk))  # the team's own plan (any text may spell its id)
    with rolled_back():
        response = post(
            client, url, {"plan": plan, f"status-{plan}": "done"}, endpoint="workshops:follow_up"
        )
        if too_big(response.sent_body):
            return
        assert response.status_code in (400, 404)
        assert_korean_error(response)
        assert Pick.objects.get(pk=chosen.pk).status == Pick.Status.NOT_STARTED


@examples(15)
@given(token=any_text)
@example(token="x" * 65)
@example(token="../admin")
@example(token="\x00")
@example(token="a?b#c")
@example(token=TOKEN.upper())
def test_a_token_that_names_no_link_is_not_found_never_crash(client, link, token):
    count("workshops:follow_up token", token)
    response = client.get(f"/follow-up/{quote(token, safe='')}/")
    assert response.status_code in (404, 400), response.status_code
