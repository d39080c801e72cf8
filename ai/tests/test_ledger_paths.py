"""Every call the API may have billed has a ledger line, in every failure path."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ai import economy, runner
from ai import requests as ai_requests
from ai.models import (
    AnalysisRun,
    EconomyBatch,
    Reservation,
    Source,
    TaskAnalysis,
    UsageRecord,
)
from ai.selectors import tasks_needing_analysis
from ai.tests.conftest import make_tasks
from ai.tests.test_analysis_jobs import work_off_queue
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db(transaction=True)


def calls():
    return UsageRecord.objects.filter(kind=UsageRecord.Kind.CALL)


def test_an_answer_that_lands_after_another_worker_took_the_run_is_recorded(
    fake_anthropic, team, lead, domain
):
    make_tasks(team, lead, domain, 2)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)

    def taken_over(params):  # while the call is in flight, another worker claims the run
        AnalysisRun.objects.filter(pk=run.pk).update(attempts=99)
        connection.close()  # this runs on the fake's thread: leave no connection behind

    fake_anthropic.on_message = taken_over
    runner.run_execute(run.pk)
    (line,) = calls()
    billed = fake_anthropic.message_requests[0]["usage"]
    assert (line.input_tokens, line.output_tokens) == (
        billed["input_tokens"],
        billed["output_tokens"],
    )
    assert line.cost_usd > 0
    assert TaskAnalysis.objects.count() == 0  # its results belong to the new owner
    assert not Reservation.objects.filter(status=Reservation.Status.ACTIVE).exists()


def test_a_database_error_while_saving_keeps_the_call_in_the_ledger(
    fake_anthropic, team, lead, domain, monkeypatch
):
    make_tasks(team, lead, domain, 2)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)

    def broken_save(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(TaskAnalysis, "save", broken_save)
    with pytest.raises(DatabaseError):
        runner.run_execute(run.pk)
    (line,) = calls()
    assert line.output_tokens == fake_anthropic.message_requests[0]["usage"]["output_tokens"]


def test_a_cache_that_is_down_costs_a_later_call_not_this_run(
    fake_anthropic, team, lead, domain, monkeypatch
):
    from django.core.cache import cache

    make_tasks(team, lead, domain, 2)

    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "set", down)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert calls().count() == 1


@pytest.fixture
def slow_api(fake_anthropic, settings):
    """An API that answers after the SDK has given up (1 s timeout, 2 s answers), no retries."""
    settings.AI_TIMEOUT_SECONDS = 1
    settings.AI_MAX_RETRIES = 0
    fake_anthropic.timeout_seconds = 2
    return fake_anthropic


def test_a_call_that_timed_out_is_settled_at_its_worst_case(slow_api, team, lead, domain):
    fake_anthropic = slow_api
    make_tasks(team, lead, domain, 2)
    fake_anthropic.script("timeout", "timeout")  # the chunk, then nothing more is sent
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    (line,) = calls()
    reservation = Reservation.objects.get()
    assert line.uncertain and not line.ok
    assert line.cost_usd == reservation.amount_usd > 0
    assert reservation.status == Reservation.Status.SETTLED


def test_a_timed_out_attempt_before_a_good_retry_is_recorded_too(
    slow_api, settings, team, lead, domain
):
    fake_anthropic = slow_api
    settings.AI_MAX_RETRIES = 1
    make_tasks(team, lead, domain, 2)
    fake_anthropic.script("timeout")  # the SDK's retry gets an answer
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert sorted(calls().values_list("uncertain", flat=True)) == [False, True]


def test_the_spend_dashboard_shows_uncertain_settlements(
    slow_api, team, lead, domain, admin_client
):
    fake_anthropic = slow_api
    make_tasks(team, lead, domain, 1)
    fake_anthropic.script("timeout", "timeout")
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    body = admin_client.get("/admin/ai/usagerecord/spend/").content.decode()
    assert "결과 불명" in body
    assert '<div class="big">1</div>' in body.split("결과 불명")[1]


# --- Economy mode: a batch is never lost, never sent twice ----------------------------------


@pytest.fixture
def economy_api(slow_api, settings):
    settings.AI_BATCH_POLL_SECONDS = 0
    slow_api.batch_seconds = 0.2
    return slow_api


def batches_created(fake) -> list[dict]:
    return [
        r for r in fake.requests if r["path"] == "/v1/messages/batches" and r["method"] == "POST"
    ]


def test_a_batch_submission_that_timed_out_is_found_and_applied_not_sent_again(
    economy_api, instructor, team, lead, domain
):
    make_tasks(team, lead, domain, 3)
    economy_api.script_batch_create("timeout")
    batch = economy.economy_request(workshop=team.workshop, actor=instructor)
    work_off_queue()
    batch.refresh_from_db()
    assert len(batches_created(economy_api)) == 1
    assert batch.reconciled
    assert batch.status == EconomyBatch.Status.APPLIED
    assert batch.done_tasks == 3
    assert UsageRecord.objects.filter(kind=UsageRecord.Kind.BATCH).count() == 1


def test_a_worker_starting_after_a_crash_finds_the_batch_it_left(
    economy_api, instructor, team, lead, domain
):
    make_tasks(team, lead, domain, 2)
    economy_api.script_batch_create("timeout")
    batch = economy.economy_request(workshop=team.workshop, actor=instructor)
    economy.submit(batch.pk)  # created on the API; the answer never came
    DBTaskResult.objects.all().delete()  # the crash takes the queued follow-up with it
    assert economy.recover_batches() == 0  # a live worker may still be waiting for its answer
    EconomyBatch.objects.filter(pk=batch.pk).update(
        submit_started_at=timezone.now() - timedelta(minutes=5)
    )
    assert economy.recover_batches() == 1
    work_off_queue()
    batch.refresh_from_db()
    assert (batch.status, batch.reconciled) == (EconomyBatch.Status.APPLIED, True)
    assert len(batches_created(economy_api)) == 1
    assert UsageRecord.objects.filter(kind=UsageRecord.Kind.BATCH).count() == 1


def test_a_task_edited_while_its_batch_ran_keeps_the_answer_as_history_only(
    economy_api, instructor, team, lead, domain
):
    edited, kept = make_tasks(team, lead, domain, 2)
    batch = economy.economy_request(workshop=team.workshop, actor=instructor)
    economy.submit(batch.pk)
    workshop_services.task_update(
        task=edited, actor=lead, data={**_data(edited), "title": "바뀐 업무 제목"}
    )
    work_off_queue()
    batch.refresh_from_db()
    assert [t.pk for t in tasks_needing_analysis(team)] == [edited.pk]
    history = TaskAnalysis.objects.get(task=edited)
    assert history.source == Source.AI and "바뀌어" in history.note
    assert "다시 분석해야" in batch.message
    # Not cached: another team writing the old text is not answered with it.
    edited.refresh_from_db()
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    assert run.cached_tasks == 0
    assert TaskAnalysis.objects.filter(task=kept).count() == 1


def _data(task) -> dict:
    return {
        "domain": task.domain,
        "title": task.title,
        "description": task.description,
        "frequency": task.frequency,
        "occurrences_per_period": task.occurrences_per_period,
        "minutes_per_occurrence": task.minutes_per_occurrence,
    }


def test_a_connection_that_never_opened_is_not_settled_as_uncertain(
    fake_anthropic, settings, team, lead, domain
):
    settings.ANTHROPIC_BASE_URL = "http://127.0.0.1:9"  # nothing listens: nothing was sent
    settings.AI_MAX_RETRIES = 0
    make_tasks(team, lead, domain, 1)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    (line,) = calls()
    assert (line.uncertain, line.cost_usd) == (False, 0)


def test_identical_pending_tasks_in_two_teams_are_all_answered_from_the_cache(
    economy_api, instructor, team, lead, other_team, other_lead, domain
):
    make_tasks(team, lead, domain, 2)
    make_tasks(other_team, other_lead, domain, 2)  # the same texts
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)  # the cache now knows both texts
    TaskAnalysis.objects.all().delete()  # both teams pending again
    batch = economy.economy_request(workshop=team.workshop, actor=instructor)
    work_off_queue()
    batch.refresh_from_db()
    assert TaskAnalysis.objects.filter(source=Source.CACHE).count() == 4
    assert batch.done_tasks == 4
    assert batches_created(economy_api) == []
