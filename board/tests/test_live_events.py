"""Each service announces its change after commit, to the right audiences, and never on rollback."""

import asyncio
import functools
import itertools
import re
import threading
import time

import pytest
from django.db import transaction

from conftest import make_user, task_data
from support import live
from workshops import events, priorities, services
from workshops.live import presence, publisher
from workshops.models import Task, Workshop


@pytest.fixture(autouse=True)
def _no_one_online():
    """Presence outlives a test in the local-memory store: start and end with nobody."""
    presence.reset()
    yield
    presence.reset()


def open_page(workshop, user, *, instructor=False, team=None):
    """A socket's presence entry, as the consumer writes it for that page."""
    team_id = team.pk if team else None
    presence.connect(
        workshop.pk, user.pk, presence.connection_id(instructor=instructor, team_id=team_id)
    )


@pytest.fixture
def consumers_loop():
    """An event loop in its own thread, standing in for the consumers' (the publisher hands
    pushes to it), stopped after the test."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    publisher.register_consumer_loop(loop)
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(2)
    loop.close()


@pytest.fixture
def pulses(workshop, consumers_loop, monkeypatch):
    """(time sent, the count of tasks it shows) of every pulse sent to the workshop's team
    pages during the test."""
    sent = []
    original = publisher.send

    def spy(group, html):
        if group == f"workshop.{workshop.pk}.team-pages":
            count = re.search(r"업무 <strong>(\d+)</strong>", html).group(1)
            sent.append((time.monotonic(), count))
        original(group, html)

    monkeypatch.setattr(publisher, "send", spy)
    return sent


@pytest.fixture
def pages_open(workshop, instructor, team, lead, other_team, other_lead):
    """Every page is open: each lead's team page, the board, and an instructor on `team`."""
    open_page(workshop, lead, team=team)
    open_page(workshop, other_lead, team=other_team)
    open_page(workshop, instructor, instructor=True)
    open_page(workshop, instructor, instructor=True, team=team)


def test_adding_a_task_announces_it_to_the_team_instructors_and_workshop(
    team, lead, domain, pages_open, django_capture_on_commit_callbacks
):
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.task_create(team=team, actor=lead, data=task_data(domain))
    workshop_id = team.workshop_id
    assert sent == [
        (f"workshop.{workshop_id}.team-pages", "pulse"),
        (f"team.{team.pk}", "team"),
        (f"team.{team.pk}.instructors", "team"),
        (f"workshop.{workshop_id}.board", "board"),
    ]


def test_nothing_is_announced_before_commit(team, lead, domain, django_capture_on_commit_callbacks):
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.task_create(team=team, actor=lead, data=task_data(domain))
    assert sent == []
    # The one delivery waits for the commit (the other hook marks the revision bumped).
    deliveries = [hook.args for hook in callbacks if isinstance(hook, functools.partial)]
    assert deliveries == [(events.TaskChanged(team_id=team.pk, workshop_id=team.workshop_id),)]


