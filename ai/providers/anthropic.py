"""Claude through the official SDK.

Every call sends `max_tokens`, turns thinking off (or asks for the lowest effort), asks for a
JSON-schema answer, and marks the system prompt for prompt caching when it is long enough for
the model's minimum. Timeouts and retries are short: a worker must never wait ten minutes.
"""

import json
import time

import anthropic
from django.conf import settings

from ai import prompts
from ai.inputs import TaskInput
from ai.providers.base import Answer, Provider, ProviderError, Usage
from ai.tokens import estimate_tokens

# Room for the JSON wrapper around the per-task items.
ANSWER_OVERHEAD_TOKENS = 200


def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=settings.ANTHROPIC_API_KEY,
        base_url=settings.ANTHROPIC_BASE_URL,
        timeout=settings.AI_TIMEOUT_SECONDS,
        max_retries=settings.AI_MAX_RETRIES,
    )


def max_tokens_for(count: int, per_task: int) -> int:
    return per_task * count + ANSWER_OVERHEAD_TOKENS


def request_params(tasks: list[TaskInput], *, mode: str, model, per_task_tokens: int) -> dict:
    """The Messages API parameters for analysing `tasks` (also used for batch requests)."""
    system_text = prompts.system_prompt(mode)
    system_block: dict = {"type": "text", "text": system_text}
    if estimate_tokens(system_text) >= model.min_cacheable_tokens:
        system_block["cache_control"] = {"type": "ephemeral"}
    output_config: dict = {"format": {"type": "json_schema", "schema": prompts.output_schema(mode)}}
    if model.effort:
        output_config["effort"] = model.effort
    params = {
        "model": model.model_id,
        "max_tokens": max_tokens_for(len(tasks), per_task_tokens),
        "system": [system_block],
        "messages": [{"role": "user", "content": prompts.user_message(tasks)}],
        "output_config": output_config,
    }
    if model.disable_thinking:
        params["thinking"] = {"type": "disabled"}
    return params


def usage_of(usage) -> Usage:
    return Usage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        cache_write_tokens=getattr(usage, "cache_creation_input_tokens", None) or 0,
        cache_read_tokens=getattr(usage, "cache_read_input_tokens", None) or 0,
    )


def parse_items(text: str) -> dict[str, dict] | None:
    """The answer's items by task key, or None when the text is not the JSON we asked for."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return None
    items = {}
    for item in data["results"]:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            items.setdefault(item["id"], item)
    return items


def answer_from_message(message, *, started: float | None = None) -> Answer:
    text = "".join(block.text for block in message.content if block.type == "text")
    items = parse_items(text)
    return Answer(
        items=items or {},
        usage=usage_of(message.usage),
        latency_ms=round((time.monotonic() - started) * 1000) if started else 0,
        model_id=message.model,
        request_id=getattr(message, "id", ""),
    )


class AnthropicProvider(Provider):
    name = "anthropic"

    def __init__(self):
        self.client = client()

    def estimate(self, tasks, *, mode, model, per_task_tokens: int = 120):
        from ai.budget import worst_case_usd

        params = request_params(tasks, mode=mode, model=model, per_task_tokens=per_task_tokens)
        return worst_case_usd(model, params)

    def analyse(self, tasks, *, mode, model, per_task_tokens: int = 120) -> Answer:
        params = request_params(tasks, mode=mode, model=model, per_task_tokens=per_task_tokens)
        started = time.monotonic()
        try:
            message = self.client.messages.create(**params)
        except anthropic.RateLimitError as error:
            raise ProviderError("rate_limited", str(error)) from error
        except anthropic.APITimeoutError as error:
            raise ProviderError("timeout", str(error)) from error
        except anthropic.APIConnectionError as error:
            raise ProviderError("connection", str(error)) from error
        except anthropic.APIStatusError as error:
            kind = (
                "overloaded"
                if error.status_code == 529
                else ("server" if error.status_code >= 500 else "request")
            )
            raise ProviderError(kind, f"{error.status_code} {error.message}") from error
        return answer_from_message(message, started=started)
