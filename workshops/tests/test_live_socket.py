"""The workshop WebSocket, in process: who may connect, who hears what, presence, sign-out."""

import json

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.signals import user_logged_out

from conftest import make_user, task_data
from support import sockets
from support.servers import session_cookie_for
from workshops import services
from workshops.live import presence
from workshops.models import Workshop

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_state"),
]


async def open_socket(
    workshop_id, user=None, *, origin=b"http://testserver", query="", cookie=None
):
    return await sockets.open_socket(
        f"/ws/workshops/{workshop_id}/{query}", user, origin=origin, cookie=cookie
    )


async def drain(socket, seconds=0.3, first=3.0) -> str:
    return await sockets.drain(socket, seconds, first)


async def add_task(team, actor, domain, title):
    return await database_sync_to_async(services.task_create)(
        team=team, actor=actor, data=task_data(domain, title=title)
    )


# --- Who may connect --------------------------------------------------------------------------


async def refused(workshop_id, user=None, **kwargs):
    socket, connected, code = await open_socket(workshop_id, user, **kwargs)
    # The server answers a close with a disconnect; let the consumer finish as it would.
    await socket.disconnect()
    return connected, code


async def test_anonymous_sockets_are_refused(workshop):
    assert await refused(workshop.pk) == (False, 4403)


async def test_sockets_of_people_outside_the_workshop_are_refused(workshop, outsider):
    assert await refused(workshop.pk, outsider) == (False, 4403)


async def test_another_workshops_instructor_is_refused(workshop, other_instructor):
    assert await refused(workshop.pk, other_instructor) == (False, 4403)


async def test_a_foreign_origin_is_refused(workshop, lead, team):
    assert await refused(workshop.pk, lead, origin=b"https://evil.example.com") == (False, 4403)


@pytest.mark.parametrize(
    "origin", [b"http://testserver:9999", b"https://testserver", b"ftp://testserver", b"null"]
)
async def test_an_origin_on_our_host_with_another_scheme_or_port_is_refused(
    workshop, lead, team, origin
):
    assert await refused(workshop.pk, lead, origin=origin) == (False, 4403)


async def test_our_own_origin_with_its_default_port_written_out_is_accepted(workshop, lead, team):
    socket, connected, _code = await open_socket(workshop.pk, lead, origin=b"http://testserver:80")
    await socket.disconnect()
    assert connected


async def test_a_missing_workshop_is_refused(lead, team):
    assert await refused(987654, lead) == (False, 4403)


# --- What each audience hears -----------------------------------------------------------------


async def test_a_member_gets_a_snapshot_of_their_team_on_connect(workshop, member, task):
    socket, connected, _ = await open_socket(workshop.pk, member)
    assert connected
    snapshot = await drain(socket)
    assert f'id="team-{task.team_id}-tasks"' in snapshot
    assert task.title in snapshot
    assert f'id="workshop-{workshop.pk}-pulse"' in snapshot
    await socket.disconnect()


async def test_a_page_that_shows_the_current_copy_is_not_sent_it_again(
    workshop, member, task, domain
):
    """A page sends the copy of its regions it loaded (`?shown=`, board.render.copy_shown): its
    socket's first snapshot leaves them out unless they changed since (issue 17)."""
    from board import render

    team = await database_sync_to_async(render.read_team)(task.team_id)
    query = f"?shown={render.copy_shown(team)}"
    socket, connected, _ = await open_socket(workshop.pk, member, query=query)
    assert connected
    snapshot = await drain(socket)
    assert f'id="team-{task.team_id}-tasks"' not in snapshot and task.title not in snapshot
    assert f'id="workshop-{workshop.pk}-pulse"' in snapshot  # the workshop's counts: always
    await socket.disconnect()
    await add_task(team, member, domain, "그 뒤에 적은 업무")  # the page's copy is now old
    socket, _, _ = await open_socket(workshop.pk, member, query=query)
    assert "그 뒤에 적은 업무" in await drain(socket)
    await socket.disconnect()


async def test_a_member_hears_a_teammates_change_with_their_name(
    workshop, lead, member, team, domain
):
    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await add_task(team, lead, domain, "새로 추가한 업무")
    pushed = await drain(socket)
    assert "새로 추가한 업무" in pushed
    assert "박팀장 님이" in pushed
    await socket.disconnect()


async def test_a_member_never_hears_another_teams_details(
    workshop, member, team, other_lead, other_team, domain
):
    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await add_task(other_team, other_lead, domain, "다른 팀의 비밀 업무")
    pushed = await drain(socket)
    assert f'id="workshop-{workshop.pk}-pulse"' in pushed  # the workshop-wide count moved
    assert "다른 팀의 비밀 업무" not in pushed
    assert f"team-{other_team.pk}" not in pushed
    await socket.disconnect()


