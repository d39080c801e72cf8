"""Pages from the cache (issue 17): after no change a page reads nothing it showed already, and
after any change it shows the change. The board and the workshop's counts are cached only in a
cache every process shares (their counters are bumped by whichever process made the change):
those tests run in the Redis pass."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from board import render
from conftest import make_user, task_data
from workshops import services
from workshops.live import presence

pytestmark = pytest.mark.usefixtures("_cache_on")


@pytest.fixture
def _cache_on(settings):
    settings.DEBUG = False  # as in production: the development server renders every time
    presence.reset()
    yield
    presence.reset()


def load(client, url) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured]


def versions(html: str) -> set[int]:
    return {int(v) for v in re.findall(r'data-version="(\d+)"', html)}


def test_a_cached_team_page_is_stamped_with_its_own_load(client_as, lead, team, task):
    client = client_as(lead)
    first, _ = load(client, team.get_absolute_url())
    again, sql = load(client, team.get_absolute_url())
    assert not [q for q in sql if '"ai_taskanalysis"' in q]  # from the cache
    # Every region carries the load's version (taken before its reads), not the version of
    # the load that cached it: the browser keeps the newest copy by it.
    assert len(versions(again)) == 1 and min(versions(again)) > max(versions(first))
    assert render.VERSION_MARK not in again and render.CSRF_MARK not in again


@pytest.mark.redis
def test_the_board_after_no_change_reads_no_task(client_as, instructor, workshop, team, task):
    client = client_as(instructor)
    load(client, workshop.get_absolute_url())
    _, sql = load(client, workshop.get_absolute_url())
    assert not [q for q in sql if '"workshops_task"' in q or '"ai_taskanalysis"' in q]
    assert len(sql) <= 3  # who is asking, their place in the workshop, the facilitation panel


@pytest.mark.redis
def test_the_board_shows_a_new_task_and_a_new_arrival_at_once(
    client_as, instructor, workshop, team, lead, domain, django_capture_on_commit_callbacks
):
    client = client_as(instructor)
    before, _ = load(client, workshop.get_absolute_url())
    assert "새로 적은 업무" not in before
    with django_capture_on_commit_callbacks(execute=True):  # the live sink, as after a commit
        services.task_create(team=team, actor=lead, data=task_data(domain, title="새로 적은 업무"))
    after, _ = load(client, workshop.get_absolute_url())
    count = re.compile(r'stat-value">(\d+)</span><span class="stat-label">업무')
    assert int(count.search(after).group(1)) == int(count.search(before).group(1)) + 1
    presence.connect(
        workshop.pk, lead.pk, presence.connection_id(instructor=False, team_id=team.pk)
    )
    online, _ = load(client, workshop.get_absolute_url())
    assert "접속한 사람이 없습니다" in after and "접속한 사람이 없습니다" not in online


@pytest.mark.redis
def test_the_counts_on_a_team_page_follow_every_team(
    client_as, lead, team, other_team, other_lead, domain, django_capture_on_commit_callbacks
):
    client = client_as(lead)
    pulse = re.compile(r"업무 <strong>(\d+)</strong></span>")
    first, _ = load(client, team.get_absolute_url())
    _, sql = load(client, team.get_absolute_url())
    assert not [q for q in sql if "COUNT(DISTINCT" in q]  # the counts came from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.task_create(team=other_team, actor=other_lead, data=task_data(domain))
    after, _ = load(client, team.get_absolute_url())
    assert int(pulse.search(after).group(1)) == int(pulse.search(first).group(1)) + 1


@override_settings(PAGE_CACHE_SECONDS=0)
def test_with_the_cache_off_every_load_reads(client_as, lead, team, task):
    client = client_as(lead)
    load(client, team.get_absolute_url())
    _, sql = load(client, team.get_absolute_url())
    assert [q for q in sql if f'"workshops_task"."team_id" = {team.pk}' in q]


def test_a_newcomer_sees_themselves_on_a_cached_team_page(client_as, lead, team):
    client = client_as(lead)
    load(client, team.get_absolute_url())
    newcomer = make_user("newcomer@example.com")
    services.team_join_as_member(team=team, user=newcomer, display_name="새로 온 팀원")
    page, _ = load(client, team.get_absolute_url())
    assert "새로 온 팀원" in page


@pytest.mark.redis
def test_a_cached_board_carries_the_clock_of_each_load(client_as, instructor, workshop, team, task):
    """stage.js reads the server's clock from the board (data-now) to show 멈춤 on time: a copy
    from the cache must not carry the clock of the load that kept it."""
    import time

    from workshops import facilitation
    from workshops.models import Workshop

    facilitation.phase_set(workshop=workshop, phase=Workshop.Phase.WRITE, actor=instructor)
    client = client_as(instructor)
    load(client, workshop.get_absolute_url())
    time.sleep(1.1)  # the next load's clock is a later second
    page, sql = load(client, workshop.get_absolute_url())
    assert not [q for q in sql if '"workshops_task"' in q]  # from the cache
    now = int(time.time())
    clocks = [int(v) for v in re.findall(r'data-now="(\d+)"', page)]
    assert clocks and all(now - 1 <= clock <= now for clock in clocks)
    assert render.NOW_MARK not in page


# --- The whole team page from the cache: what is the request's own is filled in per load ---------


def submit_keys(html: str) -> list[str]:
    return re.findall(r'name="submit_key" value="([^"]*)"', html)


def test_a_cached_team_page_gives_each_load_its_own_submit_key_nonce_and_token(
    client_as, lead, team, task
):
    """Two loads of the same cached page are two forms: a double tap on one must not be taken
    as the other's (views.task_create). The nonce is the response's own (its CSP header)."""
    client = client_as(lead)
    client.get(team.get_absolute_url())
    response = client.get(team.get_absolute_url())
    again = response.content.decode()
    third, sql = load(client, team.get_absolute_url())
    assert not [q for q in sql if '"workshops_invitation"' in q]  # the page from the cache
    keys = submit_keys(again) + submit_keys(third)
    assert len(keys) == 2 and keys[0] != keys[1]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
    nonces = set(re.findall(r'nonce="([^"]+)"', again))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]
    token = response.cookies["csrftoken"].value if "csrftoken" in response.cookies else None
    fields = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', again)
    assert fields and (token is None or all(len(field) == 64 for field in fields))
    for mark in (
        render.NONCE_MARK,
        render.SUBMIT_MARK,
        render.STAGE_MARK,
        render.PULSE_MARK,
        render.PROGRESS_MARK,
        render.CSRF_MARK,
        render.VERSION_MARK,
    ):
        assert mark not in again


def test_a_cached_team_page_shows_an_analysis_started_since(client_as, lead, team, task):
    """A run changes no revision: the analysis panel is rendered for each load."""
    from ai.requests import analysis_request

    client = client_as(lead)
    load(client, team.get_absolute_url())
    page, _ = load(client, team.get_absolute_url())
    assert "분석 중…" not in page
    analysis_request(team=team, actor=lead)
    page, _ = load(client, team.get_absolute_url())
    assert "분석 중…" in page


def test_a_cached_team_page_shows_a_runs_progress_and_its_end(client_as, lead, team, task):
    """A run's start and end bump the team's revision; its progress (the worker's counts)
    does not, so while a run is active its panel is rendered for each load."""
    from ai.models import AnalysisRun
    from ai.providers.rules import RuleProvider
    from ai.requests import analysis_request
    from ai.runner import run_execute

    services.task_create(team=team, actor=lead, data=task_data(task.domain, title="둘째 업무"))
    client = client_as(lead)
    run, _created = analysis_request(team=team, actor=lead)
    load(client, team.get_absolute_url())
    page, sql = load(client, team.get_absolute_url())
    assert not [q for q in sql if '"workshops_invitation"' in q]  # the page from the cache
    assert "<strong>0 / 2</strong>" in page
    AnalysisRun.objects.filter(pk=run.pk).update(done_tasks=1)  # as the worker counts
    page, _ = load(client, team.get_absolute_url())
    assert "<strong>1 / 2</strong>" in page
    run_execute(run.pk, provider=RuleProvider())
    page, _ = load(client, team.get_absolute_url())
    assert "분석 중…" not in page and "완료 · 업무 2개" in page
    again, sql = load(client, team.get_absolute_url())
    assert not [q for q in sql if '"ai_analysisrun"' in q]  # no run active: all of it kept
    assert "완료 · 업무 2개" in again


def test_a_cached_team_page_shows_invitations_made_and_revoked_at_once(client_as, lead, team):
    client = client_as(lead)
    load(client, team.get_absolute_url())
    invitation = services.invitation_create(team=team, actor=lead)
    page, _ = load(client, team.get_absolute_url())
    assert invitation.get_absolute_url() in page
    services.invitation_revoke(invitation=invitation)
    page, _ = load(client, team.get_absolute_url())
    assert invitation.get_absolute_url() not in page
    assert "아직 초대 링크가 없습니다." in page


def test_a_cached_team_page_drops_an_invitation_when_it_expires(client_as, lead, team):
    import time
    from datetime import timedelta

    from django.utils import timezone

    client = client_as(lead)
    invitation = services.invitation_create(team=team, actor=lead)
    invitation.expires_at = timezone.now() + timedelta(seconds=1)
    invitation.save(update_fields=["expires_at"])
    page, _ = load(client, team.get_absolute_url())
    assert invitation.get_absolute_url() in page
    time.sleep(1.1)
    page, _ = load(client, team.get_absolute_url())
    assert invitation.get_absolute_url() not in page


def test_a_message_is_shown_once_on_a_cached_team_page(client_as, lead, team, domain):
    client = client_as(lead)
    load(client, team.get_absolute_url())
    load(client, team.get_absolute_url())  # kept
    data = {**task_data(domain, title="새 업무"), "domain": domain.pk}
    response = client.post(f"/teams/{team.pk}/tasks/", data, follow=True)
    assert "업무를 추가했습니다." in response.content.decode()
    page, _ = load(client, team.get_absolute_url())
    assert "업무를 추가했습니다." not in page
    assert "새 업무" in page


def test_a_member_and_the_lead_get_their_own_copies(client_as, lead, member, team, task):
    lead_page, _ = load(client_as(lead), team.get_absolute_url())
    member_client = client_as(member)
    load(member_client, team.get_absolute_url())
    member_page, _ = load(member_client, team.get_absolute_url())
    assert "팀원 초대" in lead_page and "팀원 초대" not in member_page
    assert "정팀원" in member_page.split("</header>")[0]  # the viewer's own name in the top bar


def test_a_cached_team_page_counts_down_from_each_loads_clock(client_as, instructor, lead, team):
    """The phase and the notice are kept with the page (a change of them bumps the workshop);
    a running countdown is rendered for each load: its clock and text are the load's."""
    import time

    from workshops import facilitation
    from workshops.models import Workshop

    client = client_as(lead)
    facilitation.phase_set(workshop=team.workshop, phase=Workshop.Phase.WRITE, actor=instructor)
    load(client, team.get_absolute_url())
    page, _ = load(client, team.get_absolute_url())
    assert 'aria-current="step"' in page and "data-countdown" not in page
    facilitation.phase_set(
        workshop=team.workshop, phase=Workshop.Phase.WRITE, minutes=10, actor=instructor
    )
    load(client, team.get_absolute_url())
    time.sleep(2.1)  # two seconds: a kept clock would be at least two behind
    page, sql = load(client, team.get_absolute_url())
    assert not [q for q in sql if '"workshops_invitation"' in q]  # the page from the cache
    now = int(time.time())
    clocks = [int(v) for v in re.findall(r'data-now="(\d+)"', page)]
    assert clocks and all(now - 1 <= clock <= now for clock in clocks)
    assert render.STAGE_MARK not in page and "남은 시간" in page


def test_the_boards_rows_kept_per_content_show_every_change(
    client_as, instructor, workshop, team, lead, member, task, django_capture_on_commit_callbacks
):
    """Each team's row of the board is rendered once per content (board.render.attach_rows):
    a change of what a row shows renders it again."""
    from workshops import facilitation

    client = client_as(instructor)

    def row() -> str:
        page, _ = load(client, workshop.get_absolute_url())
        return page.split(f'<tr id="board-team-{team.pk}">')[1].split("</tr>")[0]

    first = row()
    assert row() == first and "박팀장" in first and "data-task-count>1<" in first
    with django_capture_on_commit_callbacks(execute=True):  # the live sink, as after a commit
        services.task_create(team=team, actor=member, data=task_data(task.domain, title="둘째"))
    assert "data-task-count>2<" in row() and "정팀원" in row()  # who changed it last
    lead.name = "박새이름"
    lead.save(update_fields=["name"])  # no event: the workshop's revision keys the board
    assert "박새이름" in row()
    with django_capture_on_commit_callbacks(execute=True):
        facilitation.help_request(team=team, asking=True)
    assert "도움 요청" in row()
    assert render.NOW_MARK not in row()
