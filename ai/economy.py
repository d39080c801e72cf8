"""Economy mode: a whole workshop's pending tasks through the Message Batches API.

The instructor asks; the worker submits the batch (reserving its worst case at batch prices),
polls it until the API reports it ended, then validates and saves each answer, records each
request in the ledger at batch prices and frees the reservation. Tasks the batch could not
answer stay pending, so the teams' own "AI 분석" picks them up.

A batch is never sent twice: `batches.create` goes out without SDK retries, after the batch
row records that a submission started. If the call gets no answer (a timeout, a dropped
connection, a 5xx), the batch may exist anyway, so before anything is sent again the worker
looks for it among the account's recent batches; the worker does the same for every batch a
crash left half-submitted when it starts. Answers are stored only for the task text that was
asked about: a task edited while its batch ran gets the answer as history and stays pending.
"""

import logging
import secrets
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from functools import partial

import anthropic
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from ai import budget
from ai.answers import answer_cache_key, answer_save, cached_answers, remember_answer
from ai.errors import AnalysisRefused
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
from ai.selectors import is_stale, latest_analyses, tasks_needing_analysis
from ai.validation import InvalidAnswer, clean_result
from workshops import events
from workshops.models import Task, Workshop

logger = logging.getLogger(__name__)

# Give up on a batch the API has not finished after this long (its own limit is 24 hours).
MAX_WAIT = timedelta(hours=25)
# Submissions that got no answer before the batch fails (each one first looks for the batch).
MAX_SUBMITS = 4
# A listed batch created this long before our submission started is not ours.
CLOCK_SLACK = timedelta(minutes=2)


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
    events.announce(events.WorkshopFiguresChanged(workshop_id=workshop.pk))
    audit.record(
        "ai_economy_requested",
        actor=actor,
        target=batch,
        workshop=workshop,
        summary=f"{len(tasks)}개",
    )
    return batch


def _enqueue_submit(batch_id: int, *, later: bool = False) -> None:
    # ai.tasks (the django-tasks jobs) imports this module to run them: a circle at the top.
    from ai.tasks import submit_economy_batch

    job = submit_economy_batch
    if later:
        delay = timedelta(seconds=settings.AI_BATCH_POLL_SECONDS)
        job = job.using(run_after=timezone.now() + delay)
    job.enqueue(batch_id)


def _enqueue_poll(batch_id: int) -> None:
    from ai.tasks import poll_economy_batch  # as above

    delay = timedelta(seconds=settings.AI_BATCH_POLL_SECONDS)
    poll_economy_batch.using(run_after=timezone.now() + delay).enqueue(batch_id)


def _fail(batch: EconomyBatch, message: str) -> None:
    EconomyBatch.objects.filter(pk=batch.pk).update(
        status=EconomyBatch.Status.FAILED, message=message, finished_at=timezone.now()
    )
    if batch.reservation_id:
        budget.release(batch.reservation)
    events.announce(events.WorkshopFiguresChanged(workshop_id=batch.workshop_id))


