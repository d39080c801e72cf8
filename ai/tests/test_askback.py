"""Ask back instead of guessing: a 정보 부족 card asks one question with answers to tap; the
answer joins the description and the task is analysed again."""

import json

import pytest
from django.urls import reverse

from ai import askback, runner
from ai import requests as ai_requests
from ai.models import AnalysisRun, Rating, TaskAnalysis
from conftest import task_data
from workshops import services


@pytest.fixture
def vague(settings, team, lead, domain):
    """A task too vague to judge, judged so by the offline estimator (no API key)."""
    settings.ANTHROPIC_API_KEY = ""
    task = services.task_create(
        team=team, actor=lead, data=task_data(domain, title="팀 지원", description="팀 업무 지원")
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    assert TaskAnalysis.objects.get(task=task).rating == Rating.NEEDS_INFO
    return task


def toast(response) -> str:
    return json.loads(response.headers["HX-Trigger"])["workshop:toast"]["message"]


def answer(client, task, key, option, **headers):
    url = reverse("ai:answer", args=[task.pk])
    return client.post(url, {"question": key, "answer": option}, **headers)


def test_the_card_asks_the_first_question_with_its_answers(client_as, lead, team, vague):
    page = client_as(lead).get(team.get_absolute_url()).content.decode()
    question = askback.QUESTIONS[0]
    assert question.text in page
    for option in question.options:
        assert f'value="{option}"' in page
    assert reverse("ai:answer", args=[vague.pk]) in page


def test_an_answer_joins_the_description_and_the_task_is_analysed_again(client_as, lead, vague):
    client = client_as(lead)
    response = answer(client, vague, "input", "엑셀", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    vague.refresh_from_db()
    assert vague.description == "팀 업무 지원\n입력 자료: 엑셀"
    run = AnalysisRun.objects.latest("id")
    assert run.task_ids == [vague.pk] and run.status == "queued"
    runner.run_execute(run.pk)
    # The next question is asked while the task is still too vague.
    assert askback.next_question(vague.description).key == "work"


def test_answers_make_a_vague_task_judgeable_and_then_nothing_more_is_asked(client_as, lead, vague):
    client = client_as(lead)
    for key, option in (("input", "엑셀"), ("work", "집계·정리")):
        answer(client, vague, key, option)
        runner.run_execute(AnalysisRun.objects.latest("id").pk)
    latest = TaskAnalysis.objects.filter(task=vague).latest("id")
    assert latest.rating != Rating.NEEDS_INFO
    response = answer(client, vague, "output", "보고서·문서", HTTP_HX_REQUEST="true")
    assert "이미 평가가 나왔습니다" in toast(response)


@pytest.mark.parametrize(
    ("key", "option"),
    [("input", "양피지"), ("nonsense", "엑셀"), ("", ""), ("input", "엑셀" * 5000)],
)
def test_an_answer_not_offered_is_refused_in_korean_and_changes_nothing(
    client_as, lead, vague, key, option
):
    before = vague.description
    response = answer(client_as(lead), vague, key, option, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "고를 수 있는 답이 아닙니다" in toast(response)
    vague.refresh_from_db()
    assert vague.description == before
    assert AnalysisRun.objects.count() == 1  # only the first analysis


def test_a_question_answered_is_not_answered_again(client_as, lead, vague):
    client = client_as(lead)
    answer(client, vague, "input", "엑셀")
    runner.run_execute(AnalysisRun.objects.latest("id").pk)
    response = answer(client, vague, "input", "종이", HTTP_HX_REQUEST="true")
    assert "이미 답한 질문입니다" in toast(response)
    vague.refresh_from_db()
    assert vague.description.count("입력 자료:") == 1


def test_no_answer_while_the_task_is_being_analysed(client_as, lead, vague):
    client = client_as(lead)
    answer(client, vague, "input", "엑셀")  # queued, not run yet
    response = answer(client, vague, "work", "집계·정리", HTTP_HX_REQUEST="true")
    assert "분석하는 중입니다" in toast(response)
    vague.refresh_from_db()
    assert "하는 일" not in vague.description


def test_a_task_judged_meanwhile_asks_nothing_more(client_as, lead, vague):
    ai_requests.analysis_override(task=vague, actor=lead, rating="LOW", note="사람이 판단")
    response = answer(client_as(lead), vague, "input", "엑셀", HTTP_HX_REQUEST="true")
    assert "이미 평가가 나왔습니다" in toast(response)
    assert AnalysisRun.objects.count() == 1


def test_a_description_at_its_limit_keeps_its_text_and_says_why(
    client_as, lead, team, domain, settings
):
    settings.ANTHROPIC_API_KEY = ""
    long = "가" * 2000
    task = services.task_create(team=team, actor=lead, data=task_data(domain, description=long))
    ai_requests.analysis_override(task=task, actor=lead, rating="NEEDS_INFO", note="")
    response = answer(client_as(lead), task, "input", "엑셀", HTTP_HX_REQUEST="true")
    assert "설명이 너무 길어" in toast(response)
    task.refresh_from_db()
    assert task.description == long


def test_only_the_team_may_answer(client_as, other_lead, vague):
    response = answer(client_as(other_lead), vague, "input", "엑셀")
    assert response.status_code == 404
    vague.refresh_from_db()
    assert "입력 자료" not in vague.description


# --- A person's rating never sits under the AI's contradicting text ----------------------------


@pytest.fixture
def estimated(settings, team, lead, domain) -> TaskAnalysis:
    """A plain digital task, rated 높음 by the offline estimator."""
    settings.ANTHROPIC_API_KEY = ""
    description = "ERP 실적을 엑셀로 내려받아 집계한다"
    task = services.task_create(
        team=team, actor=lead, data=task_data(domain, title="실적 집계", description=description)
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    analysis = TaskAnalysis.objects.get(task=task)
    assert analysis.rating == Rating.HIGH
    return analysis


def test_a_persons_other_rating_replaces_the_method_text(client_as, lead, team, estimated):
    note = "거래처마다 양식이 달라 사람이 봐야 함"
    person = ai_requests.analysis_override(task=estimated.task, actor=lead, rating="LOW", note=note)
    assert person.suggestion == ""  # no method line under the person's rating
    page = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert estimated.suggestion not in page  # the estimate's text is gone from the card
    assert page.count(note) == 1  # shown once, as the note


def test_a_persons_same_rating_keeps_the_method_text(lead, estimated):
    person = ai_requests.analysis_override(
        task=estimated.task, actor=lead, rating="HIGH", note="맞음"
    )
    assert (person.method, person.suggestion) == (estimated.method, estimated.suggestion)
    assert person.automatable_share == estimated.automatable_share
