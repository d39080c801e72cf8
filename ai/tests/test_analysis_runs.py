"""Running an analysis on the worker, through the real SDK against our fake Anthropic API."""

from decimal import Decimal

import pytest

from ai import requests as ai_requests
from ai import runner
from ai.errors import AnalysisRefused
from ai.models import AnalysisRun, RunStatus, Source, TaskAnalysis
from ai.selectors import tasks_needing_analysis
from ai.tests.conftest import make_tasks
from conftest import make_user
from support import live
from workshops import services as workshop_services


def request_and_run(team, actor, **kwargs):
    run, _created = ai_requests.analysis_request(team=team, actor=actor, **kwargs)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    return run


def test_a_first_run_of_25_tasks_makes_2_requests(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 25)
    run = request_and_run(team, lead)
    assert len(fake_anthropic.message_requests) == 2
    assert run.status == RunStatus.SUCCEEDED
    assert (run.done_tasks, run.failed_tasks, run.cached_tasks) == (25, 0, 0)
    assert TaskAnalysis.objects.filter(source=Source.AI).count() == 25


def test_every_request_sends_max_tokens_and_a_schema_keyed_by_the_batch_s_tasks(
    fake_anthropic, team, lead, domain
):
    make_tasks(team, lead, domain, 3)
    request_and_run(team, lead)
    body = fake_anthropic.message_requests[0]["body"]
    assert body["model"] == "claude-haiku-5-5"
    assert body["max_tokens"] == 3 * 160 + 200
    results = body["output_config"]["format"]["schema"]["properties"]["results"]
    assert results["required"] == ["t1", "t2", "t3"]


def test_an_identical_second_run_makes_no_request(fake_anthropic, team, lead, domain):
    tasks = make_tasks(team, lead, domain, 25)
    request_and_run(team, lead)
    fake_anthropic.reset()
    run = request_and_run(team, lead, tasks=tasks)
    assert fake_anthropic.message_requests == []
    assert run.cached_tasks == 25
    assert TaskAnalysis.objects.filter(source=Source.CACHE).count() == 25


def test_an_identical_task_in_another_team_is_a_cache_hit(
    fake_anthropic, team, lead, other_team, other_lead, domain
):
    make_tasks(team, lead, domain, 3)
    request_and_run(team, lead)
    fake_anthropic.reset()
    make_tasks(other_team, other_lead, domain, 3)
    run = request_and_run(other_team, other_lead)
    assert fake_anthropic.message_requests == []
    assert run.cached_tasks == 3


def test_hours_saved_is_share_times_current_hours(fake_anthropic, team, lead, domain):
    (task,) = make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    analysis = TaskAnalysis.objects.get()
    assert analysis.task_hours == task.hours_per_month
    expected = (Decimal(analysis.automatable_share) * task.hours_per_month / 100).quantize(
        Decimal("0.01")
    )
    assert analysis.hours_saved == expected


# --- Failures: the right state, a Korean message, nothing invented -----------------------------


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (["429", "429", "429"], "AI 요청이 몰려"),
        (["529", "529", "529"], "AI 서버가 지금 붐빕니다"),
        (["500", "500", "500"], "AI 서버에 오류"),
    ],
)
def test_an_api_that_keeps_failing_fails_the_run_with_a_reason(
    fake_anthropic, team, lead, domain, script, message
):
    make_tasks(team, lead, domain, 3)
    fake_anthropic.script(*script)
    run = request_and_run(team, lead)
    assert run.status == RunStatus.FAILED
    assert message in run.message
    assert len(fake_anthropic.message_requests) == 3  # the SDK retried twice
    assert not TaskAnalysis.objects.exists()
    assert sorted(run.failed_task_ids) == sorted(team.tasks.values_list("pk", flat=True))


def test_a_passing_error_is_retried_by_the_sdk(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 3)
    fake_anthropic.script("500", "429")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.SUCCEEDED
    assert len(fake_anthropic.message_requests) == 3


def test_a_slow_api_times_out_instead_of_hanging_the_worker(
    fake_anthropic, settings, team, lead, domain
):
    settings.AI_TIMEOUT_SECONDS = 0.5
    settings.AI_MAX_RETRIES = 0
    fake_anthropic.timeout_seconds = 2
    make_tasks(team, lead, domain, 2)
    fake_anthropic.script("timeout")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.FAILED
    assert "너무 늦어" in run.message


def test_malformed_json_is_asked_again_task_by_task(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 4)
    fake_anthropic.script("malformed")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.SUCCEEDED
    assert len(fake_anthropic.message_requests) == 1 + 4
    assert TaskAnalysis.objects.count() == 4


def test_tasks_missing_from_an_answer_are_asked_alone(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 6)
    fake_anthropic.script("partial")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.SUCCEEDED
    assert len(fake_anthropic.message_requests) == 1 + 3
    single = [r for r in fake_anthropic.message_requests[1:]]
    assert all(r["body"]["max_tokens"] == 160 + 200 for r in single)


def test_an_answer_that_stays_wrong_fails_that_task_and_invents_nothing(
    fake_anthropic, team, lead, domain
):
    first, second = make_tasks(team, lead, domain, 2)
    fake_anthropic.script("invalid", "invalid")  # the chunk, then the lone retry
    run = request_and_run(team, lead)
    assert run.status == RunStatus.PARTIAL
    assert run.failed_task_ids == [first.pk]
    assert "1개를 분석하지 못했습니다" in run.message
    assert list(TaskAnalysis.objects.values_list("task_id", flat=True)) == [second.pk]


