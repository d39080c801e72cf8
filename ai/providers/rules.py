"""The offline estimate: the task's factors read from its words, no network, no cost.

It answers when no API key is configured and when the AI budget is spent. Its results are
stored with source "rules" and always shown as "규칙 기반 추정 (AI 아님)", never as an AI
judgement. The factors and the rating bands are those the AI is asked to use (ai.rubric);
`manage.py evaluate_ai --provider rules` measures it against the expert-labelled set.
"""

from ai import factors, rubric
from ai.inputs import TaskInput
from ai.models import AIModel, Method, Mode, Rating
from ai.prompts import FIELDS
from ai.providers.base import Answer, Provider
from ai.validation import REASON_MAX

# What to do, per method: the reason (which quotes the task's words) says why.
HINTS = {
    Method.RPA: "정해진 화면에 값을 옮기는 단계는 RPA로 반복을 줄일 수 있습니다.",
    Method.SPREADSHEET: "원본을 한곳에 모아 수식·매크로로 집계하면 반복이 줄어듭니다.",
    Method.GENAI_DRAFT: "생성형 AI로 초안을 만들고 사람이 검토하면 작성 시간이 줄어듭니다.",
    Method.WORKFLOW: "요청·승인·알림을 워크플로 도구로 옮기면 확인과 안내가 자동화됩니다.",
    Method.INTEGRATION: "시스템 사이를 연동하면 옮겨 적는 단계가 없어집니다.",
    Method.OCR: "종이·스캔 문서를 OCR로 읽어 데이터로 바꾸면 옮겨 적기가 줄어듭니다.",
    Method.CHATBOT: "자주 묻는 질문은 챗봇·FAQ로 답하고 남는 문의만 사람이 맡습니다.",
    Method.BI: "지표를 BI 대시보드로 자동 갱신하면 보고서를 다시 만들 필요가 없습니다.",
    Method.EXISTING_FEATURE: "이미 쓰는 시스템의 기능을 켜면 수작업이 사라집니다.",
    Method.MANUAL: "일정·자료 준비와 기록만 도구로 돕고 핵심은 사람이 맡는 것이 좋습니다.",
}


def _short(reason: str) -> str:
    """The reason within the stored limit, cut between its parts rather than inside a word."""
    while len(reason) > REASON_MAX and "; " in reason:
        reason = reason.rsplit("; ", 1)[0] + "."
    return reason[:REASON_MAX]


def estimate(task: TaskInput, mode: str) -> dict:
    """One answer item, in the model's format (short keys), so one validation serves both."""
    guess = factors.estimate(task.title, task.description)
    # The card shows the reason (the words that decided) above the suggestion (what to do);
    # for 정보 부족 the suggestion is what to ask, as in the AI's answer.
    asked = guess.rating == Rating.NEEDS_INFO
    suggestion = guess.missing if asked else HINTS[Method(guess.method)]
    item = {
        "reason": _short(guess.reason),
        "factors": rubric.coded(guess.factors),
        "rating": str(guess.rating),
        "share": guess.share,
        "method": str(guess.method),
        "suggestion": suggestion,
        "ease": rubric.usual_ease(guess.method, guess.factors.get("risks") or ()),
    }
    if mode == Mode.DEEP:
        item.update(
            steps=["현재 절차를 단계별로 적기", "반복되는 단계 고르기", "작은 범위로 시험 적용"],
            tools=["스프레드시트", "업무 자동화 도구"],
            prerequisites=["입력 데이터 형식 통일"],
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
