"""The summary's common work on a 390×844 phone, as Chromium renders it: no sideways scroll
with a group opened, and taking a task out of a group from there."""

from pathlib import Path

import pytest

from conftest import task_data
from workshops import services
from workshops.models import CommonWorkChoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_an_instructor_takes_a_task_out_of_a_group_on_a_phone(
    asgi_server, signed_in_context, workshop, instructor, team, lead, other_team, other_lead, domain
):
    long_title = "주간 영업 실적 보고서 작성 및 본부장 보고용 요약 자료 정리 (매주 월요일 오전)"
    long = services.task_create(team=team, actor=lead, data=task_data(domain, title=long_title))
    other = services.task_create(
        team=other_team, actor=other_lead, data=task_data(domain, title="주간 영업 실적 보고")
    )
    services.task_create(team=team, actor=lead, data=task_data(domain, title="미수금 회수 독촉"))
    services.task_create(
        team=other_team, actor=other_lead, data=task_data(domain, title="거래처 미수금 독촉 연락")
    )

    page = signed_in_context(asgi_server, instructor, **PHONE).new_page()
    page.goto(f"{asgi_server.url}/workshops/{workshop.pk}/summary/")
    # The socket's first message is a fresh copy of the summary: wait for it to land.
    region = f"#workshop-{workshop.pk}-summary"
    first = page.locator(region).get_attribute("data-version")
    page.wait_for_function(
        "([region, first]) => document.querySelector(region).dataset.version !== first",
        arg=[region, first],
        timeout=10000,
    )
    section = page.locator("#common-work")
    group = section.locator(f"#common-work-{long.pk}")  # a group is named by its first task
    group.locator("summary").click()
    assert group.locator("select[name=with]").is_visible()
    box = section.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "common_work_390x844.png"))

    item = group.locator("li", has_text="재무팀")
    item.locator("button:has-text('묶음에서 빼기')").click()
    page.locator(".message:has-text('묶음에서 뺐습니다')").wait_for()
    assert CommonWorkChoice.objects.get(task=other).apart