def test_nothing_is_announced_for_a_change_that_rolls_back(
    team, lead, domain, django_capture_on_commit_callbacks
):
    with (
        live.capture() as sent,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.task_create(team=team, actor=lead, data=task_data(domain))
        raise RuntimeError("the request failed after the write")
    assert sent == []
    assert not team.tasks.exists()


def test_editing_and_deleting_announce_like_adding(
    task, member, pages_open, django_capture_on_commit_callbacks
):
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.task_update(task=task, actor=member, data=task_data(task.domain, title="새 제목"))
        services.task_delete(task=task, actor=member)
    assert sent.count((f"team.{task.team_id}", "team")) == 2
    task.team.refresh_from_db()
    assert (task.team.last_activity_by, task.team.last_activity_verb) == (member, "deleted")


def test_before_prioritising_a_task_change_does_not_make_pages_reload_their_priorities(
    team, lead, member, domain, pages_open, django_capture_on_commit_callbacks
):
    """Each open page of the team loads its own priorities when their stub is pushed: not
    while they only say when voting opens, unless a task went (its votes with it)."""
    stub = f'id="team-{team.pk}-priorities"'
    sink = live.CapturingSink()
    previous = events.install_sink(sink)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            task = services.task_create(team=team, actor=lead, data=task_data(domain))
        assert not any(stub in html for _group, html in sink.html)
        assert any(f'id="task-{task.pk}"' in html for _group, html in sink.html)

        Workshop.objects.filter(pk=team.workshop_id).update(phase=Workshop.Phase.PRIORITISE)
        team.workshop.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            priorities.vote_toggle(task=task, user=member)
        assert any(stub in html for _group, html in sink.html)  # the tally changed

        Workshop.objects.filter(pk=team.workshop_id).update(phase=Workshop.Phase.WRITE)
        sink.html.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.task_update(task=task, actor=lead, data=task_data(domain, title="새 제목"))
        assert any(stub in html for _group, html in sink.html)  # a vote is on show
        sink.html.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.task_delete(task=Task.objects.get(pk=task.pk), actor=lead)
        assert any(stub in html for _group, html in sink.html)  # and goes with its task
    finally:
        events.install_sink(previous)


def test_a_new_team_moves_the_pulse_and_the_board(
    workshop, pages_open, django_capture_on_commit_callbacks
):
    newcomer = make_user("newcomer@example.com")
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.team_create(
            workshop=workshop, lead=newcomer, team_name="새 팀", display_name="새 팀장"
        )
    assert sent == [
        (f"workshop.{workshop.pk}.team-pages", "pulse"),
        (f"workshop.{workshop.pk}.board", "board"),
    ]


def test_a_member_joining_updates_the_team_line(
    team, lead, pages_open, django_capture_on_commit_callbacks
):
    invitation = services.invitation_create(team=team, actor=lead)
    newcomer = make_user("joiner@example.com")
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.invitation_accept(invitation=invitation, user=newcomer, display_name="새 팀원")
    assert (f"team.{team.pk}", "team") in sent
    assert (f"workshop.{team.workshop_id}.board", "board") in sent


def test_closing_announces_the_status_and_each_teams_read_only_page(
    workshop, team, other_team, pages_open, django_capture_on_commit_callbacks
):
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
        services.workshop_close(workshop=workshop)
    assert sent == [
        (f"workshop.{workshop.pk}", "status"),
        (f"team.{team.pk}", "team"),  # teams in name order: 영업1팀, 재무팀
        (f"team.{other_team.pk}", "team"),
        (f"workshop.{workshop.pk}.board", "board"),
    ]


def test_closing_twice_announces_once(workshop, django_capture_on_commit_callbacks):
    services.workshop_close(workshop=workshop)
    with live.capture() as sent, django_capture_on_commit_callbacks(execute=True):
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
    from board import render

    services.task_create(team=task.team, actor=member, data=task_data(task.domain, title="둘째"))
    pushed = render.team_regions(task.team, can_edit=True)
    page = client_as(lead).get(task.team.get_absolute_url()).content.decode()
    for region in (f"team-{task.team_id}-{part}" for part in ("tasks", "activity", "members")):
        assert element_html(pushed, region) == element_html(page, region)
    assert "둘째" in element_html(pushed, f"team-{task.team_id}-tasks")


def test_the_out_of_band_task_list_is_the_templates_oob_variant(lead, member, task):
    from django.template.loader import render_to_string

    from board import render

    analyse(task, member)
    view = render.team_view(render.read_team(task.team_id))
    context = {"team": view.team, "tasks": view.tasks, "can_edit": True, "version": view.version}
    expected = render_to_string("workshops/team_detail.html#tasks-region", {**context, "oob": True})
    assert render.tasks_region(view, can_edit=True, oob=True) == expected


@pytest.mark.django_db(transaction=True)  # the event runs at the commit, inside the request
def test_a_writes_answer_is_the_task_list_its_push_carries(client_as, lead, team, task, pages_open):
    pushed = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publisher, "send", lambda group, html: pushed.append((group, html)))
        response = client_as(lead).post(
            f"/tasks/{task.pk}/edit/",
            {**task_data(task.domain, title="고친 제목"), "domain": task.domain_id, "version": 1},
            HTTP_HX_REQUEST="true",
        )
    (team_push,) = [html for group, html in pushed if group == f"team.{team.pk}"]
    answer = response.content.decode()
    assert "고친 제목" in answer
    assert team_push.startswith(answer)


def analyse(task, actor):
    """A person's rating: the card then shows the analysis block with its forms."""
    from ai import requests as ai_requests

    ai_requests.analysis_override(task=task, actor=actor, rating="HIGH", note="")


@pytest.mark.django_db(transaction=True)
def test_the_board_renders_once_for_a_burst_of_changes(
    workshop, instructor, settings, consumers_loop
):
    settings.LIVE_BOARD_DEBOUNCE = 0.2
    open_page(workshop, instructor, instructor=True)
    with live.capture() as sent:
        for _ in range(20):
            events.announce(events.WorkshopFiguresChanged(workshop_id=workshop.pk))
        time.sleep(0.6)
    assert sent == [(f"workshop.{workshop.pk}.board", "board")]


