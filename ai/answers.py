"""Answers, wherever they come from: the shared cache of answers, and saving one to a task.

The runner (ai.runner) and economy mode (ai.economy) both read the cache before asking, save
what they get the same way and keep AI answers for other teams: one copy of each step here.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from ai import prompts
from ai.inputs import TaskInput
from ai.models import AnalysisRun, TaskAnalysis
from workshops.models import Task

logger = logging.getLogger(__name__)


def answer_cache_key(task_input: TaskInput, *, mode: str, model_id: str) -> str:
    """Where an answer to this text, in this mode, from this model, is kept."""
    return task_input.cache_key(prompt_version=prompts.PROMPT_VERSION, mode=mode, model_id=model_id)


def cached_answers(keys: Iterable[str]) -> dict[str, dict]:
    """The answers the cache holds for `keys`; none when the cache is down (then we ask)."""
    try:
        return cache.get_many(list(keys))
    except Exception:
        logger.exception("could not read AI answers from the cache")
        return {}


def remember_answer(cache_key: str, result: dict) -> None:
    """Keep an answer for other teams; a cache that is down costs a later call, not this run."""
    try:
        cache.set(cache_key, result, settings.AI_CACHE_TTL)
    except Exception:
        logger.exception("could not keep an AI answer in the cache")


def answer_save(
    task: Task,
    result: dict,
    *,
    mode: str,
    source: str,
    model_id: str,
    input_hash: str,
    run: AnalysisRun | None = None,
    note: str = "",
) -> bool:
    """Save `result` as the task's newest analysis; False when the task was deleted while it
    was being analysed (nothing to attach the answer to)."""
    try:
        with transaction.atomic():
            TaskAnalysis(
                task=task,
                run=run,
                mode=mode,
                source=source,
                model_id=model_id,
                prompt_version=prompts.PROMPT_VERSION,
                input_hash=input_hash,
                task_hours=task.hours_per_month,
                note=note,
                **result,
            ).save()
    except IntegrityError:
        if Task.objects.filter(pk=task.pk).exists():
            raise
        return False
    return True
