"""The factors of a task that decide how much of it can be automated, read from its own words.

The offline estimator (`ai.providers.rules`) rates a task from these factors; the rating bands
are the ones the AI is asked to use (`BANDS`), so the two answer the same question:

- **rule-based digital steps**: downloading, copying into a form, aggregating, matching two
  lists, looking up, sending the same message — work a tool can repeat;
- **human work**: on-site (a walk, a count, a visit, a repair), relationship (negotiating,
  coaching, interviews, calming an angry customer) and judgement (strategy, analysis whose
  point is the conclusion, approving case by case);
- **input**: paper or a scan, a fax, versus a file or a system screen;
- **friction**: sites behind a security module (홈택스, 인터넷뱅킹, 공동인증서), which make a
  robot brittle; an existing system feature nobody uses, which makes it easy.

Words are found by Korean morphology (kiwipiepy): each evidence word must appear as a noun or
verb stem of the text, and a stem inside a negation ("엑셀을 쓰지 않고", "시스템 없이") counts
against it instead of for it. Title and description are read together.
"""

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ai import askback, rubric
from ai.models import Method, Rating

# The share bands tied to each rating (percent of today's time nobody has to spend), the same
# the AI prompt uses (ai.rubric).
BANDS = rubric.BANDS

# Evidence words by factor. A word matches a run of the text's stems (nouns, verb and adjective
# stems, foreign words), so "입력함", "입력한다" and "입력해" all show "입력".
DIGITAL_STEPS = {
    "입력": 2,
    "옮기": 2,
    "옮겨 적": 3,
    "내려받": 2,
    "다운로드": 2,
    "붙이 넣": 2,
    "붙여넣": 2,
    "복사": 2,
    "집계": 2,
    "취합": 2,
    "합치": 2,
    "피벗": 2,
    "대조": 2,
    "대사": 1,
    "매칭": 2,
    "조회": 1,
    "검색": 1,
    "양식": 2,
    "발송": 1,
    "배포": 1,
    "업로드": 2,
    "갱신": 2,
    "정리": 1,
    "기록": 1,
    "통계": 2,
    "그래프": 1,
    "차트": 1,
    "표": 1,
    "계산": 1,
    "추첨": 2,
    "템플릿": 2,
    "FAQ": 2,
    "초기화": 2,
    "계정": 1,
    "예약": 1,
    "발급": 2,
    "송장": 2,
    "독려": 1,
    "공유": 1,
    "점검표": 1,
    "확인": 0,
    "모으": 1,
    "안내": 1,
    "문자": 1,
    "반복": 2,
    "같": 1,
    "하나씩": 1,
    "한 건씩": 2,
    "건별": 1,
    "수동": 1,
    "다시 입력": 2,
    "매번": 1,
    "요약": 1,
    "녹음": 1,
    "회의록": 2,
    "만족도": 1,
    "접속": 1,
    "분류": 2,
    "받": 1,
    "보내": 1,
    "만들": 1,
    "표시": 1,
    "색": 1,
    "주문": 1,
    "삭제": 1,
    "생성": 1,
    "회신": 1,
    "문의": 1,
    "응대": 1,
    "답장": 1,
    "일정": 1,
    "모니터링": 1,
    "수집": 1,
    "키워드": 1,
    "쿠폰": 1,
    "중복": 1,
    "명세서": 1,
    "발주서": 1,
    "전표": 1,
    "대장": 1,
    "목록": 1,
    "점검": 0,
    "맞추": 1,
}
# Named tools and files: the input is digital already (a robot or a formula can read it).
DIGITAL_TOOLS = {
    "엑셀": 2,
    "CSV": 2,
    "ERP": 1,
    "CRM": 1,
    "MES": 1,
    "WMS": 1,
    "SAP": 1,
    "PDF": 1,
    "메일": 1,
    "그룹웨어": 1,
    "시스템": 1,
    "사이트": 1,
    "쇼핑몰": 1,
    "LMS": 1,
    "DB": 1,
    "콘솔": 1,
    "메신저": 1,
    "파일": 1,
    "게시판": 1,
    "관리자 화면": 1,
    "엑셀 양식": 1,
    "MRP": 1,
    "더존": 1,
    "시트": 1,
    "PPT": 1,
    "워드": 1,
    "HWP": 1,
    "카카오톡": 1,
}
ON_SITE = {
    "방문": 3,
    "현장": 3,
    "순회": 3,
    "실사": 3,
    "직접 세": 3,
    "하역": 4,
    "적치": 4,
    "지게차": 4,
    "출동": 3,
    "교체": 2,
    "시연": 3,
    "부스": 3,
    "입회": 3,
    "격리": 2,
    "설치": 2,
    "라인": 1,
    "창고": 2,
    "시료": 3,
    "실험": 3,
    "가르치": 3,
    "OJT": 3,
    "상품 열": 3,
    "직접 확인": 3,
    "금고": 2,
    "세어": 2,
    "날인": 1,
    "가져가": 2,
    "돌": 1,
    "우편물": 2,
    "택배 분류": 2,
}
RELATIONSHIP = {
    "협상": 4,
    "협의": 3,
    "면담": 4,
    "코칭": 4,
    "조정": 2,
    "조율": 1,
    "관계": 3,
    "설득": 3,
    "면접 진행": 4,
    "인터뷰": 3,
    "화가 나": 3,
    "사과": 3,
    "보상": 2,
    "섭외": 3,
    "피드백": 3,
    "역할극": 3,
    "이견": 3,
    "리뷰": 2,
    "상담": 1,
    "전화": 1,
    "독촉": 1,
    "소개": 2,
}
JUDGEMENT = {
    "전략": 3,
    "기획": 3,
    "포지셔닝": 3,
    "분석": 2,
    "원인": 2,
    "판단": 2,
    "결정": 2,
    "의사결정": 3,
    "타당성": 3,
    "심사": 3,
    "신용": 2,
    "여신": 2,
    "검토": 1,
    "해석": 3,
    "시사점": 2,
    "우선순위": 2,
    "가정": 2,
    "요구사항": 2,
    "개선안": 2,
    "방향": 2,
    "논리": 2,
    "쟁점": 3,
    "판정": 1,
    "승인 여부": 2,
    "책임 비율": 2,
    "회피": 2,
    "문구": 2,
    "디자인": 2,
    "새로": 2,
    "제안 전략": 3,
    "결산": 1,
    "조항": 1,
    "이슈": 1,
    "코멘트": 1,
    "청구항": 2,
    "재판매 가능": 2,
    "본인 여부": 1,
    "개인정보 포함": 1,
    "계획": 1,
    "배정": 1,
}
PAPER = {"종이": 2, "수기": 2, "손": 1, "팩스": 2, "스캔": 1, "영수증": 1, "서명": 1}
SECURE_SITE = {
    "홈택스": 2,
    "인터넷뱅킹": 2,
    "공동인증서": 2,
    "인증서": 1,
    "OTP": 2,
    "보안 모듈": 2,
    "EDI": 1,
}
EXISTING_FEATURE = ("기능 있", "기능이 있")
GENERIC = {
    "업무",
    "처리",
    "관련",
    "지원",
    "관리",
    "진행",
    "기타",
    "요청",
    "대응",
    "자료",
    "팀",
    "건",
    "하",
    "되",
    "있",
    "등",
    "것",
    "들",
    "부서",
}