def test_a_failing_push_never_fails_the_write_that_caused_it(
    monkeypatch,
    client_as,
    lead,
    team,
    domain,
    pages_open,
    django_capture_on_commit_callbacks,
    caplog,
):
    from board import render

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
    assert "TaskChanged" in caplog.text


def test_a_page_is_stamped_before_it_reads(monkeypatch, client_as, lead, team):
    import time

    from board import reads as board_reads

    reads = []
    original = board_reads.team_page

    def spy(team):
        reads.append(time.time_ns())
        return original(team)

    monkeypatch.setattr(board_reads, "team_page", spy)
    response = client_as(lead).get(team.get_absolute_url())
    region = re.search(
        rf'id="team-{team.pk}-tasks"[^>]* data-version="(\d+)"', response.content.decode()
    )
    assert reads and int(region.group(1)) <= reads[0]


# --- Rendered only for pages that are open -----------------------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """The names of the live regions rendered, whether or not they were sent."""
    from board import render

    rendered = []
    for name in ("pulse", "team_regions", "board", "summary"):
        original = getattr(render, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            rendered.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(render, name, spy)
    return rendered


def add_task(team, lead, domain, capture_on_commit):
    with live.capture() as sent, capture_on_commit(execute=True):
        services.task_create(team=team, actor=lead, data=task_data(domain))
    return sent


def test_a_change_no_open_page_shows_is_not_even_rendered(
    team, lead, domain, renders, django_capture_on_commit_callbacks
):
    assert add_task(team, lead, domain, django_capture_on_commit_callbacks) == []
    assert renders == []


def test_a_lead_with_the_team_page_open_gets_the_team_and_the_pulse_only(
    workshop, team, lead, domain, renders, django_capture_on_commit_callbacks
):
    open_page(workshop, lead, team=team)
    sent = add_task(team, lead, domain, django_capture_on_commit_callbacks)
    assert sent == [(f"workshop.{workshop.pk}.team-pages", "pulse"), (f"team.{team.pk}", "team")]
    assert renders == ["pulse", "team_regions"]


def test_another_teams_open_page_gets_only_the_workshop_pulse(
    workshop, team, lead, other_team, other_lead, domain, django_capture_on_commit_callbacks
):
    open_page(workshop, other_lead, team=other_team)
    sent = add_task(team, lead, domain, django_capture_on_commit_callbacks)
    assert sent == [(f"workshop.{workshop.pk}.team-pages", "pulse")]


def test_an_instructor_on_the_board_gets_the_board_but_no_teams_details(
    workshop, instructor, team, lead, domain, renders, django_capture_on_commit_callbacks
):
    open_page(workshop, instructor, instructor=True)
    sent = add_task(team, lead, domain, django_capture_on_commit_callbacks)
    assert sent == [(f"workshop.{workshop.pk}.board", "board")]
    assert renders == ["board"]


def test_an_instructor_on_the_summary_gets_the_summary_and_nothing_else(
    workshop, instructor, team, lead, domain, renders, django_capture_on_commit_callbacks
):
    presence.connect(
        workshop.pk,
        instructor.pk,
        presence.connection_id(instructor=True, team_id=None, summary=True),
    )
    sent = add_task(team, lead, domain, django_capture_on_commit_callbacks)
    assert sent == [(f"workshop.{workshop.pk}.summary", "summary")]
    assert renders == ["summary"]


def test_an_instructor_watching_a_team_gets_its_details_but_no_board(
    workshop, instructor, team, lead, domain, django_capture_on_commit_callbacks
):
    open_page(workshop, instructor, instructor=True, team=team)
    sent = add_task(team, lead, domain, django_capture_on_commit_callbacks)
    assert sent == [
        (f"workshop.{workshop.pk}.team-pages", "pulse"),
        (f"team.{team.pk}.instructors", "team"),
    ]


def test_a_socket_that_does_not_say_which_page_it_shows_gets_everything(
    workshop, team, lead, domain, django_capture_on_commit_callbacks
):
    presence.connect(workshop.pk, lead.pk, "0123456789abcdef")  # as an older process wrote it
    sent = add_task(team, lead, domain, django_capture_on_commit_callbacks)
    assert [kind for _group, kind in sent] == ["pulse", "team", "team", "board", "summary"]


def test_a_page_that_closed_gets_nothing_more(
    workshop, team, lead, domain, django_capture_on_commit_callbacks
):
    connection = presence.connection_id(instructor=False, team_id=team.pk)
    presence.connect(workshop.pk, lead.pk, connection)
    presence.disconnect(workshop.pk, lead.pk, connection)
    assert add_task(team, lead, domain, django_capture_on_commit_callbacks) == []


def test_both_audiences_of_a_team_render_from_one_read(
    workshop, team, lead, domain, pages_open, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.task_update(task=task, actor=lead, data=task_data(domain, title="고친 제목"))
    team_reads = [q for q in queries if f'WHERE "workshops_task"."team_id" = {team.pk}' in q["sql"]]
    assert len(team_reads) == 1


def test_the_board_is_not_rendered_after_the_last_instructor_left(
    workshop, instructor, settings, renders, consumers_loop
):
    settings.LIVE_BOARD_DEBOUNCE = 0.2
    connection = presence.connection_id(instructor=True, team_id=None)
    presence.connect(workshop.pk, instructor.pk, connection)
    events.announce(
        events.WorkshopFiguresChanged(workshop_id=workshop.pk)
    )  # scheduled while the board is open
    presence.disconnect(workshop.pk, instructor.pk, connection)
    time.sleep(0.5)
    assert renders == []


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_changes_sends_the_pulse_at_once_and_once_more_at_the_end(
    workshop, team, lead, domain, settings, pulses
):
    window = settings.LIVE_PULSE_WINDOW = 1.0
    open_page(workshop, lead, team=team)
    started = time.monotonic()
    for i in range(10):
        services.task_create(team=team, actor=lead, data=task_data(domain, title=f"{i}"))
    took = time.monotonic() - started
    time.sleep(window + 0.5)
    counts = [count for _sent, count in pulses]
    # The first change at once; the last one's count after; in between at most one pulse
    # per window (all ten fit in one window unless the machine is slow, hence the bound).
    assert counts[0] == "1" and counts[-1] == "10", counts
    assert len(counts) <= 2 + int(took / window), (counts, took)
    assert len(counts) < 10


@pytest.mark.django_db(transaction=True)
def test_pulses_go_out_at_least_a_window_apart_and_the_last_shows_every_change(
    workshop, team, lead, domain, settings, pulses
):
    window = settings.LIVE_PULSE_WINDOW = 0.6
    open_page(workshop, lead, team=team)
    for i in range(8):  # a change every 0.2 s for 1.4 s: across three windows
        services.task_create(team=team, actor=lead, data=task_data(domain, title=f"{i}"))
        time.sleep(0.2)
    time.sleep(window + 0.5)
    assert pulses[0][1] == "1" and pulses[-1][1] == "8", pulses
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(pulses)]
    assert gaps and min(gaps) >= window * 0.9, gaps  # never a pulse on a pulse's heels


def test_a_large_rooms_pulses_go_further_apart(settings):
    from board import live

    settings.LIVE_PULSE_WINDOW, settings.LIVE_PULSE_FRAMES = 1.0, 100

    def room(pages: int) -> presence.Audiences:
        members = [f"{i}:t{i}-{i:032x}" for i in range(pages)] + ["999:i-" + "0" * 32]
        return presence.Audiences.of(members)

    assert room(300).team_page_sockets == 300  # the instructor's board is not a team page
    assert live.pulse_window(room(50)) == 1.0  # a class: the configured window
    assert live.pulse_window(room(300)) == pytest.approx(3.0)  # 100 pulse messages a second
    assert live.pulse_window(room(2000)) == live.PULSE_WINDOW_MAX
    settings.LIVE_PULSE_FRAMES = 0
    assert live.pulse_window(room(300)) == 1.0
    settings.LIVE_PULSE_WINDOW = 0
    assert live.pulse_window(room(300)) == 0  # one per change


def test_a_costly_board_waits_longer_between_renders(settings, monkeypatch):
    """A board whose render took 0.15 s (300 teams) is rendered at most every 1.5 s: its
    renders take at most a tenth of a core (live.BOARD_SHARE), never waiting beyond 5 s."""
    from board import live

    settings.LIVE_BOARD_DEBOUNCE = 0.5
    monkeypatch.setattr(live, "_board_seconds", {1: 0.01, 2: 0.15, 3: 10.0})
    assert live.board_window(1) == 0.5  # a small board: the configured window
    assert live.board_window(2) == pytest.approx(1.5)
    assert live.board_window(3) == live.BOARD_WINDOW_MAX
    assert live.board_window(4) == 0.5  # not rendered yet in this process
