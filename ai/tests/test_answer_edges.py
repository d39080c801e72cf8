"""Answers at the edge: cut off at max_tokens, refused, with stray or unstorable content."""

import pytest

from ai.models import AIModel, RunStatus, TaskAnalysis, UsageRecord
from ai.providers.anthropic import AnthropicProvider
from ai.tests.conftest import make_tasks
from ai.tests.test_analysis_runs import request_and_run
from ai.tests.test_api_contract import tasks
from conftest import task_data
from workshops import services as workshop_services


def test_an_answer_cut_off_at_max_tokens_keeps_every_complete_item(
    fake_anthropic, team, lead, domain
):
    make_tasks(team, lead, domain, 3)
    fake_anthropic.script("truncate")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.SUCCEEDED
    # t1 was whole before the cut; only t2 and t3 are asked again, each alone.
    assert len(fake_anthropic.message_requests) == 1 + 2
    assert TaskAnalysis.objects.count() == 3


def test_twenty_vague_tasks_fit_in_one_answer(fake_anthropic, team, lead, domain):
    for index in range(20):
        workshop_services.task_create(
            team=team,
            actor=lead,
            data=task_data(domain, title=f"기타 업무 {index}", description=""),
        )
    run = request_and_run(team, lead)
    (request,) = fake_anthropic.message_requests
    assert request["usage"]["output_tokens"] < request["body"]["max_tokens"]
    assert run.status == RunStatus.SUCCEEDED
    assert set(TaskAnalysis.objects.values_list("rating", flat=True)) == {"NEEDS_INFO"}


def test_a_task_the_model_declines_fails_with_a_korean_reason(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 1)
    fake_anthropic.script("refusal", "refusal")  # the chunk, then the lone retry
    run = request_and_run(team, lead)
    assert run.status == RunStatus.FAILED
    assert "AI가 답하지 않았습니다" in run.message
    assert TaskAnalysis.objects.count() == 0


def test_a_declined_chunk_is_asked_again_task_by_task(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 3)
    fake_anthropic.script("refusal")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.SUCCEEDED
    assert len(fake_anthropic.message_requests) == 1 + 3


def test_a_declined_call_is_still_in_the_ledger(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 1)
    fake_anthropic.script("refusal", "refusal")
    request_and_run(team, lead)
    assert UsageRecord.objects.filter(kind=UsageRecord.Kind.CALL).count() == 2


@pytest.mark.django_db
def test_an_item_under_an_id_nobody_asked_about_is_counted_and_ignored(fake_anthropic):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    fake_anthropic.script("stray")
    answer = AnthropicProvider().analyse(tasks(2), mode="quick", model=haiku, per_task_tokens=160)
    assert answer.stray_items == 1
    assert set(answer.items) == {"t1", "t2"}


def test_an_answer_with_control_characters_and_odd_usage_is_stored_clean(
    fake_anthropic, team, lead, domain
):
    make_tasks(team, lead, domain, 2)
    fake_anthropic.script("dirty")
    run = request_and_run(team, lead)
    assert run.status == RunStatus.SUCCEEDED
    suggestions = TaskAnalysis.objects.values_list("suggestion", flat=True)
    assert "자동화 가능[31m 합니다" in suggestions
    assert all(
        len(model_id) <= 100 for model_id in TaskAnalysis.objects.values_list("model_id", flat=True)
    )
    line = UsageRecord.objects.get(kind=UsageRecord.Kind.CALL)
    assert line.output_tokens == 0 and line.input_tokens > 0


def test_an_id_written_twice_before_the_cut_is_not_salvaged():
    from ai.providers.anthropic import parse_items

    text = '{"results": {"t1": {"r": "HIGH"}, "t2": {"r": "LOW"}, "t1": {"r": "LO'
    items, stray = parse_items(text, ["t1", "t2", "t3"], truncated=True)
    assert (items, stray) == ({"t2": {"r": "LOW"}}, 1)


def test_an_answer_that_stopped_at_max_tokens_but_is_whole_is_used_whole():
    from ai.providers.anthropic import parse_items

    text = '{"results": {"t1": {"r": "HIGH"}, "t2": {"r": "LOW"}}}'
    items, _stray = parse_items(text, ["t1", "t2"], truncated=True)
    assert set(items) == {"t1", "t2"}
