"""A strict fake Anthropic API on loopback, for tests and benchmarks. The real SDK talks to it.

It speaks the Messages endpoint (answering the JSON schema it is given, from the tasks in the
request), count-tokens, Message Batches (create, list, retrieve, results) and Models (retrieve,
list). It is **strict**: every request is checked against what the real API documents as valid
for the model named (`MODELS`, one table; the docs page for each rule is cited beside it), and
refused with the API's status, error type and wording where the docs give it. A fake that
accepts what the real service refuses would turn every green test into a guess.

Usage figures come from `count_tokens`: one token per Hangul syllable (or other non-ASCII
character), ASCII at 3.5 characters a token, over the text itself, never over our own JSON
escaping. Prompt caching is honoured for a system prompt marked `cache_control` that reaches
the model's minimum: the first request writes the cache, later ones read it. An answer longer
than `max_tokens` is cut there, mid-JSON, with `stop_reason: "max_tokens"`.

Every request is recorded (`server.requests`). Behaviours can be scripted for the next
Messages requests (and batch result lines), one per request, including the SDK's own retries:

    server.script("429", "ok")        # a rate limit (with retry-after), then an answer
    server.script("500", "529")       # server error, overloaded
    server.script("timeout")          # answers only after `timeout_seconds` (billed, unseen)
    server.script("malformed")        # text that is not JSON, stop_reason end_turn
    server.script("truncate")         # cut mid-JSON after the first item: stop_reason max_tokens
    server.script("refusal")          # stop_reason "refusal", no content
    server.script("partial")          # every other task missing from the answer
    server.script("invalid")          # an answer with a rating that does not exist
    server.script("off_band")         # the first item's share outside its rating's band
    server.script("manual_high")      # the first item rated HIGH with the method MANUAL
    server.script("stray")            # an extra item under an id nobody asked about
    server.script("dirty")            # control characters and a NUL in the text, a long model id
    server.script_batch_create("timeout")   # batches.create makes the batch, answers too late

    python -m support.fake_anthropic --port 8765   # run it by hand
"""

import argparse
import hashlib
import html
import json
import math
import re
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ASCII_CHARS_PER_TOKEN = 3.5
EFFORTS = ["low", "medium", "high", "xhigh", "max"]
THINKING_OFF_EFFORTS = ["low", "medium", "high"]

# What each model accepts. Sources, checked 2026-12-06:
# - thinking types and the efforts they are valid at:
#   https://platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting (per-model
#   table and footnotes), https://platform.claude.com/docs/en/models/haiku-5-5/whats-new-haiku-5-5
#   #adaptive-thinking-and-effort ("disabled" at high effort or below),
#   https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5
#   #turn-off-up-front-thinking ("disabled" is a 400; "between_tools" at low/medium/high);
# - efforts and defaults: https://platform.claude.com/docs/en/build-with-claude/effort and the
#   model overview pages (Haiku 5.5 medium, Sonnet 5.5 high);
# - max output 128K, caching minimum 512 tokens: the model overview pages ("Good to know") and
#   https://platform.claude.com/docs/en/build-with-claude/prompt-caching#cache-limitations.
MODELS = {
    "claude-haiku-5-5": {
        "display_name": "Claude Haiku 5.5",
        "created_at": "2026-10-07T00:00:00Z",
        "thinking": {"adaptive": EFFORTS, "disabled": THINKING_OFF_EFFORTS},
        "efforts": EFFORTS,
        "default_effort": "medium",
        "max_tokens": 128_000,
        "max_input_tokens": 1_000_000,
        "min_cacheable": 512,
        "structured_outputs": True,
        "batch": True,
        "sampling": {"temperature": 1, "top_p": 0.99},
    },
    "claude-sonnet-5-5": {
        "display_name": "Claude Sonnet 5.5",
        "created_at": "2026-09-28T00:00:00Z",
        "thinking": {"adaptive": EFFORTS, "between_tools": THINKING_OFF_EFFORTS},
        "efforts": EFFORTS,
        "default_effort": "high",
        "max_tokens": 128_000,
        "max_input_tokens": 1_000_000,
        "min_cacheable": 512,
        "structured_outputs": True,
        "batch": True,
        "sampling": {"temperature": 1},
    },
}

# Top-level Messages parameters (https://platform.claude.com/docs/en/api/messages/create); any
# other is refused as an extra input.
MESSAGE_PARAMS = {
    "model",
    "max_tokens",
    "messages",
    "system",
    "thinking",
    "output_config",
    "metadata",
    "stop_sequences",
    "stream",
    "temperature",
    "top_p",
    "top_k",
    "tools",
    "tool_choice",
    "service_tier",
    "container",
    "context_management",
    "mcp_servers",
}

