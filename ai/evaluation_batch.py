"""`evaluate_ai --provider anthropic`: the labelled set through one Message Batch, at half price.

The tasks are asked as the product asks them: the quick mode's model and output allowance per
task, `AI_BATCH_SIZE` tasks a request keyed t1…tN (economy.batch_request builds the requests for
both), all requests in one batch. Before anything is sent, the batch's worst case is reserved
against the month's budget as economy mode reserves its own, so an evaluation cannot spend what
the workshops were promised; each answered request becomes a ledger line at batch prices and
the hold is freed. Nothing is stored as an analysis or cached: the labelled tasks are nobody's
work, and a cached answer would measure the cache rather than the model.
"""

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import anthropic
from django.conf import settings
from django.db import transaction

from ai import budget, economy
from ai.inputs import TaskInput
from ai.models import AnalysisMode, Mode, Reservation, UsageRecord
from ai.providers import anthropic as anthropic_provider
from ai.providers.base import Usage
from ai.validation import InvalidAnswer, clean_result
from workshop_site.korean import josa

logger = logging.getLogger(__name__)


class EvaluationBatchError(Exception):
    """The batch could not be asked or read; the message says why, in Korean."""


@dataclass
class BatchAnswers:
    """What the batch answered, by the labelled tasks' own keys."""

    items: dict[str, dict]  # raw answer items that pass clean_result; the rest are unanswered
    model_id: str
    batch_id: str
    requests: int
    refused: int = 0  # tasks in requests the model refused (stop_reason "refusal")
    errored: int = 0  # tasks in requests that errored, expired, were canceled or never came back
    usage: Usage = field(default_factory=Usage)
    usd: Decimal = Decimal("0")  # the ledger lines written, at batch prices


def _add(total: Usage, usage: Usage) -> None:
    total.input_tokens += usage.input_tokens
    total.output_tokens += usage.output_tokens
    total.cache_write_tokens += usage.cache_write_tokens
    total.cache_read_tokens += usage.cache_read_tokens