async def test_with_an_instructor_online_a_member_still_hears_no_other_team(
    workshop, instructor, member, team, other_lead, other_team, domain
):
    # Instructors on the board and on the other team's page: their audiences are rendered.
    board, _, _ = await open_socket(workshop.pk, instructor)
    watching, _, _ = await open_socket(workshop.pk, instructor, query=f"?team={other_team.pk}")
    socket, _, _ = await open_socket(workshop.pk, member)
    for open_one in (board, watching, socket):
        await drain(open_one)
    await add_task(other_team, other_lead, domain, "다른 팀의 비밀 업무")
    heard_by_board, heard_on_page = await drain(board), await drain(watching)
    pushed = await drain(socket)
    assert f'id="board-team-{other_team.pk}"' in heard_by_board
    assert "다른 팀의 비밀 업무" in heard_on_page
    assert "다른 팀의 비밀 업무" not in pushed
    assert "board-team-" not in pushed
    for open_one in (board, watching, socket):
        await open_one.disconnect()


async def test_an_expired_session_closes_the_socket(workshop, member, team, monkeypatch):
    from django.contrib.sessions.models import Session

    from board import consumers

    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(consumers, "SESSION_CHECK_EVERY", 1)
    cookie = await database_sync_to_async(session_cookie_for)(member)
    socket, _, _ = await open_socket(workshop.pk, member, cookie=cookie)
    await drain(socket, first=0.5)
    await database_sync_to_async(lambda: Session.objects.all().delete())()
    await clear_session_cache()
    assert await closes_with(socket, 4401)
    await socket.disconnect()


async def clear_session_cache():
    """Sessions are read through the cache: an expired one is gone from both."""
    from django.core.cache import caches

    for alias in ("default", "sessions"):
        try:
            await database_sync_to_async(caches[alias].clear)()
        except Exception:  # noqa: S112 - a cache this configuration does not have
            continue


def board_cell(html: str, team, cell: str) -> str:
    """A cell of the team's row in the last board in `html`."""
    row = html.split(f'id="board-team-{team.pk}"')[-1]
    return row.split(f"{cell}>", 1)[1].split("<", 1)[0].strip()


async def test_the_instructor_on_the_board_hears_every_teams_progress(
    workshop, instructor, team, lead, other_team, other_lead, domain
):
    socket, _, _ = await open_socket(workshop.pk, instructor)
    await drain(socket)
    await add_task(team, lead, domain, "영업팀 업무")
    await add_task(other_team, other_lead, domain, "재무팀 업무")
    pushed = await drain(socket)
    assert board_cell(pushed, team, "data-task-count") == "1"
    assert board_cell(pushed, other_team, "data-task-count") == "1"


async def test_an_instructor_watching_a_team_page_hears_its_tasks_read_only(
    workshop, instructor, team, lead, domain
):
    socket, _, _ = await open_socket(workshop.pk, instructor, query=f"?team={team.pk}")
    await drain(socket)
    await add_task(team, lead, domain, "영업팀 업무")
    pushed = await drain(socket)
    assert "영업팀 업무" in pushed
    # Instructors look but do not touch: no edit links in what they are sent.
    assert "/edit/" not in pushed
    await socket.disconnect()


async def test_a_change_made_while_no_page_was_open_is_in_the_next_snapshot(
    workshop, member, team, lead, domain
):
    await add_task(team, lead, domain, "아무도 보지 않을 때 추가한 업무")
    socket, _, _ = await open_socket(workshop.pk, member)
    assert "아무도 보지 않을 때 추가한 업무" in await drain(socket)
    await socket.disconnect()


async def test_an_instructor_watching_a_team_page_gets_that_team_in_the_snapshot(
    workshop, instructor, task
):
    socket, _, _ = await open_socket(workshop.pk, instructor, query=f"?team={task.team_id}")
    snapshot = await drain(socket)
    assert f'id="team-{task.team_id}-tasks"' in snapshot
    await socket.disconnect()


async def test_an_instructor_cannot_watch_another_workshops_team(
    workshop, instructor, other_instructor, domain
):
    other = await database_sync_to_async(
        lambda: services.workshop_open(workshop=Workshop.objects.exclude(pk=workshop.pk).get())
    )()
    foreign_lead = await database_sync_to_async(make_user)("foreign.lead@example.com")
    foreign = await database_sync_to_async(services.team_create)(
        workshop=other, lead=foreign_lead, team_name="남의 팀", display_name="남팀장"
    )
    socket, connected, _ = await open_socket(workshop.pk, instructor, query=f"?team={foreign.pk}")
    assert connected
    snapshot = await drain(socket)
    assert f"team-{foreign.pk}" not in snapshot
    assert "남의 팀" not in snapshot
    await socket.disconnect()


async def test_closing_the_workshop_turns_open_team_pages_read_only(workshop, member, task):
    socket, _, _ = await open_socket(workshop.pk, member)
    snapshot = await drain(socket)
    assert f"/tasks/{task.pk}/edit/" in snapshot
    await database_sync_to_async(services.workshop_close)(workshop=workshop)
    pushed = await drain(socket)
    assert "워크샵이 종료되었습니다" in pushed
    assert "data-workshop-closed" in pushed
    assert f"/tasks/{task.pk}/edit/" not in pushed
    await socket.disconnect()


# --- Client messages, sign-out ----------------------------------------------------------------


async def test_a_resync_request_gets_a_fresh_snapshot(workshop, member, task):
    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await socket.send_to(text_data=json.dumps({"type": "resync"}))
    assert task.title in await drain(socket)
    await socket.disconnect()


