"""End to end in Debian's Chromium: an instructor and a team lead, each in their own browser."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import INSTRUCTOR_GROUP, User

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(chromium_path):
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (to read the mail outbox's users, etc.) are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def sign_in(page, base_url, email, next_path="/"):
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("input[name=email]", email)
    sent = len(mail.outbox)
    page.click("button:has-text('로그인 코드 받기')")
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    assert len(mail.outbox) == sent + 1
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    page.fill("input[name=code]", code)
    page.click("button:has-text('로그인')")


def add_task(page, title, domain, minutes):
    form = page.locator("#task-add-form")
    form.locator("input[name=title]").fill(title)
    form.locator("select[name=domain]").select_option(label=domain)
    form.locator("textarea[name=description]").fill(f"{title} — 엑셀로 정리해 메일로 보냄")
    form.locator("select[name=frequency]").select_option("weekly")
    form.locator("input[name=occurrences_per_period]").fill("2")
    form.locator("input[name=minutes_per_occurrence]").fill(str(minutes))
    form.locator("button[type=submit]").click()
    page.locator("#tasks-region .task-title", has_text=title).wait_for()


def test_an_instructor_and_a_lead_run_a_workshop(live_server, transactional_db, browser):
    base = live_server.url
    instructor = User.objects.create_user(email="teacher@example.com", name="김강사")
    instructor.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])

    teacher = browser.new_context().new_page()
    sign_in(teacher, base, "teacher@example.com")
    teacher.click("text=새 워크샵")
    teacher.fill("input[name=title]", "브라우저 워크샵")
    teacher.fill("input[name=date]", "2026-03-10")
    teacher.fill("textarea[name=domains]", "영업\n인사\n재무")
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
    lead.fill("input[name=email]", "lead@example.com")
    lead.click("button:has-text('로그인 코드 받기')")
    lead.wait_for_url(re.compile(r"/confirm/"))
    login_code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
    lead.fill("input[name=code]", login_code)
    lead.click("button:has-text('로그인')")
    lead.wait_for_url(re.compile(rf"/join/{code}/"))
    lead.fill("input[name=display_name]", "박팀장")
    lead.fill("input[name=team_name]", "영업1팀")
    lead.click("button:has-text('팀 만들고 참여하기')")
    lead.wait_for_url(re.compile(r"/teams/\d+/"))

    add_task(lead, "주간 실적 보고서", "영업", 90)
    add_task(lead, "면접 일정 조율", "인사", 30)
    assert lead.locator("#tasks-region article.task").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    lead.evaluate("window.scrollTo(0, 0)")
    lead.screenshot(path=str(ARTIFACTS / "team_page_390x844.png"), full_page=False)

    teacher.reload()
    row = teacher.locator("#board tr", has_text="영업1팀")
    assert row.locator("[data-task-count]").inner_text() == "2"
