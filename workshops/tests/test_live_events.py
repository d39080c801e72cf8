"""Each service announces its change after commit, to the right audiences, and never on rollback."""

import asyncio
import re
import threading
import time

import pytest
from django.db import transaction

from conftest import make_user, task_data
from workshops import events, services
from workshops.live import publisher


def test_adding_a_task_announces_it_to_the_team_instructors_and_workshop(
    team, lead, domain, django_capture_on_commit_callbacks
):
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.task_create(team=team, actor=lead, data=task_data(domain))
    workshop_id = team.workshop_id
    assert sent == [
        (f"workshop.{workshop_id}", "pulse"),
        (f"team.{team.pk}", "team"),
        (f"workshop.{workshop_id}.instructors", "team"),
        (f"workshop.{workshop_id}.instructors", "board"),
    ]


def test_nothing_is_announced_before_commit(team, lead, domain, django_capture_on_commit_callbacks):
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.task_create(team=team, actor=lead, data=task_data(domain))
    assert sent == []
    assert len(callbacks) == 1


def test_nothing_is_announced_for_a_change_that_rolls_back(
    team, lead, domain, django_capture_on_commit_callbacks
):
    with (
        events.capture() as sent,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.task_create(team=team, actor=lead, data=task_data(domain))
        raise RuntimeError("the request failed after the write")
    assert sent == []
    assert not team.tasks.exists()


def test_editing_and_deleting_announce_like_adding(
    task, member, django_capture_on_commit_callbacks
):
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.task_update(task=task, actor=member, data=task_data(task.domain, title="새 제목"))
        services.task_delete(task=task, actor=member)
    assert sent.count((f"team.{task.team_id}", "team")) == 2
    task.team.refresh_from_db()
    assert (task.team.last_activity_by, task.team.last_activity_verb) == (member, "deleted")


def test_a_new_team_moves_the_pulse_and_the_board(workshop, django_capture_on_commit_callbacks):
    newcomer = make_user("newcomer@example.com")
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.team_create(
            workshop=workshop, lead=newcomer, team_name="새 팀", display_name="새 팀장"
        )
    assert sent == [
        (f"workshop.{workshop.pk}", "pulse"),
        (f"workshop.{workshop.pk}.instructors", "board"),
    ]


def test_a_member_joining_updates_the_team_line(team, lead, django_capture_on_commit_callbacks):
    invitation = services.invitation_create(team=team, actor=lead)
    newcomer = make_user("joiner@example.com")
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.invitation_accept(invitation=invitation, user=newcomer, display_name="새 팀원")
    assert (f"team.{team.pk}", "team") in sent
    assert (f"workshop.{team.workshop_id}.instructors", "board") in sent


def test_closing_announces_the_status_and_each_teams_read_only_page(
    workshop, team, other_team, django_capture_on_commit_callbacks
):
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.workshop_close(workshop=workshop)
    assert sent == [
        (f"workshop.{workshop.pk}", "status"),
        (f"team.{team.pk}", "team"),  # teams in name order: 영업1팀, 재무팀
        (f"team.{other_team.pk}", "team"),
        (f"workshop.{workshop.pk}.instructors", "board"),
    ]


def test_closing_twice_announces_once(workshop, django_capture_on_commit_callbacks):
    services.workshop_close(workshop=workshop)
    with events.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.workshop_close(workshop=workshop)
    assert sent == []


def element_html(html: str, element_id: str) -> str:
    """The element with `element_id`, tags balanced, its render time left out."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<", 0, start)
    tag = html[start + 1 : html.index(" ", start)]
    depth, position = 0, start
    while True:
        next_open = html.find(f"<{tag}", position)
        next_close = html.find(f"</{tag}>", position)
        if next_open != -1 and next_open < next_close:
            depth, position = depth + 1, next_open + 1
        else:
            depth, position = depth - 1, next_close + 1
            if depth == 0:
                end = next_close + len(f"</{tag}>")
                return re.sub(r' data-version="\d+"', "", html[start:end])


def test_a_pushed_region_equals_what_a_reload_shows(client_as, lead, member, task):
    """What a client builds from pushes must be what a fresh page load shows."""
    from workshops.live import render

    services.task_create(team=task.team, actor=member, data=task_data(task.domain, title="둘째"))
    pushed = render.team_regions(task.team, can_edit=True)
    page = client_as(lead).get(task.team.get_absolute_url()).content.decode()
    for region in (f"team-{task.team_id}-{part}" for part in ("tasks", "activity", "members")):
        assert element_html(pushed, region) == element_html(page, region)
    assert "둘째" in element_html(pushed, f"team-{task.team_id}-tasks")


@pytest.mark.django_db(transaction=True)
def test_the_board_renders_once_for_a_burst_of_changes(workshop, settings):
    settings.LIVE_BOARD_DEBOUNCE = 0.2
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    publisher.register_consumer_loop(loop)  # stands in for the consumers' loop
    try:
        with events.capture() as sent:
            for _ in range(20):
                events.board_changed(workshop_id=workshop.pk)
            time.sleep(0.6)
        assert sent == [(f"workshop.{workshop.pk}.instructors", "board")]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(2)
        loop.close()


def test_a_failing_push_never_fails_the_write_that_caused_it(
    monkeypatch, client_as, lead, team, domain, django_capture_on_commit_callbacks, caplog
):
    from workshops.live import render

    def broken(*args, **kwargs):
        raise RuntimeError("redis is down")

    monkeypatch.setattr(render, "pulse", broken)
    data = {
        "title": "저장은 된다",
        "domain": domain.pk,
        "frequency": "weekly",
        "occurrences_per_period": 1,
        "minutes_per_occurrence": 10,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(lead).post(f"/teams/{team.pk}/tasks/", data)
    assert response.status_code == 302
    assert team.tasks.filter(title="저장은 된다").exists()
    assert "task_changed" in caplog.text


def test_a_page_is_stamped_before_it_reads(monkeypatch, client_as, lead, team):
    import time

    from workshops import selectors

    reads = []
    original = selectors.team_tasks

    def spy(team):
        reads.append(time.time_ns())
        return original(team)

    monkeypatch.setattr(selectors, "team_tasks", spy)
    response = client_as(lead).get(team.get_absolute_url())
    assert response.context["version"] <= reads[0]