def submit(batch_id: int) -> None:
    batch = EconomyBatch.objects.filter(pk=batch_id, status=EconomyBatch.Status.QUEUED).first()
    if batch is None:
        return
    client = anthropic_provider.client()
    if batch.submit_started_at:
        # An earlier submission got no answer: the batch may exist. Never send it twice.
        try:
            if _adopt_listed_batch(batch, client):
                return
        except anthropic.APIError:
            logger.warning("economy batch %s: could not list batches; trying later", batch.pk)
            _submit_later(batch)
            return
        if batch.submit_attempts >= MAX_SUBMITS:
            # Looked for after the last unanswered attempt, and not there: nothing was made.
            _fail(batch, _("AI 서버에 배치를 보내지 못했습니다. 잠시 뒤 다시 시도하세요."))
            return
    mode_config = AnalysisMode.objects.select_related("model").get(mode=Mode.QUICK)
    model = mode_config.model
    already = _cached_ids(batch)  # answered from the cache by an earlier attempt
    tasks = [
        task
        for task in Task.objects.filter(
            pk__in=batch.task_ids, team__workshop=batch.workshop
        ).select_related("domain", "team")
        if task.pk not in already
    ]
    tasks = _answer_from_cache(batch, tasks, model=model)
    if not tasks:
        _finish(batch, answered=set(batch.task_ids), teams=set())
        return
    # A token per attempt: a batch an earlier, unanswered attempt made is told apart from this
    # one by its custom_ids, and each attempt's map is kept to read its results back.
    token = secrets.token_hex(4)
    requests, requests_map, worst = [], {}, 0
    size = settings.AI_BATCH_SIZE
    for number, start in enumerate(range(0, len(tasks), size)):
        chunk = [
            TaskInput.from_task(task, key=f"t{index}")
            for index, task in enumerate(tasks[start : start + size], start=1)
        ]
        # ^[a-zA-Z0-9_-]{1,64}$, unique in the batch, and ours among the account's batches.
        custom_id = f"wb{batch.pk}-{token}-{number}"
        request, request_worst = batch_request(custom_id, chunk, mode_config)
        requests.append(request)
        requests_map[custom_id] = {item.key: [item.task_id, item.input_hash()] for item in chunk}
        worst += request_worst
    if batch.reservation_id:
        budget.release(batch.reservation)  # an earlier attempt's hold: reserved anew below
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
    # Claim this attempt and say it started before sending: a second worker stops here, and
    # whoever comes next knows to look for the batch before sending again.
    claimed = EconomyBatch.objects.filter(
        pk=batch.pk, status=EconomyBatch.Status.QUEUED, submit_attempts=batch.submit_attempts
    ).update(
        request_token=token,
        requests_map={**batch.requests_map, **requests_map},
        reservation=reservation,
        total_tasks=len(already) + len(tasks),
        submit_started_at=timezone.now(),
        submit_attempts=F("submit_attempts") + 1,
    )
    if not claimed:
        budget.release(reservation)
        return
    batch.refresh_from_db()
    try:
        created = client.with_options(max_retries=0).messages.batches.create(requests=requests)
    except anthropic.APIStatusError as error:
        if error.status_code < 500 and error.status_code != 429:
            logger.error("economy batch %s: refused: %s", batch.pk, error)
            _fail(batch, _("AI 서버가 배치를 거절했습니다. 운영자에게 알려 주세요."))
            return
        logger.warning("economy batch %s: no batch yet (%s); trying later", batch.pk, error)
        _submit_later(batch)
        return
    except anthropic.APIError as error:
        # Timed out or the connection dropped: the batch may or may not exist.
        logger.warning("economy batch %s: submission unanswered (%s)", batch.pk, error)
        _submit_later(batch)
        return
    _submitted(batch, created.id)


def batch_request(
    custom_id: str, chunk: list[TaskInput], mode_config: AnalysisMode
) -> tuple[dict, Decimal]:
    """One Message Batches request for `chunk`, and its worst case at batch prices.

    The parameters are the ones a team's own run sends for the mode (its model, its output
    allowance per task): economy mode and `evaluate_ai --provider anthropic` both build their
    requests here, so what the evaluation measures is what the product asks.
    """
    params = anthropic_provider.request_params(
        chunk,
        mode=mode_config.mode,
        model=mode_config.model,
        per_task_tokens=mode_config.max_output_tokens_per_task,
    )
    request = {"custom_id": custom_id, "params": params}
    return request, budget.worst_case_usd(mode_config.model, params, batch=True)


def _submitted(batch: EconomyBatch, api_batch_id: str, *, reconciled: bool = False) -> None:
    EconomyBatch.objects.filter(pk=batch.pk, status=EconomyBatch.Status.QUEUED).update(
        status=EconomyBatch.Status.SUBMITTED,
        api_batch_id=api_batch_id,
        reconciled=reconciled,
        message="",
        submitted_at=timezone.now(),
    )
    events.announce(events.WorkshopFiguresChanged(workshop_id=batch.workshop_id))
    transaction.on_commit(partial(_enqueue_poll, batch.pk))


def _submit_later(batch: EconomyBatch) -> None:
    """Try again later; the next try first looks for the batch this one may have made."""
    EconomyBatch.objects.filter(pk=batch.pk).update(
        message=_("AI 서버의 응답을 기다리는 중입니다. 제출 여부를 확인한 뒤 이어 갑니다.")
    )
    transaction.on_commit(partial(_enqueue_submit, batch.pk, later=True))


