"""Claude through the official SDK.

Every call sends `max_tokens`, the lowest thinking setting and the effort the model row says it
accepts (`AIModel.request_thinking` / `request_effort`), a JSON-schema answer keyed by the
batch's task ids, and a `cache_control` mark on the system prompt (the API ignores a mark below
the model's minimum without an error). Timeouts and retries are short: a worker must never wait
ten minutes.
"""

import json
import logging
import re
import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import anthropic
import httpx2
import jiter
from django.conf import settings

from ai import prompts
from ai.inputs import TaskInput
from ai.models import EFFORTS, THINKING_TYPES, AIModel
from ai.providers.base import Answer, Provider, ProviderError, Usage
from ai.validation import printable

logger = logging.getLogger(__name__)

# Room for the JSON wrapper around the per-task items.
ANSWER_OVERHEAD_TOKENS = 200
MODEL_ID_MAX = 100  # TaskAnalysis.model_id, UsageRecord.model_id

# Attempts the SDK sent that never got an answer, per thread (the SDK call runs on the calling
# thread, and its retries are invisible otherwise): the API may have billed each of them.
_attempts = threading.local()


class _CountingTransport(httpx2.HTTPTransport):
    """Counts attempts that reached the server and got no response back.

    A connection that never opened (refused, DNS, connect or pool timeout) sent nothing and is
    not counted; anything failing after that (a read timeout, a dropped connection) is.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return super().handle_request(request)
        except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout):
            raise
        except Exception:
            _attempts.unanswered = getattr(_attempts, "unanswered", 0) + 1
            raise


def _start_counting() -> None:
    _attempts.unanswered = 0


def _unanswered() -> int:
    return getattr(_attempts, "unanswered", 0)


def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=settings.ANTHROPIC_API_KEY,
        base_url=settings.ANTHROPIC_BASE_URL,
        timeout=settings.AI_TIMEOUT_SECONDS,
        max_retries=settings.AI_MAX_RETRIES,
        http_client=anthropic.DefaultHttpxClient(transport=_CountingTransport()),
    )


def max_tokens_for(count: int, per_task: int) -> int:
    return per_task * count + ANSWER_OVERHEAD_TOKENS


def request_params(
    tasks: list[TaskInput], *, mode: str, model: AIModel, per_task_tokens: int
) -> dict[str, Any]:
    """The Messages API parameters for analysing `tasks` (also used for batch requests)."""
    output_config: dict = {
        "format": {
            "type": "json_schema",
            "schema": prompts.output_schema(mode, [task.key for task in tasks]),
        }
    }
    effort = model.request_effort()
    if effort:
        output_config["effort"] = effort
    params = {
        "model": model.model_id,
        "max_tokens": max_tokens_for(len(tasks), per_task_tokens),
        "system": [
            {
                "type": "text",
                "text": prompts.system_prompt(mode),
                "cache_control": {"type": "ephemeral"},
            }
        ],
        "messages": [{"role": "user", "content": prompts.user_message(tasks)}],
        "output_config": output_config,
    }
    thinking = model.request_thinking(effort)
    if thinking:
        params["thinking"] = thinking
    return params


def usage_of(usage: object) -> Usage:
    def count(name: str) -> int:
        value = getattr(usage, name, None)
        return value if isinstance(value, int) and value > 0 else 0

    return Usage(
        input_tokens=count("input_tokens"),
        output_tokens=count("output_tokens"),
        cache_write_tokens=count("cache_creation_input_tokens"),
        cache_read_tokens=count("cache_read_input_tokens"),
    )


def _results_with_duplicates(text: str) -> tuple[dict | None, int]:
    """The `results` object of a complete answer, and how many of its ids came twice."""
    duplicates = 0

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates += 1
                continue  # the first answer for an id stands
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except ValueError:
        return None, 0
    results = data.get("results") if isinstance(data, dict) else None
    return (results if isinstance(results, dict) else None), duplicates


_ITEM_KEY = re.compile(r'"([^"\\]+)"\s*:\s*\{')


def _complete_results_of_truncated(text: str) -> tuple[dict, int]:
    """Every item finished before the answer was cut off at max_tokens, and the repeated ids.

    The answer is written in order, so each item but the last one parsed is whole; the last
    may have lost its tail (a number cut short still parses), so it is dropped and asked again.
    An id written twice is dropped too: the partial parser keeps its first place but its last
    value, which may be the cut one.
    """
    try:
        data = jiter.from_json(text.encode(), partial_mode="on")
    except ValueError:
        return {}, 0
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict) or not results:
        return {}, 0
    written = _ITEM_KEY.findall(text)  # item ids in the order they were written
    repeated = {key for key, count in Counter(written).items() if count > 1}
    unsure = repeated | {written[-1]} if written else repeated
    return {k: v for k, v in results.items() if k not in unsure}, len(repeated)


def parse_items(text: str, keys: list[str], *, truncated: bool = False) -> tuple[dict, int]:
    """The answer's items for `keys`, and how many stray items (unknown or repeated ids) it had."""
    results, duplicates = _results_with_duplicates(text)
    if results is None and truncated:
        # Cut off mid-JSON (an answer that stopped at max_tokens but parses is used whole).
        results, duplicates = _complete_results_of_truncated(text)
    if results is None:
        return {}, 0
    wanted = set(keys)
    items = {key: item for key, item in results.items() if key in wanted}
    return items, duplicates + len(set(results) - wanted)


