"""Common work across teams: which tasks of different teams are the same work.

"주간 실적 보고서 작성" (영업1팀), "매주 영업 성과 정리해서 보고" (영업2팀) and "주간 매출 보고"
(해외영업팀) are one piece of work the company could automate once. This module reads each
task's words and groups them; what the groups are worth (hours) and the instructor's merges and
splits are the caller's (`board.common_work`).

1. **Terms.** Title and description are read with Korean morphology (kiwipiepy, the analyser
   `ai.factors` already loads): nouns, verb and adjective stems, roots, foreign words and a few
   adverbs (매주, 매월). Each stem is mapped to a concept through a small thesaurus of workplace
   words (`SYNONYMS`: 실적≈성과, 거래처≈고객사≈협력업체, 보고서≈리포트, 주간≈매주 …) and
   weighted: words every workplace task has (업무, 관리, 작성, 처리 …) weigh little, the period
   words (주간, 월간) and report words a little more, everything else 1. Description words
   count half: the title says what the work is. A task's terms are computed once per text and
   kept (`analyse` below keeps them in-process; `terms_for_texts` also in the shared cache).
2. **Similarity** of two tasks: a weighted overlap of their concepts that forgives words only
   one side has but not a difference on both sides; lowered when the titles' heads (what is
   done) differ and are not of one kind (`HEAD_FAMILIES`: 확인 and 대조 are both checking),
   when both titles say what they are about and share none of it (`NOTHING_SPECIFIC`: two
   weekly reports on different things); at least half the Dice of their title bigrams, which
   catches what the analyser splits differently (세금계산서 / 전자세금계산서); and, whatever
   the spelling, lowered for opposite directions of one flow (`OPPOSITES`: 지급/청구) and for
   deciding against doing (`JUDGEMENT`: 불량률 집계 / 불량 원인 분석). See `similarity`.
3. **Groups**: tasks with the same title are one node; average-linkage clustering over the
   pairs above `THRESHOLD`, joining groups while their average similarity is at least
   `LINKAGE` (a task joins a group when it is like most of its members; one word shared by
   chance does not chain groups together as connected components would); then a second pass
   joins two of the groups left when their strongest pair is very alike (`STRONG_PAIR`) and
   their average is not near nothing (`RELINK`): "서버 백업 확인" went with the 서버 tasks and
   "백업 결과 점검" with the 백업 ones, though the two are one work. The overlap of all pairs
   is computed at once as matrix products (numpy): 0.04–0.15 s for 3,000 tasks.

Two tasks of one team can be in a group (a team that lists "주간 매출 보고" and "월간 매출 보고"
does that work twice, and one automation saves both); a group counts as common work only when
it spans at least two teams — that is the caller's filter.

`manage.py evaluate_grouping` measures it against expert-labelled pairs (ai/eval/
grouping_pairs.csv; BENCHMARKS.md).
"""

import hashlib
import heapq
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.core.cache import cache

from ai import factors

# Bump when terms, weights or the thesaurus change: cached terms of the old version are ignored.
VERSION = "g8"
THRESHOLD = 0.3  # a pair this alike is an edge of the grouping
# Two groups join while the average similarity over all their pairs (pairs below THRESHOLD
# counting 0) is at least this: a task joins a group when it is like most of its members.
LINKAGE = 0.15
# Then two groups join when their strongest pair is at least STRONG_PAIR and their average at
# least RELINK: a task that is plainly another's work in other words is not kept apart from it
# by the rest of its group (see `cluster`).
STRONG_PAIR = 0.6
RELINK = 0.05
CHAR_FALLBACK = 0.5  # a title bigram Dice of 1 counts as this similarity
OTHER_HEAD = 0.6  # similarity kept when the titles do different things (their heads differ)
ONE_SIDED = 0.2  # weight of words only one task has, beyond what the other has of its own
# Similarity kept when the tasks share only light words (a period, an action, 보고, 업무):
# "주간 매출 보고" and "주간 상담 실적 보고" are two reports, not one.
NOTHING_SPECIFIC = 0.7
DESCRIPTION_WEIGHT = 0.5
CACHE_SECONDS = 7 * 24 * 3600

