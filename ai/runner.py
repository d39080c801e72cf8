"""Running an analysis on the worker: cached tasks are answered from the cache, the rest go to
the provider in chunks that run concurrently, and each chunk's results are saved and pushed as
it finishes. A task missing or invalid in an answer is asked about once more on its own, then
marked failed: results are never invented."""

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ai import budget
from ai.answers import answer_cache_key, answer_save, cached_answers, remember_answer
from ai.inputs import TaskInput
from ai.models import (
    AnalysisMode,
    AnalysisRun,
    BudgetSettings,
    OnCap,
    Reservation,
    RunStatus,
    Source,
)
from ai.providers import Answer, Provider, ProviderError, default_provider
from ai.providers.rules import RuleProvider
from ai.validation import InvalidAnswer, clean_result
from workshops import events
from workshops.models import Task

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15

FAILURE_MESSAGES = {
    "rate_limited": _("AI 요청이 몰려 잠시 거절되었습니다. 1~2분 뒤 다시 시도하세요."),
    "overloaded": _("AI 서버가 지금 붐빕니다. 잠시 뒤 다시 시도하세요."),
    "server": _("AI 서버에 오류가 났습니다. 잠시 뒤 다시 시도하세요."),
    "timeout": _("AI 응답이 너무 늦어 중단했습니다. 다시 시도하세요."),
    "connection": _("AI 서버에 연결하지 못했습니다. 잠시 뒤 다시 시도하세요."),
    "request": _("AI 요청이 거절되었습니다. 운영자에게 알려 주세요."),
    "invalid": _("AI 답변의 형식이 올바르지 않아 저장하지 않았습니다. 다시 시도하세요."),
    "refused": _(
        "AI가 답하지 않았습니다. 업무 설명을 고쳐 다시 시도하거나 ‘평가 바꾸기’로 직접 정하세요."
    ),
}


class RunTakenOver(Exception):
    """This worker was silent too long; another one now owns the run."""


# Calls sent and not yet answered: each with its chunk and the reservation it holds.
InFlight = dict[Future[Answer], tuple[list[TaskInput], Reservation | None]]


@dataclass
class RunState:
    run: AnalysisRun
    inputs: dict[str, TaskInput]
    tasks: dict[int, Task]
    mode_config: AnalysisMode
    provider: Provider
    failed: dict[int, str] = field(default_factory=dict)
    fell_back: int = 0  # tasks answered by the rule-based estimate because the budget ran out
    deleted: set[int] = field(default_factory=set)  # tasks deleted while the run went on
    # Why a task was last sent back to be asked again ("invalid", "refused"): its reason if
    # the lone retry does not answer it either.
    problems: dict[int, str] = field(default_factory=dict)

    @property
    def context(self) -> budget.CallContext:
        return budget.CallContext(
            model=self.mode_config.model,
            mode=self.run.mode,
            user_id=self.run.requested_by_id,
            team_id=self.run.team_id,
            workshop_id=self.run.workshop_id,
            run_id=self.run.pk,
        )


def run_execute(run_id: int, *, provider: Provider | None = None) -> AnalysisRun | None:
    """Claim and carry out a queued run. Safe to call twice: only one caller gets it. (Runs a
    dead worker left are handed on by `ai.recovery`, on every worker's heartbeat.)"""
    run = AnalysisRun.objects.filter(pk=run_id).select_related("team").first()
    if run is None or not run.claim():
        return None
    provider = provider or default_provider()
    try:
        state = _prepare(run, provider)
        _answer_from_cache(state)
        _answer_from_provider(state)
    except RunTakenOver:
        logger.warning("analysis run %s was taken over by another worker; stopping", run.pk)
        return None
    except Exception:
        logger.exception("analysis run %s failed", run.pk)
        run_finish(run, failed_ids=set(run.task_ids) - analysed_ids(run), kind="server")
        raise
    run_finish(
        run,
        failed_ids=set(state.failed) - state.deleted,
        kind=next(iter(state.failed.values()), ""),
        fell_back=state.fell_back,
    )
    return run


def analysed_ids(run: AnalysisRun) -> set[int]:
    return set(run.analyses.values_list("task_id", flat=True))


def _prepare(run: AnalysisRun, provider: Provider) -> RunState:
    AnalysisRun.objects.filter(pk=run.pk).update(provider=provider.name)
    already = analysed_ids(run)  # a resumed run keeps what its dead worker saved
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=run.task_ids, team=run.team).select_related("domain")
        if task.pk not in already
    }
    inputs = {
        f"t{index}": TaskInput.from_task(task, key=f"t{index}")
        for index, task in enumerate(tasks.values(), start=1)
    }
    # Tasks deleted since the request are neither done nor failed: they leave the count.
    AnalysisRun.objects.filter(pk=run.pk).update(total_tasks=len(already) + len(tasks))
    return RunState(
        run=run,
        inputs=inputs,
        tasks=tasks,
        mode_config=AnalysisMode.objects.select_related("model").get(mode=run.mode),
        provider=provider,
    )


