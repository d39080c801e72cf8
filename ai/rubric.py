"""The rubric every rating answers to: the task factors, the share band of each rating, and the
formula that turns factors into a rating and a share.

One definition serves everyone who rates: the AI prompt is written from it (`ai.prompts`), the
AI's answers are checked against it (`ai.validation`), the offline estimator reports its factors
in it (`ai.providers.rules`), and a lead who corrects one factor on a card gets the rating and
share our own code computes from it (`rate`), with the formula shown (`formula`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from ai.models import Ease, Method, Rating

# The share of today's time nobody has to spend once the suggested method is in use, by
# rating. Shares are multiples of 5 and never 100: review and exceptions stay with people.
BANDS: dict[str, tuple[int, int]] = {
    Rating.HIGH: (60, 90),
    Rating.MEDIUM: (25, 55),
    Rating.LOW: (0, 20),
    Rating.NEEDS_INFO: (0, 0),
}
SHARE_STEP = 5


@dataclass(frozen=True)
class Factor:
    key: str  # stored in TaskAnalysis.factors
    short: str  # the answer's property name (output tokens are most of the bill)
    label: str
    choices: dict[str, str]  # stored value → how a lead reads it
    codes: dict[str, str]  # the answer's one-letter code → stored value
    hint: str  # what the prompt says each code means


INPUT = Factor(
    "input",
    "i",
    "입력 자료",
    {"PAPER": "종이·수기", "FILE": "전산 파일", "SYSTEM": "시스템 화면", "UNKNOWN": "알 수 없음"},
    {"P": "PAPER", "F": "FILE", "S": "SYSTEM", "U": "UNKNOWN"},
    "P 종이·수기·팩스·스캔 / F 엑셀·CSV·PDF·메일 첨부 / S ERP·그룹웨어·웹 화면 / "
    "U 설명으로 알 수 없음",
)
WORK = Factor(
    "work",
    "w",
    "처리 방식",
    {
        "RULE": "정해진 규칙",
        "MIXED": "규칙 + 사람 검토",
        "JUDGEMENT": "판단·분석 중심",
        "PEOPLE": "현장·대면 중심",
    },
    {"R": "RULE", "M": "MIXED", "J": "JUDGEMENT", "H": "PEOPLE"},
    "R 순서와 규칙이 정해져 누가 해도 결과가 같음 / M 자료 준비는 규칙적이나 검토·판단이 "
    "남음 / J 결론을 내리는 판단·분석이 핵심 / H 현장 작업·대면·협의·관계가 핵심",
)
EXCEPTIONS = Factor(
    "exceptions",
    "x",
    "예외",
    {"FEW": "드묾", "MANY": "잦음"},
    {"F": "FEW", "M": "MANY"},
    "F 예외가 드묾 / M 건마다 달라 예외 처리가 잦음",
)
FACTORS = (INPUT, WORK, EXCEPTIONS)
BY_KEY = {factor.key: factor for factor in FACTORS}

# Risks that make a method harder to bring in (they lower ease, not the share).
RISKS = {
    "PERSONAL": "개인정보",
    "SECURE_SITE": "보안 모듈 사이트",
    "NETWORK": "망분리",
}


def band_of(rating: str) -> tuple[int, int]:
    return BANDS[rating]


def share_fits(rating: str, share: int) -> bool:
    low, high = BANDS[rating]
    return low <= share <= high


def round_share(share: int) -> int:
    return int(round(share / SHARE_STEP) * SHARE_STEP)


def rate(factors: Mapping[str, object]) -> tuple[str, int]:
    """The rating and share the factors give, by the rubric's formula (see `formula`)."""
    source, work, exceptions = (
        factors.get("input", "UNKNOWN"),
        factors.get("work", "MIXED"),
        factors.get("exceptions", "FEW"),
    )
    if source == "UNKNOWN":
        return Rating.NEEDS_INFO, 0
    if work in ("JUDGEMENT", "PEOPLE"):
        # The core stays with people; only preparation and records are helped.
        return Rating.LOW, 5 if source == "PAPER" else 10
    if work == "RULE" and exceptions == "FEW" and source != "PAPER":
        return Rating.HIGH, 80
    share = 50 if work == "RULE" else 40
    if source == "PAPER":
        share -= 10  # paper must first become data
    if exceptions == "MANY":
        share -= 10  # each exception goes back to a person
    return Rating.MEDIUM, max(share, BANDS[Rating.MEDIUM][0])


FORMULA = (
    "입력 자료를 알 수 없으면 정보 부족 · 판단·분석이나 현장·대면 중심이면 낮음 10% (종이면 5%) · "
    "정해진 규칙에 예외가 드물고 전산 자료면 높음 80% · 그 밖에는 보통: 규칙 50% / 규칙+검토 "
    "40%에서 종이 −10%p, 예외 잦음 −10%p (최소 25%)"
)