# Words nearly every task has: they say little about which work it is. Weighed low rather than
# dropped, so that "회의록 작성" and "회의록 정리" still share more than "회의록" alone.
GENERIC = {
    # say nothing of which work it is
    "업무": 0.1,
    "관리": 0.15,
    "작성": 0.15,
    "처리": 0.15,
    "정리": 0.2,
    "진행": 0.1,
    "요청": 0.2,
    "준비": 0.2,
    "자료": 0.2,
    "내용": 0.1,
    "관련": 0.05,
    "현황": 0.2,
    "담당": 0.1,
    "지원": 0.2,
    "실시": 0.1,
    "수행": 0.1,
    "작업": 0.2,
    "하": 0.05,
    "되": 0.05,
    "받": 0.2,
    "건": 0.05,
    "등": 0.05,
    "및": 0.05,
    "각종": 0.05,
    "전체": 0.1,
    "결과": 0.2,
    "내역": 0.3,
    "여부": 0.1,
    "후": 0.05,
    "전": 0.05,
    "시": 0.05,
    "대비": 0.1,
    # who, where and with what: some help, most are shared by unrelated work
    "부서": 0.2,
    "팀": 0.15,
    "직원": 0.3,
    "사용자": 0.3,
    "고객": 0.4,
    "회사": 0.1,
    "사내": 0.2,
    "법인": 0.3,
    "데이터": 0.5,
    "엑셀": 0.3,
    "메일": 0.3,
    "이메일": 0.3,
    "시스템": 0.3,
    "파일": 0.2,
    "문서": 0.5,
    "양식": 0.3,
    "신규": 0.3,
    "정기": 0.3,
    "사용": 0.2,
    "정보": 0.3,
    # what a report measures, in general: the work it measures (영업, 생산, 캠페인) says which
    "실적": 0.6,
    # the period: the same report weekly or monthly is still the same work
    "주간": 0.3,
    "월간": 0.3,
    "일일": 0.3,
    "분기": 0.3,
    "연간": 0.3,
    # actions (each a class of synonyms): they tell work apart, but less than its object
    "보고": 0.5,
    "점검": 0.5,
    "입력": 0.5,
    "발송": 0.5,
    "발행": 0.6,
    "갱신": 0.5,
    "조회": 0.5,
    "집계": 0.5,
    "응대": 0.4,
    "접수": 0.6,
    "게시": 0.5,
    "정산": 0.5,
    # deciding rather than doing (see JUDGEMENT): what kind of work, not which
    "분석": 0.5,
    "계획": 0.5,
    "기획": 0.5,
    "수립": 0.3,
    "편성": 0.5,
    "신고": 0.5,
    "지급": 0.5,
    "일정": 0.6,
}

