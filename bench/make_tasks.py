"""Generates bench/data/tasks_1000.json: 1,000 realistic Korean office tasks, deterministic.

    .venv/bin/python bench/make_tasks.py

Each task combines a domain's typical work with a tool and a routine, so titles and
descriptions read like what team leads write, and no two tasks are identical.
"""

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "tasks_1000.json"

DOMAINS = {
    "영업": [
        (
            "주간 실적 보고서 작성",
            "CRM에서 지난주 실적을 내려받아 담당자별·제품별로 정리해 보고서에 붙인다",
        ),
        (
            "견적서 작성",
            "고객 요청을 받아 가격표에서 단가를 찾아 견적서 양식에 옮기고 PDF로 보낸다",
        ),
        (
            "고객 문의 메일 답변",
            "공용 메일함 문의를 읽고 담당자에게 넘기거나 정해진 양식으로 답한다",
        ),
        ("신규 리드 입력", "전시회 명함과 웹 문의 내용을 CRM에 한 건씩 입력한다"),
        ("미수금 확인", "ERP 미수금 목록을 거래처별로 확인하고 영업 담당자에게 알린다"),
        ("경쟁사 가격 조사", "경쟁사 온라인몰을 돌며 주요 제품 가격을 표에 기록한다"),
    ],
    "인사": [
        (
            "지원서 1차 검토",
            "채용 사이트에서 이력서를 내려받아 필수 요건을 확인하고 통과 여부를 적는다",
        ),
        (
            "면접 일정 조율",
            "면접관과 지원자에게 가능한 시간을 묻고 회의실을 예약해 초대장을 보낸다",
        ),
        ("근태 집계", "출퇴근 기록을 내려받아 지각과 연장근무를 집계해 부서장에게 보낸다"),
        ("증명서 발급", "재직·경력 증명서 요청을 받아 양식을 채우고 직인을 찍어 보낸다"),
        ("교육 이수 확인", "법정 교육 이수 현황을 확인하고 미이수자에게 독려 메일을 보낸다"),
        ("입사자 안내", "입사 전 준비물과 첫날 일정을 메일로 안내하고 체크리스트를 관리한다"),
    ],
    "재무": [
        ("법인카드 대사", "카드사 내역과 경비 신청 내역을 엑셀에서 맞춰 보고 누락 건을 묻는다"),
        ("세금계산서 발행", "요청을 받아 홈택스에 거래처 정보와 금액을 입력해 발행한다"),
        ("자금 일보 작성", "은행 사이트 여러 곳에서 잔액을 확인해 자금 일보에 적고 메일로 보낸다"),
        ("결산 전표 검토", "ERP 전표 목록을 내려받아 계정과목 오류와 증빙 누락을 확인한다"),
        ("대금 지급 처리", "지급 요청서를 확인하고 인터넷뱅킹에 이체 정보를 입력해 승인을 올린다"),
        ("예산 실적 비교", "부서별 예산과 ERP 실적을 합쳐 차이를 계산하고 설명을 붙인다"),
    ],
    "총무": [
        ("비품 구매 요청 처리", "메신저와 메일로 들어온 비품 요청을 모아 주문하고 대장에 적는다"),
        ("회의실 예약 관리", "회의실 예약 요청을 받아 캘린더에 등록하고 겹치면 조율한다"),
        ("출장비 정산", "영수증 사진을 모아 경비 시스템에 항목별로 입력하고 승인을 요청한다"),
        ("사내 공지 게시", "요청받은 내용을 공지문으로 다듬어 게시판과 메신저에 올린다"),
        ("차량 운행 일지 정리", "차량 운행 기록을 모아 주유비와 주행거리를 표로 정리한다"),
        ("우편물 발송 기록", "발송할 우편물을 접수해 등기번호를 대장에 기록한다"),
    ],
    "마케팅": [
        ("SNS 게시물 작성", "신제품 소식으로 SNS 게시 문구와 해시태그를 만들어 예약 게시한다"),
        ("캠페인 성과 보고", "광고 플랫폼에서 성과를 내려받아 채널별 지표를 표로 정리한다"),
        ("보도자료 초안", "제품 정보와 인용문을 모아 보도자료 초안을 쓴다"),
        ("고객 설문 정리", "설문 응답을 내려받아 문항별로 집계하고 주관식 답을 분류한다"),
    ],
    "구매": [
        ("발주서 작성", "재고 부족 품목을 확인해 공급사별 발주서를 만들어 메일로 보낸다"),
        ("납기 확인", "공급사에 납기 확인 메일을 보내고 회신을 발주 대장에 적는다"),
        ("단가 비교표 작성", "여러 공급사 견적을 받아 품목별 단가를 비교표로 정리한다"),
    ],
    "생산관리": [
        ("생산 일보 작성", "라인별 생산 실적과 불량 수량을 모아 일보에 입력한다"),
        ("설비 점검 기록", "점검표를 받아 설비별 이상 여부를 시스템에 옮겨 적는다"),
        ("재고 실사 집계", "창고별 실사 결과를 모아 장부 재고와 차이를 계산한다"),
    ],
    "IT": [
        ("계정 신청 처리", "입사자와 퇴사자 명단을 받아 시스템별 계정을 만들거나 잠근다"),
        (
            "장애 문의 응대",
            "메신저로 들어온 PC·프린터 문제를 듣고 원격으로 해결하거나 기사를 부른다",
        ),
        ("자산 대장 갱신", "지급한 노트북과 모니터의 일련번호를 자산 대장에 기록한다"),
    ],
}
TOOLS = ["엑셀", "구글 시트", "ERP", "CRM", "그룹웨어", "메일", "메신저", "사내 포털"]
ROUTINES = [
    ("daily", (1, 2), (10, 60)),
    ("weekly", (1, 5), (15, 120)),
    ("monthly", (1, 3), (30, 480)),
    ("adhoc", (1, 4), (20, 240)),
]
TEAMS = ["1팀", "2팀", "3팀", "본부", "파트", "센터", "지원팀", "기획팀"]


def generate(count: int = 1000, seed: int = 20261126) -> list[dict]:
    rng = random.Random(seed)
    tasks, seen = [], set()
    while len(tasks) < count:
        domain = rng.choice(list(DOMAINS))
        title, description = rng.choice(DOMAINS[domain])
        tool = rng.choice(TOOLS)
        frequency, occurrences, minutes = rng.choice(ROUTINES)
        unit = rng.choice(TEAMS)
        detail = rng.choice(
            [
                f"사용 도구: {tool}. 결과는 {unit}에 공유한다",
                f"담당자 {rng.randint(2, 12)}명 분량이며 사용 도구는 {tool}",
                f"한 번에 {rng.randint(5, 80)}건 정도이고 자료는 {tool}에서 모은다",
                f"{unit}의 요청으로 시작하고 결과는 {tool}에 남긴다",
            ]
        )
        full_title = f"{title} ({unit})"
        key = (domain, full_title, detail)
        if key in seen:
            continue
        seen.add(key)
        tasks.append(
            {
                "domain": domain,
                "title": full_title,
                "description": f"{description}. {detail}.",
                "frequency": frequency,
                "occurrences": rng.randint(*occurrences),
                "minutes": rng.randrange(minutes[0], minutes[1] + 1, 5),
            }
        )
    return tasks


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(generate(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
