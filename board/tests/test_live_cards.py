"""Task cards are kept once rendered (per process), and never shown stale or with a token."""

import re

import pytest
from django.template.loader import render_to_string

from ai import requests as ai_requests
from board import render
from conftest import task_data
from workshops import services


@pytest.fixture(autouse=True)
def _no_cards():
    render._cards.clear()
    yield
    render._cards.clear()


def task_list(team, *, can_edit=True) -> str:
    view = render.team_view(render.read_team(team.pk))
    return view.region("tasks", can_edit=can_edit)


def rated(task, actor):
    ai_requests.analysis_override(task=task, actor=actor, rating="HIGH", note="")
    return task


def test_a_kept_card_is_the_card_the_template_renders(lead, team, task):
    rated(task, lead)
    task_list(team)  # renders the cards and keeps them
    view = render.team_view(render.read_team(team.pk))
    kept = view.region("tasks", can_edit=True)
    for card in view.tasks.cards:
        card.html = ""  # the template alone, as before cards were kept
    context = {"team": view.team, "tasks": view.tasks, "can_edit": True, "version": view.version}
    assert kept == render_to_string("workshops/team_detail.html#tasks-region", context)


def test_an_edited_task_gets_a_new_card(lead, team, task):
    task_list(team)
    services.task_update(task=task, actor=lead, data=task_data(task.domain, title="새 제목"))
    html = task_list(team)
    assert "새 제목" in html and "주간 보고서 작성" not in html


def test_a_renamed_person_is_shown_by_their_new_name(lead, team, task):
    task_list(team)
    lead.name = "개명한 팀장"
    lead.save(update_fields=["name"])
    assert "개명한 팀장" in task_list(team)


def test_the_read_only_card_is_kept_apart_from_the_editable_one(lead, team, task):
    assert f"/tasks/{task.pk}/edit/" in task_list(team, can_edit=True)
    assert f"/tasks/{task.pk}/edit/" not in task_list(team, can_edit=False)


def test_a_card_keeps_a_mark_where_a_page_puts_its_token(client_as, lead, team, task):
    rated(task, lead)  # not deep yet: its card has a form for a deep analysis
    page = client_as(lead).get(team.get_absolute_url()).content.decode()
    card = page[page.index(f'id="task-{task.pk}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)
    assert len(token) == 64  # a masked token (Django's), for the page's request
    kept = list(render._cards.values())
    assert kept and all(token not in html for html in kept)  # no request's token is kept
    assert any(render.CSRF_MARK in html for html in kept)
    assert render.CSRF_MARK not in page and render.VERSION_MARK not in page
    pushed = task_list(team)  # a push, or an htmx answer: the token goes in a header
    assert "csrfmiddlewaretoken" not in pushed and render.CSRF_MARK not in pushed
