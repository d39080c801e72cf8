"""The worker's side: jobs stored as rows, claimed once, recovered when a worker dies."""

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ai import recovery, runner
from ai import requests as ai_requests
from ai.models import AnalysisRun, RunStatus, TaskAnalysis
from ai.tests.conftest import make_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def work_off_queue():
    # db_worker installs its own SIGTERM/SIGINT handlers for a clean shutdown; they would
    # outlive the command inside the test process, so put the previous ones back.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_a_request_queues_a_job_that_the_worker_runs(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 3)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    work_off_queue()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.started_at and run.finished_at
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_run_is_claimed_by_one_worker_only(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 2)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    assert runner.run_execute(run.pk) is not None
    assert runner.run_execute(run.pk) is None
    assert len(fake_anthropic.message_requests) == 1


def test_a_run_left_running_by_a_dead_worker_is_finished_by_the_next(
    fake_anthropic, team, lead, domain
):
    tasks = make_tasks(team, lead, domain, 3)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    work_off_queue_before = DBTaskResult.objects.count()
    # The first worker claimed it, saved one task's result and died without a word.
    run.claim()
    TaskAnalysis.objects.create(
        task=tasks[0],
        run=run,
        mode="quick",
        source="ai",
        rating="HIGH",
        method="RPA",
        suggestion="먼저 끝난 결과",
        automatable_share=50,
        task_hours=tasks[0].hours_per_month,
    )
    AnalysisRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=10)
    )

    assert recovery.recover_stale_runs() == 1
    assert DBTaskResult.objects.count() == work_off_queue_before + 1
    work_off_queue()

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 2
    assert TaskAnalysis.objects.filter(task=tasks[0]).count() == 1  # not analysed twice
    sent = fake_anthropic.message_requests[-1]["body"]["messages"][0]["content"]
    assert tasks[0].title not in sent
    assert tasks[1].title in sent and tasks[2].title in sent


def test_a_run_that_keeps_dying_fails_after_three_attempts(team, lead, domain):
    make_tasks(team, lead, domain, 1)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        attempts=3,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    recovery.recover_stale_runs()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.message


def test_a_live_run_is_not_taken_over(team, lead, domain):
    make_tasks(team, lead, domain, 1)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    run.claim()
    assert recovery.recover_stale_runs() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
