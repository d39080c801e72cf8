from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ai.inputs import TaskInput

if TYPE_CHECKING:  # ai.models is imported by what imports this module
    from ai.models import AIModel


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.input_tokens
            or self.output_tokens
            or self.cache_write_tokens
            or self.cache_read_tokens
        )


@dataclass
class Answer:
    """What a provider said about some tasks: raw items by task key, unvalidated."""

    items: dict[str, dict]
    usage: Usage = field(default_factory=Usage)
    latency_ms: int = 0
    model_id: str = ""
    request_id: str = ""
    # "end_turn"; "max_tokens" (items holds what was complete before the cut); "refusal" (the
    # model declined: items is empty, the tasks were not judged).
    stop_reason: str = "end_turn"
    # Items under an id that was not asked about, or an id answered twice: counted, not used.
    stray_items: int = 0
    # Attempts the SDK sent that never got an answer (timed out, connection dropped) before
    # this answer came: the API may have billed them.
    unanswered: int = 0

    @property
    def refused(self) -> bool:
        return self.stop_reason == "refusal"


class ProviderError(Exception):
    """A call that produced no answer at all. `kind` picks the message the user sees."""

    def __init__(
        self, kind: str, detail: str = "", *, usage: Usage | None = None, unanswered: int = 0
    ):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.usage = usage or Usage()
        # Attempts sent that never got an answer: billed or not, nobody knows ("결과 불명").
        self.unanswered = unanswered


class Provider:
    name = ""
    is_ai = True

    def analyse(
        self,
        tasks: list[TaskInput],
        *,
        mode: str,
        model: "AIModel",
        per_task_tokens: int = 0,
    ) -> Answer:
        raise NotImplementedError

    def estimate(
        self,
        tasks: list[TaskInput],
        *,
        mode: str,
        model: "AIModel",
        per_task_tokens: int = 0,
    ) -> Decimal:
        """The worst-case cost in USD of analysing `tasks` in one call (0 if free)."""
        return Decimal("0")
