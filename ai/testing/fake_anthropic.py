"""A fake Anthropic API on loopback, for tests and benchmarks. The real SDK talks to it.

It speaks the Messages endpoint (answering the JSON schema it is given, from the tasks in the
request), count-tokens, and Message Batches (create, retrieve, results). Usage figures are
derived from text sizes at CHARS_PER_TOKEN characters per token, an assumption close to
current Claude tokenizers on mixed Korean text. Prompt caching is honoured for a system block
marked `cache_control` that is at least MIN_CACHEABLE tokens long: the first request writes the
cache, later ones read it.

Every request is recorded (`server.requests`). Behaviours can be scripted for the next
Messages requests, one per request, including the SDK's own retries:

    server.script("429", "ok")        # a rate limit (with retry-after), then an answer
    server.script("500", "529")       # server error, overloaded
    server.script("timeout")          # answers only after `timeout_seconds`
    server.script("malformed")        # text that is not JSON
    server.script("partial")          # every other task missing from the answer
    server.script("invalid")          # an answer with a rating that does not exist

    python -m ai.testing.fake_anthropic --port 8765   # run it by hand
"""

import argparse
import hashlib
import json
import math
import re
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHARS_PER_TOKEN = 2.0
MIN_CACHEABLE = 1024

METHODS = ["RPA", "SPREADSHEET", "GENAI_DRAFT", "WORKFLOW", "INTEGRATION", "MANUAL"]
SUGGESTIONS = {
    "RPA": "반복 입력을 RPA 봇에 맡기고 예외만 사람이 확인하세요.",
    "SPREADSHEET": "원본을 한 시트로 모아 수식과 피벗으로 자동 집계하세요.",
    "GENAI_DRAFT": "생성형 AI로 초안을 만들고 담당자가 검토만 하세요.",
    "WORKFLOW": "요청과 승인을 워크플로 도구로 옮겨 알림을 자동화하세요.",
    "INTEGRATION": "두 시스템을 API로 연동해 옮겨 적는 단계를 없애세요.",
    "MANUAL": "판단이 핵심이라 자료 준비만 자동화하고 본 업무는 유지하세요.",
}


def tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def answer_item(task: dict, deep: bool) -> dict:
    """A plausible, deterministic judgement of one task line from the request."""
    description = task.get("설명", "")
    seed = _stable(task.get("업무", "") + description)
    if len(description) < 8:
        item = {
            "id": task["id"],
            "rating": "NEEDS_INFO",
            "method": "MANUAL",
            "suggestion": "설명이 짧아 자동화 가능성을 판단하기 어렵습니다.",
            "share": 0,
            "missing": "사용하는 도구와 처리 순서를 설명에 적어 주세요.",
        }
    else:
        method = METHODS[seed % len(METHODS)]
        rating = "LOW" if method == "MANUAL" else ["HIGH", "MEDIUM", "HIGH", "LOW"][seed % 4]
        share = {"HIGH": 60 + seed % 30, "MEDIUM": 30 + seed % 20, "LOW": 5 + seed % 15}[rating]
        item = {
            "id": task["id"],
            "rating": rating,
            "method": method,
            "suggestion": SUGGESTIONS[method],
            "share": share,
            "missing": "",
        }
    if deep:
        item.update(
            steps=["현재 절차와 예외 정리", "자동화 범위 정하기", "시범 적용 후 확대"],
            tools=["Power Automate", "Google Sheets"],
            prerequisites=["입력 양식 통일", "담당자 권한 확인"],
            ease=["EASY", "MEDIUM", "HARD"][seed % 3],
        )
    return item


def item_names(schema: dict) -> dict[str, str]:
    """Map our canonical field names to the answer's property names.

    Each property of the item schema says what it is in its `description` (its first word);
    a property without one is taken at its own name.
    """
    try:
        properties = schema["properties"]["results"]["items"]["properties"]
    except (KeyError, TypeError):
        return {}
    return {
        (spec.get("description") or name).split()[0].rstrip(":"): name
        for name, spec in properties.items()
    }


def tasks_in(params: dict) -> list[dict]:
    content = params["messages"][0]["content"]
    if isinstance(content, list):
        content = "".join(block.get("text", "") for block in content)
    tasks = []
    for line in content.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                tasks.append(json.loads(line))
            except ValueError:
                continue
    return tasks


