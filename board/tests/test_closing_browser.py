"""Closing a workshop while a lead is typing, in Debian's Chromium (issue 15, graceful closing):
the lead's page keeps its content, shows the banner, locks every write control at once, and the
save that was on its way when the workshop closed is answered in place with the text kept; once
reopened, the same page unlocks and that text is saved."""

from pathlib import Path

import pytest

from support.servers import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TITLE = "닫히기 직전에 적은 업무"
# Counts the page's WebSocket messages: the tests act once the snapshot is in.
COUNT_MESSAGES = """
window.__wsMessages = 0;
document.addEventListener("htmx:wsAfterMessage", function () { window.__wsMessages += 1; });
"""


def open_team_page(context, url):
    """The team page, once its socket's snapshot has been swapped in (a tap that lands while a
    push replaces its region goes nowhere)."""
    page = context.new_page()
    page.add_init_script(COUNT_MESSAGES)
    page.goto(url)
    for _ in range(200):  # polled: the site's CSP refuses wait_for_function's string predicates
        if page.evaluate("window.__wsMessages"):
            return page
        page.wait_for_timeout(50)
    raise AssertionError(f"{url}: no snapshot")


DESCRIPTION = "거래처별 실적을 엑셀로 모아 주간 보고서를 만든다"


def test_a_lead_typing_when_the_workshop_closes_keeps_the_text_and_sees_it_refused_in_place(
    server_dirs, signed_in_context, instructor, lead, member, team, domain
):
    mail, logs = server_dirs
    server = ServerProcess(mail_dir=mail, log_dir=logs).start()
    try:
        board = signed_in_context(server, instructor).new_page()
        board.goto(f"{server.url}/workshops/{team.workshop_id}/")
        board.on("dialog", lambda dialog: dialog.accept())  # "워크샵을 종료할까요?"

        phone = signed_in_context(server, lead, viewport={"width": 390, "height": 844})
        errors: list[str] = []
        phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page = open_team_page(phone, f"{server.url}/teams/{team.pk}/")
        form = page.locator("#task-add-form")
        form.locator("input[name=title]").fill(TITLE)
        form.locator("textarea[name=description]").fill(DESCRIPTION)
        form.locator("input[name=occurrences_per_period]").fill("3")
        form.locator("input[name=minutes_per_occurrence]").fill("40")

        # The lead presses 추가; the request is held on its way while the instructor closes.
        held = []
        page.route(
            f"**/teams/{team.pk}/tasks/",
            lambda route: (
                held.append(route) if route.request.method == "POST" else route.continue_()
            ),
        )
        form.locator("button[type=submit]").click()
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the add never left the page"

        with board.expect_navigation():
            board.get_by_role("button", name="워크샵 종료").click()

        # At once, without a reload: the banner, and every write control locked.
        banner = page.locator(".closed-banner")
        banner.wait_for(timeout=5000)
        assert banner.inner_text() == "워크샵이 종료되었습니다. 이제 읽기만 할 수 있습니다."
        for name in ("가져오기", "팀 이름 바꾸기"):
            link = page.get_by_role("link", name=name)
            assert link.get_attribute("aria-disabled") == "true", name
        invite = page.locator("#invitations button[type=submit]").last
        assert invite.is_disabled()

        # The held save reaches the server now: refused in place, the text still there.
        held[0].continue_()
        page.unroute(f"**/teams/{team.pk}/tasks/")
        refusal = form.locator(
            ".errorlist, .nonfield", has_text="워크샵이 종료되어 저장하지 못했습니다"
        )
        refusal.first.wait_for(timeout=5000)
        assert form.locator("input[name=title]").input_value() == TITLE
        assert form.locator("textarea[name=description]").input_value() == DESCRIPTION
        assert form.locator("button[type=submit]").is_disabled()
        assert form.locator("input[name=title]").get_attribute("readonly") is not None
        assert not team.tasks.exists()

        # A locked link goes nowhere: it says why instead.
        page.get_by_role("link", name="가져오기").click(
            force=True
        )  # aria-disabled: a tap still lands
        page.locator("#toast", has_text="워크샵이 종료되어").wait_for(timeout=3000)
        assert page.url == f"{server.url}/teams/{team.pk}/"
        assert not [e for e in errors if "htmx:" in e], errors

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "closing_390.png"), full_page=True)

        # Reopened: the same page unlocks, and the text kept can be saved after all.
        with board.expect_navigation():
            board.get_by_role("button", name="다시 열기").click()
        banner.wait_for(state="detached", timeout=5000)
        assert form.locator("input[name=title]").get_attribute("readonly") is None
        form.locator("button[type=submit]").click()
        page.locator(".tasks-region .task-title", has_text=TITLE).wait_for(timeout=5000)
        assert team.tasks.get().description == DESCRIPTION
    finally:
        server.stop()


def test_a_member_editing_a_task_when_the_workshop_closes_keeps_the_edit_locked_in_place(
    server_dirs, signed_in_context, instructor, lead, member, team, domain, task
):
    mail, logs = server_dirs
    server = ServerProcess(mail_dir=mail, log_dir=logs).start()
    try:
        phone = signed_in_context(server, member, viewport={"width": 390, "height": 844})
        page = open_team_page(phone, f"{server.url}/teams/{team.pk}/")
        page.locator(f"#task-{task.pk}").get_by_role("link", name="수정").click()
        edit = page.locator(f"form#task-{task.pk}")
        edit.locator("input[name=title]").fill("팀원이 고치던 제목")

        board = signed_in_context(server, instructor).new_page()
        board.goto(f"{server.url}/workshops/{team.workshop_id}/")
        board.on("dialog", lambda dialog: dialog.accept())
        with board.expect_navigation():
            board.get_by_role("button", name="워크샵 종료").click()

        page.locator(".closed-banner").wait_for(timeout=5000)
        assert edit.locator("input[name=title]").input_value() == "팀원이 고치던 제목"
        assert edit.get_by_role("button", name="저장").is_disabled()
        task.refresh_from_db()
        assert task.title == "주간 보고서 작성"
    finally:
        server.stop()