# Workplace synonyms: every word of a line reads as the line's first word. A thesaurus of how
# Korean teams name the same thing, not a list of this file's test pairs.
SYNONYMS_TEXT = """
주간 매주 주별 주마다 위클리
월간 매월 월별 달마다 월말 월 먼슬리
일일 매일 일별 하루 데일리 당일
분기 분기별 매분기
연간 매년 연별
보고 보고서 리포트 레포트 일보 경위서
실적 성과 성적 퍼포먼스 효과 건수
매출 판매 판매액
거래처 고객사 협력사 협력업체 공급업체 공급사 업체 벤더 파트너사
방문 미팅 면담
일정 스케줄 일자 날짜 예약
점검 확인 검토 체크 모니터링 검사 검수 살피 파악
입력 등록 기록 기입 기재 적
발송 보내 송부 전달 배포 배부 송신 공유 공지 공지사항 안내 알림 통보 고지 발표
발행 발급 출력 인쇄 프린트 생성 만들 재발행 재발급
갱신 업데이트 최신화 현행화 재계약 수정 정정 개정 변경 조정 재설정 연장
단가 가격 판매가 시세 요금
단가표 가격표
견적 견적서 RFQ
계약 계약서
주문 발주 주문서 발주서 구매 오더 매매 PO
요청 신청 의뢰 요청서 신청서
입고 납품 입하 납기
조회 검색 찾 발굴
집계 합계 합산 통계 산출 산정 계산 취합 수합 모으 합치 수집 모음 스크랩
정리 요약
근태 출퇴근 출근 퇴근
급여 월급 임금 봉급
명세서 명세
채용 구인 모집
게시 올리 업로드 포스팅 게재 공고
면접 인터뷰
조율 잡
이수 수료
교육 연수 훈련 온보딩 OJT
입사 입사자 신입 신입사원
인사 임직원
직원 사원
시간외 야근 연장근무 초과근무
증명서 증명
경조사 경조 경조금 경조사비
영수증 증빙 증빙서류 증빙자료
정산
경비 출장비 출장경비 교통비 비용
세금계산서 계산서
부가세 부가가치세
결산 마감
지급 송금 이체 결제 납부
채권 미수금 미수 매출채권
회수 추심 독촉
예산 예산안
자금 잔고 시재
자산 비품 장비 고정자산
실사 재고조사
샘플 견본 견본품
명부 인적사항 인사정보 직원정보
지원서 이력서 입사지원서
전표 분개
거래내역 입출금 거래
다운로드 내려받 뽑 추출 뽑아주
재무제표 재무보고서 재무
원가 제조원가
통관 수입신고
평가 심사 감사
소모품 사무용품 토너 용품
반품 반송
품의 품의서 상신 결재 전자결재 승인
외주 아웃소싱 외주업체
생산 생산량 제조
계획 플랜
설비 기계
일지 점검표 대장 이력 기록부 장부 체크리스트 체크시트
불량 불량률 클레임 불만 하자 컴플레인 결함 부적합 불량품 부적합품 NCR
출하 출고 불출
지시 지시서 작업지시
성적서 시험성적서
대책서 8D
금형 몰드
순회 순찰
측정기 계측기 게이지
교정 검교정
계정 아이디 ID
비밀번호 패스워드 암호
초기화 리셋
장애 고장 오류 에러 끊김 끊기 먹통
PC 컴퓨터 노트북 데스크톱
패치 윈도우업데이트
라이선스 라이센스
소프트웨어 SW 프로그램
IT 전산 정보시스템
권한 접근권한
로그 접속기록 접근기록 접속
네트워크 인터넷 와이파이 망
SNS 인스타그램 페이스북 블로그 유튜브
게시물 콘텐츠 포스트 글
광고 매체 광고비
보도자료 보도문
기사 보도 뉴스 언론 언론보도
설문 설문조사 만족도 서베이
당첨자 당첨 경품
뉴스레터 마케팅메일 이메일마케팅
홍보물 전단지 포스터 브로슈어 인쇄물 카탈로그 리플렛
웹사이트 홈페이지 사이트
방문자 유입 트래픽
상세페이지 상세 상세이미지
리뷰 상품평 후기 평점
제품 상품 품목
회의실 미팅룸
차량 법인차량 업무용차량
운행일지 운행기록 운행
우편물 택배 우편 수발
명함 명함판
수리 유지보수 보수 수선
출입카드 사원증 출입증
화환 꽃 조화 경조화환
파기 폐기
인감 도장 날인 사용인감
통신비 휴대폰 핸드폰 전화요금
임대료 관리비 월세
문의 질문 질의 FAQ 상담 고객센터 콜센터 전화 통화
응대 답변 회신 답장 대답 대응 답 콜백
AS 애프터서비스
VOC 고객의소리 소리
환불 결제취소
배송 배달 택배배송
회원 고객정보
상담원 콜 상담사
매뉴얼 스크립트 가이드
채팅 카카오톡 카톡 챗
해피콜 만족도전화
회의록 회의내용 회의
그룹웨어 전자결재시스템
휴가 연차 월차 반차 휴가일수
수금 입금 입금확인
응모자 참여자 참가자 응모
명단 리스트 목록
대조 비교 맞춰보 대사
수령 수취 수신
상각 감가상각 감가상각비
연말정산
VPN 원격접속 원격
설치 세팅 셋업
청소 미화
사무실 건물 오피스
현황 상황 진행상황 진척
해외 외화 국외
퇴사 퇴직 퇴사자 퇴직자
지원자 응시자
문자 SMS 메시지 알림톡
스캔 스캐닝 전자화
청구 청구서 인보이스
문서 서류
고객 소비자
삭제 제거
배정 할당 배분
세무 세금
연락처 주소록
재고 재고량 재고수량
창고 물류센터
PPT 파워포인트 발표자료
임대 렌탈 리스
복합기 복사기
방문자 방문객 내방객
유류비 주유비 기름값 유류대
리드 잠재고객 가망고객
조직도 조직표
"""


