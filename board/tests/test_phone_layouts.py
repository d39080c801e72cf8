"""Every page a lead or an instructor opens, on a 390×844 phone in Chromium: nothing scrolls
sideways (issue 15). The pages come from the URL conf: a page added there without a visit here
(or a reason it is not a page) fails the test, so a new page cannot skip the phone check.

The data is what a real team makes: fifteen tasks, one with a long Korean title, some with long
unbroken strings (a file path, an ERP screen code), analyses, votes and picks with plans, an
import preview with errors, a few teams on the board. Screenshots of the pages people see most go
to test-artifacts/ (join, team page, import preview with an error, report, board, ...).
"""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts import services as account_services
from ai import requests as ai_requests
from ai import runner
from board.models import WorkshopExport
from conftest import make_user, task_data
from workshops import facilitation, follow_up, priorities, services
from workshops.models import FollowUp, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PAGE_WIDTH = "document.documentElement.scrollWidth"
# A box inside the page that scrolls sideways hides what is off to its right as surely as the
# page would (the import preview's reasons sat at x≈657 px in a 322 px box). Only a wrapper
# marked `data-scrolls-sideways` (a wide chart, on purpose) may.
INNER_SIDEWAYS_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(el => {
  const overflow = getComputedStyle(el).overflowX;
  return (overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1
    && !el.closest('[data-scrolls-sideways]');
}).map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}:`
  + ` ${el.scrollWidth} px in ${el.clientWidth} px`)"""

# Addresses in the URL conf that are not pages a person opens: form targets (POST only),
# downloads, and fragments that only ever appear inside a page visited below.
NOT_PAGES = {
    "login": "redirects to the e-mail code form (visited as account_request_login_code)",
    "workshops:workshop_status": "POST only (open / close)",
    "workshops:participant_remove": "POST only",
    "workshops:task_create": "POST only (the team page's form)",
    "workshops:invitation_create": "POST only",
    "workshops:invitation_revoke": "POST only",
    "workshops:task_detail": "a task card fragment (the edit form's 취소), shown on the team page",
    "workshops:team_export": "a download",
    "workshops:workshop_export": "a download",
    "workshops:workshop_export_download": "a download",
    "workshops:task_import_template": "a download",
    "workshops:task_import_confirm": "POST only",
    "workshops:team_priorities": "the priorities region, shown on the team page",
    "workshops:vote": "POST only",
    "workshops:pick": "POST only",
    "workshops:unpick": "POST only",
    "ai:request": "POST only",
    "ai:progress": "the analysis panel fragment, shown on the team page",
    "ai:retry": "POST only",
    "ai:deep": "POST only",
    "ai:answer": "POST only",
    "ai:factor": "POST only",
    "ai:economy": "POST only",
    "workshops:facilitate": "POST only (the board's 진행 panel, visited on the board)",
    "workshops:help_request": "POST only (the team page's 도움 요청)",
    "workshops:workshop_uipath": "a download",
    "workshops:workshop_plans": "a download",
    "workshops:common_work_csv": "a download",
    "workshops:common_work_merge": "POST only (the summary's 공통 업무 section)",
    "workshops:common_work_split": "POST only (the summary's 공통 업무 section)",
    "workshops:common_work_reset": "POST only (the summary's 공통 업무 section)",
}
# Not the product's own pages: the operators' admin (desktop only; instructors are not staff and
# never see it, the spend page included), allauth's account pages other than the e-mail code
# forms (the only allauth pages in use; the code forms are visited below), health checks.
FOREIGN_PREFIXES = ("admin:", "health_")

LONG_TITLE = (
    "월말 결산 보고서 작성 및 부서별 예산 집행 현황 취합과 경영진 보고용 요약 자료 작성, "
    "전사 공유 드라이브 정리까지 포함한 마감 업무"
)
UNBROKEN_PATH = r"\\fileserver01\영업본부\2026_실적집계_최종본_수정_v12_진짜최종_팀장검토완료.xlsx"
UNBROKEN_CODE = "ERP_SD_ORDER_ENTRY_MASS_UPLOAD_BATCH_JOB_ZSD_0001_REPORT_VARIANT_MONTHLY"
LONG_TEAM = "전략기획실경영지원부문재무회계팀자금파트해외법인관리그룹"
LONG_NAME = "AlexanderMaximilianKimJeongHoon"

TASKS = [
    ("영업", LONG_TITLE, "엑셀로 취합해 메일로 보낸다", "monthly", 1, 480),
    ("영업", "주간 실적 보고서 작성", f"CRM 실적을 {UNBROKEN_PATH} 에 정리", "weekly", 1, 90),
    ("영업", UNBROKEN_CODE, f"SAP 화면 {UNBROKEN_CODE} 에서 내려받기", "daily", 2, 15),
    ("영업", "거래처 방문 일정 정리", "영업사원 일정을 달력에 옮겨 적는다", "weekly", 2, 30),
    ("영업", "견적서 작성", "견적 요청 메일을 보고 엑셀 양식에 적는다", "daily", 3, 20),
    ("인사", "근태 확인", "출퇴근 기록을 엑셀로 내려받아 확인한다", "daily", 1, 30),
    ("인사", "채용 공고 게시", "채용 사이트 세 곳에 같은 공고를 올린다", "monthly", 2, 60),
    ("인사", "교육 이수 현황 집계", "LMS에서 내려받아 부서별로 집계", "monthly", 1, 120),
    ("재무", "법인카드 영수증 정리", "종이 영수증을 스캔해 ERP에 입력", "weekly", 1, 120),
    ("재무", "세금계산서 대사", "홈택스 자료와 ERP 자료를 맞춘다", "monthly", 1, 240),
    ("재무", "예산 대비 실적 보고", "부서별 예산 실적을 엑셀로 정리", "monthly", 1, 180),
    ("총무", "회의실 예약 관리", "메일로 받은 요청을 표에 옮긴다", "daily", 4, 5),
    ("총무", "비품 재고 확인", "창고를 돌며 수량을 센다", "monthly", 1, 90),
    ("총무", "택배 발송 대장 작성", "발송 건을 수기로 대장에 적는다", "daily", 2, 10),
    ("총무", "방문객 출입 등록", "방문 신청서를 보고 출입 시스템에 입력", "daily", 3, 5),
]


def csv_text(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(
        [["업무 영역", "업무명", "설명", "빈도", "횟수", "1회 소요(분)"], *rows]
    )
    return out.getvalue()


IMPORT_WITH_ERRORS = csv_text(
    [
        ["영업", "주간 회의록 정리", "회의 내용을 정리해 공유한다", "매주", 1, 40],
        ["마케팅", UNBROKEN_CODE, UNBROKEN_PATH, "매주", 1, 30],
        ["인사", "급여 명세 확인", "", "가끔", "이백", 30],
        ["재무", LONG_TITLE, "법인카드 사용 내역을 정리한다", "매월", 1, -5],
    ]
)
IMPORT_OK = csv_text(
    [
        ["영업", LONG_TITLE, UNBROKEN_PATH, "매주", 1, 40],
        ["인사", "급여 명세 확인", "급여 명세를 확인한다", "매월", 1, 30],
    ]
)


def url_names(patterns=None, namespace="") -> set[str]:
    """Every named address in the URL conf, with its namespace."""
    names: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def product_pages() -> set[str]:
    from allauth import urls as allauth_urls

    allauth_names = url_names(allauth_urls.urlpatterns)
    return {
        name
        for name in url_names()
        if not name.startswith(FOREIGN_PREFIXES) and name not in allauth_names
    } | {"account_request_login_code", "account_confirm_login_code"}


def upload(page, csv_text: str) -> None:
    page.set_input_files(
        "#import-file",
        files=[{"name": "업무.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}],
    )
    page.click("button:has-text('올리고 확인하기')")
    page.wait_for_load_state()


@pytest.fixture
def realistic_workshop(settings, workshop, team, lead, member, other_team, instructor):
    """The cast's workshop as it looks mid-course."""
    settings.ANTHROPIC_API_KEY = ""  # the rule-based estimate answers, as on a day without AI
    workshop.description = f"오늘 목표: 팀마다 자동화할 업무 3개. 자료: {UNBROKEN_PATH}"
    workshop.save(update_fields=["description"])
    domains = {d.name: d for d in workshop.domains.all()}
    tasks = []
    for domain, title, description, frequency, times, minutes in TASKS:
        data = task_data(
            domains[domain],
            title=title,
            description=description,
            frequency=frequency,
            occurrences_per_period=times,
            minutes_per_occurrence=minutes,
        )
        tasks.append(services.task_create(team=team, actor=lead, data=data))
    services.task_create(
        team=other_team, actor=other_team.lead, data=task_data(domains["재무"], title="자금 일보")
    )
    long_lead = make_user("long.lead@example.com", LONG_NAME)
    long_team = services.team_create(
        workshop=workshop, lead=long_lead, team_name=LONG_TEAM, display_name=LONG_NAME
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)

    # The room in the 우선순위 phase, with a timer and a notice: the stage shows on every page.
    facilitation.phase_set(
        workshop=workshop, phase=Workshop.Phase.PRIORITISE, minutes=15, actor=workshop.created_by
    )
    facilitation.notice_set(
        workshop=workshop,
        text="우선순위 정하기: 팀원마다 3표씩, 먼저 자동화하고 싶은 업무에 투표해 주세요. " * 2,
        actor=workshop.created_by,
    )
    for voter in (lead, member):
        for task in tasks[:3]:
            priorities.vote_toggle(task=task, user=voter)
    for task in tasks[:3]:
        chosen = priorities.pick_confirm(
            task=task, actor=lead, method="엑셀 매크로", expected_hours=Decimal("12.5")
        )
        priorities.plan_update(
            pick=chosen,
            actor=lead,
            owner=member,
            first_step=f"{UNBROKEN_PATH} 양식을 정리해 IT팀과 공유",
            target_date=date(2026, 4, 30),
            method=UNBROKEN_CODE[:100],
            expected_hours=Decimal("12.5"),
        )
    services.invitation_create(team=team, actor=lead)
    return workshop, tasks, long_team


def test_every_page_a_lead_or_instructor_opens_fits_a_390px_phone(
    asgi_server, signed_in_context, browser, realistic_workshop, team, lead, member, instructor
):
    workshop, tasks, long_team = realistic_workshop
    base = asgi_server.url
    long_task = tasks[0]
    picks = list(team.picks.order_by("confirmed_at"))

    email_workshop = services.workshop_create(
        creator=instructor,
        title="이메일로 참여하는 워크샵",
        description="",
        date=date.today() + timedelta(days=7),
        domain_names=["기획"],
    )
    email_workshop.join_mode = Workshop.JoinMode.EMAIL
    email_workshop.save(update_fields=["join_mode"])
    services.workshop_open(workshop=email_workshop)
    closed = services.workshop_create(
        creator=instructor,
        title="지난달 워크샵",
        description="",
        date=date(2026, 2, 1),
        domain_names=["영업"],
    )
    services.workshop_close(workshop=services.workshop_open(workshop=closed))
    newcomer = make_user("newcomer@example.com", "신입팀장")
    guest = account_services.guest_create(name="빠른참여", pending_email="quick@example.com")
    reentry = account_services.reentry_token(user=guest, next_path="/")
    confirm = account_services.email_confirmation_token(user=guest, email="quick@example.com")
    invitation = team.invitations.first()

    ARTIFACTS.mkdir(exist_ok=True)
    contexts = {
        "lead": signed_in_context(asgi_server, lead, **PHONE),
        "instructor": signed_in_context(asgi_server, instructor, **PHONE),
        "newcomer": signed_in_context(asgi_server, newcomer, **PHONE),
        "member": signed_in_context(asgi_server, member, **PHONE),
        "long name": signed_in_context(asgi_server, long_team.lead, **PHONE),
        "anonymous": browser.new_context(**PHONE),
    }
    pages = {who: context.new_page() for who, context in contexts.items()}
    measured: dict[str, int] = {}
    visited_names: set[str] = set()
    problems: list[str] = []

    def check(who: str, label: str, shot: str = "") -> None:
        page = pages[who]
        width = page.evaluate(PAGE_WIDTH)
        measured[f"{label} ({who}, {page.url.removeprefix(base)})"] = width
        where = f"{label} ({who}, {page.url.removeprefix(base)})"
        if width > 390:
            problems.append(f"{where}: the page is {width} px wide")
        for scroller in page.evaluate(INNER_SIDEWAYS_SCROLLERS):
            problems.append(f"{where}: scrolls sideways inside {scroller}")
        if shot:
            page.screenshot(path=str(ARTIFACTS / f"phone_{shot}_390x844.png"), full_page=True)

    def visit(name: str, who: str, label: str, path: str, shot: str = "", status: int = 200):
        """Open `path` as `who`; `name` is the URL conf's name for it ("" for no page)."""
        if name:
            visited_names.add(name)
        response = pages[who].goto(f"{base}{path}")
        assert response is not None
        if response.status != status:
            problems.append(f"{label} ({who}, {path}): HTTP {response.status}, not {status}")
        check(who, label, shot)

    # A person arriving: the landing page, the code screen, quick join, e-mail sign-in.
    visit("workshops:home", "anonymous", "첫 화면 (로그인 전)", "/")
    visit("workshops:join", "anonymous", "참여 코드 입력", "/join/", shot="join_code")
    visit(
        "workshops:join_workshop",
        "anonymous",
        "빠른 참여 (이름과 팀)",
        f"/join/{workshop.join_code}/",
        shot="join",
    )
    visit(
        "workshops:join_workshop",
        "anonymous",
        "참여할 수 없음 (종료된 워크샵)",
        f"/join/{closed.join_code}/",
        status=403,
    )
    visit("account_request_login_code", "anonymous", "로그인 코드 받기", "/accounts/login/code/")
    pages["anonymous"].fill("input[name=email]", "newcomer@example.com")
    pages["anonymous"].click("button[type=submit]")
    pages["anonymous"].wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    visited_names.add("account_confirm_login_code")
    check("anonymous", "로그인 코드 입력")
    visit("reentry", "anonymous", "다른 기기로 들어가기", f"/accounts/reenter/{reentry}/")
    visit("email_confirm", "anonymous", "이메일 확인", f"/accounts/email/confirm/{confirm}/")
    visit("privacy", "anonymous", "개인정보 처리방침", "/privacy/")
    visit("workshops:help", "anonymous", "도움말", "/help/")

    # A signed-in person joining a workshop that asks for e-mail, or a team by invitation.
    visit("workshops:home", "newcomer", "첫 화면 (참여 전)", "/")
    visit(
        "workshops:join_workshop",
        "newcomer",
        "팀 만들기 (이메일 참여)",
        f"/join/{email_workshop.join_code}/",
    )
    visit(
        "workshops:accept_invitation",
        "newcomer",
        "팀 초대 받기",
        f"/invite/{invitation.token}/",
        shot="invitation",
    )

    # The lead's pages.
    visit("workshops:home", "lead", "첫 화면 (팀장)", "/")
    visit("workshops:team_detail", "lead", "팀 화면", f"/teams/{team.pk}/", shot="team_page")
    visit("workshops:team_edit", "lead", "팀 이름 바꾸기", f"/teams/{team.pk}/edit/")
    visit("workshops:task_edit", "lead", "업무 수정", f"/tasks/{long_task.pk}/edit/", "task_edit")
    visit("workshops:task_delete", "lead", "업무 삭제 확인", f"/tasks/{long_task.pk}/delete/")
    visit("ai:override", "lead", "평가 바꾸기", f"/tasks/{long_task.pk}/analysis/override/")
    visit("ai:history", "lead", "분석 기록", f"/tasks/{tasks[2].pk}/analysis/history/", "history")
    visit("workshops:plan", "lead", "실행 계획", f"/picks/{picks[0].pk}/plan/", shot="plan")
    visit("workshops:task_import", "lead", "업무 가져오기", f"/teams/{team.pk}/import/")
    upload(pages["lead"], IMPORT_WITH_ERRORS)
    assert pages["lead"].locator(".row-error").count() == 3
    check("lead", "가져오기 확인 (문제 있음)", shot="import_preview_error")
    # Each error reads under its own row, inside the screen: no sideways hunt for the reason.
    for error in pages["lead"].locator(".preview .errorlist").all():
        box = error.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > 390:
            problems.append(f"가져오기 확인: an error reason outside the screen at {box}")
    upload(pages["lead"], IMPORT_OK)
    check("lead", "가져오기 확인 (저장 가능)")
    visit("workshops:team_report", "lead", "팀 보고서", f"/teams/{team.pk}/report/", shot="report")
    # The follow-up page a lead opens from the mail after the course (no sign-in: the link).
    token, now = "phone-follow-up-token-0123456789", timezone.now()
    FollowUp.objects.create(
        team=team,
        token_hash=follow_up.token_hash(token),
        sent_to=lead.email,
        sent_at=now,
        expires_at=now + timedelta(days=30),
    )
    visit(
        "workshops:follow_up",
        "anonymous",
        "사후 점검 (메일의 링크)",
        f"/follow-up/{token}/",
        shot="follow_up",
    )
    visit("profile", "lead", "내 이름 바꾸기", "/accounts/profile/")
    visit(
        "other_device",
        "lead",
        "다른 기기에서도 쓰기",
        f"/accounts/other-device/?next=/teams/{team.pk}/",
    )
    pages["lead"].click("button[name=action][value=link]")
    pages["lead"].wait_for_load_state()
    check("lead", "다른 기기 링크와 QR", shot="other_device")

    # A member votes; a lead with a long unbroken name has a team with nothing in it yet.
    visit("workshops:team_detail", "member", "팀 화면 (팀원)", f"/teams/{team.pk}/")
    visit("workshops:team_detail", "long name", "빈 팀 화면", f"/teams/{long_team.pk}/")
    visit("workshops:team_report", "long name", "빈 팀 보고서", f"/teams/{long_team.pk}/report/")
    visit("workshops:home", "long name", "첫 화면 (긴 이름)", "/")

    # Wrong turns: a mistyped code, someone else's team, an address that does not exist.
    visit("workshops:join_workshop", "anonymous", "없는 참여 코드", "/join/ZZZZZZ/", status=404)
    visit(
        "workshops:team_detail",
        "lead",
        "다른 팀 (찾을 수 없음)",
        f"/teams/{long_team.pk}/",
        status=404,
    )
    visit("", "lead", "없는 주소", "/no-such-page/", status=404)

    # The instructor's pages.
    visit("workshops:home", "instructor", "첫 화면 (강사)", "/")
    visit("workshops:workshop_create", "instructor", "새 워크샵", "/workshops/new/")
    visit("workshops:workshop_edit", "instructor", "워크샵 수정", f"/workshops/{workshop.pk}/edit/")
    visit(
        "workshops:workshop_detail",
        "instructor",
        "강사 화면 (보드)",
        f"/workshops/{workshop.pk}/",
        shot="board",
    )
    visit(
        "workshops:join_slide",
        "instructor",
        "참여 화면 (슬라이드)",
        f"/workshops/{workshop.pk}/join-slide/",
        shot="join_slide",
    )
    visit(
        "workshops:participants",
        "instructor",
        "참가자 관리",
        f"/workshops/{workshop.pk}/participants/",
        shot="participants",
    )
    visit(
        "workshops:workshop_summary",
        "instructor",
        "결과 요약",
        f"/workshops/{workshop.pk}/summary/",
        shot="summary",
    )
    visit(
        "workshops:workshop_summary",
        "instructor",
        "결과 요약 (프로젝터)",
        f"/workshops/{workshop.pk}/summary/?view=projector",
    )
    # A large workshop's export: the 준비 중 page while the worker builds it, then its link.
    export = WorkshopExport.objects.create(workshop=workshop, requested_by=instructor, fmt="xlsx")
    export_page = f"/workshops/{workshop.pk}/exports/{export.pk}/"
    visit("workshops:workshop_export_status", "instructor", "내보내기 준비 중", export_page)
    WorkshopExport.objects.filter(pk=export.pk).update(
        status=WorkshopExport.Status.DONE, content=b"PK", file_name="workshop.xlsx"
    )
    visit("workshops:workshop_export_status", "instructor", "내보내기 완료", export_page)
    visit("workshops:team_detail", "instructor", "팀 화면 (강사)", f"/teams/{team.pk}/")
    visit("workshops:team_report", "instructor", "팀 보고서 (강사)", f"/teams/{team.pk}/report/")
    visit(
        "ai:history",
        "instructor",
        "분석 기록 (강사)",
        f"/tasks/{long_task.pk}/analysis/history/",
    )

    for context in contexts.values():
        context.close()

    unvisited = product_pages() - visited_names - set(NOT_PAGES)
    assert not unvisited, f"pages in the URL conf this test does not open: {sorted(unvisited)}"
    assert not problems, "wider than a 390 px phone:\n" + "\n".join(problems)
    assert len(measured) >= 35


def test_a_wide_screen_keeps_the_tables(
    asgi_server, signed_in_context, realistic_workshop, team, lead, instructor
):
    """The cards are for phones only: a laptop still gets the board's, the report's and the
    import preview's tables, with their header rows."""
    workshop, _tasks, _long_team = realistic_workshop
    desktop = {"viewport": {"width": 1280, "height": 800}}
    report = signed_in_context(asgi_server, lead, **desktop).new_page()
    board = signed_in_context(asgi_server, instructor, **desktop).new_page()
    board.goto(f"{asgi_server.url}/workshops/{workshop.pk}/")
    report.goto(f"{asgi_server.url}/teams/{team.pk}/report/")
    tables = {"board": board.locator(".board-teams"), "report": report.locator(".report-table")}
    import_page = signed_in_context(asgi_server, lead, **desktop).new_page()
    import_page.goto(f"{asgi_server.url}/teams/{team.pk}/import/")
    upload(import_page, IMPORT_WITH_ERRORS)
    tables["import preview"] = import_page.locator(".preview")

    looks = {
        name: table.evaluate(
            "t => [getComputedStyle(t.querySelector('tbody tr')).display,"
            " getComputedStyle(t.querySelector('thead')).position]"
        )
        for name, table in tables.items()
    }
    # A long team name wraps in its cell rather than pushing the figures out of sight.
    assert [board.evaluate(INNER_SIDEWAYS_SCROLLERS), import_page.evaluate(PAGE_WIDTH)] == [
        [],
        1280,
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    board.screenshot(path=str(ARTIFACTS / "desktop_board_1280x800.png"), full_page=True)
    import_page.screenshot(path=str(ARTIFACTS / "desktop_import_preview_1280x800.png"))
    assert looks == {name: ["table-row", "static"] for name in tables}
