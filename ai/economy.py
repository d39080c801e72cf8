"""Economy mode: a whole workshop's pending tasks through the Message Batches API.

The instructor asks; the worker submits the batch (reserving its worst case at batch prices),
polls it until the API reports it ended, then validates and saves each answer, records each
request in the ledger at batch prices and frees the reservation. Tasks the batch could not
answer stay pending, so the teams' own "AI 분석" picks them up.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from ai import budget, prompts
from ai.inputs import TaskInput
from ai.models import (
    AnalysisMode,
    EconomyBatch,
    Mode,
    Reservation,
    Source,
    TaskAnalysis,
    UsageRecord,
)
from ai.providers import anthropic as anthropic_provider
from ai.services import AnalysisRefused, tasks_needing_analysis
from ai.validation import InvalidAnswer, clean_result
from workshops import events
from workshops.models import Task, Workshop

logger = logging.getLogger(__name__)

# Give up on a batch the API has not finished after this long (its own limit is 24 hours).
MAX_WAIT = timedelta(hours=25)


def economy_request(*, workshop: Workshop, actor) -> EconomyBatch:
    if not settings.ANTHROPIC_API_KEY:
        raise AnalysisRefused(_("AI 키가 설정되지 않아 절약 모드를 쓸 수 없습니다."))
    if workshop.economy_batches.filter(
        status__in=[EconomyBatch.Status.QUEUED, EconomyBatch.Status.SUBMITTED]
    ).exists():
        raise AnalysisRefused(_("절약 모드 분석이 이미 진행 중입니다."))
    tasks = [task for team in workshop.teams.all() for task in tasks_needing_analysis(team)]
    if not tasks:
        raise AnalysisRefused(_("분석할 업무가 없습니다. 모든 업무가 이미 분석되었습니다."))
    try:
        with transaction.atomic():
            batch = EconomyBatch.objects.create(
                workshop=workshop,
                requested_by=actor,
                task_ids=[task.pk for task in tasks],
                total_tasks=len(tasks),
            )
            _enqueue_submit(batch.pk)  # the job row commits with the batch
    except IntegrityError:
        raise AnalysisRefused(_("절약 모드 분석이 이미 진행 중입니다.")) from None
    transaction.on_commit(partial(events.board_changed, workshop_id=workshop.pk))
    audit.record(
        "ai_economy_requested",
        actor=actor,
        target=batch,
        workshop=workshop,
        summary=f"{len(tasks)}개",
    )
    return batch


def _enqueue_submit(batch_id: int) -> None:
    from ai.tasks import submit_economy_batch

    submit_economy_batch.enqueue(batch_id)


def _enqueue_poll(batch_id: int) -> None:
    from ai.tasks import poll_economy_batch

    delay = timedelta(seconds=settings.AI_BATCH_POLL_SECONDS)
    poll_economy_batch.using(run_after=timezone.now() + delay).enqueue(batch_id)


def _fail(batch: EconomyBatch, message: str) -> None:
    EconomyBatch.objects.filter(pk=batch.pk).update(
        status=EconomyBatch.Status.FAILED, message=message, finished_at=timezone.now()
    )
    if batch.reservation_id:
        budget.release(batch.reservation)
    events.board_changed(workshop_id=batch.workshop_id)


def submit(batch_id: int) -> None:
    batch = EconomyBatch.objects.filter(pk=batch_id, status=EconomyBatch.Status.QUEUED).first()
    if batch is None:
        return
    mode_config = AnalysisMode.objects.select_related("model").get(mode=Mode.QUICK)
    model = mode_config.model
    tasks = list(
        Task.objects.filter(pk__in=batch.task_ids, team__workshop=batch.workshop).select_related(
            "domain", "team"
        )
    )
    tasks = _answer_from_cache(batch, tasks, model=model)
    if not tasks:
        _finish(batch, answered=set(batch.task_ids), teams=set())
        return
    requests, requests_map, worst = [], {}, 0
    size = settings.AI_BATCH_SIZE
    for number, start in enumerate(range(0, len(tasks), size)):
        chunk = [
            TaskInput.from_task(task, key=f"t{index}")
            for index, task in enumerate(tasks[start : start + size], start=1)
        ]
        params = anthropic_provider.request_params(
            chunk,
            mode=Mode.QUICK,
            model=model,
            per_task_tokens=mode_config.max_output_tokens_per_task,
        )
        custom_id = f"economy-{batch.pk}-{number}"
        requests.append({"custom_id": custom_id, "params": params})
        requests_map[custom_id] = {item.key: item.task_id for item in chunk}
        worst += budget.worst_case_usd(model, params, batch=True)
    try:
        reservation = budget.reserve(
            amount_usd=worst,
            user_id=batch.requested_by_id,
            workshop_id=batch.workshop_id,
            minutes=int(MAX_WAIT.total_seconds() // 60),  # held for as long as the batch may run
        )
    except budget.BudgetRefused as refused:
        _fail(batch, refused.message)
        return
    batch.reservation = reservation
    batch.save(update_fields=["reservation"])
    try:
        created = anthropic_provider.client().messages.batches.create(requests=requests)
    except Exception:
        logger.exception("economy batch %s: submission failed", batch.pk)
        _fail(batch, _("AI 서버에 배치를 보내지 못했습니다. 잠시 뒤 다시 시도하세요."))
        return
    EconomyBatch.objects.filter(pk=batch.pk).update(
        status=EconomyBatch.Status.SUBMITTED,
        api_batch_id=created.id,
        requests_map=requests_map,
        total_tasks=len(tasks),
        submitted_at=timezone.now(),
    )
    events.board_changed(workshop_id=batch.workshop_id)
    transaction.on_commit(partial(_enqueue_poll, batch.pk))


def _answer_from_cache(batch: EconomyBatch, tasks: list[Task], *, model) -> list[Task]:
    """Save cached answers at once (they cost nothing, and the ledger says what they saved, as
    for a run); return the tasks still to send."""
    inputs = {task.pk: TaskInput.from_task(task, key="") for task in tasks}
    keys = {
        inputs[task.pk].cache_key(
            prompt_version=prompts.PROMPT_VERSION, mode=Mode.QUICK, model_id=model.model_id
        ): task
        for task in tasks
    }
    hits = cache.get_many(list(keys))
    for cache_key, result in hits.items():
        task = keys[cache_key]
        TaskAnalysis(
            task=task,
            mode=Mode.QUICK,
            source=Source.CACHE,
            model_id=model.model_id,
            prompt_version=prompts.PROMPT_VERSION,
            input_hash=inputs[task.pk].input_hash(),
            task_hours=task.hours_per_month,
            **result,
        ).save()
    if hits:
        budget.record_cache_hits(_call_context(batch, model), tasks=len(hits))
        for team_id in {keys[key].team_id for key in hits}:
            events.analysis_changed(team_id=team_id)
    return [task for key, task in keys.items() if key not in hits]


def _call_context(batch: EconomyBatch, model) -> budget.CallContext:
    """Whom the ledger charges for the batch's answers: who asked, in which workshop."""
    return budget.CallContext(
        model=model, mode=Mode.QUICK, user_id=batch.requested_by_id, workshop_id=batch.workshop_id
    )