def _model_id(state: RunState) -> str:
    return state.mode_config.model.model_id if state.provider.is_ai else ""


def _cache_key(state: RunState, task_input: TaskInput) -> str:
    return answer_cache_key(task_input, mode=state.run.mode, model_id=_model_id(state))


def _answer_from_cache(state: RunState) -> None:
    if not state.provider.is_ai:
        return
    keys = {_cache_key(state, task_input): key for key, task_input in state.inputs.items()}
    hits = cached_answers(keys)
    for cache_key, result in hits.items():
        key = keys[cache_key]
        _save(state, state.inputs.pop(key), result, source=Source.CACHE)
    if hits:
        AnalysisRun.objects.filter(pk=state.run.pk).update(
            cached_tasks=F("cached_tasks") + len(hits)
        )
        budget.record_cache_hits(state.context, tasks=len(hits))
        _progress(state)


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _answer_from_provider(state: RunState) -> None:
    pending = list(state.inputs.values())
    if not pending:
        return
    with ThreadPoolExecutor(max_workers=settings.AI_CONCURRENCY) as pool:
        retry_alone = _collect(state, pool, _chunks(pending, settings.AI_BATCH_SIZE))
        # One more chance, each task alone; then it fails for good.
        for task_input in _collect(state, pool, [[task_input] for task_input in retry_alone]):
            state.failed[task_input.task_id] = state.problems.get(task_input.task_id, "invalid")
    # No progress push here: `run_finish` comes next, writes every count and pushes the result.