def ask(
    tasks: list[TaskInput],
    *,
    wait_seconds: float,
    poll_seconds: float,
    progress: Callable[[str], None] = lambda text: None,
) -> BatchAnswers:
    """Send `tasks` in one batch, wait for it to end (at most `wait_seconds`) and read it."""
    mode_config = AnalysisMode.objects.select_related("model").get(mode=Mode.QUICK)
    # A token per run tells this run's lines apart from any other batch on the account.
    token = secrets.token_hex(4)
    size = settings.AI_BATCH_SIZE
    requests: list[Any] = []  # the SDK's Request TypedDicts, built as plain dicts
    asked: dict[str, dict[str, str]] = {}  # custom_id → {key in the request: labelled key}
    worst = Decimal("0")
    for number, start in enumerate(range(0, len(tasks), size)):
        # Keyed t1…tN inside each request, as the product keys its runs: the same schemas,
        # so the API's compiled-schema cache serves the evaluation as it serves the product.
        keys = {f"t{index}": task for index, task in enumerate(tasks[start : start + size], 1)}
        chunk = [replace(task, key=short) for short, task in keys.items()]
        custom_id = f"eval-{token}-{number}"  # ^[a-zA-Z0-9_-]{1,64}$
        request, request_worst = economy.batch_request(custom_id, chunk, mode_config)
        requests.append(request)
        asked[custom_id] = {short: task.key for short, task in keys.items()}
        worst += request_worst
    try:
        reservation = budget.reserve(
            amount_usd=worst,
            user_id=None,
            workshop_id=None,
            # Held for as long as the batch may run, whether or not this command waits for it.
            minutes=int(economy.MAX_WAIT.total_seconds() // 60),
        )
    except budget.BudgetRefused as refused:
        raise EvaluationBatchError(
            f"이번 달 AI 예산으로는 이 평가의 최악의 비용(${worst:.4f}, 배치 가격)을 감당할 수 "
            f"없어 배치를 보내지 않았습니다. ({refused.message})"
        ) from None

    client = anthropic_provider.client()
    try:
        # Never sent twice: a retry after an unanswered attempt could make a second batch.
        created = client.with_options(max_retries=0).messages.batches.create(requests=requests)
    except anthropic.APIStatusError as error:
        if error.status_code < 500:
            budget.release(reservation)  # refused outright: no batch was made
            raise EvaluationBatchError(
                f"AI 서버가 배치를 거절했습니다 ({error.status_code} {error.message})."
            ) from None
        raise _maybe_made(worst, error) from None
    except anthropic.APIError as error:
        raise _maybe_made(worst, error) from None
    progress(
        f"배치 {josa(created.id, '을/를')} 보냈습니다: "
        f"요청 {len(requests)}개, 업무 {len(tasks)}개, "
        f"최악의 비용 ${worst:.4f}. 끝나기를 기다립니다…"
    )
    _wait(client, created.id, wait_seconds=wait_seconds, poll_seconds=poll_seconds)
    try:
        lines = list(client.messages.batches.results(created.id))
    except anthropic.APIError as error:
        raise EvaluationBatchError(
            f"배치 {josa(created.id, '은/는')} 끝났지만 결과를 읽지 못했습니다 ({error}). "
            "예약한 최악의 비용은 만료될 때까지 예산에 잡혀 있습니다."
        ) from None
    return _read(lines, asked, reservation, mode_config, batch_id=created.id)


def _maybe_made(worst: Decimal, error: anthropic.APIError) -> EvaluationBatchError:
    # No answer (a timeout, a dropped connection, a 5xx): the batch may exist and be billed,
    # so the hold stays until it expires rather than being freed on a guess.
    logger.warning("evaluation batch: submission unanswered (%s)", error)
    return EvaluationBatchError(
        f"AI 서버가 배치 제출에 답하지 않았습니다 ({error}). 배치가 만들어졌을 수 있어 최악의 "
        f"비용(${worst:.4f})을 만료될 때까지 예산에 잡아 둡니다."
    )


def _wait(
    client: anthropic.Anthropic, batch_id: str, *, wait_seconds: float, poll_seconds: float
) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            state = client.messages.batches.retrieve(batch_id)
        except anthropic.APIError as error:
            logger.warning(
                "evaluation batch %s: could not ask for its status (%s)", batch_id, error
            )
        else:
            if state.processing_status == "ended":
                return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise EvaluationBatchError(
                f"배치 {josa(batch_id, '이/가')} {wait_seconds:g}초 안에 끝나지 않았습니다. "
                "배치는 AI 서버에서 계속 처리되며(최대 24시간), "
                "최악의 비용은 그동안 예산에 잡혀 있습니다."
            )
        time.sleep(min(poll_seconds, remaining))


def _read(
    lines: list,
    asked: dict[str, dict[str, str]],
    reservation: Reservation,
    mode_config: AnalysisMode,
    *,
    batch_id: str,
) -> BatchAnswers:
    """The answers of the batch's result lines; one ledger line per answered request."""
    context = budget.CallContext(model=mode_config.model, mode=Mode.QUICK)
    answers = BatchAnswers(
        items={}, model_id=mode_config.model.model_id, batch_id=batch_id, requests=len(asked)
    )
    seen: set[str] = set()
    with transaction.atomic():
        for line in lines:
            keys = asked.get(line.custom_id)
            if keys is None or line.custom_id in seen:
                logger.warning("evaluation batch %s: result %r ignored", batch_id, line.custom_id)
                continue
            seen.add(line.custom_id)
            if line.result.type != "succeeded":
                answers.errored += len(keys)  # errored, expired or canceled: never judged
                continue
            answer = anthropic_provider.answer_from_message(line.result.message, list(keys))
            if answer.model_id:
                answers.model_id = answer.model_id
            if answer.refused:
                answers.refused += len(keys)
            valid = 0
            for short, item in answer.items.items():
                try:
                    clean_result(item, Mode.QUICK)
                except InvalidAnswer:
                    continue  # counts as unanswered
                answers.items[keys[short]] = item
                valid += 1
            record = budget.record(
                context,
                answer.usage,
                kind=UsageRecord.Kind.BATCH,
                tasks=valid,
                request_id=answer.request_id,
            )
            _add(answers.usage, answer.usage)
            answers.usd += record.cost_usd
        # The real costs are in the ledger line by line; the hold is no longer needed.
        budget.release(reservation, status=Reservation.Status.SETTLED)
    answers.errored += sum(len(keys) for custom_id, keys in asked.items() if custom_id not in seen)
    return answers
