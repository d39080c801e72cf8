"""The ask-back card and the labelled sums on a 390×844 phone, as Chromium renders them."""

from pathlib import Path

import pytest

from ai import requests as ai_requests
from ai import runner
from conftest import task_data
from workshops import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_lead_answers_the_cards_question_on_a_phone(
    asgi_server, signed_in_context, settings, team, lead, domain
):
    settings.ANTHROPIC_API_KEY = ""
    vague = services.task_create(
        team=team, actor=lead, data=task_data(domain, title="팀 지원", description="팀 업무 지원")
    )
    services.task_create(
        team=team,
        actor=lead,
        data=task_data(
            domain, title="실적 집계", description="ERP 실적을 엑셀로 내려받아 집계한다"
        ),
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)

    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{team.get_absolute_url()}")
    card = page.locator(f"#task-{vague.pk}")
    assert card.locator(".ask-back").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ask_back_390x844.png"), full_page=True)

    card.locator("button:has-text('엑셀')").click()
    page.locator(f"#task-{vague.pk} .task-desc:has-text('입력 자료: 엑셀')").wait_for()
    vague.refresh_from_db()
    assert vague.description.endswith("입력 자료: 엑셀")

    page.goto(f"{asgi_server.url}/teams/{team.pk}/report/")
    assert page.locator(".by-source").is_visible()
    assert "규칙 기반 추정 (AI 아님)" in page.locator(".by-source").inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)  # the report's table is cards on a phone
    box = page.locator(".by-source").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_a_lead_corrects_a_factor_on_a_phone(
    asgi_server, signed_in_context, settings, team, lead, domain
):
    settings.ANTHROPIC_API_KEY = ""
    task = services.task_create(
        team=team,
        actor=lead,
        data=task_data(
            domain,
            title="실적 집계",
            description="ERP 실적을 엑셀로 내려받아 피벗으로 집계해 팀장에게 메일로 보낸다",
        ),
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)

    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{team.get_absolute_url()}")
    card = page.locator(f"#task-{task.pk}")
    assert card.locator(".reason").is_visible()
    chip = card.locator("summary.chip:has-text('입력 자료')")
    chip.click()
    assert card.locator("details[open] .factor-form").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "factor_chips_390x844.png"), full_page=True)

    card.locator("details[open] .factor-form button:has-text('종이·수기')").click()
    page.locator(f"#task-{task.pk} .factor-formula").wait_for()
    assert "보통 40%" in page.locator(f"#task-{task.pk} .factor-formula").inner_text()
    assert "자동화 가능성 보통" in page.locator(f"#task-{task.pk} .rating-badge").inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
