"""Hostile input on teams: naming one, joining a workshop by its code, accepting an invitation
link. The catalogue and its checks are in tests/hostile.py; the properties are described in
tests/test_hostile_input.py.
"""

from urllib.parse import quote

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from conftest import make_user
from tests.hostile import (
    HOSTILE_TEXT,
    NAME_LIMIT,
    as_django_reads,
    assert_kept,
    assert_korean_error,
    assert_shown,
    body_of,
    count,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    hostile_text_examples,
    kept_text,
    outcome,
    post,
    rolled_back,
    serials,
    text_input,
    too_big,
)
from workshops import services
from workshops.models import Participant, Team


def fresh_user(name: str = "새참가자") -> User:
    return make_user(f"hostile-{next(serials)}@example.com", name)


# --- Teams, joining, invitations ----------------------------------------------------------------


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


# --- Joining by code, invitation links ------------------------------------------------------------


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


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


def test_an_invitation_link_with_a_nul_is_not_found(client_as, outsider):
    client = client_as(outsider)
    client.raise_request_exception = False
    response = client.get("/invite/%00/")
    assert response.status_code == 404