# JSON Schema keywords structured outputs refuse, and the rest it knows
# (https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations).
UNSUPPORTED_KEYWORDS = {
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "not",
    "if",
    "then",
    "else",
    "oneOf",
}
SCHEMA_TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}
MAX_OPTIONAL_PROPERTIES = 24
MAX_UNION_PROPERTIES = 16
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # Message Batches API reference, create

METHODS = ["RPA", "SPREADSHEET", "GENAI_DRAFT", "WORKFLOW", "INTEGRATION", "MANUAL"]
# As long as the prompt allows (ai.prompts.LIMITS: quick 30 characters, deep 80), so answer
# sizes are not flattered.
SUGGESTIONS = {
    "RPA": "화면 입력은 RPA 봇이 하고 예외 건만 담당자가 확인",
    "SPREADSHEET": "원본을 한 시트로 모아 피벗으로 자동 집계, 검토는 사람",
    "GENAI_DRAFT": "생성형 AI로 문서 초안 작성, 담당자는 검토와 수정만",
    "WORKFLOW": "요청·승인을 전자결재로 옮겨 알림·기록 자동, 결재는 사람",
    "INTEGRATION": "두 시스템을 API로 연동해 옮겨 적기 제거, 오류만 확인",
    "MANUAL": "판단이 핵심이라 사람이 하고 자료 준비만 자동으로 정리",
}
DEEP_SUGGESTION_TAIL = (
    " 첫 달은 한 팀에서 시범 운영하며 걸린 시간과 오류를 기록하고, 예외 처리 기준을 정한 뒤 "
    "넓힙니다."
)
REASONS = {
    "HIGH": "정해진 규칙으로 반복하는 전산 작업",
    "MEDIUM": "자료 준비는 규칙적, 검토는 사람 몫",
    "LOW": "현장 확인과 대면 판단이 업무의 핵심",
}
FACTORS = {
    "HIGH": {"i": "S", "w": "R", "x": "F", "k": []},
    "MEDIUM": {"i": "F", "w": "M", "x": "F", "k": []},
    "LOW": {"i": "P", "w": "H", "x": "M", "k": ["PERSONAL"]},
    "NEEDS_INFO": {"i": "U", "w": "M", "x": "F", "k": []},
}
# ai.prompts.LIMITS, quick and deep (a NEEDS_INFO answer's suggestion is its question).
REASON_LIMIT = {False: 20, True: 40}
SUGGESTION_LIMIT = {False: 25, True: 80}
QUESTION_LIMIT = 50
NEEDS_INFO_MISSING = (
    "어떤 자료를 어느 시스템에서 받아 어떤 도구로 어떤 순서로 처리하는지 설명에 적어 주세요."
)
DEEP_STEPS = [
    "현재 처리 절차와 예외 상황을 단계별로 빠짐없이 정리하기",
    "자동화할 범위와 사람이 계속 확인할 부분을 나누어 정하기",
    "입력 양식과 파일 이름 규칙을 하나로 맞추어 통일하기",
    "한 팀에 시범 적용하고 오류와 걸린 시간을 측정해 기록하기",
    "결과를 검토해 다른 팀으로 넓히고 담당자 교육을 진행하기",
]
DEEP_TOOLS = ["Power Automate", "Google Sheets", "UiPath", "Zapier"]
DEEP_PREREQUISITES = [
    "입력 양식과 원본 자료의 위치를 하나로 통일해 두어야 합니다",
    "업무 시스템의 계정 권한과 API 사용 승인을 받아 두어야 합니다",
    "예외 건을 처리할 담당자와 확인 절차를 미리 정해 두어야 합니다",
]


def count_tokens(text: str) -> int:
    """Tokens in `text`, close to Claude's tokenizer on Korean.

    One token per non-ASCII character (a Hangul syllable is about one token) and one per
    3.5 ASCII characters (JSON punctuation, keys, English words).
    """
    if not text:
        return 0
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return (len(text) - ascii_chars) + math.ceil(ascii_chars / ASCII_CHARS_PER_TOKEN)


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def answer_item(task: dict, deep: bool) -> dict:
    """A plausible, deterministic judgement of one task element from the request, within the
    rubric (a share inside its rating's band, no MANUAL with HIGH), its texts as long as the
    prompt allows."""
    title, description = task.get("업무", ""), task.get("설명", "")
    seed = _stable(title + description)
    if len(description) < 8:
        rating, method, share = "NEEDS_INFO", "MANUAL", 0
        suggestion = NEEDS_INFO_MISSING[:QUESTION_LIMIT]
        reason = f"‘{title}’뿐: 입력·처리·결과를 알 수 없음"
    else:
        method = METHODS[seed % len(METHODS)]
        rating = "LOW" if method == "MANUAL" else ["HIGH", "MEDIUM", "HIGH", "LOW"][seed % 4]
        share = {"HIGH": 60 + 5 * (seed % 7), "MEDIUM": 25 + 5 * (seed % 7), "LOW": 5 * (seed % 5)}[
            rating
        ]
        suggestion = (SUGGESTIONS[method] + (DEEP_SUGGESTION_TAIL if deep else ""))[
            : SUGGESTION_LIMIT[deep]
        ]
        reason = f"‘{title[:8]}’: {REASONS[rating]}"
    item = {
        "reason": reason[: REASON_LIMIT[deep]],
        "factors": FACTORS[rating],
        "rating": rating,
        "share": share,
        "method": method,
        "suggestion": suggestion,
        "ease": ["EASY", "MEDIUM", "HARD"][seed % 3],
    }
    if deep:
        item.update(
            steps=DEEP_STEPS[: 3 + seed % 3],
            tools=DEEP_TOOLS[: 2 + seed % 3],
            prerequisites=DEEP_PREREQUISITES[: 1 + seed % 3],
        )
    return item


