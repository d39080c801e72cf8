"""End to end in Debian's Chromium: an instructor and a team lead, each in their own browser."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.models import INSTRUCTOR_GROUP, User
from support.servers import latest_code

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(page, server, email):
    """The real sign-in: ask for a code, read it from the mail the server wrote, enter it."""
    page.fill("input[name=email]", email)
    page.click("button:has-text('로그인 코드 받기')")
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    page.fill("input[name=code]", latest_code(server.mail_dir, email))
    page.click("button:has-text('로그인')")


def add_task(page, title, domain, minutes):
    form = page.locator("#task-add-form")
    form.locator("input[name=title]").fill(title)
    form.locator("select[name=domain]").select_option(label=domain)
    form.locator("textarea[name=description]").fill(f"{title} — 엑셀로 정리해 메일로 보냄")
    form.locator("select[name=frequency]").select_option("weekly")
    form.locator("input[name=occurrences_per_period]").fill("2")
    form.locator("input[name=minutes_per_occurrence]").fill(str(minutes))
    # Wait for this request's own answer (the live push may come first), which renews the form.
    with page.expect_response(lambda r: r.url.endswith("/tasks/") and r.request.method == "POST"):
        form.locator("button[type=submit]").click()
    page.locator("#task-add-form [data-added]").wait_for()
    page.locator(".tasks-region .task-title", has_text=title).wait_for()


def test_an_instructor_and_a_lead_run_a_workshop(asgi_server, transactional_db, browser):
    base = asgi_server.url
    instructor = User.objects.create_user(email="teacher@example.com", name="김강사")
    instructor.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])

    teacher = browser.new_context().new_page()
    teacher.goto(f"{base}/accounts/login/")
    sign_in(teacher, asgi_server, "teacher@example.com")
    teacher.click("text=새 워크샵")
    teacher.fill("input[name=title]", "브라우저 워크샵")
    teacher.fill("input[name=date]", "2026-03-10")
    teacher.fill("textarea[name=domains]", "영업\n인사\n재무")
    # The stricter joining (the quick one has its own test, test_quick_join_browser.py).
    teacher.check("input[name=join_mode][value=email]")
    teacher.click("button:has-text('저장')")
    teacher.click("button:has-text('참여 열기')")
    code = teacher.locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)

    lead_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    lead = lead_context.new_page()
    lead.goto(f"{base}/join/")
    lead.fill("input[name=code]", code.lower())
    lead.click("button:has-text('다음')")
    # Not signed in yet: the join link survives the sign-in round trip.
    lead.wait_for_url(re.compile(r"/accounts/login/code/"))
    sign_in(lead, asgi_server, "lead@example.com")
    lead.wait_for_url(re.compile(rf"/join/{code}/"))
    lead.fill("input[name=display_name]", "박팀장")
    lead.fill("input[name=team_name]", "영업1팀")
    lead.check("input[name=privacy_consent]")
    lead.click("button:has-text('팀 만들고 참여하기')")
    lead.wait_for_url(re.compile(r"/teams/\d+/"))

    add_task(lead, "주간 실적 보고서", "영업", 90)
    add_task(lead, "면접 일정 조율", "인사", 30)
    assert lead.locator(".tasks-region article.task").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    lead.evaluate("window.scrollTo(0, 0)")
    lead.screenshot(path=str(ARTIFACTS / "team_page_390x844.png"), full_page=False)

    teacher.reload()
    row = teacher.locator("tr", has_text="영업1팀")
    assert row.locator("[data-task-count]").inner_text() == "2"