async def test_a_resync_sends_everything_whatever_the_page_showed(workshop, member, task):
    from board import render

    team = await database_sync_to_async(render.read_team)(task.team_id)
    socket, _, _ = await open_socket(workshop.pk, member, query=f"?shown={render.copy_shown(team)}")
    await drain(socket)
    await socket.send_to(text_data=json.dumps({"type": "resync"}))
    assert task.title in await drain(socket)
    await socket.disconnect()


@pytest.mark.parametrize(
    "message", ["not json", "[]", '{"type": "drop_tables"}', "{" * 5000, '{"type": null}']
)
async def test_anything_else_a_client_sends_is_ignored(workshop, member, team, message):
    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await socket.send_to(text_data=message)
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


def logout_request(session_key):
    from django.conf import settings
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    request = RequestFactory().post("/accounts/logout/")
    request.session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    return request


async def test_signing_out_closes_that_browsers_sockets(workshop, member, team):
    cookie = await database_sync_to_async(session_cookie_for)(member)
    socket, _, _ = await open_socket(workshop.pk, member, cookie=cookie)
    await drain(socket)
    await database_sync_to_async(user_logged_out.send)(
        sender=type(member), request=logout_request(cookie), user=member
    )
    closed = await socket.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4401}
    await socket.disconnect()


async def test_signing_out_on_one_device_leaves_the_others_live(workshop, member, team):
    laptop = await database_sync_to_async(session_cookie_for)(member)
    phone_socket, _, _ = await open_socket(workshop.pk, member)
    await drain(phone_socket)
    await database_sync_to_async(user_logged_out.send)(
        sender=type(member), request=logout_request(laptop), user=member
    )
    assert await phone_socket.receive_nothing(timeout=0.5)
    await phone_socket.disconnect()


# --- Presence ---------------------------------------------------------------------------------


def online_count_of(html: str, team) -> str:
    row = html.split(f'id="board-team-{team.pk}"', 1)[1]
    return row.split("data-online-count>", 1)[1].split("<", 1)[0].strip()


async def test_the_board_shows_who_comes_online_and_leaves(workshop, instructor, lead, team):
    board, _, _ = await open_socket(workshop.pk, instructor)
    assert online_count_of(await drain(board), team) == "0 / 1"

    first_tab, _, _ = await open_socket(workshop.pk, lead)
    assert online_count_of(await drain(board), team) == "1 / 1"

    # A second tab is the same person: the count stays, and closing one tab keeps them online.
    second_tab, _, _ = await open_socket(workshop.pk, lead)
    await first_tab.disconnect()
    assert presence.online_user_ids(workshop.pk) == {instructor.pk, lead.pk}
    await second_tab.disconnect()
    assert online_count_of(await drain(board), team) == "0 / 1"
    await board.disconnect()


async def test_resync_requests_are_rationed(workshop, member, task):
    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await socket.send_to(text_data=json.dumps({"type": "resync"}))
    assert task.title in await drain(socket)
    await socket.send_to(text_data=json.dumps({"type": "resync"}))
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_an_odd_team_parameter_is_ignored_not_fatal(workshop, instructor, team):
    socket, connected, _ = await open_socket(workshop.pk, instructor, query="?team=%C2%B2")
    assert connected
    assert f'id="workshop-{workshop.pk}-board"' in await drain(socket)
    await socket.disconnect()


# --- A place in the workshop that ends closes the socket (issue 19, finding 1) ----------------


async def closes_with(socket, code: int) -> bool:
    """Whether the socket is closed with `code` before long (pushes before it are skipped)."""
    for _ in range(10):
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return output.get("code") == code
    return False


async def test_a_removed_member_s_open_socket_is_closed_with_4403(workshop, member, team):
    from workshops.models import Participant

    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await database_sync_to_async(
        Participant.objects.filter(user=member, workshop=workshop).delete
    )()
    assert await closes_with(socket, 4403)
    await socket.disconnect()


async def test_a_member_moved_to_another_team_stops_hearing_the_old_one(
    workshop, member, team, other_team
):
    from workshops.models import Participant

    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await database_sync_to_async(Participant.objects.filter(user=member, workshop=workshop).update)(
        team=other_team
    )
    participant = await database_sync_to_async(Participant.objects.get)(user=member)
    await database_sync_to_async(participant.save)()  # the admin saves the changed row
    assert await closes_with(socket, 4403)
    await socket.disconnect()


async def test_a_deleted_team_closes_its_members_sockets(workshop, member, team):
    socket, _, _ = await open_socket(workshop.pk, member)
    await drain(socket)
    await database_sync_to_async(team.delete)()
    assert await closes_with(socket, 4403)
    await socket.disconnect()


async def test_another_members_removal_leaves_a_socket_open(workshop, member, lead, team):
    from workshops.models import Participant

    socket, _, _ = await open_socket(workshop.pk, lead)
    await drain(socket)
    await database_sync_to_async(
        Participant.objects.filter(user=member, workshop=workshop).delete
    )()
    await drain(socket, first=1.0)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