def _adopt_listed_batch(batch: EconomyBatch, client) -> bool:
    """Find the batch an unanswered submission may have created; poll it if found.

    A listed batch is ours when it was created after our submission started, holds as many
    requests as one of our attempts sent and belongs to no other row; once it has ended, its
    results must carry that attempt's custom_ids (`wb<row>-<token>-<n>`) too, and they are
    checked again when the answers are applied.
    """
    if not batch.requests_map:
        return False
    since = batch.submit_started_at - CLOCK_SLACK
    attempt_sizes = Counter(custom_id.split("-")[1] for custom_id in batch.requests_map)
    taken = set(
        EconomyBatch.objects.exclude(api_batch_id="").values_list("api_batch_id", flat=True)
    )
    for listed in client.messages.batches.list(limit=100):  # follows the pages
        if listed.created_at < since:
            break  # newest first: the rest are older
        counts = listed.request_counts
        total = (
            counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired
        )
        if listed.id in taken or total not in attempt_sizes.values():
            continue
        if listed.processing_status == "ended":
            ids = {line.custom_id for line in client.messages.batches.results(listed.id)}
            if not ids <= set(batch.requests_map):
                continue
        logger.warning("economy batch %s: found %s among the listed batches", batch.pk, listed.id)
        _submitted(batch, listed.id, reconciled=True)
        return True
    return False


def recover_batches() -> int:
    """Pick up what a dead worker left: a batch whose submission got no answer is looked for
    (and polled if found), a submitted batch nobody has polled lately is polled again.

    Only rows quiet for longer than a live worker would leave them are touched, so running it
    beside live workers starts no second submission or second poll chain.
    """
    now = timezone.now()
    quiet = timedelta(seconds=settings.AI_TIMEOUT_SECONDS) + CLOCK_SLACK
    unpolled = timedelta(seconds=2 * settings.AI_BATCH_POLL_SECONDS) + CLOCK_SLACK
    half_submitted = EconomyBatch.objects.filter(
        status=EconomyBatch.Status.QUEUED, submit_started_at__lt=now - quiet
    ).values_list("pk", flat=True)
    forgotten = (
        EconomyBatch.objects.filter(status=EconomyBatch.Status.SUBMITTED)
        .filter(
            Q(polled_at__isnull=True, submitted_at__lt=now - unpolled)
            | Q(polled_at__lt=now - unpolled)
        )
        .values_list("pk", flat=True)
    )
    for batch_id in half_submitted:
        _enqueue_submit(batch_id)
    for batch_id in forgotten:
        _enqueue_poll(batch_id)
    return len(half_submitted) + len(forgotten)


def _answer_from_cache(batch: EconomyBatch, tasks: list[Task], *, model) -> list[Task]:
    """Save cached answers at once (they cost nothing, and the ledger says what they saved, as
    for a run); return the tasks still to send. The same text in several teams is one key."""
    inputs = {task.pk: TaskInput.from_task(task, key="") for task in tasks}
    by_key: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        cache_key = answer_cache_key(inputs[task.pk], mode=Mode.QUICK, model_id=model.model_id)
        by_key[cache_key].append(task)
    hits = cached_answers(by_key)
    answered = [
        (task, result)
        for key, result in hits.items()
        for task in by_key[key]
        if answer_save(
            task,
            result,
            mode=Mode.QUICK,
            source=Source.CACHE,
            model_id=model.model_id,
            input_hash=inputs[task.pk].input_hash(),
        )
    ]
    if answered:
        budget.record_cache_hits(_call_context(batch, model), tasks=len(answered))
        for team_id in {task.team_id for task, _result in answered}:
            events.announce(events.AnalysisChanged(team_id=team_id))
    return [task for key, group in by_key.items() if key not in hits for task in group]


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
    # One poller at a time applies a batch: a second one (recovery beside a live worker) stops.
    if not EconomyBatch.objects.filter(
        pk=batch.pk, status=EconomyBatch.Status.SUBMITTED, polls=batch.polls
    ).update(polls=batch.polls + 1, polled_at=timezone.now()):
        return
    if state is None or state.processing_status != "ended":
        if timezone.now() - batch.submitted_at > MAX_WAIT:
            _fail(batch, _("배치가 24시간 안에 끝나지 않았습니다. 팀별 ‘AI 분석’으로 다시 하세요."))
        else:
            transaction.on_commit(partial(_enqueue_poll, batch.pk))
        return
    try:
        # Every line read before anything is written: a stream that breaks halfway writes
        # nothing, and the next poll reads the batch again.
        lines = list(client.messages.batches.results(batch.api_batch_id))
    except Exception:
        logger.exception("economy batch %s: could not read its results", batch.pk)
        transaction.on_commit(partial(_enqueue_poll, batch.pk))
        return
    with transaction.atomic():
        # Applied once: the row is locked and must still be waiting for its answers.
        if (
            EconomyBatch.objects.select_for_update()
            .filter(pk=batch.pk, status=EconomyBatch.Status.SUBMITTED)
            .exists()
        ):
            _apply(batch, lines)


