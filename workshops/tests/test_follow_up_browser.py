"""The follow-up page on a 390×844 phone, opened from the mail by someone not signed in."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from workshops import follow_up, services
from workshops.models import FollowUp, Pick, Workshop


def picked(task, expected_hours=Decimal("0")) -> Pick:
    """`task` as one of its team's picks (made directly: when a lead may pick is the priorities'
    own rule, tested with them)."""
    return Pick.objects.create(team=task.team, task=task, expected_hours=expected_hours)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
TOKEN = "phone-follow-up-token-0123456789abcdefghijklmn"


def test_a_lead_reports_a_plan_on_a_phone_and_a_typo_loses_nothing(
    asgi_server, browser, workshop, team, lead, task
):
    chosen = picked(task, Decimal("4.33"))
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=31))
    now = timezone.now()
    FollowUp.objects.create(
        team=team,
        token_hash=follow_up.token_hash(TOKEN),
        sent_to=lead.email,
        sent_at=now,
        expires_at=now + timedelta(days=30),
    )

    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{asgi_server.url}/follow-up/{TOKEN}/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator("label.status-choice:has-text('진행 중')").click()
    page.fill(f"#actual-{chosen.pk}", "세 시간")
    page.locator("button:has-text('저장')").click()
    page.locator(".errorlist:has-text('숫자로 적어 주세요')").wait_for()
    assert page.input_value(f"#actual-{chosen.pk}") == "세 시간"
    assert page.is_checked(f"input[name='status-{chosen.pk}'][value='in_progress']")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "follow_up_390x844.png"), full_page=True)

    page.fill(f"#actual-{chosen.pk}", "3")
    page.locator("button:has-text('저장')").click()
    page.locator("text=저장했습니다").wait_for()
    chosen.refresh_from_db()
    assert (chosen.status, chosen.actual_hours) == (Pick.Status.IN_PROGRESS, Decimal("3"))
