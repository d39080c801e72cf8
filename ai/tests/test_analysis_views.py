"""Who may ask for, watch, override and read analyses."""

import re

from django.urls import reverse

from ai import requests as ai_requests
from ai.models import AnalysisRun, Source, TaskAnalysis
from conftest import task_data
from workshops import services as workshop_services


def request_url(team):
    return reverse("ai:request", args=[team.pk])


def test_a_member_asks_for_analysis(client_as, member, task):
    response = client_as(member).post(request_url(task.team))
    assert response.status_code == 302
    assert AnalysisRun.objects.get().requested_by == member


def test_htmx_request_returns_the_panel_with_progress(client_as, lead, task):
    response = client_as(lead).post(request_url(task.team), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert f'id="team-{task.team_id}-analysis"' in body
    assert "0 / 1" in body
    assert 'hx-trigger="every' in body


def test_a_second_press_tells_that_analysis_is_running(client_as, lead, task):
    client = client_as(lead)
    client.post(request_url(task.team))
    response = client.post(request_url(task.team), headers={"HX-Request": "true"})
    assert "이미 분석 중입니다" in response["HX-Trigger"].encode().decode("unicode_escape")
    assert AnalysisRun.objects.count() == 1


def test_the_instructor_cannot_ask_for_analysis(client_as, instructor, task):
    assert client_as(instructor).post(request_url(task.team)).status_code == 403


def test_another_team_cannot_ask_for_analysis(client_as, other_lead, other_team, task):
    assert client_as(other_lead).post(request_url(task.team)).status_code == 404


def test_outsiders_cannot_ask_for_analysis(client_as, outsider, task):
    assert client_as(outsider).post(request_url(task.team)).status_code == 404


def test_nobody_asks_in_a_closed_workshop(client_as, lead, task):
    workshop_services.workshop_close(workshop=task.team.workshop)
    assert client_as(lead).post(request_url(task.team)).status_code == 403


def test_progress_is_readable_by_the_team_and_instructor(client_as, lead, instructor, task):
    url = reverse("ai:progress", args=[task.team_id])
    assert client_as(lead).get(url).status_code == 200
    body = client_as(instructor).get(url).content.decode()
    assert "AI 분석</button>" not in body  # instructors watch, they do not press


def test_the_poll_sends_the_task_list_only_when_it_changed(client_as, lead, domain, task):
    """The panel polls every few seconds while an analysis runs, saying which copy of the task
    list its page shows (`?shown=`): it gets the list again only if that changed (issue 17)."""
    client = client_as(lead)
    client.post(request_url(task.team))  # an analysis running: the panel polls
    page = client.get(task.team.get_absolute_url()).content.decode()
    poll = re.search(r'hx-get="([^"]*/progress/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "shown=" in poll
    unchanged = client.get(poll).content.decode()
    assert f'id="team-{task.team_id}-analysis"' in unchanged
    assert f'id="team-{task.team_id}-tasks"' not in unchanged
    workshop_services.task_create(
        team=task.team, actor=lead, data=task_data(domain, title="폴링 사이에 적은 업무")
    )
    changed = client.get(poll).content.decode()
    assert f'id="team-{task.team_id}-tasks"' in changed and "폴링 사이에 적은 업무" in changed
    # The answer's panel names the copy it came with: the next poll gets nothing again.
    again = re.search(r'hx-get="([^"]*/progress/[^"]*)"', changed).group(1).replace("&amp;", "&")
    assert f'id="team-{task.team_id}-tasks"' not in client.get(again).content.decode()


def test_progress_is_hidden_from_other_teams(client_as, other_lead, other_team, task):
    url = reverse("ai:progress", args=[task.team_id])
    assert client_as(other_lead).get(url).status_code == 404


def test_deep_analysis_is_for_the_team(client_as, member, other_lead, other_team, instructor, task):
    url = reverse("ai:deep", args=[task.pk])
    assert client_as(other_lead).post(url).status_code == 404
    assert client_as(instructor).post(url).status_code == 403
    client_as(member).post(url)
    assert AnalysisRun.objects.get().mode == "deep"


def test_a_second_deep_press_for_another_task_is_told_why_not_a_server_error(
    client_as, lead, team, domain, task
):
    other = workshop_services.task_create(
        team=team, actor=lead, data=task_data(domain, title="다른 업무")
    )
    client = client_as(lead)
    client.post(reverse("ai:deep", args=[task.pk]))
    response = client.post(reverse("ai:deep", args=[other.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "심층 분석이 진행 중" in response.headers["HX-Trigger"].encode().decode("unicode_escape")
    assert AnalysisRun.objects.count() == 1


def test_overrides_are_for_the_team(client_as, member, other_lead, other_team, instructor, task):
    url = reverse("ai:override", args=[task.pk])
    data = {"rating": "HIGH", "note": ""}
    assert client_as(other_lead).post(url, data).status_code == 404
    assert client_as(instructor).post(url, data).status_code == 403
    assert client_as(member).post(url, data).status_code == 302
    assert TaskAnalysis.objects.get().source == Source.PERSON


def test_an_override_with_a_bad_rating_keeps_the_form(client_as, lead, task):
    url = reverse("ai:override", args=[task.pk])
    response = client_as(lead).post(url, {"rating": "AMAZING", "note": "메모는 남는다"})
    assert response.status_code == 200
    assert "메모는 남는다" in response.content.decode()
    assert not TaskAnalysis.objects.exists()


def test_history_is_readable_by_the_team_and_instructor(
    client_as, lead, instructor, outsider, task
):
    ai_requests.analysis_override(task=task, actor=lead, rating="LOW", note="첫 판단")
    url = reverse("ai:history", args=[task.pk])
    assert "첫 판단" in client_as(lead).get(url).content.decode()
    assert client_as(instructor).get(url).status_code == 200
    assert client_as(outsider).get(url).status_code == 404


def test_retry_is_for_the_team(client_as, lead, other_lead, other_team, task):
    run, _ = ai_requests.analysis_request(team=task.team, actor=lead)
    AnalysisRun.objects.filter(pk=run.pk).update(status="failed", failed_task_ids=[task.pk])
    url = reverse("ai:retry", args=[run.pk])
    assert client_as(other_lead).post(url).status_code == 404
    assert client_as(lead).post(url).status_code == 302
    assert AnalysisRun.objects.count() == 2