FACTORS = {
    "digital": DIGITAL_STEPS,
    "tools": DIGITAL_TOOLS,
    "on_site": ON_SITE,
    "relationship": RELATIONSHIP,
    "judgement": JUDGEMENT,
    "paper": PAPER,
    "secure_site": SECURE_SITE,
}
FACTOR_LABELS = {
    "digital": "규칙적인 전산 작업",
    "tools": "전산 자료·시스템",
    "on_site": "현장·실물 작업",
    "relationship": "사람 간 협의·관계",
    "judgement": "판단·분석",
    "paper": "종이·수기 입력",
    "secure_site": "보안 모듈 사이트",
}

_STEM_TAGS = ("NN", "VV", "VA", "XR", "SL", "SH", "SN", "MAG")
_NEGATORS = {"않", "없", "말", "못"}


@dataclass
class Factors:
    """What the words of one task show, with the words that showed it."""

    scores: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    negated: list[str] = field(default_factory=list)
    content_words: int = 0
    existing_feature: str = ""  # the words that said so ("기능이 있"), if any

    def score(self, name: str) -> int:
        return self.scores.get(name, 0)

    @property
    def human(self) -> int:
        return self.score("on_site") + self.score("relationship") + self.score("judgement")


_lock = threading.Lock()
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    """The analyser, loaded once per process on first use (about 1.5 s and 300 MB of memory:
    the worker, which runs the estimator, and a web process once it groups common work for an
    instructor's summary or export, ai.grouping). Without the typo and multi-word
    dictionaries: task text is typed, not dictated, and they cost 200 MB more. None if it
    cannot be loaded: the estimate then reads plain words (no stems, no negation) rather than
    failing a run, and says so in the log once."""
    try:
        from kiwipiepy import Kiwi  # a heavy import: only where the estimator runs

        return Kiwi(load_typo_dict=False, load_multi_dict=False)
    except (ImportError, OSError, RuntimeError):
        logger.exception("factors: kiwipiepy could not be loaded; reading plain words")
        return None


