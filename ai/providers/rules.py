"""The offline estimate: keyword rules, no network, no cost.

It answers when no API key is configured and when the AI budget is spent. Its results are
stored with source "rules" and always shown as "규칙 기반 추정", never as an AI judgement.
"""

from ai.inputs import TaskInput
from ai.models import AIModel, Ease, Method, Mode, Rating
from ai.prompts import FIELDS
from ai.providers.base import Answer, Provider

# (keywords, method, rating, share, suggestion); the first rule that matches wins.
RULES = [
    (
        ("면접", "상담", "협상", "코칭", "평가 면담", "조율 회의", "네트워킹", "현장 점검"),
        Method.MANUAL,
        Rating.LOW,
        10,
        "사람의 판단과 대화가 핵심이라 일정·자료 준비만 도구로 돕는 것이 좋습니다.",
    ),
    (
        ("입력", "옮겨", "등록", "붙여 넣", "붙여넣", "복사", "대사", "다운로드", "내려받"),
        Method.RPA,
        Rating.HIGH,
        70,
        "정해진 화면에 같은 값을 옮기는 일이라 RPA로 반복 입력을 줄일 수 있습니다.",
    ),
    (
        ("집계", "취합", "합치", "피벗", "엑셀", "보고서", "현황", "실적"),
        Method.SPREADSHEET,
        Rating.HIGH,
        60,
        "원본 데이터를 한곳에 모아 수식·매크로로 집계하면 반복 작업이 줄어듭니다.",
    ),
    (
        ("메일", "공지", "안내", "초안", "답장", "회의록", "번역", "요약"),
        Method.GENAI_DRAFT,
        Rating.MEDIUM,
        40,
        "생성형 AI로 초안을 만들고 사람이 검토하면 작성 시간이 줄어듭니다.",
    ),
    (
        ("승인", "결재", "요청", "신청", "알림", "일정", "예약"),
        Method.WORKFLOW,
        Rating.MEDIUM,
        40,
        "요청·승인 흐름을 워크플로 도구로 옮기면 확인과 알림이 자동화됩니다.",
    ),
    (
        ("ERP", "CRM", "시스템", "연동", "홈택스", "인터넷뱅킹", "LMS"),
        Method.INTEGRATION,
        Rating.MEDIUM,
        35,
        "시스템 간 데이터를 연동하면 수작업으로 옮기는 단계를 없앨 수 있습니다.",
    ),
]

# Below this much description the rules cannot tell what the work is.
MIN_DESCRIPTION = 12


def estimate(task: TaskInput, mode: str) -> dict:
    text = f"{task.title} {task.description}"
    if len(task.description) < MIN_DESCRIPTION:
        item = {
            "rating": Rating.NEEDS_INFO.value,
            "method": Method.MANUAL.value,
            "suggestion": "업무 설명이 짧아 판단하기 어렵습니다.",
            "share": 0,
            "missing": "어떤 자료를, 어떤 도구로, 어떤 순서로 처리하는지 설명에 적어 주세요.",
        }
    else:
        item = {
            "rating": Rating.LOW.value,
            "method": Method.MANUAL.value,
            "suggestion": "반복되는 부분을 더 자세히 적으면 자동화 방법을 찾기 쉽습니다.",
            "share": 10,
            "missing": "",
        }
        for keywords, method, rating, share, suggestion in RULES:
            if any(keyword.lower() in text.lower() for keyword in keywords):
                item = {
                    "rating": rating.value,
                    "method": method.value,
                    "suggestion": suggestion,
                    "share": share,
                    "missing": "",
                }
                break
    if mode == Mode.DEEP:
        item.update(
            steps=["현재 절차를 단계별로 적기", "반복되는 단계 고르기", "작은 범위로 시험 적용"],
            tools=["스프레드시트", "업무 자동화 도구"],
            prerequisites=["입력 데이터 형식 통일"],
            ease=Ease.MEDIUM.value,
        )
    # Answer in the model's format, so one validation serves both.
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
