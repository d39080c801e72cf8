"""Leaving a page with unsaved edits asks first, in Debian's Chromium."""

import re

import pytest
from django.urls import reverse

from workshops import priorities
from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
# What the browser asks before it leaves: a cancelled beforeunload event.
LEAVING_ASKS = """() => {
  const event = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_the_add_form_warns_until_its_task_is_saved(asgi_server, signed_in_context, lead, team):
    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{team.get_absolute_url()}")
    assert not page.evaluate(LEAVING_ASKS)
    form = page.locator("#task-add-form")
    form.locator("input[name=title]").fill("월말 정산")
    assert page.evaluate(LEAVING_ASKS)
    form.locator("input[name=minutes_per_occurrence]").fill("30")
    form.locator("button[type=submit]").click()
    page.locator("#task-add-form [data-added]").wait_for()
    assert not page.evaluate(LEAVING_ASKS)


def test_a_reload_with_unsaved_text_shows_the_browser_question(
    asgi_server, signed_in_context, lead, team
):
    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{team.get_absolute_url()}")
    page.locator("#task-add-form input[name=title]").fill("월말 정산")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.evaluate("() => { location.reload(); }")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.locator("#task-add-form input[name=title]").input_value() == "월말 정산"


def test_the_edit_form_warns_until_saved(asgi_server, signed_in_context, lead, task):
    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{task.team.get_absolute_url()}")
    page.locator(f"#task-{task.pk} a:has-text('수정')").click()
    edit = page.locator("form.task-edit")
    edit.wait_for()
    assert not page.evaluate(LEAVING_ASKS)
    edit.locator("input[name=title]").fill("주간 보고서 작성 (수정)")
    assert page.evaluate(LEAVING_ASKS)
    edit.locator("button:has-text('저장')").click()
    edit.wait_for(state="detached")
    assert not page.evaluate(LEAVING_ASKS)


def test_the_plan_form_sent_back_with_an_error_still_warns(
    asgi_server, signed_in_context, lead, task
):
    task.team.workshop.phase = Workshop.Phase.PRIORITISE  # picks are made in this phase
    task.team.workshop.save(update_fields=["phase"])
    chosen = priorities.pick_confirm(task=task, actor=lead)
    page = signed_in_context(asgi_server, lead, **PHONE).new_page()
    page.goto(f"{asgi_server.url}{reverse('workshops:plan', args=[chosen.pk])}")
    page.fill("input[name=first_step]", "가" * 250)
    assert page.evaluate(LEAVING_ASKS)
    page.click("button:has-text('저장')")  # a plain post: sending it clears the mark
    page.locator(".error-message").first.wait_for()
    assert page.evaluate(LEAVING_ASKS)  # came back with the error: still not saved
    page.fill("input[name=first_step]", "절차를 적어 공유")
    page.click("button:has-text('저장')")
    page.wait_for_url(re.compile(re.escape(task.team.get_absolute_url()) + "#"))
    assert not page.evaluate(LEAVING_ASKS)