# The same analyser and lock for other readers of task text (ai.grouping): one copy per process.
analyser = _kiwi
analyser_lock = _lock


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class _Stem:
    form: str
    negated: bool


# Negation: "쓰지 않고", "쓰지 못하고" (a clause ended by 않/못하/말), "시스템 없이/없고" (the words
# before 없-), and "안 쓰고", "못 쓰고" (the verb right after 안/못).
_CLAUSE_NEGATORS = {"않", "없", "말", "못하"}
_VERB_NEGATORS = {"안", "못"}
_BOUNDARY_TAGS = ("EC", "EF", "SF", "SP", "JKB", "JX")


def stems(text: str) -> list[_Stem]:
    """The text's content stems, in order, each marked if a negation governs it."""
    kiwi = _kiwi()
    if kiwi is None:
        return [_Stem(word, negated=False) for word in re.findall(r"[\w·]+", text)]
    with _lock:  # Kiwi's tokenize is not documented as thread-safe
        tokens = kiwi.tokenize(text)
    result: list[_Stem] = []
    clause: list[int] = []
    negate_next = False
    for token in tokens:
        form, tag = token.form, token.tag
        if form in _VERB_NEGATORS and tag == "MAG":
            # "엑셀을 안 쓰고": the verb after 안/못, and its object before it.
            for index in clause:
                result[index] = _Stem(result[index].form, negated=True)
            negate_next = True
            continue
        if (form in _CLAUSE_NEGATORS and tag in ("VX", "VA", "VV")) or (
            form == "없이" and tag == "MAG"
        ):
            for index in clause:  # everything since the last clause boundary
                result[index] = _Stem(result[index].form, negated=True)
            clause = []
            continue
        if tag.startswith(_BOUNDARY_TAGS) and form not in ("지", "게", "을", "를"):
            clause = []
        if tag.startswith(_STEM_TAGS):
            negated = negate_next and tag.startswith(("VV", "VA"))
            negate_next = negate_next and not tag.startswith(("VV", "VA"))
            clause.append(len(result))
            result.append(_Stem(form, negated=negated))
    return result


def _positions(word: str, forms: list[str]) -> list[int]:
    """Where `word` (one or more stems, space-separated) starts as consecutive stems."""
    parts = word.split()
    return [
        start
        for start in range(len(forms) - len(parts) + 1)
        if forms[start : start + len(parts)] == parts
    ]


def _found(word: str, found: list[_Stem], text: str) -> tuple[bool, bool]:
    """(shown, negated): the word appears somewhere not negated; or it appears, but only where
    a negation governs it. Latin words (ERP, DB) match whole words of the raw text."""
    if word.isascii():
        return bool(re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text, re.I)), False
    forms = [stem.form for stem in found]
    starts = _positions(word, forms)
    if not starts:
        spaced = " " in word and word in text  # a phrase the analyser split differently
        return spaced, False
    shown = any(not found[start].negated for start in starts)
    return shown, not shown


# Answers added by asking back ("입력 자료: 엑셀") are read for their answer, not their label:
# "입력 자료" must not count as the evidence word "입력".
_ANSWER_LABELS = re.compile("|".join(re.escape(f"{q.label}:") for q in askback.QUESTIONS))