def formula(factors: Mapping[str, object]) -> str:
    """The factors as a lead reads them, and what they give: "입력 자료 종이·수기 · 처리 방식
    정해진 규칙 · 예외 드묾 → 보통 40%"."""
    rating, share = rate(factors)
    shown = " · ".join(
        f"{factor.label} {factor.choices.get(str(factors.get(factor.key, '')), '—')}"
        for factor in FACTORS
    )
    return f"{shown} → {Rating(rating).label} {share}%"


def coded(factors: Mapping[str, object]) -> dict[str, object]:
    """Stored factors as the answer writes them: {"i": "S", "w": "R", "x": "F", "k": [...]}."""
    answer: dict[str, object] = {
        factor.short: {v: c for c, v in factor.codes.items()}[str(factors[factor.key])]
        for factor in FACTORS
    }
    risks = factors.get("risks")
    answer["k"] = list(risks) if isinstance(risks, list) else []
    return answer


def clean_factors(value: object) -> dict[str, object] | None:
    """The stored form of an answer's factors (one-letter codes under short keys, or stored
    values under long ones), or None if any is missing or not one of its choices."""
    if not isinstance(value, dict):
        return None
    cleaned: dict[str, object] = {}
    for factor in FACTORS:
        if factor.short in value:  # the answer's one-letter code
            chosen = factor.codes.get(value[factor.short])
        else:
            chosen = value.get(factor.key)
        if chosen not in factor.choices:
            return None
        cleaned[factor.key] = chosen
    risks = value.get("k", value.get("risks", []))
    if not isinstance(risks, list) or any(risk not in RISKS for risk in risks):
        return None
    cleaned["risks"] = sorted(set(risks))
    return cleaned


@dataclass(frozen=True)
class Chip:
    key: str  # a factor's key, or "risk"
    label: str
    value: str
    shown: str
    options: tuple[tuple[str, str], ...] = ()  # the other values a lead may pick instead


def chips(factors: Mapping[str, object] | None) -> list[Chip]:
    """The factors as the card's chips, risks last."""
    if not factors:
        return []
    found = []
    for factor in FACTORS:
        value = factors.get(factor.key)
        if isinstance(value, str) and value in factor.choices:
            others = tuple((v, shown) for v, shown in factor.choices.items() if v != value)
            found.append(Chip(factor.key, factor.label, value, factor.choices[value], others))
    risks = factors.get("risks")
    for risk in risks if isinstance(risks, list) else []:
        if risk in RISKS:
            found.append(Chip("risk", "주의", risk, RISKS[risk]))
    return found


# Methods for Korean workplaces, as the prompt offers them, with the ease each usually has
# (lowered one step by any risk).
METHOD_HINTS = {
    Method.SPREADSHEET: "엑셀·구글 시트 수식/피벗/매크로로 집계·정리",
    Method.RPA: "같은 화면에 반복 입력·옮겨 적기를 RPA로",
    Method.OCR: "종이·스캔·PDF 문서를 OCR(문서 인식)로 읽어 데이터로",
    Method.WORKFLOW: "요청·승인·알림을 워크플로·전자결재로",
    Method.INTEGRATION: "두 시스템 사이의 자료를 연동(API)으로",
    Method.GENAI_DRAFT: "문서·메일·회의록 초안을 생성형 AI로, 사람은 검토",
    Method.CHATBOT: "같은 문의에 대한 답을 챗봇·FAQ로",
    Method.BI: "여러 자료의 현황·지표를 BI 대시보드로 자동 갱신",
    Method.EXISTING_FEATURE: "이미 쓰는 시스템에 있는 기능(자동 알림·일괄 처리 등)으로",
    Method.MANUAL: "판단·관계·현장이 핵심이라 사람이 하고 준비·기록만 도구로",
}
USUAL_EASE = {
    Method.SPREADSHEET: Ease.EASY,
    Method.GENAI_DRAFT: Ease.EASY,
    Method.EXISTING_FEATURE: Ease.EASY,
    Method.CHATBOT: Ease.MEDIUM,
    Method.WORKFLOW: Ease.MEDIUM,
    Method.RPA: Ease.MEDIUM,
    Method.OCR: Ease.MEDIUM,
    Method.BI: Ease.MEDIUM,
    Method.INTEGRATION: Ease.HARD,
    Method.MANUAL: Ease.HARD,
}
EASE_ORDER = [Ease.EASY, Ease.MEDIUM, Ease.HARD]


def usual_ease(method: str, risks: object = ()) -> str:
    """The ease a method usually has, one step harder with any risk flagged."""
    ease = USUAL_EASE.get(Method(method), Ease.MEDIUM)
    if risks:
        ease = EASE_ORDER[min(EASE_ORDER.index(ease) + 1, len(EASE_ORDER) - 1)]
    return str(ease)


def method_for(factors: Mapping[str, object], current: str = "") -> str:
    """A method that fits the factors: the current one if it still does, else what the input
    suggests (a person's correction must not leave '수작업 유지' under a 높음)."""
    rating, _share = rate(factors)
    if rating == Rating.LOW:
        return Method.MANUAL
    if current and current != Method.MANUAL:
        return current
    return {"PAPER": Method.OCR, "FILE": Method.SPREADSHEET}.get(
        str(factors.get("input")), Method.RPA
    )