def _collect(
    state: RunState, pool: ThreadPoolExecutor, chunks: list[list[TaskInput]]
) -> list[TaskInput]:
    """Ask about each chunk (reserving its worst case first); return tasks to ask again."""
    futures: InFlight = {}
    for chunk in chunks:
        ask, reservation = _reserve(state, chunk)
        if ask:
            futures[pool.submit(_ask, state, chunk)] = (chunk, reservation)
    again: list[TaskInput] = []
    try:
        while futures:
            done, _running = wait(futures, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
            if not state.run.beat():
                raise RunTakenOver
            for future in done:
                chunk, reservation = futures.pop(future)
                again += _take_answer(state, chunk, future, reservation)
    except BaseException:
        # Taken over, or something broke: save nothing more, but every call in flight goes
        # into the ledger when it lands.
        _record_in_flight(state, futures)
        raise
    return again


def _reserve(state: RunState, chunk: list[TaskInput]) -> tuple[bool, Reservation | None]:
    """Whether to ask about the chunk, and the reservation of its worst case (None when the
    provider costs nothing). Not to ask: the budget refused it, and the chunk has been
    answered by the rules or failed."""
    if not state.provider.is_ai:
        return True, None
    amount = state.provider.estimate(
        chunk,
        mode=state.run.mode,
        model=state.mode_config.model,
        per_task_tokens=state.mode_config.max_output_tokens_per_task,
    )
    try:
        reservation = budget.reserve(
            amount_usd=amount,
            user_id=state.run.requested_by_id,
            workshop_id=state.run.workshop_id,
        )
    except budget.BudgetRefused as refused:
        if BudgetSettings.load().on_cap == OnCap.FALLBACK:
            answer = RuleProvider().analyse(chunk, mode=state.run.mode)
            for task_input in chunk:
                result = clean_result(answer.items[task_input.key], state.run.mode)
                _save(state, task_input, result, source=Source.RULES, model_id="")
            state.fell_back += len(chunk)
        else:
            for task_input in chunk:
                state.failed[task_input.task_id] = refused.kind
        _progress(state)
        return False, None
    return True, reservation


def _ask(state: RunState, chunk: list[TaskInput]) -> Answer:
    return state.provider.analyse(
        chunk,
        mode=state.run.mode,
        model=state.mode_config.model,
        per_task_tokens=state.mode_config.max_output_tokens_per_task,
    )


def _record_in_flight(state: RunState, futures: InFlight) -> None:
    """Settle the calls still out: a call not started is released; one already sent is waited
    for and recorded (an answer it got is not saved)."""
    for future, (_chunk, reservation) in futures.items():
        if future.cancel():
            if reservation:
                budget.release(reservation)
            continue
        try:
            answer = future.result()
        except ProviderError as error:
            if reservation:
                _settle_failed(state, reservation, error)
            continue
        except Exception:
            logger.exception("analysis run %s: a call failed while stopping", state.run.pk)
            if reservation:
                _settle_failed(state, reservation, ProviderError("server", unanswered=1))
            continue
        if reservation:
            _settle(state, reservation, answer, tasks=0)


def _attempt_usd(reservation: Reservation) -> Decimal:
    """One attempt's worst case: the reservation covers every attempt the SDK may send."""
    return reservation.amount_usd / (1 + settings.AI_MAX_RETRIES)


def _settle(state: RunState, reservation: Reservation, answer: Answer, *, tasks: int) -> None:
    budget.settle(
        reservation,
        state.context,
        answer.usage,
        latency_ms=answer.latency_ms,
        tasks=tasks,
        request_id=answer.request_id,
        unanswered=answer.unanswered,
        attempt_usd=_attempt_usd(reservation),
    )


def _settle_failed(state: RunState, reservation: Reservation, error: ProviderError) -> None:
    budget.settle(
        reservation,
        state.context,
        error.usage,
        ok=False,
        unanswered=error.unanswered,
        attempt_usd=_attempt_usd(reservation),
    )


def _take_answer(
    state: RunState,
    chunk: list[TaskInput],
    future: Future[Answer],
    reservation: Reservation | None,
) -> list[TaskInput]:
    """Record the call, save what the answer got right; return the tasks to ask about again."""
    try:
        answer = future.result()
    except ProviderError as error:
        # The SDK already retried; the whole chunk fails with the reason.
        if reservation:
            _settle_failed(state, reservation, error)
        for task_input in chunk:
            state.failed[task_input.task_id] = error.kind
        _progress(state)
        return []
    except Exception:
        if reservation:  # a bug after the call was sent: it may have been billed
            _settle_failed(state, reservation, ProviderError("server", unanswered=1))
        raise
    again, results = [], []
    for task_input in chunk:
        item = answer.items.get(task_input.key)
        try:
            if answer.refused:
                raise InvalidAnswer("the model declined to answer")
            if item is None:
                raise InvalidAnswer(f"missing from the answer ({answer.stop_reason})")
            results.append((task_input, clean_result(item, state.run.mode)))
        except InvalidAnswer as problem:
            logger.info("analysis run %s: %s %s", state.run.pk, task_input.key, problem)
            state.problems[task_input.task_id] = "refused" if answer.refused else "invalid"
            again.append(task_input)
    # The ledger line and the answers commit together: a worker killed halfway leaves neither
    # (its successor asks again and records that), never a line for answers it did not keep.
    # An error while saving keeps the line and what was saved, then goes on up.
    source = Source.AI if state.provider.is_ai else Source.RULES
    saved, failure = [], None
    with transaction.atomic():
        if reservation:
            _settle(state, reservation, answer, tasks=len(results))
        # Locked until the commit, so a task cannot be deleted under its answer (a foreign key
        # is checked only at the commit, too late to leave that one task out).
        alive = set(
            Task.objects.select_for_update()
            .filter(pk__in=[task_input.task_id for task_input, _result in results])
            .values_list("pk", flat=True)
        )
        for task_input, result in results:
            if task_input.task_id not in alive:
                state.deleted.add(task_input.task_id)
                continue
            try:
                with transaction.atomic():
                    _save(state, task_input, result, source=source, model_id=answer.model_id)
            except Exception as error:
                failure = error
                break
            saved.append((task_input, result))
    if failure is not None:
        raise failure
    if state.provider.is_ai:
        for task_input, result in saved:
            remember_answer(_cache_key(state, task_input), result)
    _progress(state)
    return again


def _save(
    state: RunState,
    task_input: TaskInput,
    result: dict[str, Any],
    *,
    source: str,
    model_id: str = "",
) -> None:
    task = state.tasks[task_input.task_id]
    saved = answer_save(
        task,
        result,
        run=state.run,
        mode=state.run.mode,
        source=source,
        model_id=model_id or _model_id(state),
        input_hash=task_input.input_hash(),
    )
    if not saved:
        state.deleted.add(task.pk)


def _progress(state: RunState) -> None:
    run = state.run
    AnalysisRun.objects.filter(pk=run.pk, attempts=run.attempts).update(
        done_tasks=run.analyses.count(), failed_tasks=len(state.failed), heartbeat_at=timezone.now()
    )
    events.announce(events.AnalysisChanged(team_id=run.team_id))


def _failure_message(kind: str) -> str:
    if kind.startswith("budget_"):
        return budget.refusal_message(kind)
    return FAILURE_MESSAGES.get(kind, FAILURE_MESSAGES["server"])


def run_finish(run: AnalysisRun, *, failed_ids: set[int], kind: str, fell_back: int = 0) -> None:
    done = run.analyses.count()
    total = done + len(failed_ids)
    if not failed_ids:
        status, message = RunStatus.SUCCEEDED, ""
    elif done:
        status = RunStatus.PARTIAL
        message = _("업무 %(failed)d개를 분석하지 못했습니다. ") % {"failed": len(failed_ids)}
        message += _failure_message(kind)
    else:
        status = RunStatus.FAILED
        message = _failure_message(kind)
    if fell_back:
        note = _(
            "AI 예산 한도에 닿아 업무 %(n)d개는 규칙 기반 추정으로 답했습니다(AI 판단 아님)."
        ) % {"n": fell_back}
        message = f"{message} {note}".strip()
    # Only the worker that owns the run (this attempt) may close it.
    AnalysisRun.objects.filter(pk=run.pk, attempts=run.attempts).update(
        status=status,
        message=message,
        done_tasks=done,
        failed_tasks=len(failed_ids),
        failed_task_ids=sorted(failed_ids),
        total_tasks=total,
        finished_at=timezone.now(),
    )
    events.announce(events.AnalysisChanged(team_id=run.team_id))
