"""The worker and the AI API under faults, as separate processes: a worker killed with SIGKILL
in the middle of a run, an API that fails or hangs. Against the suite's PostgreSQL (the worker
and this test share the test database) and the fake Anthropic API on loopback."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from support import servers as testing

pytestmark = [pytest.mark.fault, pytest.mark.postgres]


def worker_process(log_dir, fake, **env) -> subprocess.Popen:
    environment = dict(os.environ)
    environment.update(
        {
            "DATABASE_URL": testing.test_database_url(),
            "DEBUG": "0",
            "ANTHROPIC_API_KEY": "test-key",
            "ANTHROPIC_BASE_URL": fake.url,
            "AI_BATCH_SIZE": "10",
            "AI_CONCURRENCY": "1",
            "AI_RUN_STALE_SECONDS": "10",
            "AI_MAX_RETRIES": "1",
            "AI_TIMEOUT_SECONDS": "3",
        }
    )
    environment.pop("REDIS_URL", None)
    from django.conf import settings

    environment["SECRET_KEY"] = settings.SECRET_KEY
    environment.update(env)
    args = ["--interval", "0.2", "--no-startup-delay"]
    if environment.pop("WORKER_BATCH", ""):
        args.append("--batch")
    log = open(log_dir / f"worker-{time.monotonic_ns()}.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", *args],
        cwd=testing.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_replaced_and_nothing_is_counted_twice(
    server_dirs, fake_anthropic, team, lead, domain
):
    from ai import requests as ai_requests
    from ai.models import RunStatus, TaskAnalysis, UsageRecord
    from ai.tests.conftest import make_tasks

    _, logs = server_dirs
    tasks = make_tasks(team, lead, domain, 30)
    hold = threading.Event()
    calls = []

    def second_call_hangs(params):
        calls.append(1)
        if len(calls) == 2:
            hold.wait(timeout=60)

    fake_anthropic.on_message = second_call_hangs
    run, _ = ai_requests.analysis_request(team=team, actor=lead)

    first = worker_process(logs, fake_anthropic)
    try:
        wait_until(lambda: len(calls) >= 2, 60, "the worker's second API call")
        # The first chunk's answer is saved while the second request hangs.
        wait_until(
            lambda: UsageRecord.objects.filter(run=run, ok=True).count() == 1,
            10,
            "the first chunk in the ledger",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        hold.set()
        if first.poll() is None:
            first.kill()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # as the dead worker left it

    time.sleep(11)  # AI_RUN_STALE_SECONDS of silence: the run is now stale
    second = worker_process(logs, fake_anthropic, WORKER_BATCH="1")
    assert second.wait(timeout=120) == 0
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    per_task = {task.pk: TaskAnalysis.objects.filter(task=task, run=run).count() for task in tasks}
    assert set(per_task.values()) == {1}, per_task
    ledger = UsageRecord.objects.filter(run=run, ok=True, kind=UsageRecord.Kind.CALL)
    assert sum(ledger.values_list("tasks", flat=True)) == 30
    assert run.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_an_api_that_is_down_or_hangs_fails_clearly_and_a_retry_finishes(
    server_dirs, fake_anthropic, team, lead, domain
):
    from ai import requests as ai_requests
    from ai.models import RunStatus, TaskAnalysis
    from ai.tests.conftest import make_tasks

    _, logs = server_dirs
    tasks = make_tasks(team, lead, domain, 12)
    # Down: every request is an error, the SDK's retry included.
    fake_anthropic.script(*["500"] * 4)
    # Hanging: answers only after the client gave up (AI_TIMEOUT_SECONDS=3).
    fake_anthropic.timeout_seconds = 6
    fake_anthropic.script(*["timeout"] * 4)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    started = time.monotonic()
    worker = worker_process(logs, fake_anthropic, WORKER_BATCH="1")
    assert worker.wait(timeout=120) == 0  # not stuck
    assert time.monotonic() - started < 60
    run.refresh_from_db()
    assert run.status in {RunStatus.FAILED, RunStatus.PARTIAL}
    assert run.message  # a reason the page shows
    assert TaskAnalysis.objects.filter(run=run).count() < 12

    fake_anthropic.reset()
    retry, created = ai_requests.analysis_retry(run=run, actor=lead)
    assert created
    worker = worker_process(logs, fake_anthropic, WORKER_BATCH="1")
    assert worker.wait(timeout=120) == 0
    retry.refresh_from_db()
    assert retry.status == RunStatus.SUCCEEDED
    analysed = {a.task_id for a in TaskAnalysis.objects.filter(task__in=tasks)}
    assert analysed == {task.pk for task in tasks}  # nothing lost
