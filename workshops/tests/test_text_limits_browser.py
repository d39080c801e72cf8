"""The live character counter, in Debian's Chromium."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_description_counts_characters_and_keeps_pasted_text_whole(
    asgi_server, signed_in_context, lead, team
):
    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{team.get_absolute_url()}")
    description = page.locator("#task-add-form textarea[name=description]")
    counter = page.locator("#task-add-form .char-count")
    assert counter.inner_text() == "0 / 2,000"
    description.fill("가" * 1234)
    assert counter.inner_text() == "1,234 / 2,000"
    description.fill("가" * 3000)  # as a paste would: nothing is cut
    assert counter.inner_text() == "3,000 / 2,000 · 1,000자 넘음"
    assert "over" in counter.get_attribute("class")
    assert len(description.input_value()) == 3000
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ARTIFACTS.mkdir(exist_ok=True)
    description.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "task_description_counter_390x844.png"))