def read_factors(title: str, description: str) -> Factors:
    text = _normalise(_ANSWER_LABELS.sub(" ", f"{title}. {description}"))
    found = stems(text)
    factors = Factors()
    factors.content_words = len({stem.form for stem in found if stem.form not in GENERIC})
    factors.existing_feature = next((m for m in EXISTING_FEATURE if m in text), "")
    negated_tools = False
    for name, words in FACTORS.items():
        total, shown = 0, []
        for word, weight in words.items():
            if not weight:
                continue
            present, negated = _found(word, found, text)
            if negated:
                factors.negated.append(word)
                negated_tools = negated_tools or name in ("digital", "tools")
            if present:
                total += weight
                shown.append(word)
        factors.scores[name] = total
        factors.evidence[name] = shown
    if negated_tools:
        # "엑셀을 쓰지 않고 종이에": a tool named only to say it is not used means manual work.
        factors.scores["paper"] = factors.score("paper") + 2
    return factors


@dataclass(frozen=True)
class Estimate:
    rating: str
    share: int
    method: str
    reason: str
    missing: str = ""
    factors: dict[str, Any] = field(default_factory=dict)  # in ai.rubric's terms


def _band(rating: str, strength: float) -> int:
    """A share inside the rating's band: `strength` 0..1 picks low..high, in steps of 5."""
    low, high = BANDS[rating]
    share = low + (high - low) * max(0.0, min(1.0, strength))
    return int(round(share / 5) * 5)


# Verb stems as a reader knows them ("내려받" → "내려받다").
_SHOWN = {
    "옮기": "옮기다",
    "옮겨 적": "옮겨 적다",
    "내려받": "내려받다",
    "붙이 넣": "붙여 넣다",
    "합치": "합치다",
    "모으": "모으다",
    "보내": "보내다",
    "만들": "만들다",
    "맞추": "맞추다",
    "가르치": "가르치다",
    "가져가": "가져가다",
    "받": "받다",
    "같": "같다",
    "돌": "돌다",
    "세어": "세다",
    "직접 세": "직접 세다",
    "화가 나": "화가 나다",
    "상품 열": "상품을 열다",
    "붙여넣": "붙여 넣다",
    "기능 있": "기능이 있다",
    "기능이 있": "기능이 있다",
}


def _quote(words: list[str], limit: int = 3) -> str:
    """The words that decided, as the reason quotes them: a one-syllable stem ("받") says
    nothing to a reader, so words of two syllables or more come first."""
    telling = [word for word in words if len(word) > 1] or words
    return ", ".join(f"‘{_SHOWN.get(word, word)}’" for word in telling[:limit])


def _because(words: list[str], text: str) -> str:
    """`text`, led by the quoted words when there are any."""
    return f"{_quote(words)}: {text}" if words else text


_FILE_WORDS = {"엑셀", "CSV", "PDF", "파일", "메일", "시트", "PPT", "워드", "HWP", "엑셀 양식"}
_RISK_WORDS = {"PERSONAL": ("개인정보", "주민등록", "주민번호"), "NETWORK": ("망분리",)}


def rubric_factors(found: Factors, rating: str, text: str) -> dict[str, Any]:
    """What the words showed, in the rubric's factors (the card's chips): the input, how the
    work is done, how often it departs from the rule, and the risks named."""
    risks = [risk for risk, words in _RISK_WORDS.items() if any(w in text for w in words)]
    if found.score("secure_site"):
        risks.append("SECURE_SITE")
    if rating == Rating.NEEDS_INFO:
        source = "UNKNOWN"
    elif found.score("paper") >= 2:
        source = "PAPER"
    elif set(found.evidence.get("tools", [])) - _FILE_WORDS:
        source = "SYSTEM"
    else:
        source = "FILE"
    people = found.score("on_site") + found.score("relationship")
    if rating == Rating.HIGH:
        work = "RULE"
    elif rating == Rating.LOW and (people or found.score("judgement")):
        work = "PEOPLE" if people >= found.score("judgement") else "JUDGEMENT"
    elif found.human >= 3 or rating == Rating.LOW:
        work = "MIXED"
    else:
        work = "RULE"
    exceptions = "MANY" if found.score("judgement") >= 3 or rating == Rating.LOW else "FEW"
    return {"input": source, "work": work, "exceptions": exceptions, "risks": sorted(risks)}


def estimate(title: str, description: str) -> Estimate:
    """Rate a task from its factors; the reason quotes the words that decided it, and the
    rubric's factors come with it."""
    found = read_factors(title, description)
    guess = _estimate(found, description)
    text = _normalise(f"{title} {description}")
    return Estimate(
        guess.rating,
        guess.share,
        guess.method,
        guess.reason,
        guess.missing,
        rubric_factors(found, guess.rating, text),
    )


