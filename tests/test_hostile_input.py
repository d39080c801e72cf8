"""Hostile input, as properties: the catalogue's parts that cross every app. The per-feature
cases live beside their features, in `<app>/tests/test_hostile_<feature>.py`: tasks, imports,
workshops, teams, the follow-up page and the live WebSocket in workshops/tests, the override in
ai/tests, signing in, the profile and allauth's pages in accounts/tests.

For any input, generated (hypothesis) or from the catalogue in `hostile.py` (huge, empty,
whitespace, markup, SQL, Korean, emoji, combining marks, right-to-left, NUL and other control
characters, lone surrogates, bad UTF-8, duplicate and missing keys):

- no answer is a 5xx;
- text a form accepts is stored exactly as typed (after Django's documented strip) and shown
  HTML-escaped;
- input a form refuses gets a Korean message, comes back in the form, and writes nothing.

Each example runs in a savepoint that is rolled back, so examples share the fixtures without
seeing each other's rows. Every hostile-input module imports `hostile.hostile_setup`: the write
and AI rate limits are raised there, and the number of inputs tried by all of them together
is written to test-artifacts/hostile-input-count.json when the run ends.

Here: the endpoints that read no form fields (of accounts, workshops and ai), and ids out of
range in the addresses of both apps.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from ai.models import AnalysisRun
from tests.hostile import (
    HOSTILE_TEXT,
    any_text,
    assert_korean_error,
    count,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    post,
    raw_value,
    rolled_back,
    same_site,
    too_big,
)
from workshops import common_work, services
from workshops.models import CommonWorkChoice, Task

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


def _common_work_split(c):
    def check(response):
        assert CommonWorkChoice.objects.get(task=c.task).apart

    return c.instructor, reverse("workshops:common_work_split", args=[c.task.pk]), check


def _common_work_reset(c):
    common_work.common_work_split(task=c.task, actor=c.instructor)

    def check(response):
        assert not CommonWorkChoice.objects.filter(workshop=c.workshop).exists()

    return c.instructor, reverse("workshops:common_work_reset", args=[c.workshop.pk]), check


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
    "workshops:common_work_split": _common_work_split,
    "workshops:common_work_reset": _common_work_reset,
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


# --- Ids in addresses ----------------------------------------------------------------------------


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
    ("ai:answer", "post"),
    ("ai:factor", "post"),
    ("workshops:vote", "post"),
    ("workshops:pick", "post"),
    ("workshops:unpick", "post"),
    ("workshops:plan", "post"),
    ("ai:override", "post"),
    ("ai:economy", "post"),
    ("workshops:facilitate", "post"),
    ("workshops:help_request", "post"),
    ("workshops:common_work_merge", "post"),
    ("workshops:common_work_split", "post"),
    ("workshops:common_work_reset", "post"),
]


PAGE_ROUTES = [
    ("workshops:workshop_detail", "get"),
    ("workshops:workshop_summary", "get"),
    ("workshops:team_detail", "get"),
    ("workshops:task_detail", "get"),
    ("workshops:team_report", "get"),
    ("ai:progress", "get"),
    ("ai:history", "get"),
    ("workshops:join_slide", "get"),
    ("workshops:team_priorities", "get"),
    ("workshops:participants", "get"),
    ("workshops:workshop_uipath", "get"),
    ("workshops:workshop_plans", "get"),
    ("workshops:common_work_csv", "get"),
]
# Routes whose id is looked up through a foreign key (Participant.workshop_id): on SQLite an
# id past 64 bits crashes there (see test_a_workshop_id_past_64_bits_is_not_found).
WORKSHOP_ROUTES = {
    "workshops:workshop_edit",
    "workshops:workshop_status",
    "workshops:workshop_detail",
    "workshops:workshop_summary",
    "workshops:join_slide",
    "workshops:participants",
    "ai:economy",
    "workshops:facilitate",
    "workshops:workshop_uipath",
    "workshops:workshop_plans",
    "workshops:common_work_merge",
    "workshops:common_work_reset",
    "workshops:common_work_csv",
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


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


@pytest.mark.parametrize("name", sorted(WORKSHOP_ROUTES))
def test_a_workshop_id_past_64_bits_is_not_found(client_as, instructor, workshop, name):
    client = client_as(instructor)
    client.raise_request_exception = False
    method = "get" if name in dict(PAGE_ROUTES) else "post"
    response = getattr(client, method)(id_path(name, 2**63))
    assert response.status_code == 404
