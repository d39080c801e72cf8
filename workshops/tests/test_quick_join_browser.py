"""Three phones join a quick-join workshop — by the code, by the link, and by the code typed
with the keyboard in 한글 mode — each in two screens, while the instructor's join slide shows
them appear (issue 15). Chromium at 390×844."""

import re
from pathlib import Path

import pytest

from workshops.models import Participant, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

# The code UHTQSK as a phone keyboard in 한글 mode types it: ㅕ ㅗ ㅅ ㅂ, then ㄴ and ㅏ composed.
HANGUL_TYPED = "ㅕㅗㅅㅂ나"


def fill_and_join(page, name: str, team: str) -> None:
    """Screen 2 of 2 is the team page: the join form is the only screen before it."""
    page.fill("input[name=display_name]", name)
    page.fill("input[name=team_name]", team)
    page.check("input[name=privacy_consent]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.click("button:has-text('참여하기')")
    page.wait_for_url(re.compile(r"/teams/\d+/$"))


def test_three_phones_join_by_code_link_and_hangul_code_and_the_slide_shows_them(
    asgi_server, signed_in_context, browser, workshop, instructor
):
    workshop.join_code = "UHTQSK"
    workshop.save(update_fields=["join_code"])
    base = asgi_server.url

    slide = signed_in_context(asgi_server, instructor).new_page()
    slide.goto(f"{base}/workshops/{workshop.pk}/join-slide/")
    assert slide.locator(".join-slide-code").inner_text().strip() == "UHTQSK"
    assert slide.locator("[data-joined-count]").inner_text() == "0"

    # 1. By the code, typed on the code page: the code screen, then the join form.
    first = browser.new_context(**PHONE).new_page()
    first.goto(f"{base}/join/")
    first.fill("input[name=code]", "uhtqsk")
    first.click("button:has-text('다음')")
    first.wait_for_url(re.compile(r"/join/UHTQSK/$"))
    ARTIFACTS.mkdir(exist_ok=True)
    first.screenshot(path=str(ARTIFACTS / "quick_join_390x844.png"), full_page=True)
    fill_and_join(first, "김팀장", "영업1팀")
    assert "영업1팀" in first.locator("h1").inner_text()
    first.screenshot(path=str(ARTIFACTS / "quick_join_team_page_390x844.png"))

    # 2. By the link (the QR's address): straight to the join form, joining the same team.
    second = browser.new_context(**PHONE).new_page()
    second.goto(f"{base}/join/UHTQSK/")
    fill_and_join(second, "박팀원", "영업1팀")

    # 3. By the code typed in 한글 mode.
    third = browser.new_context(**PHONE).new_page()
    third.goto(f"{base}/join/")
    third.fill("input[name=code]", HANGUL_TYPED)
    third.click("button:has-text('다음')")
    third.wait_for_url(re.compile(r"/join/UHTQSK/$"))
    fill_and_join(third, "최팀장", "인사팀")

    # The slide refreshes by itself: all three appear without a reload.
    slide.locator("[data-joined-count]:text-is('3')").wait_for(timeout=10_000)
    names = slide.locator(".join-slide-names").inner_text()
    for name in ("김팀장", "박팀원", "최팀장"):
        assert name in names
    slide.screenshot(path=str(ARTIFACTS / "join_slide.png"))

    sales = Team.objects.get(name="영업1팀")
    roles = dict(Participant.objects.filter(team=sales).values_list("user__name", "role"))
    assert roles == {"김팀장": "lead", "박팀원": "member"}
    assert Team.objects.get(name="인사팀").lead.name == "최팀장"