def test_a_failed_run_can_be_retried_for_its_failed_tasks(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 2)
    fake_anthropic.script("500", "500", "500")
    failed = request_and_run(team, lead)
    retry, created = ai_requests.analysis_retry(run=failed, actor=lead)
    runner.run_execute(retry.pk)
    retry.refresh_from_db()
    assert created
    assert retry.status == RunStatus.SUCCEEDED
    assert sorted(retry.task_ids) == sorted(failed.failed_task_ids)


# --- Without a key ----------------------------------------------------------------------------


def test_without_a_key_the_rule_based_estimate_answers(settings, team, lead, domain):
    settings.ANTHROPIC_API_KEY = ""
    make_tasks(team, lead, domain, 3)
    run = request_and_run(team, lead)
    assert run.provider == "rules"
    assert set(TaskAnalysis.objects.values_list("source", flat=True)) == {Source.RULES}
    assert set(TaskAnalysis.objects.values_list("model_id", flat=True)) == {""}


def test_rule_based_results_are_labelled_as_not_ai(client_as, settings, team, lead, domain):
    settings.ANTHROPIC_API_KEY = ""
    make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert "규칙 기반 추정 (AI 아님)" in body
    assert "AI 키가 설정되지 않아" in body


def test_a_thin_description_asks_for_what_is_missing(client_as, settings, team, lead, domain):
    settings.ANTHROPIC_API_KEY = ""
    workshop_services.task_create(
        team=team,
        actor=lead,
        data={
            "domain": domain,
            "title": "회의록",
            "description": "",
            "frequency": "weekly",
            "occurrences_per_period": 1,
            "minutes_per_occurrence": 30,
        },
    )
    request_and_run(team, lead)
    assert TaskAnalysis.objects.get().rating == "NEEDS_INFO"
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert "판단하려면 정보가 더 필요합니다" in body
    assert "설명 보완하기" in body


# --- Requests, history, overrides -------------------------------------------------------------


def test_a_second_press_while_a_run_is_active_does_not_start_another(team, lead, domain):
    make_tasks(team, lead, domain, 2)
    first, created = ai_requests.analysis_request(team=team, actor=lead)
    second, created_again = ai_requests.analysis_request(team=team, actor=lead)
    assert created and not created_again
    assert first.pk == second.pk
    assert AnalysisRun.objects.count() == 1


def test_only_new_and_changed_tasks_are_sent_again(fake_anthropic, team, lead, domain):
    first, _second = make_tasks(team, lead, domain, 2)
    request_and_run(team, lead)
    workshop_services.task_update(
        task=first,
        actor=lead,
        data={
            "domain": domain,
            "title": first.title,
            "description": "이제는 ERP에서 자동으로 내려받는다",
            "frequency": "weekly",
            "occurrences_per_period": 1,
            "minutes_per_occurrence": 60,
        },
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    assert run.task_ids == [first.pk]


def test_nothing_to_analyse_is_refused_with_a_reason(settings, team, lead, domain):
    settings.ANTHROPIC_API_KEY = ""
    make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    with pytest.raises(AnalysisRefused, match="새로 분석할 업무가 없습니다"):
        ai_requests.analysis_request(team=team, actor=lead)


def test_re_analysis_keeps_history_and_the_newest_shows(
    fake_anthropic, client_as, team, lead, domain
):
    tasks = make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    request_and_run(team, lead, tasks=tasks)
    assert TaskAnalysis.objects.filter(task=tasks[0]).count() == 2
    response = client_as(lead).get(team.get_absolute_url())
    shown = response.context["tasks"].cards[0]
    assert shown.analysis == TaskAnalysis.objects.latest("id")
    assert shown.analysis_count == 2


def test_an_override_is_kept_and_flagged_as_a_persons_decision(
    fake_anthropic, client_as, team, lead, domain
):
    (task,) = make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    ai_row = TaskAnalysis.objects.get()
    client_as(lead).post(
        f"/tasks/{task.pk}/analysis/override/", {"rating": "LOW", "note": "사람 판단이 필수"}
    )
    person = TaskAnalysis.objects.latest("id")
    assert (person.source, person.rating, person.note, person.created_by) == (
        Source.PERSON,
        "LOW",
        "사람 판단이 필수",
        lead,
    )
    assert TaskAnalysis.objects.filter(pk=ai_row.pk).exists()
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert "사람이 정한 평가" in body and "사람 판단이 필수" in body


def test_an_override_survives_asking_for_pending_tasks(fake_anthropic, team, lead, domain):
    (task,) = make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="")
    with pytest.raises(AnalysisRefused):
        ai_requests.analysis_request(team=team, actor=lead)


def test_deep_analysis_uses_the_deep_model_and_adds_steps(fake_anthropic, team, lead, domain):
    (task,) = make_tasks(team, lead, domain, 1)
    request_and_run(team, lead, mode="deep", tasks=[task])
    assert fake_anthropic.message_requests[0]["body"]["model"] == "claude-sonnet-5-5"
    analysis = TaskAnalysis.objects.get()
    assert analysis.steps and analysis.tools and analysis.prerequisites and analysis.ease


# --- Live pushes -------------------------------------------------------------------------------


def test_results_are_pushed_to_the_team_and_instructors_as_they_land(
    fake_anthropic, team, lead, domain, django_capture_on_commit_callbacks
):
    make_tasks(team, lead, domain, 2)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = ai_requests.analysis_request(team=team, actor=lead)
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        runner.run_execute(run.pk)
    assert (f"team.{team.pk}", "analysis") in sent
    assert (f"team.{team.pk}.instructors", "analysis") in sent


def test_a_new_member_task_is_pending_for_analysis(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 1)
    request_and_run(team, lead)
    member = make_user("late.member@example.com")
    make_tasks(team, member, domain, 1, prefix="새 업무")
    assert [t.title for t in tasks_needing_analysis(team)] == ["새 업무 00"]
