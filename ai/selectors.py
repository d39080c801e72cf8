"""Reads of analyses for pages, in a fixed number of queries."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.db.models.query import QuerySet

from ai.inputs import TaskInput
from ai.models import AnalysisRun, EconomyBatch, TaskAnalysis, saved_hours
from workshops.models import Task, Team


def latest_analyses(task_ids: Iterable[int] | QuerySet[Any]) -> dict[int, TaskAnalysis]:
    """The newest analysis of each task (AI, cached, rule-based or a person's)."""
    newest = (
        TaskAnalysis.objects.filter(task_id__in=task_ids)
        .values("task_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return _by_task(TaskAnalysis.objects.filter(id__in=newest))


def _by_task(analyses: QuerySet[TaskAnalysis]) -> dict[int, TaskAnalysis]:
    return {analysis.task_id: analysis for analysis in analyses.select_related("created_by")}


def analysis_counts(task_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        TaskAnalysis.objects.filter(task_id__in=task_ids)
        .values("task_id")
        .annotate(n=Count("id"))
        .values_list("task_id", "n")
    )
    return dict(rows)


def with_analysis_counts(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Task queryset annotated with what `latest_analyses_with_counts` would otherwise ask for
    in two more queries: how many analyses each task has and the id of its newest."""
    return tasks.annotate(analysis_total=Count("analyses"), latest_analysis_id=Max("analyses__id"))


def is_stale(analysis: TaskAnalysis | None, task: Task) -> bool:
    """The one rule for "분석 필요": never analysed, or the task's text changed since (its
    analysis is of other words). A person's rating stands until the task itself changes."""
    return analysis is None or analysis.input_hash != TaskInput.from_task(task, key="").input_hash()


def tasks_needing_analysis(team: Team) -> list[Task]:
    """The team's tasks never analysed, or changed since their latest analysis."""
    tasks = list(Task.objects.filter(team=team).select_related("domain"))
    latest = latest_analyses([t.pk for t in tasks])
    return [task for task in tasks if is_stale(latest.get(task.pk), task)]


def latest_analyses_with_counts(
    tasks: Sequence[Task],
) -> tuple[dict[int, TaskAnalysis], dict[int, int]]:
    """({task id: its latest analysis}, {task id: how many analyses it has}). Tasks read
    through `with_analysis_counts` cost one query here, and none while no task has been
    analysed; others cost two."""
    if tasks and all(hasattr(task, "latest_analysis_id") for task in tasks):
        newest = [task.latest_analysis_id for task in tasks if task.latest_analysis_id]  # type: ignore[attr-defined]
        latest = _by_task(TaskAnalysis.objects.filter(id__in=newest)) if newest else {}
        counts = {task.pk: task.analysis_total for task in tasks}  # type: ignore[attr-defined]
        return latest, counts
    ids = [task.pk for task in tasks]
    return latest_analyses(ids), analysis_counts(ids)


def runs_for_team(team_id: int) -> tuple[AnalysisRun | None, AnalysisRun | None]:
    """(the active run, the latest finished run) of the team, quick or deep."""
    runs = list(AnalysisRun.objects.filter(team_id=team_id).order_by("-id")[:5])
    active = next((run for run in runs if run.is_active), None)
    finished = next((run for run in runs if not run.is_active), None)
    return active, finished


def history(task_id: int) -> list[TaskAnalysis]:
    return list(
        TaskAnalysis.objects.filter(task_id=task_id).select_related("created_by").order_by("-id")
    )


def progress_context(
    team: Team,
    *,
    can_edit: bool,
    runs: tuple[AnalysisRun | None, AnalysisRun | None] | None = None,
) -> dict[str, Any]:
    """What the team's analysis panel shows (ai/progress.html#progress). `runs`: the team's
    `runs_for_team`, when the caller has read them already."""
    from channels.layers import InMemoryChannelLayer, get_channel_layer
    from django.conf import settings

    active, finished = runs if runs is not None else runs_for_team(team.pk)
    # The worker is another process: with the in-memory channel layer its pushes cannot reach
    # the browser, so the panel asks for progress itself, often. With Redis it is a backstop.
    in_memory = isinstance(get_channel_layer(), InMemoryChannelLayer)
    return {
        "team": team,
        "active_run": active,
        "last_run": finished,
        "can_edit": can_edit,
        "ai_enabled": bool(settings.ANTHROPIC_API_KEY),
        "poll_seconds": 2 if in_memory else 10,
    }


@dataclass
class WorkshopSavings:
    """A workshop's hours saved and its ratings, over the latest analysis of every task (what
    a purged workshop keeps; the pages' figures, per team and domain, are board.reports')."""

    total: Decimal = Decimal("0")
    ratings: Counter[str] = field(default_factory=Counter)


def latest_analyses_of_workshop(workshop_id: int) -> QuerySet[TaskAnalysis]:
    """The latest analysis of each task of the workshop (a queryset: callers pick columns)."""
    newest = (
        TaskAnalysis.objects.filter(task__team__workshop_id=workshop_id)
        .values("task_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return TaskAnalysis.objects.filter(id__in=newest)


def workshop_savings(workshop_id: int) -> WorkshopSavings:
    """Hours saved and ratings over the latest analysis of every task of the workshop."""
    rows = latest_analyses_of_workshop(workshop_id).values_list(
        "automatable_share", "task__hours_per_month", "rating"
    )
    savings = WorkshopSavings()
    for share, task_hours, rating in rows:
        savings.total += saved_hours(share, task_hours)
        savings.ratings[rating] += 1
    return savings


def latest_economy_batch(workshop_id: int) -> EconomyBatch | None:
    return EconomyBatch.objects.filter(workshop_id=workshop_id).order_by("-id").first()