class FakeAnthropic:
    def __init__(self, *, host="127.0.0.1", port=0, batch_seconds: float = 0.5):
        self.requests: list[dict] = []
        self.behaviours: deque[str] = deque()
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

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.behaviours.clear()
            self.batches.clear()
            self.cached_prefixes.clear()
            self.on_message = None

    @property
    def message_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/v1/messages"]

    def _next_behaviour(self) -> str:
        with self.lock:
            return self.behaviours.popleft() if self.behaviours else "ok"

    # --- Answers --------------------------------------------------------------------------

    def usage_for(self, params: dict, answer_text: str) -> dict:
        system = params.get("system") or []
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        system_text = "".join(block.get("text", "") for block in system)
        marked = any(block.get("cache_control") for block in system)
        other = json.dumps(params.get("messages"), ensure_ascii=False) + json.dumps(
            params.get("output_config") or {}, ensure_ascii=False
        )
        system_tokens = tokens(system_text)
        usage = {
            "input_tokens": tokens(other) + system_tokens,
            "output_tokens": tokens(answer_text),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
        if marked and system_tokens >= MIN_CACHEABLE:
            prefix = hashlib.sha256(system_text.encode()).hexdigest()
            usage["input_tokens"] -= system_tokens
            with self.lock:
                seen = prefix in self.cached_prefixes
                self.cached_prefixes.add(prefix)
            usage["cache_read_input_tokens" if seen else "cache_creation_input_tokens"] = (
                system_tokens
            )
        return usage

    def message_for(self, params: dict, behaviour: str = "ok") -> dict:
        schema = ((params.get("output_config") or {}).get("format") or {}).get("schema") or {}
        names = item_names(schema)
        deep = "steps" in names
        items = [
            {names.get(key, key): value for key, value in answer_item(task, deep).items()}
            for task in tasks_in(params)
        ]
        if behaviour == "partial":
            items = items[::2]
        if behaviour == "invalid" and items:
            items[0][names.get("rating", "rating")] = "EXCELLENT"
        text = json.dumps({"results": items}, ensure_ascii=False)
        if behaviour == "malformed":
            text = text[: len(text) // 2]
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": params.get("model", "claude-haiku-5-5"),
            "content": [{"type": "text", "text": text}],
            "stop_reason": "max_tokens" if behaviour == "malformed" else "end_turn",
            "stop_sequence": None,
            "usage": self.usage_for(params, text),
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
                body = {"type": "error", "error": {"type": kind, "message": message}}
                self._send(status, body, headers)

            def _read(self) -> dict:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                return json.loads(raw or b"{}")

            def do_POST(self):
                params = self._read()
                record = {"path": self.path, "method": "POST", "body": params, "at": time.time()}
                with fake.lock:
                    fake.requests.append(record)
                if self.path == "/v1/messages/count_tokens":
                    usage = fake.usage_for(params, "")
                    self._send(200, {"input_tokens": usage["input_tokens"]})
                elif self.path == "/v1/messages":
                    self._messages(params, record)
                elif self.path == "/v1/messages/batches":
                    self._send(200, fake._create_batch(params["requests"]))
                else:
                    self._error(404, "not_found_error", f"no route {self.path}")

            def do_GET(self):
                with fake.lock:
                    fake.requests.append({"path": self.path, "method": "GET", "at": time.time()})
                match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results)?", self.path)
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
                    if behaviour == "timeout":
                        time.sleep(fake.timeout_seconds)
                    message = fake.message_for(params, behaviour)
                    record["usage"] = message["usage"]
                    self._send(200, message)

        return Handler

    # --- Batches --------------------------------------------------------------------------

    def _create_batch(self, requests: list[dict]) -> dict:
        batch_id = f"msgbatch_{uuid.uuid4().hex[:20]}"
        created = datetime.now(UTC)
        with self.lock:
            self.batches[batch_id] = {"requests": requests, "created": created}
        return self._batch_view(batch_id)

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
        lines = []
        for request in self.batches[batch_id]["requests"]:
            message = self.message_for(request["params"], self._next_behaviour())
            lines.append(
                json.dumps(
                    {
                        "custom_id": request["custom_id"],
                        "result": {"type": "succeeded", "message": message},
                    },
                    ensure_ascii=False,
                )
            )
        return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Run the fake Anthropic API on loopback.")
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