def _load_synonyms(text: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for line in text.strip().splitlines():
        words = line.split()
        for word in words:
            mapping.setdefault(word, words[0])
    return mapping


SYNONYMS = _load_synonyms(SYNONYMS_TEXT)

_KEEP_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SH")
_KEEP_ADVERBS = {"매주", "매월", "매일", "매년", "매분기"}
# Suffixes that do not make another thing: 부서별 is 부서, 품목별 is 품목.
_NOT_IN_COMPOUNDS = {"별"}


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


_PARTICLES = re.compile(r"(을|를|이|가|은|는|에|에서|의|과|와|로|으로|및)$")


def _add_compound(found: list[tuple[int, str]], end: int, compound: list[str]) -> None:
    """A word the analyser split (법인/카드) counts as one when the thesaurus knows it; else its
    parts carry it (화재/보험 shares 보험 with 보험 갱신, and is not counted twice)."""
    word = "".join(compound)
    if len(compound) > 1 and word in SYNONYMS:
        found.append((end, word))


def _stems(text: str) -> list[str]:
    """Content stems of `text` in the order they were typed (the last is the title's head):
    the analyser's nouns, verb stems, roots and foreign words; each word's nouns joined as they
    were typed (법인/카드 → also 법인카드, since the analyser splits compounds as its dictionary
    has them); and typed words the thesaurus knows (클레임, 시재, 품의 — not 품 + 의), alone or
    two together (재고 조사 → 재고조사)."""
    kiwi = factors.analyser()
    found: list[tuple[int, str]] = []  # (where the stem ends in the text, stem)
    words: list[tuple[int, int, str]] = []  # (start, end, word without its particle)
    for match in re.finditer(r"[\w]+", text):
        word = match.group()
        words.append(
            (match.start(), match.end(), word if word in SYNONYMS else _PARTICLES.sub("", word))
        )
    known: list[tuple[int, int]] = []  # where the typed thesaurus words are
    index = 0
    while index < len(words):
        first, stop, word = words[index]
        if index + 1 < len(words) and word + words[index + 1][2] in SYNONYMS:
            # Two words the thesaurus writes as one stand for it, not for their parts:
            # 매출 채권 is 매출채권 (what customers owe), not 매출.
            stop, word = words[index + 1][1], word + words[index + 1][2]
            index += 1
        if word in SYNONYMS:
            found.append((stop, word))
            known.append((first, stop))
        index += 1
    if kiwi is None:  # no analyser: plain words, as the estimator does
        plain = [(stop, word) for _, stop, word in words]
        return [stem for _, stem in sorted(found + plain, key=lambda item: item[0])]
    with factors.analyser_lock:
        tokens = kiwi.tokenize(text)
    compound: list[str] = []
    end = -1
    for index, token in enumerate(tokens):
        form, tag = token.form, token.tag
        stop = token.start + token.len
        if any(first <= token.start < last for first, last in known):
            # The typed word is in the thesaurus: its pieces (클레임 → 클레이 + ㅁ, 해피콜 →
            # 해피 + 콜) would only count it again or match something else.
            _add_compound(found, end, compound)
            compound, end = [], -1
            continue
        if (
            tag.startswith(("NN", "XSN", "XR"))
            and not tag.startswith("NNB")
            and form not in _NOT_IN_COMPOUNDS
        ):
            if token.start != end or not compound:
                _add_compound(found, end, compound)
                compound = []
            compound.append(form)
            end = stop
        else:
            _add_compound(found, end, compound)
            compound, end = [], -1
        following = tokens[index + 1].form if index + 1 < len(tokens) else ""
        if form == "보" and tag.startswith(("VV", "VX")) and following == "고":
            # "정리해서 보고": the analyser reads 보고 as 보- + -고; in a task it is a report.
            found.append((stop + 1, "보고"))
            continue
        attached = (index + 1 < len(tokens) and tokens[index + 1].start == stop) or (
            index > 0 and tokens[index - 1].start + tokens[index - 1].len == token.start
        )
        if len(form) == 1 and tag.startswith("NN") and (len(compound) > 1 or attached):
            continue  # 발주/서, 사원/증, 품/의/서: the word carries it; alone it matches anything
        if tag.startswith(_KEEP_TAGS) or (tag == "MAG" and form in _KEEP_ADVERBS):
            found.append((stop, form.upper() if tag == "SL" else form))
    _add_compound(found, end, compound)
    return [stem for _, stem in sorted(found, key=lambda item: item[0])]


def concept(stem: str) -> str:
    return SYNONYMS.get(stem, stem)


def weight(name: str) -> float:
    return GENERIC.get(name, 1.0)


# Opposite directions of one flow are different work (paying and billing, goods in and out),
# however many words the two tasks share.
OPPOSITES = (
    ("지급", "청구"),
    ("지급", "수금"),
    ("지급", "회수"),
    ("입고", "출하"),
    ("매입", "매출"),
    ("채권", "채무"),
    ("입사", "퇴사"),
    ("수입", "수출"),
    ("발행", "수령"),
)
OPPOSITE = 0.4  # similarity kept when two tasks go opposite ways
# Deciding (analysing, planning) is other work than doing: "불량률 집계" counts, "불량 원인
# 분석" judges; "환불 처리" refunds, "환불 정책 수립" decides how to.
JUDGEMENT = {"분석", "수립", "기획", "설계", "개선", "편성"}
OTHER_KIND = 0.5  # similarity kept when one task decides and the other does


def _conflicts(a: "Terms", b: "Terms") -> tuple[bool, bool]:
    """(they go opposite ways, one decides and the other does)."""
    title_a, title_b = _title_concepts(a), _title_concepts(b)
    opposite = any(
        (x in title_a and y not in title_a and y in title_b and x not in title_b)
        or (y in title_a and x not in title_a and x in title_b and y not in title_b)
        for x, y in OPPOSITES
    )
    return opposite, _decides(a) != _decides(b)


def _decides(task: "Terms") -> bool:
    return not JUDGEMENT.isdisjoint(_title_concepts(task))


def _title_concepts(task: "Terms") -> set[str]:
    """The concepts the title has (a description's weigh half: `DESCRIPTION_WEIGHT`)."""
    return {name for name, value in task.weights.items() if value > 0.75 * weight(name)}


# Words that carry no action of their own: "보고서 작성" is a report, "환불 처리" a refund.
LIGHT_HEADS = {
    "작성",
    "처리",
    "관리",
    "진행",
    "실시",
    "수행",
    "준비",
    "정리",
    "하",
    "되",
    "자료",
    "요청",
    "작업",
}
# Actions that are one kind of work with other words: checking (확인, 조회, 대조, 실사), recording
# (입력, 갱신, 교체), telling (발송, 게시, 보고, 응대), compiling for a report (집계, 보고),
# getting something from outside (주문, 요청, 제작: 명함 제작 신청 is 명함 주문).
HEAD_FAMILIES = (
    frozenset({"점검", "조회", "대조", "실사"}),
    frozenset({"입력", "갱신", "교체"}),
    frozenset({"발송", "게시", "보고", "응대"}),
    frozenset({"집계", "보고"}),
    frozenset({"주문", "요청", "제작"}),
)


def _heads_differ(a: "Terms", b: "Terms") -> bool:
    """The two titles do different things: their heads differ, neither title has the other's
    head among its words, and the heads are not of one kind (HEAD_FAMILIES)."""
    if a.head == b.head or a.head in _title_concepts(b) or b.head in _title_concepts(a):
        return False
    return not any(a.head in family and b.head in family for family in HEAD_FAMILIES)


@dataclass(frozen=True)
class Terms:
    """What grouping needs of one task's text: concept → weight, the title's head (its last
    concept that is not a light word: what is done) and the title's bigrams."""

    weights: dict[str, float]
    bigrams: frozenset[str]
    head: str = ""


def _bigrams(title: str) -> frozenset[str]:
    compact = re.sub(r"[^\w]", "", title.lower())
    return frozenset(compact[i : i + 2] for i in range(len(compact) - 1))


_ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def analyse(title: str, description: str = "") -> Terms:
    """The task's concepts (title words at full weight, description words at half) and bigrams.
    An aside in brackets ("주간 보고 (영업2팀)") counts as description: it says whose the work
    is, not what it is."""
    title, description = _normalise(title), _normalise(description)
    asides = " ".join(_ASIDE.findall(title))
    main = _normalise(_ASIDE.sub(" ", title)) or title
    weights: dict[str, float] = {}
    head = ""
    for part, factor in ((main, 1.0), (f"{asides} {description}".strip(), DESCRIPTION_WEIGHT)):
        if not part:
            continue
        stems = _stems(part)
        if factor == 1.0:
            heads = [concept(stem) for stem in stems if concept(stem) not in LIGHT_HEADS]
            head = heads[-1] if heads else ""
        for stem in stems:
            name = concept(stem)
            value = weight(name) * factor
            if value > weights.get(name, 0.0):
                weights[name] = value
    return Terms(weights=weights, bigrams=_bigrams(title), head=head)


def text_key(title: str, description: str) -> str:
    digest = hashlib.sha1(f"{title}\x00{description}".encode(), usedforsecurity=False)
    return f"grouping:{VERSION}:{digest.hexdigest()}"


_memo: dict[str, Terms] = {}
_MEMO_LIMIT = 20_000


def terms_for_texts(texts: Iterable[tuple[str, str]]) -> list[Terms]:
    """Terms of each (title, description), from this process's memo, then the shared cache
    (one round trip for all that are missing), then the analyser; new ones go to both. The
    cache holds plain values (never a pickled class), under a key that carries `VERSION`.
    The answer is built from a local copy: another thread may empty the memo meanwhile."""
    pairs = list(texts)
    keys = [text_key(title, description) for title, description in pairs]
    known = {key: _memo[key] for key in keys if key in _memo}
    missing = [key for key in keys if key not in known]
    if missing:
        found = cache.get_many(missing)
        computed = {}
        for key, (title, description) in zip(keys, pairs, strict=True):
            if key in known:
                continue
            terms = _from_cache(found.get(key))
            if terms is None:
                terms = analyse(title, description)
                computed[key] = (terms.weights, sorted(terms.bigrams), terms.head)
            known[key] = terms
        if len(_memo) + len(known) > _MEMO_LIMIT:
            _memo.clear()
        _memo.update(known)
        if computed:
            cache.set_many(computed, CACHE_SECONDS)
    return [known[key] for key in keys]


def _from_cache(value: Any) -> Terms | None:
    if not (isinstance(value, tuple | list) and len(value) == 3):
        return None
    weights, bigrams, head = value
    try:
        return Terms(weights=dict(weights), bigrams=frozenset(bigrams), head=str(head))
    except (TypeError, ValueError):
        return None


def _dice(a: Terms, b: Terms) -> float:
    total = len(a.bigrams) + len(b.bigrams)
    return 2 * len(a.bigrams & b.bigrams) / total if total else 0.0


def _objects(task: Terms) -> set[str]:
    """What the title says the task is about: its specific concepts (not light words) other than
    its head."""
    return {name for name in _title_concepts(task) if weight(name) >= 1.0 and name != task.head}


def similarity(a: Terms, b: Terms) -> float:
    """How alike two tasks are, 0–1: a weighted overlap of their concepts blended with the Dice
    of their title bigrams.

    The overlap forgives words only one side has ("안전 점검" / "작업장 안전 순회 점검": the
    second says more about the same work) but not a difference on both sides ("협력사 평가" /
    "협력사 등록": the same object, another action): shared ÷ (shared + the smaller side's own
    + ONE_SIDED × the rest)."""
    shared = a.weights.keys() & b.weights.keys()
    if not shared and not (a.bigrams & b.bigrams):
        return 0.0
    inter = sum(min(a.weights[k], b.weights[k]) for k in shared)
    own_a = sum(a.weights.values()) - inter
    own_b = sum(b.weights.values()) - inter
    low, high = min(own_a, own_b), max(own_a, own_b)
    denominator = inter + low + ONE_SIDED * (high - low)
    overlap = inter / denominator if denominator else 0.0
    dice = _dice(a, b)
    if _heads_differ(a, b):
        overlap *= OTHER_HEAD  # the same things, something else done with them
    objects_a, objects_b = _objects(a), _objects(b)
    if objects_a and objects_b and not objects_a & objects_b:
        overlap *= NOTHING_SPECIFIC  # each says what it is about, and they differ
    # The spelling, where the words missed it (세금계산서 / 전자세금계산서 split differently);
    # but no spelling makes paying into billing or doing into deciding.
    opposite, other_kind = _conflicts(a, b)
    conflict = (OPPOSITE if opposite else 1.0) * (OTHER_KIND if other_kind else 1.0)
    return round(max(overlap, CHAR_FALLBACK * dice) * conflict, 9)  # as the matrix path rounds


def similar_pairs(terms: Sequence[Terms], threshold: float | None = None) -> dict:
    """{(i, j): similarity} of every pair (i < j) at or above `threshold`.

    The concept overlap of all pairs at once, as matrix products over the concepts two or more
    tasks share (numpy, in blocks of rows: a few MB for 3,000 tasks), since a weight's minimum
    over two tasks is the concept's weight times the smaller of their title/description
    factors: shared = ½·(M·W·Mᵀ) + ½·(T·W·Tᵀ), with M "has the concept" and T "in the title".
    The pairs found, and those only the spelling fallback could find, are then scored by
    `similarity` itself, so both paths give the same figures."""
    threshold = THRESHOLD if threshold is None else threshold
    count = len(terms)
    if count < 2:
        return {}
    import numpy as np  # comes with kiwipiepy; loaded with the grouping only

    frequency: dict[str, int] = defaultdict(int)
    for task in terms:
        for name in task.weights:
            frequency[name] += 1
    vocabulary = {
        name: column for column, name in enumerate(n for n, f in frequency.items() if f > 1)
    }
    has = np.zeros((count, len(vocabulary)), dtype=np.float64)
    in_title = np.zeros_like(has)
    weights = np.zeros(len(vocabulary), dtype=np.float64)
    heads = np.full(count, -1)
    for row, task in enumerate(terms):
        for name, value in task.weights.items():
            column = vocabulary.get(name)
            if column is None:
                continue
            has[row, column] = 1
            weights[column] = weight(name)
            if value > 0.75 * weight(name):
                in_title[row, column] = 1
        # -1: a head no other task has (it differs from every other); -2: no head at all
        heads[row] = vocabulary.get(task.head, -1) if task.head else -2
    totals = np.array([sum(task.weights.values()) for task in terms], dtype=np.float64)
    has_weighted, in_title_weighted = has * weights, in_title * weights
    # What each task is about (`_objects`): its specific concepts other than its head.
    objects = in_title * (weights >= 1.0)
    for row, task in enumerate(terms):
        if task.head in vocabulary:
            objects[row, vocabulary[task.head]] = 0
    has_objects = np.array([bool(_objects(task)) for task in terms], dtype=bool)
    sides = {
        name: np.array([name in _title_concepts(task) for task in terms], dtype=bool)
        for pair in OPPOSITES
        for name in pair
    }
    decides = np.array([_decides(task) for task in terms], dtype=bool)
    families = np.array(
        [[task.head in family for family in HEAD_FAMILIES] for task in terms], dtype=np.float64
    )
    # No concept shared by two tasks: only the spelling can pair them.
    starts = range(0, count, 512) if vocabulary else range(0)
    result: dict[tuple[int, int], float] = {}
    for start in starts:
        stop = min(start + 512, count)
        shared = 0.5 * (has_weighted[start:stop] @ has.T) + 0.5 * (
            in_title_weighted[start:stop] @ in_title.T
        )
        own_a = totals[start:stop, None] - shared
        own_b = totals[None, :] - shared
        low, high = np.minimum(own_a, own_b), np.maximum(own_a, own_b)
        denominator = shared + low + ONE_SIDED * (high - low)
        overlap = np.divide(shared, denominator, out=np.zeros_like(shared), where=denominator > 0)
        rows = np.arange(start, stop)
        head_a = heads[start:stop]
        # Is a's head in b's title, and b's in a's? (-1: a head no other task has)
        a_head_in_b = np.where(head_a[:, None] >= 0, in_title[:, np.maximum(head_a, 0)].T, 0)
        b_head_in_a = np.where(
            heads[None, :] >= 0, in_title[start:stop][:, np.maximum(heads, 0)], 0
        )
        differ = (head_a[:, None] != heads[None, :]) | ((head_a[:, None] == -1) & (heads == -1))
        kindred = (families[start:stop] @ families.T) > 0
        other_head = differ & (a_head_in_b == 0) & (b_head_in_a == 0) & ~kindred
        overlap = np.where(other_head, overlap * OTHER_HEAD, overlap)
        objects_shared = objects[start:stop] @ objects.T
        only_light = (objects_shared == 0) & has_objects[start:stop, None] & has_objects[None, :]
        overlap = np.where(only_light, overlap * NOTHING_SPECIFIC, overlap)
        opposite = np.zeros_like(only_light)
        for x, y in OPPOSITES:
            only_x, only_y = sides[x] & ~sides[y], sides[y] & ~sides[x]
            opposite |= (only_x[start:stop, None] & only_y[None, :]) | (
                only_y[start:stop, None] & only_x[None, :]
            )
        other_kind = decides[start:stop, None] != decides[None, :]
        conflict = np.where(opposite, OPPOSITE, 1.0) * np.where(other_kind, OTHER_KIND, 1.0)
        upper = np.arange(count)[None, :] > rows[:, None]
        found = (overlap * conflict >= threshold - 1e-9) & upper
        for i, j in zip(*np.nonzero(found), strict=True):
            pair, score = (int(rows[i]), int(j)), float(overlap[i, j])
            if score < CHAR_FALLBACK:  # only then can the spelling add to it
                score = max(score, CHAR_FALLBACK * _dice(*_of(terms, pair)))
            result[pair] = round(score * float(conflict[i, j]), 9)
    for pair in _spelling_candidates(terms, threshold) - result.keys():
        score = similarity(*_of(terms, pair))
        if score >= threshold:
            result[pair] = score
    return result


def _of(terms: Sequence[Terms], pair: tuple[int, int]) -> tuple[Terms, Terms]:
    return terms[pair[0]], terms[pair[1]]


# A title bigram shared by more tasks than this is too common to suggest a pair by itself.
_BIGRAM_POSTING_LIMIT = 40


def _spelling_candidates(terms: Sequence[Terms], threshold: float) -> set[tuple[int, int]]:
    """Pairs whose title bigrams alone (CHAR_FALLBACK × Dice) reach `threshold`. Bigrams more
    than `_BIGRAM_POSTING_LIMIT` titles share are not counted: so common a piece of spelling
    ("작성", "관리") says nothing, and counting it would compare nearly every pair."""
    by_bigram: dict[str, list[int]] = defaultdict(list)
    for index, task in enumerate(terms):
        for bigram in task.bigrams:
            by_bigram[bigram].append(index)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in by_bigram.values():
        if len(members) <= _BIGRAM_POSTING_LIMIT:
            for pair in combinations(members, 2):
                shared[pair] += 1
    return {
        (i, j)
        for (i, j), number in shared.items()
        if CHAR_FALLBACK * 2 * number / (len(terms[i].bigrams) + len(terms[j].bigrams))
        >= threshold - 1e-9
    }


def cluster(
    count: int,
    scores: dict[tuple[int, int], float],
    *,
    threshold: float | None = None,
    linked: Iterable[Sequence[int]] = (),
    apart: Iterable[int] = (),
    sizes: Sequence[int] | None = None,
) -> list[list[int]]:
    """Average-linkage clusters of `count` items (indexes), merged while the average similarity
    between two clusters (pairs not in `scores` count as 0) is at least `threshold` (LINKAGE);
    then the clusters left are joined, best average first, where their strongest pair is at
    least STRONG_PAIR and their average at least RELINK (a task pulled into a neighbouring
    group would otherwise be kept from its plain synonym in another one).

    `linked`: sets of indexes that must end in one cluster (an instructor's merge), joined before
    anything else. `apart`: indexes kept alone (an instructor's split) — their pairs are ignored
    unless a `linked` set names them. `sizes`: how many tasks each index stands for
    (1 each by default). Returns clusters of two or more items, each sorted."""
    threshold = LINKAGE if threshold is None else threshold
    apart = set(apart)
    weight = list(sizes) if sizes is not None else [1] * count
    parent = list(range(count))
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    size = dict(enumerate(weight))

    def join(a: int, b: int) -> int:
        keep, gone = (a, b) if len(members[a]) >= len(members[b]) else (b, a)
        for item in members[gone]:
            parent[item] = keep
        members[keep].extend(members.pop(gone))
        size[keep] += size.pop(gone)
        return keep

    for group in linked:
        items = [i for i in group if 0 <= i < count]
        for item in items[1:]:
            a, b = parent[items[0]], parent[item]
            if a != b:
                join(a, b)

    # Sum and strongest of the similarities between each pair of current clusters (over the
    # tasks they stand for).
    sums: dict[int, dict[int, float]] = defaultdict(dict)
    strongest: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), score in scores.items():
        if i in apart or j in apart:
            continue
        a, b = parent[i], parent[j]
        if a == b:
            continue
        total = score * weight[i] * weight[j]
        sums[a][b] = sums[b][a] = sums[a].get(b, 0.0) + total
        strongest[a][b] = strongest[b][a] = max(strongest[a].get(b, 0.0), score)

    def average(a: int, b: int) -> float:
        return sums[a][b] / (size[a] * size[b])

    def strong_average(a: int, b: int) -> float:
        return average(a, b) if strongest[a][b] >= STRONG_PAIR else -1.0

    # First the average linkage; then, between the clusters it left, a second pass that joins
    # two whose strongest pair is one work in other words ("서버 백업 확인" / "백업 결과
    # 점검"), even though each side's other members pulled the average below LINKAGE.
    for linkage, floor in ((average, threshold), (strong_average, RELINK)):
        heap = [
            (-linkage(a, b), a, b)
            for a, neighbours in sums.items()
            for b in neighbours
            if a < b and linkage(a, b) >= floor
        ]
        heapq.heapify(heap)
        while heap:
            negative, a, b = heapq.heappop(heap)
            if a not in members or b not in members or b not in sums[a]:
                continue
            if abs(linkage(a, b) + negative) > 1e-9:
                continue  # stale: the clusters changed since this entry was pushed
            merged = join(a, b)
            other = b if merged == a else a
            for neighbour, total in sums.pop(other).items():
                sums[neighbour].pop(other, None)
                best = strongest[neighbour].pop(other, 0.0)
                if neighbour != merged:
                    sums[merged][neighbour] = sums[merged].get(neighbour, 0.0) + total
                    strongest[merged][neighbour] = max(strongest[merged].get(neighbour, 0.0), best)
            strongest.pop(other, None)
            strongest[merged].pop(other, None)
            for neighbour, total in sums[merged].items():
                sums[neighbour][merged] = total
                strongest[neighbour][merged] = strongest[merged][neighbour]
                score = linkage(merged, neighbour)
                if score >= floor:
                    heapq.heappush(heap, (-score, min(merged, neighbour), max(merged, neighbour)))
    return sorted(
        sorted(group) for root, group in members.items() if len(group) > 1 or size[root] > 1
    )