def answer_from_message(
    message: anthropic.types.Message, keys: list[str], *, started: float | None = None
) -> Answer:
    stop_reason = message.stop_reason or ""
    text = "".join(block.text for block in message.content if block.type == "text")
    items: dict[str, dict[str, Any]]
    if stop_reason == "refusal":
        # A partial answer before a refusal is to be discarded, not used
        # (https://platform.claude.com/docs/en/build-with-claude/refusals-and-fallback).
        items, stray = {}, 0
    else:
        items, stray = parse_items(text, keys, truncated=stop_reason == "max_tokens")
    if stray:
        logger.warning("answer %s: %d stray item(s) ignored", getattr(message, "id", ""), stray)
    return Answer(
        items=items,
        usage=usage_of(message.usage),
        latency_ms=round((time.monotonic() - started) * 1000) if started else 0,
        model_id=printable(str(message.model or ""), MODEL_ID_MAX),
        request_id=printable(str(getattr(message, "id", "") or ""), MODEL_ID_MAX),
        stop_reason=stop_reason,
        stray_items=stray,
    )


def _error_kind(error: anthropic.APIError) -> str:
    if isinstance(error, anthropic.RateLimitError):
        return "rate_limited"
    if isinstance(error, anthropic.APITimeoutError):
        return "timeout"
    if isinstance(error, anthropic.APIConnectionError):
        return "connection"
    status = getattr(error, "status_code", 0)
    if status == 529:
        return "overloaded"
    return "server" if status >= 500 else "request"


class AnthropicProvider(Provider):
    name = "anthropic"

    def __init__(self) -> None:
        self.client = client()

    def estimate(
        self,
        tasks: list[TaskInput],
        *,
        mode: str,
        model: AIModel,
        per_task_tokens: int = 160,
    ) -> Decimal:
        """The worst case of every attempt the SDK may send: an attempt that times out may be
        billed, and the retry after it is billed again."""
        # ai.budget imports ai.providers (for Usage): importing it at the top of a provider
        # would be a circle.
        from ai.budget import worst_case_usd

        params = request_params(tasks, mode=mode, model=model, per_task_tokens=per_task_tokens)
        return worst_case_usd(model, params) * (1 + settings.AI_MAX_RETRIES)

    def analyse(
        self,
        tasks: list[TaskInput],
        *,
        mode: str,
        model: AIModel,
        per_task_tokens: int = 160,
    ) -> Answer:
        params = request_params(tasks, mode=mode, model=model, per_task_tokens=per_task_tokens)
        started = time.monotonic()
        _start_counting()
        try:
            message = self.client.messages.create(**params)
        except anthropic.APIError as error:
            detail = str(error)
            if isinstance(error, anthropic.APIStatusError):
                detail = f"{error.status_code} {error.message}"
            raise ProviderError(_error_kind(error), detail, unanswered=_unanswered()) from error
        answer = answer_from_message(message, [task.key for task in tasks], started=started)
        answer.unanswered = _unanswered()
        return answer


def model_capabilities(model_id: str) -> dict:
    """What the Models API says `model_id` accepts, as AIModel field values.

    `thinking_off_max_effort` and `min_cacheable_tokens` are not in the API's answer: they stay
    as the docs gave them.
    """
    info = client().models.retrieve(model_id)
    found: dict = {}
    if info.max_tokens:
        found["max_output_tokens"] = info.max_tokens
    capabilities = info.capabilities
    if capabilities is not None:
        thinking = capabilities.thinking
        types = thinking.types
        found["thinking_types"] = [
            name
            for name in THINKING_TYPES
            if getattr(getattr(types, name, None), "supported", False)
        ]
        effort = capabilities.effort
        found["effort_levels"] = (
            [
                level
                for level in EFFORTS
                if getattr(getattr(effort, level, None), "supported", False)
            ]
            if effort.supported
            else []
        )
        found["structured_outputs"] = capabilities.structured_outputs.supported
        found["batches"] = capabilities.batch.supported
    return found