def poll(batch_id: int) -> None:
    batch = EconomyBatch.objects.filter(pk=batch_id, status=EconomyBatch.Status.SUBMITTED).first()
    if batch is None:
        return
    client = anthropic_provider.client()
    try:
        state = client.messages.batches.retrieve(batch.api_batch_id)
    except Exception:
        logger.exception("economy batch %s: could not ask for its status", batch.pk)
        state = None
    EconomyBatch.objects.filter(pk=batch.pk).update(polls=batch.polls + 1)
    if state is None or state.processing_status != "ended":
        if timezone.now() - batch.submitted_at > MAX_WAIT:
            _fail(batch, _("배치가 24시간 안에 끝나지 않았습니다. 팀별 ‘AI 분석’으로 다시 하세요."))
        else:
            transaction.on_commit(partial(_enqueue_poll, batch.pk))
        return
    _apply(batch, client.messages.batches.results(batch.api_batch_id))


def _apply(batch: EconomyBatch, results) -> None:
    mode_config = AnalysisMode.objects.select_related("model").get(mode=Mode.QUICK)
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=batch.task_ids).select_related("domain", "team")
    }
    context = _call_context(batch, mode_config.model)
    answered: set[int] = set()
    teams: set[int] = set()
    for line in results:
        keys = batch.requests_map.get(line.custom_id, {})
        if line.result.type != "succeeded":
            continue
        answer = anthropic_provider.answer_from_message(line.result.message)
        budget.record(
            context,
            answer.usage,
            kind=UsageRecord.Kind.BATCH,
            tasks=len(keys),
            request_id=answer.request_id,
        )
        for key, task_id in keys.items():
            task = tasks.get(task_id)
            item = answer.items.get(key)
            if task is None or item is None:
                continue
            try:
                result = clean_result(item, Mode.QUICK)
            except InvalidAnswer:
                continue
            task_input = TaskInput.from_task(task, key=key)
            TaskAnalysis(
                task=task,
                mode=Mode.QUICK,
                source=Source.AI,
                model_id=answer.model_id,
                prompt_version=prompts.PROMPT_VERSION,
                input_hash=task_input.input_hash(),
                task_hours=task.hours_per_month,
                note=_("절약 모드(배치)"),
                **result,
            ).save()
            cache.set(
                task_input.cache_key(
                    prompt_version=prompts.PROMPT_VERSION,
                    mode=Mode.QUICK,
                    model_id=mode_config.model.model_id,
                ),
                result,
                settings.AI_CACHE_TTL,
            )
            answered.add(task_id)
            teams.add(task.team_id)
    _finish(batch, answered=answered | _cached_ids(batch), teams=teams)


def _cached_ids(batch: EconomyBatch) -> set[int]:
    return set(
        TaskAnalysis.objects.filter(
            task_id__in=batch.task_ids, source=Source.CACHE, created_at__gte=batch.created_at
        ).values_list("task_id", flat=True)
    )


def _finish(batch: EconomyBatch, *, answered: set[int], teams: set[int]) -> None:
    failed = sorted(set(batch.task_ids) - answered)
    message = ""
    if failed:
        message = _(
            "업무 %(n)d개는 배치에서 답을 받지 못했습니다. 팀별 ‘AI 분석’을 누르면 다시 분석합니다."
        ) % {"n": len(failed)}
    EconomyBatch.objects.filter(pk=batch.pk).update(
        status=EconomyBatch.Status.APPLIED,
        done_tasks=len(answered),
        failed_task_ids=failed,
        message=message,
        finished_at=timezone.now(),
    )
    if batch.reservation_id:
        # The real costs are in the ledger line by line; the hold is no longer needed.
        budget.release(batch.reservation, status=Reservation.Status.SETTLED)
    for team_id in teams:
        events.analysis_changed(team_id=team_id)
    events.board_changed(workshop_id=batch.workshop_id)