def _title_key(task: Terms) -> tuple:
    """What makes two titles the same: their spelling (bigrams), head and title concepts; a
    title too short for a bigram is keyed by all its terms."""
    in_title = frozenset(n for n, v in task.weights.items() if v > 0.75 * weight(n))
    if not task.bigrams:
        return ("terms", tuple(sorted(task.weights.items())), task.head)
    return ("title", task.bigrams, task.head, in_title)


def group(
    terms: Sequence[Terms],
    *,
    linked: Iterable[Sequence[int]] = (),
    apart: Iterable[int] = (),
) -> list[list[int]]:
    """Groups of the tasks (indexes into `terms`) that are the same work: `cluster` over the
    similar pairs. Tasks with the same title are one node, compared once, whatever their
    descriptions say (three hundred teams' "주간 업무 보고" are one node of weight 300, not
    45,000 pairs; the node reads as its first task); an instructor's links and splits name
    single tasks, so those stay nodes of their own."""
    linked = [list(items) for items in linked]
    apart = set(apart)
    pinned = apart.union(*linked) if linked else set(apart)
    node_of: dict[int, int] = {}
    nodes: list[int] = []  # the task each node stands for
    sizes: list[int] = []
    by_terms: dict[tuple, int] = {}
    for index, task in enumerate(terms):
        key = _title_key(task)
        node = None if index in pinned else by_terms.get(key)
        if node is None:
            node = len(nodes)
            nodes.append(index)
            sizes.append(0)
            if index not in pinned:
                by_terms[key] = node
        node_of[index] = node
        sizes[node] += 1
    node_terms = [terms[index] for index in nodes]
    clusters = cluster(
        len(nodes),
        similar_pairs(node_terms),
        linked=[[node_of[i] for i in items if i in node_of] for items in linked],
        apart=[node_of[i] for i in apart if i in node_of],
        sizes=sizes,
    )
    tasks_of: dict[int, list[int]] = defaultdict(list)
    for index, node in node_of.items():
        tasks_of[node].append(index)
    return sorted(sorted(i for node in nodes_ for i in tasks_of[node]) for nodes_ in clusters)


def medoid(group: Sequence[int], terms: Sequence[Terms]) -> int:
    """The member most like the others (among the first 40: enough to name a group, and it
    keeps a group of hundreds cheap): its title names the group."""
    sample = list(group[:40])
    if len(sample) <= 2:
        return sample[0]
    return max(
        sample,
        key=lambda i: (sum(similarity(terms[i], terms[j]) for j in sample if j != i), -i),
    )
