from dataclasses import dataclass, field

from ai.inputs import TaskInput


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0


@dataclass
class Answer:
    """What a provider said about some tasks: raw items by task key, unvalidated."""

    items: dict[str, dict]
    usage: Usage = field(default_factory=Usage)
    latency_ms: int = 0
    model_id: str = ""
    request_id: str = ""


class ProviderError(Exception):
    """A call that produced no answer at all. `kind` picks the message the user sees."""

    def __init__(self, kind: str, detail: str = "", *, usage: Usage | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.usage = usage or Usage()


class Provider:
    name = ""
    is_ai = True

    def analyse(self, tasks: list[TaskInput], *, mode: str, model) -> Answer:
        raise NotImplementedError

    def estimate(self, tasks: list[TaskInput], *, mode: str, model, per_task_tokens: int = 0):
        """The worst-case cost in USD of analysing `tasks` in one call (0 if free)."""
        return 0
