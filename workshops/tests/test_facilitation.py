"""Facilitation (issue 18, part 1): phases with a countdown, a notice, targets and stalled teams,
도움 요청, and the projector's spotlight — services, views, the board and the live pushes."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ai.models import Rating, TaskAnalysis
from conftest import make_user, task_data
from support import live
from workshops import facilitation, services
from workshops.live import presence
from workshops.models import Team, Workshop


@pytest.fixture(autouse=True)
def _no_one_online():
    presence.reset()
    yield
    presence.reset()


def open_page(workshop, user, *, instructor=False, team=None) -> str:
    connection = presence.connection_id(instructor=instructor, team_id=team.pk if team else None)
    presence.connect(workshop.pk, user.pk, connection)
    return connection


def toast(response) -> str:
    return json.loads(response["HX-Trigger"])["workshop:toast"]["message"]


# --- Services -------------------------------------------------------------------------------


def test_a_phase_with_minutes_counts_down_to_one_instant(workshop, instructor):
    before = timezone.now()
    facilitation.phase_set(
        workshop=workshop, phase=Workshop.Phase.WRITE, minutes=15, actor=instructor
    )
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.WRITE
    assert (
        timedelta(minutes=15) <= workshop.phase_ends_at - before < timedelta(minutes=15, seconds=5)
    )
    # A phase without minutes runs no timer; a timer can be stopped on its own.
    facilitation.phase_set(workshop=workshop, phase=Workshop.Phase.ANALYSE, actor=instructor)
    assert workshop.phase_ends_at is None
    facilitation.timer_start(workshop=workshop, minutes=3, actor=instructor)
    assert workshop.phase_ends_at is not None
    facilitation.timer_stop(workshop=workshop, actor=instructor)
    workshop.refresh_from_db()
    assert workshop.phase_ends_at is None


@pytest.mark.parametrize("minutes", [0, -5, 181])
def test_a_timer_out_of_range_is_refused_and_nothing_changes(workshop, instructor, minutes):
    with pytest.raises(services.RuleError, match="1분에서 180분"):
        facilitation.phase_set(
            workshop=workshop, phase=Workshop.Phase.WRITE, minutes=minutes, actor=instructor
        )
    workshop.refresh_from_db()
    assert (workshop.phase, workshop.phase_ends_at) == (Workshop.Phase.PREPARE, None)


def test_a_closed_workshop_keeps_its_phase(workshop, instructor):
    services.workshop_close(workshop=workshop, actor=instructor)
    with pytest.raises(services.RuleError, match="종료된"):
        facilitation.phase_set(workshop=workshop, phase=Workshop.Phase.WRITE, actor=instructor)
    with pytest.raises(services.RuleError, match="종료된"):
        facilitation.notice_set(workshop=workshop, text="공지", actor=instructor)


def test_a_notice_is_one_line_and_an_empty_one_clears_it(workshop, instructor):
    facilitation.notice_set(
        workshop=workshop, text="  10분 뒤\n분석을   시작합니다 ", actor=instructor
    )
    workshop.refresh_from_db()
    assert workshop.notice == "10분 뒤 분석을 시작합니다"
    assert workshop.notice_at is not None
    with pytest.raises(services.RuleError, match="120자까지"):
        facilitation.notice_set(workshop=workshop, text="가" * 121, actor=instructor)
    workshop.refresh_from_db()
    assert workshop.notice == "10분 뒤 분석을 시작합니다"  # the refused one changed nothing
    facilitation.notice_set(workshop=workshop, text="", actor=instructor)
    workshop.refresh_from_db()
    assert (workshop.notice, workshop.notice_at) == ("", None)


def test_a_team_stalls_after_the_minutes_without_a_change_while_writing(team, lead, domain):
    workshop = team.workshop
    workshop.phase, workshop.stall_minutes = Workshop.Phase.WRITE, 10
    services.task_create(team=team, actor=lead, data=task_data(domain))
    team.refresh_from_db()
    now = team.last_activity_at
    assert not facilitation.is_stalled(team, workshop, now + timedelta(minutes=9))
    assert facilitation.is_stalled(team, workshop, now + timedelta(minutes=10))
    # Before anyone writes, or while prioritising, nobody is "stalled".
    for phase in (Workshop.Phase.PREPARE, Workshop.Phase.PRIORITISE, Workshop.Phase.WRAP_UP):
        workshop.phase = phase
        assert not facilitation.is_stalled(team, workshop, now + timedelta(hours=1))


@pytest.fixture
def stranger(workshop, instructor) -> Team:
    """A team of another workshop."""
    other_workshop = services.workshop_create(
        creator=instructor,
        title="다른 워크샵",
        description="",
        date=workshop.date,
        domain_names=["영업"],
    )
    return Team.objects.create(workshop=other_workshop, name="남의 팀", lead=instructor)


def test_the_spotlight_takes_only_a_team_of_the_workshop(workshop, instructor, team, stranger):
    with pytest.raises(services.RuleError, match="이 워크샵의 팀이 아닙니다"):
        facilitation.spotlight_set(workshop=workshop, team=stranger, actor=instructor)
    facilitation.spotlight_set(workshop=workshop, team=team, actor=instructor)
    workshop.refresh_from_db()
    assert workshop.spotlight_team_id == team.pk


def test_the_spotlight_select_lists_every_team_escaped_with_the_chosen_one_selected(
    client_as, workshop, instructor, team
):
    other = services.team_create(
        workshop=workshop,
        lead=make_user("tag@example.com"),
        team_name="<b>R&D</b>팀",
        display_name="태그",
    )
    facilitation.spotlight_set(workshop=workshop, team=other, actor=instructor)
    page = client_as(instructor).get(workshop.get_absolute_url()).content.decode()
    select = page.split('<select name="team"')[1].split("</select>")[0]
    assert f'<option value="{other.pk}" selected>&lt;b&gt;R&amp;D&lt;/b&gt;팀</option>' in select
    assert f'<option value="{team.pk}">영업1팀</option>' in select
    assert select.count(" selected") == 1


# --- The 진행 panel ---------------------------------------------------------------------------


def test_the_board_has_the_panel_and_a_phase_press_moves_the_room(client_as, workshop, instructor):
    client = client_as(instructor)
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert 'id="facilitation"' in page and "4. 우선순위 정하기" in page
    url = reverse("workshops:facilitate", args=[workshop.pk])
    response = client.post(
        url, {"action": "phase", "phase": "prioritise", "minutes": "10"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert toast(response) == "진행 단계를 바꿨습니다: 우선순위 정하기"
    assert (
        'value="prioritise" class="button small" aria-pressed="true"' in response.content.decode()
    )
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.PRIORITISE and workshop.phase_ends_at is not None


def test_refused_input_answers_in_korean_and_stays_in_its_form(client_as, workshop, instructor):
    client = client_as(instructor)
    url = reverse("workshops:facilitate", args=[workshop.pk])
    response = client.post(url, {"action": "timer", "minutes": "999"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert toast(response) == "타이머는 180분까지 정할 수 있습니다."
    assert 'value="999"' in response.content.decode()  # what was typed is still there
    long_notice = "공지" * 70
    response = client.post(url, {"action": "notice", "notice": long_notice}, HTTP_HX_REQUEST="true")
    assert "120자까지" in toast(response)
    assert long_notice in response.content.decode()
    response = client.post(url, {"action": "targets", "target_tasks": "x", "stall_minutes": "5"})
    assert response.status_code == 302  # without JavaScript: back to the board, with the message
    assert "목표 업무 수는 숫자로" in client.get(response["Location"]).content.decode()
    workshop.refresh_from_db()
    assert (workshop.phase_ends_at, workshop.notice, workshop.target_tasks) == (None, "", 5)


def test_every_page_shows_the_stage_and_the_notice(client_as, workshop, instructor, team, lead):
    facilitation.phase_set(
        workshop=workshop, phase=Workshop.Phase.WRITE, minutes=5, actor=instructor
    )
    facilitation.notice_set(workshop=workshop, text="<b>점심</b> 후 분석합니다", actor=instructor)
    pages = [
        (lead, team.get_absolute_url()),
        (instructor, workshop.get_absolute_url()),
        (instructor, reverse("workshops:workshop_summary", args=[workshop.pk])),
        (instructor, reverse("workshops:workshop_summary", args=[workshop.pk]) + "?view=projector"),
    ]
    for user, url in pages:
        html = client_as(user).get(url).content.decode()
        assert f'id="workshop-{workshop.pk}-stage"' in html, url
        current = 'class="phase current" aria-current="step"><span class="phase-number">2</span>'
        assert f"{current} 업무 작성" in html, url
        assert "data-countdown" in html, url
        assert "&lt;b&gt;점심&lt;/b&gt; 후 분석합니다" in html, url  # escaped, never markup


def test_a_change_pushes_the_stage_to_every_page_and_the_spotlight_to_instructors(
    workshop, instructor, team, lead, django_capture_on_commit_callbacks
):
    open_page(workshop, lead, team=team)
    board = open_page(workshop, instructor, instructor=True)
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        facilitation.phase_set(workshop=workshop, phase=Workshop.Phase.WRITE, actor=instructor)
    assert sent[:2] == [
        (f"workshop.{workshop.pk}", "stage"),
        (f"team.{team.pk}", "priorities"),  # the phase opens or closes voting
    ]
    assert (f"workshop.{workshop.pk}.board", "spotlight") not in sent  # it did not change
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        facilitation.spotlight_set(workshop=workshop, team=team, actor=instructor)
    assert sent == [
        (f"workshop.{workshop.pk}", "stage"),
        (f"workshop.{workshop.pk}.board", "spotlight"),
    ]
    # A notice is the stage alone, even with the board open: no board, no summary render.
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        facilitation.notice_set(workshop=workshop, text="곧 시작합니다", actor=instructor)
    assert sent == [(f"workshop.{workshop.pk}", "stage")]
    # With only a team page open, the instructors' regions are not even rendered. (The board
    # closes its socket: presence.reset() alone would leave it in Redis on PostgreSQL+Redis.)
    presence.disconnect(workshop.pk, instructor.pk, board)
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        facilitation.spotlight_set(workshop=workshop, team=None, actor=instructor)
    assert sent == [(f"workshop.{workshop.pk}", "stage")]


def test_a_reconnecting_page_gets_the_stage_in_its_snapshot(workshop, instructor, team, lead):
    from board import render

    facilitation.phase_set(
        workshop=workshop, phase=Workshop.Phase.ANALYSE, minutes=20, actor=instructor
    )
    facilitation.spotlight_set(workshop=workshop, team=team, actor=instructor)
    lead_view = render.viewer_for(lead, workshop.pk, None)
    board_view = render.viewer_for(instructor, workshop.pk, None)
    lead_html, board_html = render.snapshot(lead_view), render.snapshot(board_view)
    assert f'data-ends="{int(workshop.phase_ends_at.timestamp())}"' in lead_html
    assert f'id="workshop-{workshop.pk}-spotlight"' not in lead_html
    assert f"프로젝터에 <strong>{team.name}</strong>" in board_html


# --- Targets, stalled teams, 도움 요청 ----------------------------------------------------------


def test_the_board_shows_each_teams_progress_and_who_stalled(
    client_as, workshop, instructor, team, lead, other_team, domain
):
    workshop.phase, workshop.target_tasks = Workshop.Phase.WRITE, 2
    workshop.save()
    for title in ("하나", "둘"):
        services.task_create(team=team, actor=lead, data=task_data(domain, title=title))
    Team.objects.filter(pk=other_team.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    html = client_as(instructor).get(workshop.get_absolute_url()).content.decode()
    row = html[html.index(f'id="board-team-{team.pk}"') :]
    row = row[: row.index("</tr>")]
    other = html[html.index(f'id="board-team-{other_team.pk}"') :]
    other = other[: other.index("</tr>")]
    assert "/2✓</span>" in row and " hidden>멈춤" in row  # the page shows it when the time comes
    assert "/2</span>" in other and "✓" not in other
    assert "멈춤" in other and " hidden>멈춤" not in other


def test_a_member_asks_for_help_and_the_instructor_clears_it(
    client_as, workshop, instructor, team, member
):
    url = reverse("workshops:help_request", args=[team.pk])
    response = client_as(member).post(url, {"asking": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "강사에게 도움을 요청했습니다" in toast(response)
    assert "도움 요청 내리기" in response.content.decode()
    team.refresh_from_db()
    assert team.help_requested_at is not None
    board = client_as(instructor).get(workshop.get_absolute_url()).content.decode()
    assert "도움 요청 " in board and 'name="from" value="board"' in board
    # The instructor's 확인 never raises it, whatever is posted.
    response = client_as(instructor).post(
        url, {"asking": "1", "from": "board"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    team.refresh_from_db()
    assert team.help_requested_at is None


# --- The projector's spotlight ---------------------------------------------------------------


def test_the_projector_shows_the_spotlight_teams_candidates_instead_of_the_summary(
    client_as, workshop, instructor, team, lead, domain
):
    task = services.task_create(
        team=team, actor=lead, data=task_data(domain, title="주간 매출 보고서")
    )
    TaskAnalysis.objects.create(
        task=task,
        mode="quick",
        source="ai",
        rating=Rating.HIGH,
        automatable_share=80,
        method="SPREADSHEET",
        suggestion="엑셀 피벗으로 자동 집계",
    )
    client = client_as(instructor)
    url = reverse("workshops:facilitate", args=[workshop.pk])
    client.post(url, {"action": "spotlight", "team": str(team.pk)}, HTTP_HX_REQUEST="true")
    projector = client.get(
        reverse("workshops:workshop_summary", args=[workshop.pk]) + "?view=projector"
    ).content.decode()
    assert 'class="spotlight on"' in projector
    assert "주간 매출 보고서" in projector[projector.index("spotlight-full") :]
    client.post(url, {"action": "spotlight", "team": ""}, HTTP_HX_REQUEST="true")
    workshop.refresh_from_db()
    assert workshop.spotlight_team_id is None


def test_a_team_of_another_workshop_cannot_be_put_in_the_spotlight(
    client_as, workshop, instructor, stranger
):
    url = reverse("workshops:facilitate", args=[workshop.pk])
    response = client_as(instructor).post(
        url, {"action": "spotlight", "team": str(stranger.pk)}, HTTP_HX_REQUEST="true"
    )
    assert toast(response) == "이 워크샵의 팀을 고르세요."
    workshop.refresh_from_db()
    assert workshop.spotlight_team_id is None
