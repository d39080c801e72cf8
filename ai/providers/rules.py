"""The offline estimate: the task's factors read from its words, no network, no cost.

It answers when no API key is configured and when the AI budget is spent. Its results are
stored with source "rules" and always shown as "규칙 기반 추정 (AI 아님)", never as an AI
judgement. The factors and the rating bands are those the AI is asked to use (ai/factors.py);
`manage.py evaluate_ai --provider rules` measures it against the expert-labelled set.
"""

from ai import factors
from ai.inputs import TaskInput
from ai.models import AIModel, Ease, Method, Mode, Rating
from ai.prompts import FIELDS
from ai.providers.base import Answer, Provider

# What to do, per method: the reason (which quotes the task's words) says why.
HINTS = {
    Method.RPA: "정해진 화면에 값을 옮기는 단계는 RPA로 반복을 줄일 수 있습니다.",
    Method.SPREADSHEET: "원본을 한곳에 모아 수식·매크로로 집계하면 반복이 줄어듭니다.",
    Method.GENAI_DRAFT: "생성형 AI로 초안을 만들고 사람이 검토하면 작성 시간이 줄어듭니다.",
    Method.WORKFLOW: "요청·승인·알림을 워크플로 도구로 옮기면 확인과 안내가 자동화됩니다.",
    Method.INTEGRATION: "시스템에 있는 기능이나 연동을 쓰면 옮겨 적는 단계가 없어집니다.",
    Method.MANUAL: "일정·자료 준비와 기록만 도구로 돕고 핵심은 사람이 맡는 것이 좋습니다.",
}

EASE = {
    Method.SPREADSHEET: Ease.EASY,
    Method.GENAI_DRAFT: Ease.EASY,
    Method.WORKFLOW: Ease.MEDIUM,
    Method.RPA: Ease.MEDIUM,
    Method.INTEGRATION: Ease.HARD,
    Method.MANUAL: Ease.HARD,
}


def estimate(task: TaskInput, mode: str) -> dict:
    """One answer item, in the model's format (short keys), so one validation serves both."""
    guess = factors.estimate(task.title, task.description)
    if guess.rating == Rating.NEEDS_INFO:
        suggestion = guess.reason
    else:
        suggestion = f"{guess.reason} {HINTS[Method(guess.method)]}"
    item = {
        "rating": str(guess.rating),
        "method": str(guess.method),
        "suggestion": suggestion,
        "share": guess.share,
        "missing": guess.missing,
    }
    if mode == Mode.DEEP:
        item.update(
            steps=["현재 절차를 단계별로 적기", "반복되는 단계 고르기", "작은 범위로 시험 적용"],
            tools=["스프레드시트", "업무 자동화 도구"],
            prerequisites=["입력 데이터 형식 통일"],
            ease=str(EASE[Method(guess.method)]),
        )
    answer = {FIELDS[name]: value for name, value in item.items()}
    answer["id"] = task.key
    return answer


class RuleProvider(Provider):
    name = "rules"
    is_ai = False

    def analyse(
        self,
        tasks: list[TaskInput],
        *,
        mode: str,
        model: AIModel | None = None,
        per_task_tokens: int = 0,
    ) -> Answer:
        return Answer(items={task.key: estimate(task, mode) for task in tasks}, model_id="")