def item_names(schema: dict) -> dict[str, str]:
    """Map our canonical field names to the answer's property names.

    Each property of the item schema says what it is in its `description` (its first word);
    a property without one is taken at its own name.
    """
    try:
        results = schema["properties"]["results"]
        item = results.get("items") or next(iter(results["properties"].values()))
        if "$ref" in item:  # "#/$defs/item"
            *_, where, name = item["$ref"].split("/")
            item = schema[where][name]
        properties = item["properties"]
    except (KeyError, TypeError, StopIteration, AttributeError, ValueError):
        return {}
    return {
        (spec.get("description") or name).split()[0].rstrip(":"): name
        for name, spec in properties.items()
    }


_TASK = re.compile(r'<task id="([^"]*)">(.*?)</task>', re.S)
_TASK_FIELDS = re.compile(r"영역: (.*?) / 업무: (.*?) / 빈도: (.*?) / 설명: (.*)", re.S)


def tasks_in(params: dict) -> list[dict]:
    """The tasks of the user message, each a `<task id="…">` element (ai.prompts)."""
    tasks = []
    for key, body in _TASK.findall(_message_text(params)):
        fields = _TASK_FIELDS.match(html.unescape(body))
        if fields is None:
            continue
        domain, title, frequency, description = fields.groups()
        tasks.append(
            {
                "id": html.unescape(key),
                "영역": domain,
                "업무": title,
                "빈도": frequency,
                "설명": description,
            }
        )
    return tasks


def _message_text(params: dict) -> str:
    parts = []
    for message in params.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [b.get("text", "") for b in content if isinstance(b, dict)]
    return "\n".join(parts)


def _system_blocks(params: dict) -> list[dict]:
    system = params.get("system") or []
    return [{"type": "text", "text": system}] if isinstance(system, str) else system


class Refused(Exception):
    """A request the real API refuses: status, error type, message."""

    def __init__(self, status: int, kind: str, message: str):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def invalid(message: str) -> Refused:
    return Refused(400, "invalid_request_error", message)


# --- Request rules -------------------------------------------------------------------------------


def check_message_params(params: dict) -> dict:
    """The model's row if `params` is a request the real API accepts; raises Refused otherwise."""
    if not isinstance(params, dict):
        raise invalid("Request body must be a JSON object")
    for key in params:
        if key not in MESSAGE_PARAMS:
            raise invalid(f"{key}: Extra inputs are not permitted")
    model_id = params.get("model")
    if not model_id:
        raise invalid("model: Field required")
    model = MODELS.get(model_id)
    if model is None:
        # Real responses name the model as sent (https://platform.claude.com/docs/en/api/errors).
        raise Refused(404, "not_found_error", f"model: {model_id}")
    _check_max_tokens(params, model_id, model)
    _check_messages(params)
    _check_system(params)
    effort = _check_output_config(params, model)
    _check_thinking(params, model, effort or model["default_effort"])
    _check_sampling(params, model)
    return model


