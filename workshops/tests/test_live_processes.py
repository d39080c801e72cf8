"""The live layer across real processes: a daphne process serves the socket, this process
changes the database, Redis carries the event between them (issue 19, finding 1)."""

import asyncio

import pytest
import websockets
from asgiref.sync import sync_to_async

from support.servers import session_cookie_for
from support.sockets import connect_when_possible
from workshops.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


async def close_code(socket, seconds: float = 15) -> int | None:
    """The code the server closes the socket with (pushes before it are skipped)."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                await socket.recv()
    except websockets.exceptions.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_a_removed_members_open_socket_closes_with_4403_across_processes(asgi_server, member, team):
    cookie = session_cookie_for(member)
    url = f"ws://127.0.0.1:{asgi_server.port}/ws/workshops/{team.workshop_id}/"

    async def scenario():
        socket, _snapshot = await connect_when_possible(
            url, cookie, asgi_server.url, f'id="team-{team.pk}-tasks"'
        )
        # What the admin's delete does: the participation goes, the event follows the commit.
        await sync_to_async(Participant.objects.filter(user=member).delete)()
        assert await close_code(socket) == 4403

    asyncio.run(scenario())
