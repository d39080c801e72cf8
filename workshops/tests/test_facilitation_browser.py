"""The room, run end to end in Debian's Chromium (issue 18): the instructor moves the phases with
a timer and a notice while two phones follow live; three people of a team vote, the lead
confirms picks and writes a plan; the projector's spotlight shows it."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from ai.models import Rating, TaskAnalysis
from conftest import make_user, task_data
from workshops import services
from workshops.models import Pick, Team, Vote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def text(locator) -> str:
    return re.sub(r"\s+", " ", locator.inner_text()).strip()


def press_phase(board, label: str, minutes: str = "") -> None:
    panel = board.locator("#facilitation")
    panel.locator(".timer-row input[name=minutes]").fill(minutes)
    panel.locator(".phase-buttons button", has_text=label).click()
    board.locator(".phase-buttons button[aria-pressed=true]", has_text=label).wait_for()


def test_an_instructor_runs_the_room_and_a_team_votes_picks_and_plans(
    asgi_server, signed_in_context, workshop, instructor, team, lead, member, domain
):
    second = make_user("second@example.com", name="최팀원")
    services.team_join_as_member(team=team, user=second, display_name="최팀원")
    titles = ["주간 매출 보고서", "거래처 세금계산서 대조", "신규 입사자 계정 신청", "회의록 정리"]
    tasks = []
    for i, title in enumerate(titles):
        task = services.task_create(team=team, actor=lead, data=task_data(domain, title=title))
        TaskAnalysis.objects.create(
            task=task,
            mode="quick",
            source="ai",
            rating=Rating.HIGH if i < 2 else Rating.MEDIUM,
            automatable_share=80 - 20 * i,
            method="SPREADSHEET" if i != 1 else "RPA",
            suggestion="엑셀 파워쿼리로 자동 집계",
        )
        tasks.append(task)
    base = asgi_server.url

    board = signed_in_context(asgi_server, instructor).new_page()
    board.goto(f"{base}/workshops/{workshop.pk}/")
    phones = {}
    for user in (lead, member, second):
        page = signed_in_context(asgi_server, user, **PHONE).new_page()
        page.goto(f"{base}/teams/{team.pk}/")
        phones[user.pk] = page
    lead_page, member_page, second_page = phones[lead.pk], phones[member.pk], phones[second.pk]
    # Everyone's socket is open before anything moves.
    board.locator(f"#board-team-{team.pk} [data-online-count]", has_text="3 / 3").wait_for(
        timeout=10_000
    )

    # 1. 업무 작성 with a 10-minute timer and a notice: both phones follow without a reload.
    press_phase(board, "업무 작성", "10")
    board.locator("#facilitation input[name=notice]").fill(
        "10분 동안 팀 업무를 5개 이상 적어 주세요"
    )
    board.locator("#facilitation button", has_text="공지 보내기").click()
    for phone in (lead_page, member_page):
        stage = phone.locator(".stage")
        stage.locator(".phase.current", has_text="업무 작성").wait_for(timeout=5_000)
        stage.locator(".notice-banner", has_text="5개 이상").wait_for(timeout=5_000)
        left = text(stage.locator(".timer-left"))
        assert re.fullmatch(r"(9|10):\d\d", left), left  # counting down from 10:00
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    # The board marks a team 멈춤 by itself when its stall time passes, without a push.
    Team.objects.filter(pk=team.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=workshop.stall_minutes, seconds=-6)
    )
    board.reload()
    marker = board.locator(f"#board-team-{team.pk} .stalled-badge")
    assert marker.is_hidden()
    marker.wait_for(state="visible", timeout=12_000)
    # Voting is not open yet, and the page says when it will be.
    member_page.locator("[data-voting-closed]", has_text="우선순위 정하기").wait_for()
    # A person may hide the notice on their own phone; the other phone still shows it.
    member_page.locator("[data-dismiss-notice]").click()
    assert member_page.locator(".notice-banner").is_hidden()
    assert lead_page.locator(".notice-banner").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    lead_page.screenshot(path=str(ARTIFACTS / "facilitation_phone_390x844.png"))

    # 2. 우선순위 정하기: the phones' priorities open for voting by themselves.
    press_phase(board, "우선순위 정하기", "5")
    board.screenshot(path=str(ARTIFACTS / "facilitation_board.png"))
    priorities = f"#team-{team.pk}-priorities"
    votes = {
        lead_page: [tasks[0], tasks[1], tasks[2]],
        member_page: [tasks[0], tasks[1], tasks[3]],
        second_page: [tasks[0], tasks[2], tasks[1]],
    }
    for phone, chosen in votes.items():
        phone.locator(f"{priorities} .tally").wait_for(timeout=5_000)
        for task in chosen:
            row = phone.locator(f"#tally-{task.pk}")
            row.locator("button", has_text="투표").click()
            row.locator("button[aria-pressed=true]").wait_for(timeout=5_000)
        # The last vote's push reloads the region: wait for the copy that counts it.
        phone.locator(priorities, has_text="0개 남음").wait_for(timeout=5_000)
    assert Vote.objects.filter(task__team=team).count() == 9
    # The lead sees the tally live: the most-voted task on top, with three dots.
    top = lead_page.locator(f"{priorities} .tally-row").first
    top.locator(".tally-votes", has_text="3표").wait_for(timeout=5_000)
    assert titles[0] in text(top)

    # 3. The lead confirms two picks and writes the first one's plan.
    for task in tasks[:2]:
        lead_page.locator(f"#tally-{task.pk} button", has_text="선정").click()
        lead_page.locator(f"{priorities} .pick", has_text=task.title).wait_for(timeout=5_000)
    assert not member_page.locator(f"{priorities} button:has-text('선정')").count()
    lead_page.locator(f"{priorities} .pick", has_text=titles[0]).locator(
        "a", has_text="계획"
    ).click()
    lead_page.wait_for_url(re.compile(r"/picks/\d+/plan/$"))
    lead_page.select_option("select[name=owner]", label="정팀원 (팀원)")
    lead_page.fill("input[name=first_step]", "매출 원본 파일 위치 정리")
    lead_page.fill("input[name=target_date]", "2027-01-15")
    assert lead_page.evaluate(NO_SIDEWAYS_SCROLL)
    lead_page.locator("form button[type=submit]").last.click()
    lead_page.wait_for_url(re.compile(rf"/teams/{team.pk}/"))
    plan = Pick.objects.get(task=tasks[0])
    assert (plan.owner.name, plan.first_step) == ("정팀원", "매출 원본 파일 위치 정리")
    # The member's phone shows the plan without a reload.
    member_page.locator(f"{priorities} .pick", has_text="매출 원본 파일 위치 정리").wait_for(
        timeout=5_000
    )
    member_page.screenshot(path=str(ARTIFACTS / "priorities_phone_390x844.png"), full_page=True)

    # 4. The projector's spotlight shows the team's plan and top candidates.
    projector = signed_in_context(asgi_server, instructor).new_page()
    projector.goto(f"{base}/workshops/{workshop.pk}/summary/?view=projector")
    board.locator("#facilitation summary", has_text="목표와 스포트라이트").click()
    board.select_option("#facilitation select[name=team]", label=team.name)
    board.locator("#facilitation button", has_text="프로젝터에 보이기").click()
    spotlight = projector.locator(".spotlight.on .spotlight-full")
    spotlight.wait_for(timeout=5_000)
    assert "매출 원본 파일 위치 정리" in text(spotlight)
    assert titles[0] in text(spotlight) and titles[1] in text(spotlight)
    assert projector.locator(".summary-wrap").is_hidden()
    assert projector.locator(".phase.current", has_text="우선순위 정하기").is_visible()
    projector.screenshot(path=str(ARTIFACTS / "projector_spotlight.png"))

    # 5. Wrapping up: voting closes on the phones, the picks stay.
    press_phase(board, "마무리")
    member_page.locator("[data-voting-closed]", has_text="마무리").wait_for(timeout=5_000)
    assert member_page.locator(f"{priorities} .pick").count() == 2
    assert member_page.locator(".timer").count() == 0  # a phase without minutes has no timer
