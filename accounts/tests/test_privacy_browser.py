"""The consent notice and the privacy page on a 390×844 phone, as Chromium renders them."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_notice_and_the_policy_fit_a_phone(asgi_server, signed_in_context, outsider, workshop):
    page = signed_in_context(asgi_server, outsider, **PHONE).new_page()
    page.goto(f"{asgi_server.url}/join/{workshop.join_code}/")
    page.click("summary:has-text('개인정보 수집·이용 및 국외 이전 안내')")
    assert page.locator(".privacy-facts").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "join_consent_390x844.png"), full_page=True)

    page.fill("input[name=display_name]", "새 팀장")
    page.fill("input[name=team_name]", "마케팅팀")
    page.click("button:has-text('팀 만들고 참여하기')")
    assert page.locator(".privacy-consent .errorlist").is_visible()  # the box was not ticked
    page.check("input[name=privacy_consent]")
    page.click("button:has-text('팀 만들고 참여하기')")
    page.wait_for_url("**/teams/*/")

    page.goto(f"{asgi_server.url}/privacy/")
    assert page.locator("h1").inner_text() == "개인정보 처리방침"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