def _check_max_tokens(params: dict, model_id: str, model: dict) -> None:
    # max_tokens is required (https://platform.claude.com/docs/en/api/messages/create); the
    # limit is the model's max output (overview pages); wording as the API answers it.
    if "max_tokens" not in params:
        raise invalid("max_tokens: Field required")
    value = params["max_tokens"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid("max_tokens: Input should be a valid integer greater than or equal to 1")
    if value > model["max_tokens"]:
        raise invalid(
            f"max_tokens: {value} > {model['max_tokens']}, which is the maximum allowed number "
            f"of output tokens for {model_id}"
        )


def _check_messages(params: dict) -> None:
    # https://platform.claude.com/docs/en/api/messages/create: a non-empty list of turns, the
    # first from the user; prefilling the assistant's answer is refused on both 5.5 models
    # (their migration guides).
    messages = params.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("messages: at least one message is required")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise invalid(f"messages.{index}.role: Input should be 'user' or 'assistant'")
        if message.get("content") in (None, "", []):
            raise invalid(f"messages.{index}: all messages must have non-empty content")
    if messages[0]["role"] != "user":
        raise invalid('messages: first message must use the "user" role')
    if messages[-1]["role"] == "assistant":
        raise invalid("This model does not support assistant message prefill.")


def _check_system(params: dict) -> None:
    # System blocks are text blocks; cache_control is {"type": "ephemeral"} with an optional ttl
    # of 5m or 1h, at most 4 breakpoints per request
    # (https://platform.claude.com/docs/en/build-with-claude/prompt-caching).
    system = params.get("system")
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise invalid("system: Input should be a valid string or list")
    marks = 0
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise invalid(f"system.{index}.type: Input should be 'text'")
        if not isinstance(block.get("text"), str) or not block["text"]:
            raise invalid(f"system.{index}.text: text content blocks must be non-empty")
        mark = block.get("cache_control")
        if mark is not None:
            if (
                not isinstance(mark, dict)
                or mark.get("type") != "ephemeral"
                or mark.get("ttl", "5m") not in ("5m", "1h")
            ):
                raise invalid(f"system.{index}.cache_control: Input tag does not match 'ephemeral'")
            marks += 1
    if marks > 4:
        raise invalid(f"A maximum of 4 blocks with cache_control may be provided. Found {marks}.")


def _check_output_config(params: dict, model: dict) -> str | None:
    config = params.get("output_config")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise invalid("output_config: Input should be an object")
    for key in config:
        if key not in ("effort", "format"):
            raise invalid(f"output_config.{key}: Extra inputs are not permitted")
    effort = config.get("effort")
    # Effort levels (https://platform.claude.com/docs/en/build-with-claude/effort).
    if effort is not None and effort not in model["efforts"]:
        raise invalid(
            f"output_config.effort: Input should be {', '.join(repr(e) for e in EFFORTS)}"
            if effort not in EFFORTS
            else f"output_config.effort '{effort}' is not supported by this model."
        )
    fmt = config.get("format")
    if fmt is not None:
        if not model["structured_outputs"]:
            raise invalid(
                "output_config.format: structured outputs are not supported by this model"
            )
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            raise invalid("output_config.format.type: Input should be 'json_schema'")
        if not isinstance(fmt.get("schema"), dict):
            raise invalid("output_config.format.schema: Field required")
        problem = schema_problem(fmt["schema"])
        if problem:
            raise invalid(f"output_config.format.schema: {problem}")
    return effort


def _check_thinking(params: dict, model: dict, effort: str) -> None:
    thinking = params.get("thinking")
    if thinking is None:
        return  # adaptive, the default on both models
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind not in ("adaptive", "enabled", "disabled", "between_tools"):
        raise invalid(
            "thinking.type: Input tag does not match any of the expected tags: 'adaptive', "
            "'between_tools', 'disabled', 'enabled'"
        )
    accepted = model["thinking"]
    # Wording from https://platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting.
    if kind == "enabled" and kind not in accepted:
        raise invalid(
            '"thinking.type.enabled" is not supported for this model. Use '
            '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
        )
    if kind == "disabled" and kind not in accepted and "between_tools" in accepted:
        raise invalid(
            'To turn thinking off on this model, send "thinking": {"type": "between_tools"} '
            'instead of {"type": "disabled"}. The model does not think before responding. The '
            "short updates it writes between tool calls come back as thinking blocks."
        )
    if kind not in accepted:
        raise invalid(f'"thinking.type.{kind}" is not supported for this model.')
    if kind == "between_tools" and set(thinking) - {"type"}:
        extra = sorted(set(thinking) - {"type"})[0]
        raise invalid(f"thinking.{extra}: Extra inputs are not permitted")
    if effort not in accepted[kind]:
        raise invalid(
            f"output_config.effort '{effort}' is not supported when thinking is disabled on this "
            "model. Use effort 'high' or below, or enable thinking."
        )


def _check_sampling(params: dict, model: dict) -> None:
    # Sampling on the 5.5 models (their migration guides): Sonnet 5.5 refuses any non-default
    # temperature, top_p or top_k; Haiku 5.5 takes temperature 1 and top_p 0.99 only, never
    # top_k, and never temperature and top_p together.
    if "top_k" in params:
        raise invalid("top_k: is not supported for this model")
    if "temperature" in params and "top_p" in params:
        raise invalid("temperature and top_p cannot both be specified for this model")
    for name in ("temperature", "top_p"):
        if name in params and params[name] != model["sampling"].get(name):
            raise invalid(f"{name}: only the default value is supported for this model")


def schema_problem(schema, *, path: str = "", counts: dict | None = None) -> str:
    """Why structured outputs would refuse `schema` ("" if it would not)."""
    root = counts is None
    counts = {"optional": 0, "union": 0} if root else counts
    if root:
        problem = _refs_problem(schema, schema)
        if problem:
            return problem
    problem = _node_problem(schema, path or "schema", counts)
    if problem:
        return problem
    if root and counts["optional"] > MAX_OPTIONAL_PROPERTIES:
        return (
            f"Schema has {counts['optional']} optional parameters, which exceeds the limit: "
            f"{MAX_OPTIONAL_PROPERTIES}"
        )
    if root and counts["union"] > MAX_UNION_PROPERTIES:
        return (
            f"Schemas contains too many parameters with union types ({counts['union']} parameters "
            f"with type arrays or anyOf) which exceeds the limit: {MAX_UNION_PROPERTIES}"
        )
    return ""


def _refs_problem(node, root: dict) -> str:
    """A `$ref` that does not resolve inside the schema, or that is recursive."""
    if isinstance(node, list):
        return next((p for p in (_refs_problem(n, root) for n in node) if p), "")
    if not isinstance(node, dict):
        return ""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return f"$ref {ref!r} does not resolve"
        if ref in json.dumps(target):
            return "Recursive schemas are not supported"
    return next((p for p in (_refs_problem(v, root) for v in node.values()) if p), "")


def _node_problem(node, path: str, counts: dict) -> str:
    if not isinstance(node, dict):
        return f"{path}: a schema must be an object"
    for keyword in node:
        if keyword in UNSUPPORTED_KEYWORDS:
            return f"{path}: '{keyword}' is not supported"
    ref = node.get("$ref")
    if ref is not None and not str(ref).startswith("#/"):
        return f"{path}: external $ref is not supported"
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    for name in kinds:
        if name not in SCHEMA_TYPES:
            return f"{path}: unknown type {name!r}"
    if "enum" in node:
        values = node["enum"]
        if not isinstance(values, list) or not values:
            return f"{path}: enum must be a non-empty list"
        if any(isinstance(v, dict | list) for v in values):
            return f"{path}: complex types within enums are not supported"
    if "minItems" in node and node["minItems"] not in (0, 1):
        return f"{path}: minItems values other than 0 or 1 are not supported"
    if "object" in kinds or "properties" in node:
        properties = node.get("properties", {})
        if not isinstance(properties, dict):
            return f"{path}.properties: must be an object"
        if node.get("additionalProperties") is not False:
            return f"{path}: additionalProperties must be set to false for objects"
        required = node.get("required", [])
        if not isinstance(required, list) or any(r not in properties for r in required):
            return f"{path}.required: names a property that is not defined"
        counts["optional"] += len(set(properties) - set(required))
        for name, child in properties.items():
            child_kind = child.get("type") if isinstance(child, dict) else None
            if isinstance(child_kind, list) or (isinstance(child, dict) and "anyOf" in child):
                counts["union"] += 1
            problem = _node_problem(child, f"{path}.properties.{name}", counts)
            if problem:
                return problem
    if "items" in node:
        problem = _node_problem(node["items"], f"{path}.items", counts)
        if problem:
            return problem
    for combinator in ("anyOf", "allOf"):
        for index, child in enumerate(node.get(combinator, [])):
            problem = _node_problem(child, f"{path}.{combinator}.{index}", counts)
            if problem:
                return problem
    for defs in ("$defs", "definitions"):
        for name, child in (node.get(defs) or {}).items():
            problem = _node_problem(child, f"{path}.{defs}.{name}", counts)
            if problem:
                return problem
    return ""


def model_info(model_id: str) -> dict:
    """The Models API's answer for one model (https://platform.claude.com/docs/en/api/models)."""
    model = MODELS[model_id]

    def support(value: bool) -> dict:
        return {"supported": bool(value)}

    return {
        "type": "model",
        "id": model_id,
        "display_name": model["display_name"],
        "created_at": model["created_at"],
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": model_id.split("-")[1],
        "max_tokens": model["max_tokens"],
        "max_input_tokens": model["max_input_tokens"],
        "capabilities": {
            "batch": support(model["batch"]),
            "citations": support(True),
            "code_execution": support(True),
            "context_management": {"supported": True},
            "effort": {
                "supported": True,
                **{level: support(level in model["efforts"]) for level in EFFORTS},
            },
            "image_input": support(True),
            "pdf_input": support(True),
            "server_tools": {"supported": True},
            "structured_outputs": support(model["structured_outputs"]),
            "thinking": {
                "supported": True,
                "types": {
                    kind: support(kind in model["thinking"])
                    for kind in ("adaptive", "between_tools", "disabled", "enabled")
                },
            },
        },
    }


class FakeAnthropic:
    def __init__(self, *, host="127.0.0.1", port=0, batch_seconds: float = 0.5):
        self.requests: list[dict] = []
        self.behaviours: deque[str] = deque()
        self.batch_create_behaviours: deque[str] = deque()
        self.timeout_seconds = 5.0
        self.batch_seconds = batch_seconds
        self.batches: dict[str, dict] = {}
        self.cached_prefixes: set[str] = set()
        # Tests may act in the middle of a request (e.g. delete a task while it is analysed).
        self.on_message = None
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), self._handler())
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    # --- Control --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeAnthropic":
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *behaviours: str) -> None:
        with self.lock:
            self.behaviours.extend(behaviours)

    def script_batch_create(self, *behaviours: str) -> None:
        with self.lock:
            self.batch_create_behaviours.extend(behaviours)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.behaviours.clear()
            self.batch_create_behaviours.clear()
            self.batches.clear()
            self.cached_prefixes.clear()
            self.on_message = None

    @property
    def message_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/v1/messages"]

    @property
    def refused_requests(self) -> list[dict]:
        return [r for r in self.requests if r.get("refused")]

    def _next_behaviour(self) -> str:
        with self.lock:
            return self.behaviours.popleft() if self.behaviours else "ok"

    # --- Answers --------------------------------------------------------------------------

    def usage_for(self, params: dict, answer_text: str) -> dict:
        blocks = _system_blocks(params)
        system_text = "".join(block.get("text", "") for block in blocks)
        marked = any(block.get("cache_control") for block in blocks)
        fmt = (params.get("output_config") or {}).get("format") or {}
        schema_tokens = count_tokens(json.dumps(fmt.get("schema") or {}, ensure_ascii=False))
        messages = params.get("messages") or []
        system_tokens = count_tokens(system_text)
        usage = {
            # a few tokens of framing per message, as the real count shows
            "input_tokens": system_tokens
            + count_tokens(_message_text(params))
            + 4 * len(messages)
            + schema_tokens,
            "output_tokens": count_tokens(answer_text),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
        model = MODELS.get(params.get("model"), {})
        if marked and system_tokens >= model.get("min_cacheable", 0):
            prefix = hashlib.sha256((params.get("model", "") + system_text).encode()).hexdigest()
            usage["input_tokens"] -= system_tokens
            with self.lock:
                seen = prefix in self.cached_prefixes
                self.cached_prefixes.add(prefix)
            usage["cache_read_input_tokens" if seen else "cache_creation_input_tokens"] = (
                system_tokens
            )
        return usage

    def answer_text(self, params: dict, behaviour: str) -> str:
        schema = ((params.get("output_config") or {}).get("format") or {}).get("schema") or {}
        names = item_names(schema)
        deep = "steps" in names
        results = {}
        for task in tasks_in(params):
            item = answer_item(task, deep)
            results[task["id"]] = {names.get(key, key): value for key, value in item.items()}
        keys = list(results)
        if behaviour == "partial":
            results = {key: results[key] for key in keys[::2]}
        if behaviour == "invalid" and keys:
            results[keys[0]][names.get("rating", "rating")] = "EXCELLENT"
        if behaviour == "off_band" and keys:
            results[keys[0]][names.get("rating", "rating")] = "HIGH"
            results[keys[0]][names.get("share", "share")] = 100
        if behaviour == "manual_high" and keys:
            results[keys[0]][names.get("rating", "rating")] = "HIGH"
            results[keys[0]][names.get("method", "method")] = "MANUAL"
            results[keys[0]][names.get("share", "share")] = 80
        if behaviour == "stray":
            results["t999"] = dict(next(iter(results.values()), {}))
        if behaviour == "dirty" and keys:
            field = names.get("suggestion", "suggestion")
            results[keys[0]][field] = "자동화\x00 가능\x07\x1b[31m 합니다"
        answer = results
        if (schema.get("properties", {}).get("results") or {}).get("type") == "array":
            # The schema asks for a list of items that carry their own id: answer that shape.
            answer = [{names.get("id", "id"): key, **item} for key, item in results.items()]
        text = json.dumps({"results": answer}, ensure_ascii=False)
        if behaviour == "malformed":
            return "죄송하지만 " + text[: len(text) // 2]
        if behaviour == "truncate" and keys:
            first = json.dumps({keys[0]: results[keys[0]]}, ensure_ascii=False)
            return text[: len('{"results": ') + len(first) + 12]
        return text

    def message_for(self, params: dict, behaviour: str = "ok") -> dict:
        text = self.answer_text(params, behaviour)
        stop_reason = "max_tokens" if behaviour == "truncate" else "end_turn"
        limit = params.get("max_tokens") or 0
        if count_tokens(text) > limit:
            text, stop_reason = _cut_to(text, limit), "max_tokens"
        content = [{"type": "text", "text": text}]
        stop_details = None
        if behaviour == "refusal":
            # https://platform.claude.com/docs/en/build-with-claude/refusals-and-fallback
            # #refusal-response: HTTP 200, no content, stop_details says why.
            text, content, stop_reason = "", [], "refusal"
            stop_details = {"type": "refusal", "category": None, "explanation": None}
        usage = self.usage_for(params, text)
        model = params.get("model", "claude-haiku-5-5")
        if behaviour == "dirty":
            model = model + "-" + "x" * 300
            usage["output_tokens"] = -5
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "stop_details": stop_details,
            "usage": usage,
        }

    # --- HTTP -----------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body, headers=None, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_{uuid.uuid4().hex[:16]}")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, kind: str, message: str, headers=None):
                body = {
                    "type": "error",
                    "error": {"type": kind, "message": message},
                    "request_id": f"req_{uuid.uuid4().hex[:16]}",
                }
                self._send(status, body, headers)

            def _read(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    return json.loads(raw or b"{}")
                except ValueError:
                    return None

            def _authenticated(self) -> bool:
                # https://platform.claude.com/docs/en/api/overview: a key (x-api-key, or the
                # bearer token SDK 2.x sends) and anthropic-version are required headers.
                bearer = (self.headers.get("authorization") or "").startswith("Bearer ")
                if not (self.headers.get("x-api-key") or bearer):
                    self._error(401, "authentication_error", "x-api-key header is required")
                    return False
                if not self.headers.get("anthropic-version"):
                    self._error(
                        400, "invalid_request_error", "anthropic-version header is required"
                    )
                    return False
                return True

            def do_POST(self):
                params = self._read()
                record = {"path": self.path, "method": "POST", "body": params, "at": time.time()}
                with fake.lock:
                    fake.requests.append(record)
                if not self._authenticated():
                    record["refused"] = "authentication"
                    return
                try:
                    if params is None:
                        raise invalid("The request body is not valid JSON")
                    if self.path == "/v1/messages/count_tokens":
                        check_message_params({"max_tokens": 1, **params})
                        usage = fake.usage_for(params, "")
                        total = usage["input_tokens"] + usage["cache_creation_input_tokens"]
                        self._send(200, {"input_tokens": total + usage["cache_read_input_tokens"]})
                    elif self.path == "/v1/messages":
                        self._messages(params, record)
                    elif self.path == "/v1/messages/batches":
                        self._create_batch(params, record)
                    else:
                        raise Refused(404, "not_found_error", f"no route {self.path}")
                except Refused as refused:
                    record["refused"] = refused.message
                    self._error(refused.status, refused.kind, refused.message)

            def do_GET(self):
                url = urlsplit(self.path)
                with fake.lock:
                    fake.requests.append({"path": url.path, "method": "GET", "at": time.time()})
                if not self._authenticated():
                    return
                match = re.fullmatch(r"/v1/models/([\w.-]+)", url.path)
                if match:
                    if match.group(1) not in MODELS:
                        self._error(404, "not_found_error", f"model: {match.group(1)}")
                    else:
                        self._send(200, model_info(match.group(1)))
                    return
                if url.path == "/v1/models":
                    data = [model_info(model_id) for model_id in MODELS]
                    self._send(200, _page(data))
                    return
                if url.path == "/v1/messages/batches":
                    self._send(200, fake._list_batches(parse_qs(url.query)))
                    return
                match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results)?", url.path)
                if not match or match.group(1) not in fake.batches:
                    self._error(404, "not_found_error", "no such batch")
                    return
                batch = fake._batch_view(match.group(1))
                if match.group(2):
                    if batch["processing_status"] != "ended":
                        self._error(400, "invalid_request_error", "batch still processing")
                        return
                    lines = fake._batch_results(match.group(1))
                    self._send(200, lines.encode(), content_type="application/binary")
                else:
                    self._send(200, batch)

            def _messages(self, params, record):
                check_message_params(params)
                behaviour = fake._next_behaviour()
                record["behaviour"] = behaviour
                if fake.on_message:
                    fake.on_message(params)
                if behaviour == "429":
                    self._error(
                        429,
                        "rate_limit_error",
                        "rate limited",
                        {"retry-after": "1", "retry-after-ms": "20"},
                    )
                elif behaviour == "500":
                    self._error(500, "api_error", "internal error")
                elif behaviour == "529":
                    self._error(529, "overloaded_error", "overloaded")
                else:
                    message = fake.message_for(params, behaviour)
                    # Billed when computed, whether or not the client is still there to read it.
                    record["usage"] = message["usage"]
                    if behaviour == "timeout":
                        time.sleep(fake.timeout_seconds)
                    try:
                        self._send(200, message)
                    except OSError:
                        record["unread"] = True  # the client had given up

            def _create_batch(self, params, record):
                requests = params.get("requests")
                # https://platform.claude.com/docs/en/api/messages/batches/create: 1 to 100,000
                # requests, each custom_id unique and matching ^[a-zA-Z0-9_-]{1,64}$.
                if not isinstance(requests, list) or not 1 <= len(requests) <= 100_000:
                    raise invalid("requests: must hold between 1 and 100000 items")
                seen = set()
                for index, request in enumerate(requests):
                    custom_id = request.get("custom_id") if isinstance(request, dict) else None
                    if not isinstance(custom_id, str) or not CUSTOM_ID.match(custom_id):
                        raise invalid(
                            f"requests.{index}.custom_id: String should match pattern "
                            "'^[a-zA-Z0-9_-]{1,64}$'"
                        )
                    if custom_id in seen:
                        raise invalid(
                            f"requests.{index}.custom_id: custom_id '{custom_id}' is not unique "
                            "within the batch"
                        )
                    seen.add(custom_id)
                    if not isinstance(request.get("params"), dict):
                        raise invalid(f"requests.{index}.params: Field required")
                batch = fake._new_batch(requests)
                with fake.lock:
                    behaviour = (
                        fake.batch_create_behaviours.popleft()
                        if fake.batch_create_behaviours
                        else "ok"
                    )
                record["behaviour"] = behaviour
                if behaviour == "timeout":
                    time.sleep(fake.timeout_seconds)  # the batch exists; the answer comes late
                try:
                    self._send(200, batch)
                except OSError:
                    record["unread"] = True

        return Handler

    # --- Batches --------------------------------------------------------------------------

    def _new_batch(self, requests: list[dict]) -> dict:
        batch_id = f"msgbatch_{uuid.uuid4().hex[:20]}"
        created = datetime.now(UTC)
        with self.lock:
            self.batches[batch_id] = {"requests": requests, "created": created}
        return self._batch_view(batch_id)

    def _list_batches(self, query: dict) -> dict:
        """Most recent first (https://platform.claude.com/docs/en/api/messages/batches/list)."""
        limit = int((query.get("limit") or ["20"])[0])
        if not 1 <= limit <= 1000:
            raise invalid("limit: must be between 1 and 1000")
        with self.lock:
            ids = sorted(self.batches, key=lambda b: self.batches[b]["created"], reverse=True)
        after = (query.get("after_id") or [None])[0]
        if after in ids:
            ids = ids[ids.index(after) + 1 :]
        data = [self._batch_view(batch_id) for batch_id in ids[:limit]]
        return _page(data, has_more=len(ids) > limit)

    def _batch_view(self, batch_id: str) -> dict:
        batch = self.batches[batch_id]
        created = batch["created"]
        ended = datetime.now(UTC) >= created + timedelta(seconds=self.batch_seconds)
        count = len(batch["requests"])
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": count if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": created.isoformat(),
            "expires_at": (created + timedelta(hours=24)).isoformat(),
            "ended_at": (created + timedelta(seconds=self.batch_seconds)).isoformat()
            if ended
            else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def _batch_results(self, batch_id: str) -> str:
        """The same lines every time they are fetched, as the real API keeps them."""
        batch = self.batches[batch_id]
        if "results" not in batch:
            batch["results"] = self._compute_results(batch)
        return batch["results"]

    def _compute_results(self, batch: dict) -> str:
        lines = []
        for request in batch["requests"]:
            try:
                check_message_params(request["params"])
            except Refused as refused:
                # A request the API refuses comes back as an errored line, not a failed batch.
                result = {
                    "type": "errored",
                    "error": {
                        "type": "error",
                        "error": {"type": refused.kind, "message": refused.message},
                    },
                }
            else:
                message = self.message_for(request["params"], self._next_behaviour())
                result = {"type": "succeeded", "message": message}
            lines.append(
                json.dumps(
                    {"custom_id": request["custom_id"], "result": result}, ensure_ascii=False
                )
            )
        return "\n".join(lines) + "\n"


def _page(data: list[dict], *, has_more: bool = False) -> dict:
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def _cut_to(text: str, limit: int) -> str:
    """The longest prefix of `text` that fits in `limit` tokens."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if count_tokens(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def main():
    parser = argparse.ArgumentParser(description="Run the strict fake Anthropic API on loopback.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = FakeAnthropic(port=args.port).start()
    print(f"fake Anthropic API at {server.url} (Ctrl+C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
