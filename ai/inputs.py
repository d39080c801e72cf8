"""A task as the analysis sees it, and the key that identifies the same question anywhere."""

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal


def _normalise(text: str) -> str:
    # Same words, same question: Unicode form and runs of white space do not matter.
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class TaskInput:
    task_id: int
    key: str  # the short id the model must echo back ("t1", "t2", …)
    domain: str
    title: str
    description: str
    frequency: str
    occurrences: int
    minutes: int
    hours: Decimal

    @classmethod
    def from_task(cls, task, key: str) -> "TaskInput":
        return cls(
            task_id=task.pk,
            key=key,
            domain=_normalise(task.domain.name),
            title=_normalise(task.title),
            description=_normalise(task.description),
            frequency=task.frequency,
            occurrences=task.occurrences_per_period,
            minutes=task.minutes_per_occurrence,
            hours=task.hours_per_month,
        )

    def input_hash(self) -> str:
        """Identifies the task's content, whoever wrote it and in which team."""
        payload = json.dumps(
            [
                self.domain,
                self.title,
                self.description,
                self.frequency,
                self.occurrences,
                self.minutes,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def cache_key(self, *, prompt_version: str, mode: str, model_id: str) -> str:
        return f"ai:result:{prompt_version}:{mode}:{model_id}:{self.input_hash()}"
