"""The answer steps the runner and economy mode share (ai/answers.py)."""

import pytest
from django.core.cache import cache

from ai import answers, economy
from ai.inputs import TaskInput
from ai.models import AIModel, EconomyBatch, Mode, Source, TaskAnalysis

RESULT = {
    "rating": "HIGH",
    "automatable_share": 70,
    "method": "SPREADSHEET",
    "suggestion": "엑셀 매크로로 집계합니다.",
}


def key_for(task, model_id="claude-haiku-5-5"):
    return answers.answer_cache_key(
        TaskInput.from_task(task, key="t1"), mode=Mode.QUICK, model_id=model_id
    )


def test_an_answer_is_saved_as_the_tasks_newest_analysis(task):
    assert answers.answer_save(
        task, RESULT, mode=Mode.QUICK, source=Source.AI, model_id="m", input_hash="h"
    )
    saved = TaskAnalysis.objects.get(task=task)
    assert (saved.rating, saved.source, saved.input_hash) == ("HIGH", Source.AI, "h")


# Foreign keys are checked when a transaction commits: these tests commit, as the worker does.
@pytest.mark.django_db(transaction=True)
def test_an_answer_for_a_task_deleted_meanwhile_is_dropped_not_an_error(task):
    task_id = task.pk
    task.delete()
    task.pk = task_id  # the runner still holds the object it loaded
    assert not answers.answer_save(
        task, RESULT, mode=Mode.QUICK, source=Source.AI, model_id="m", input_hash="h"
    )
    assert not TaskAnalysis.objects.filter(task_id=task_id).exists()


def test_a_remembered_answer_is_found_by_the_same_text_mode_and_model(task):
    answers.remember_answer(key_for(task), RESULT)
    assert answers.cached_answers([key_for(task)]) == {key_for(task): RESULT}
    assert answers.cached_answers([key_for(task, model_id="other")]) == {}


def test_a_cache_that_is_down_reads_as_no_answers(task, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    assert answers.cached_answers([key_for(task)]) == {}


@pytest.mark.django_db(transaction=True)
def test_economy_mode_skips_a_cached_answer_for_a_task_deleted_meanwhile(task, instructor):
    # Economy mode used to save with a copy of the runner's code that lacked this case.
    model = AIModel.objects.get(model_id="claude-haiku-5-5")
    answers.remember_answer(key_for(task, model.model_id), RESULT)
    batch = EconomyBatch.objects.create(workshop=task.team.workshop, requested_by=instructor)
    task_id = task.pk
    task.delete()
    task.pk = task_id
    assert economy._answer_from_cache(batch, [task], model=model) == []
    assert not TaskAnalysis.objects.filter(task_id=task_id).exists()
