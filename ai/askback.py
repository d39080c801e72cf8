"""Asking back instead of guessing: a task that could not be judged (정보 부족) gets one
question at a time, with a few answers to tap. The answer is added to the task's description
as a structured line ("입력 자료: 엑셀"), so the person and the next analysis both read it, and
the task is analysed again (`ai.requests.task_answer_question`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    label: str  # what the answer line starts with: "입력 자료: 엑셀"
    options: tuple[str, ...]

    def line(self, option: str) -> str:
        return f"{self.label}: {option}"

    def answered_in(self, description: str) -> bool:
        return any(line.strip().startswith(f"{self.label}:") for line in description.splitlines())


# The three things an analysis needs to know of a task: what comes in, what is done with it,
# what goes out. Asked in this order, one at a time.
QUESTIONS = (
    Question(
        "input", "입력 자료는 무엇인가요?", "입력 자료", ("종이", "PDF·스캔", "엑셀", "시스템 화면")
    ),
    Question(
        "work",
        "주로 하는 일은 무엇인가요?",
        "하는 일",
        ("옮겨 적기·입력", "집계·정리", "문서·메일 작성", "판단·협의"),
    ),
    Question(
        "output",
        "결과물은 무엇인가요?",
        "결과물",
        ("보고서·문서", "시스템 등록", "메일·메시지", "결정·승인"),
    ),
)
BY_KEY = {question.key: question for question in QUESTIONS}


def next_question(description: str) -> Question | None:
    """The first question the description does not answer yet; None when all are."""
    return next((q for q in QUESTIONS if not q.answered_in(description)), None)


def with_answer(description: str, question: Question, option: str) -> str:
    """The description with the answer's line added at the end."""
    return "\n".join(part for part in (description.rstrip(), question.line(option)) if part)
