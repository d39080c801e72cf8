"""`manage.py worker`: the jobs, plus the heartbeat /health/ready/ reads and run recovery."""

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ai import requests as ai_requests
from ai.models import AnalysisRun, RunStatus, WorkerHeartbeat
from ai.tests.conftest import make_tasks


def run_worker(*args):
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command(
            "worker", "--batch", "--no-startup-delay", "--interval", "0", *args, verbosity=0
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_the_worker_reports_a_heartbeat_and_runs_jobs(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 2)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    run_worker("--worker-id", "worker-test-1")
    beat = WorkerHeartbeat.objects.get(worker_id="worker-test-1")
    assert timezone.now() - beat.beat_at < timedelta(minutes=1)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_the_worker_hands_back_runs_a_dead_worker_left(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 2)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    # A worker took the run and died: it is "running", its heartbeat long gone.
    stale = timezone.now() - timedelta(hours=1)
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=stale, heartbeat_at=stale
    )
    DBTaskResult.objects.all().delete()  # its job went with it
    run_worker()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