def _estimate(factors: Factors, description: str) -> Estimate:
    steps, tools = factors.score("digital"), min(factors.score("tools"), 4)
    digital = steps + tools
    on_site, relation, judgement = (
        factors.score("on_site"),
        factors.score("relationship"),
        factors.score("judgement"),
    )
    human = factors.human
    paper, secure = factors.score("paper"), factors.score("secure_site")
    if len(_normalise(description)) < 12 or factors.content_words < 3:
        return Estimate(
            rating=Rating.NEEDS_INFO,
            share=0,
            method=Method.MANUAL,
            reason="설명만으로는 무엇을 어떤 자료로 처리하는지 알 수 없습니다.",
            missing="입력 자료(종이·엑셀·시스템 화면), 처리 순서, 결과물을 적어 주세요.",
        )
    evidence = factors.evidence
    human_words = evidence["on_site"] + evidence["relationship"] + evidence["judgement"]
    if factors.existing_feature:
        return Estimate(
            Rating.HIGH,
            _band(Rating.HIGH, 0.9),
            Method.EXISTING_FEATURE,
            _because(
                [factors.existing_feature], "이미 있는 시스템 기능을 쓰면 수작업이 사라집니다."
            ),
        )
    # Work whose core is on site or with people stays with people.
    if (on_site >= 3 and on_site >= digital - 1) or (
        relation >= 4 and relation + judgement >= digital
    ):
        return Estimate(
            Rating.LOW,
            _band(Rating.LOW, 0.5 if digital else 0.2),
            Method.MANUAL,
            _because(human_words, "현장 일이나 사람 사이의 판단이 핵심입니다."),
        )
    if judgement >= 5 and judgement > digital:
        return Estimate(
            Rating.LOW,
            _band(Rating.LOW, 0.6),
            Method.MANUAL,
            _because(human_words, "결론을 내리는 판단이 핵심입니다."),
        )
    medium_reasons = []
    if human >= 3:
        medium_reasons.append(_because(human_words, "현장 일·판단·협의는 사람에게 남습니다"))
    if secure:
        medium_reasons.append(
            _because(evidence["secure_site"], "보안 모듈 때문에 자동 입력이 까다롭습니다")
        )
    if paper >= 2 and digital < 6:
        medium_reasons.append(
            _because(evidence["paper"], "종이·수기 자료는 먼저 전산으로 옮겨야 합니다")
        )
    if digital >= 4 and not medium_reasons:
        method = _method(evidence["digital"], paper)
        return Estimate(
            Rating.HIGH,
            _band(Rating.HIGH, min(1.0, (digital - 4) / 8)),
            method,
            _because(evidence["digital"], "정해진 규칙으로 반복하는 전산 작업입니다."),
        )
    if digital >= 2 or human:
        method = Method.MANUAL if human > digital else _method(evidence["digital"], paper)
        reason = "; ".join(medium_reasons) or _because(
            evidence["digital"], "일부 단계만 규칙적으로 반복됩니다"
        )
        return Estimate(
            Rating.MEDIUM,
            _band(Rating.MEDIUM, min(1.0, digital / 10)),
            method,
            reason + ".",
        )
    manual = evidence["paper"] + [f"{_SHOWN.get(word, word)} 없이" for word in factors.negated]
    reason = (
        _because(manual, "전산 자료가 없는 수작업이라 먼저 입력 방식부터 바꿔야 합니다.")
        if manual
        else "반복되는 전산 작업이 설명에 보이지 않습니다."
    )
    return Estimate(Rating.LOW, _band(Rating.LOW, 0.5), Method.MANUAL, reason)


_DRAFT = re.compile("회의록|초안|요약|답변|문구|보도자료")


def _method(words: list[str], paper: int) -> str:
    joined = " ".join(words)
    if any(
        w in joined
        for w in ("집계", "취합", "합치", "피벗", "통계", "그래프", "차트", "계산", "표")
    ):
        return Method.SPREADSHEET
    if "FAQ" in joined:
        return Method.CHATBOT
    if _DRAFT.search(joined) or "템플릿" in joined:
        return Method.GENAI_DRAFT
    if any(w in joined for w in ("예약", "독려", "안내", "발급", "초기화", "계정")):
        return Method.WORKFLOW
    if paper >= 2:
        return Method.OCR  # paper first becomes data
    return Method.RPA