def _apply(batch: EconomyBatch, results) -> None:
    mode_config = AnalysisMode.objects.select_related("model").get(mode=Mode.QUICK)
    tasks = {
        task.pk: task
        for task in Task.objects.filter(pk__in=batch.task_ids).select_related("domain", "team")
    }
    latest = latest_analyses(list(tasks))
    context = _call_context(batch, mode_config.model)
    answered: set[int] = set()
    changed: set[int] = set()
    teams: set[int] = set()
    for line in results:
        asked = batch.requests_map.get(line.custom_id)
        if asked is None:
            logger.warning("economy batch %s: result %r is not ours", batch.pk, line.custom_id)
            continue
        if line.result.type != "succeeded":
            continue
        answer = anthropic_provider.answer_from_message(line.result.message, list(asked))
        stored = 0
        for key, entry in asked.items():
            # [task id, input hash when submitted]; batches submitted before the hash was
            # recorded hold the bare task id.
            task_id, asked_hash = entry if isinstance(entry, list) else (entry, None)
            task = tasks.get(task_id)
            item = answer.items.get(key)
            if task is None or item is None:
                continue
            try:
                result = clean_result(item, Mode.QUICK)
            except InvalidAnswer:
                continue
            task_input = TaskInput.from_task(task, key=key)
            current = task_input.input_hash()
            if asked_hash not in (None, current):
                # The task was edited after it was sent: the answer is about the old text.
                # Kept as history (under the old text's hash, so the task reads "분석 필요"),
                # never cached; dropped if the new text already has an answer of its own.
                changed.add(task_id)
                if is_stale(latest.get(task_id), task) and answer_save(
                    task,
                    result,
                    mode=Mode.QUICK,
                    source=Source.AI,
                    model_id=answer.model_id,
                    input_hash=asked_hash,
                    note=_NOTE_CHANGED,
                ):
                    teams.add(task.team_id)
                continue
            if not answer_save(
                task,
                result,
                mode=Mode.QUICK,
                source=Source.AI,
                model_id=answer.model_id,
                input_hash=current,
                note=_NOTE,
            ):
                continue  # deleted while the batch was out
            remember_answer(
                answer_cache_key(task_input, mode=Mode.QUICK, model_id=mode_config.model.model_id),
                result,
            )
            answered.add(task_id)
            teams.add(task.team_id)
            stored += 1
        budget.record(
            context,
            answer.usage,
            kind=UsageRecord.Kind.BATCH,
            tasks=stored,
            request_id=answer.request_id,
        )
    _finish(batch, answered=answered | _cached_ids(batch), teams=teams, changed=changed)


_NOTE = _("절약 모드(배치)")
_NOTE_CHANGED = _("절약 모드(배치) · 제출 뒤 업무가 바뀌어 이전 내용에 대한 답")


def _cached_ids(batch: EconomyBatch) -> set[int]:
    return set(
        TaskAnalysis.objects.filter(
            task_id__in=batch.task_ids, source=Source.CACHE, created_at__gte=batch.created_at
        ).values_list("task_id", flat=True)
    )


def _finish(
    batch: EconomyBatch, *, answered: set[int], teams: set[int], changed: set[int] = frozenset()
) -> None:
    failed = sorted(set(batch.task_ids) - answered)
    message = ""
    if failed:
        message = _(
            "업무 %(n)d개는 배치에서 답을 받지 못했습니다. 팀별 ‘AI 분석’을 누르면 다시 분석합니다."
        ) % {"n": len(failed)}
    if changed:
        message = _(
            "업무 %(n)d개는 제출 뒤 내용이 바뀌어 다시 분석해야 합니다. "
            "팀별 ‘AI 분석’을 누르면 바뀐 내용으로 분석합니다."
        ) % {"n": len(changed)}
        if len(failed) > len(changed):
            message += " " + _("업무 %(n)d개는 배치에서 답을 받지 못했습니다.") % {
                "n": len(failed) - len(changed)
            }
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
    # After the commit when applying inside a transaction (at once otherwise).
    for team_id in teams:
        events.announce(events.AnalysisChanged(team_id=team_id))
    events.announce(events.WorkshopFiguresChanged(workshop_id=batch.workshop_id))
