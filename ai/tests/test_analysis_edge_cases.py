"""Runs meeting the real world: tasks deleted or changed midway, resumed workers, double presses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ai import recovery, runner
from ai import requests as ai_requests
from ai.errors import AnalysisRefused
from ai.models import AnalysisRun, RunStatus, Source, TaskAnalysis
from ai.selectors import tasks_needing_analysis
from ai.tests.conftest import make_tasks
from conftest import task_data
from workshops import services as workshop_services
from workshops.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_deleted_during_its_analysis_keeps_the_others_results(
    fake_anthropic, team, lead, domain
):
    doomed, *others = make_tasks(team, lead, domain, 3)
    fake_anthropic.on_message = lambda params: Task.objects.filter(pk=doomed.pk).delete()
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert (run.done_tasks, run.failed_tasks, run.total_tasks) == (2, 0, 2)
    assert set(TaskAnalysis.objects.values_list("task_id", flat=True)) == {t.pk for t in others}


def test_a_resumed_run_counts_each_task_once(fake_anthropic, team, lead, domain):
    first, second, _third = make_tasks(team, lead, domain, 3)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    run.claim()
    TaskAnalysis.objects.create(
        task=first,
        run=run,
        mode="quick",
        source="ai",
        rating="HIGH",
        method="RPA",
        suggestion="먼저 끝남",
        automatable_share=50,
        task_hours=first.hours_per_month,
    )
    second.delete()
    for _attempt in range(2):  # it dies twice before a worker finishes it
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=10)
        )
        recovery.recover_stale_runs()
        AnalysisRun.objects.filter(pk=run.pk).update(attempts=1)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    assert (run.done_tasks, run.total_tasks) == (2, 2)


def test_a_worker_that_was_taken_over_does_not_overwrite_the_run(team, lead, domain):
    make_tasks(team, lead, domain, 1)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    run.claim()
    stale_copy = AnalysisRun.objects.get(pk=run.pk)
    AnalysisRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)  # someone else's now
    assert stale_copy.beat() is False


def test_a_second_deep_press_for_another_task_is_refused_with_a_reason(team, lead, domain):
    first, second = make_tasks(team, lead, domain, 2)
    ai_requests.analysis_request(team=team, actor=lead, mode="deep", tasks=[first])
    with pytest.raises(AnalysisRefused, match="심층 분석이 진행 중"):
        ai_requests.analysis_request(team=team, actor=lead, mode="deep", tasks=[second])


def test_a_task_changed_after_a_persons_rating_is_asked_again(settings, team, lead, domain):
    settings.ANTHROPIC_API_KEY = ""
    (task,) = make_tasks(team, lead, domain, 1)
    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="사람 판단")
    assert tasks_needing_analysis(team) == []
    workshop_services.task_update(
        task=task, actor=lead, data=task_data(domain, title=task.title, minutes_per_occurrence=600)
    )
    assert tasks_needing_analysis(team) == [task]


def test_hours_saved_follow_the_tasks_current_hours(client_as, settings, team, lead, domain):
    from board.reads import task_cards

    settings.ANTHROPIC_API_KEY = ""
    (task,) = make_tasks(team, lead, domain, 1)
    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="")
    share = TaskAnalysis.objects.get().automatable_share
    workshop_services.task_update(
        task=task, actor=lead, data=task_data(domain, title=task.title, minutes_per_occurrence=600)
    )
    task = Task.objects.get(pk=task.pk)
    (card,), summary = task_cards([task], hourly_cost=task.team.workshop.hourly_cost)
    expected = task.hours_per_month * share / 100
    assert abs(summary.hours_saved - expected) < 0.01
    assert abs(card.hours_saved - expected) < 0.01
    assert card.stale
    assert TaskAnalysis.objects.get().source == Source.PERSON
