"""Live updates in Debian's Chromium: the board follows a lead, a dropped socket catches up."""

import re
from pathlib import Path

import pytest

from conftest import task_data
from support.servers import ServerProcess
from workshops import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def region_text(page, selector) -> str:
    return re.sub(r"\s+", " ", page.locator(selector).inner_text()).strip()


def test_the_board_follows_a_lead_and_a_dropped_socket_catches_up(
    server_dirs, signed_in_context, instructor, lead, member, team, domain
):
    mail, logs = server_dirs
    server = ServerProcess(mail_dir=mail, log_dir=logs).start()
    try:
        board = signed_in_context(server, instructor).new_page()
        board.goto(f"{server.url}/workshops/{team.workshop_id}/")
        row = board.locator(f"#board-team-{team.pk}")
        assert row.locator("[data-task-count]").inner_text() == "0"

        lead_page = signed_in_context(
            server, lead, viewport={"width": 390, "height": 844}
        ).new_page()
        lead_page.goto(f"{server.url}/teams/{team.pk}/")
        # The lead's socket is open: the board counts them online without a reload.
        row.locator("[data-online-count]", has_text="1 / 2").wait_for(timeout=5000)

        form = lead_page.locator("#task-add-form")
        form.locator("input[name=title]").fill("실시간 보고서")
        form.locator("input[name=occurrences_per_period]").fill("2")
        form.locator("input[name=minutes_per_occurrence]").fill("45")
        form.locator("button[type=submit]").click()
        lead_page.locator(".tasks-region .task-title", has_text="실시간 보고서").wait_for()

        # No reload on the instructor's side: the push moves the count.
        row.locator("[data-task-count]", has_text="1").wait_for(timeout=5000)
        ARTIFACTS.mkdir(exist_ok=True)
        board.screenshot(path=str(ARTIFACTS / "live_board.png"), full_page=True)

        # Cut the lead's socket: the server dies without closing it.
        server.kill()
        lead_page.locator("[data-live-status]", has_text="연결 끊김").wait_for(timeout=10000)

        # Meanwhile a teammate's changes land in the database (another server took them).
        services.task_create(
            team=team, actor=member, data=task_data(domain, title="끊긴 사이 추가된 업무")
        )
        services.task_create(
            team=team, actor=member, data=task_data(domain, title="또 하나의 업무")
        )

        server.start()  # same port: the page reconnects by itself
        lead_page.locator(".tasks-region .task-title", has_text="끊긴 사이 추가된 업무").wait_for(
            timeout=20000
        )
        lead_page.locator("[data-live-status]").wait_for(state="hidden", timeout=5000)

        regions = [
            f"#team-{team.pk}-tasks",
            f"#team-{team.pk}-activity",
            f"#team-{team.pk}-members",
        ]
        before = [region_text(lead_page, selector) for selector in regions]
        lead_page.reload()
        lead_page.locator(f"#team-{team.pk}-tasks").wait_for()
        after = [region_text(lead_page, selector) for selector in regions]
        assert before == after
        assert "또 하나의 업무" in before[0]
    finally:
        server.stop()
