"""The authorization matrix over the WebSocket routes: every route × every actor, plainly and
asking by query string for each team's regions. The consumer hops threads, so each cell runs on
committed data in a transactional test. The cast, markers and checks are shared with the HTTP
matrix (test_authz_matrix.py): tests/authz_world.py and tests/authz_cells.py.
"""

import asyncio
import re

import pytest
from channels.db import database_sync_to_async
from django.db import connections

from board.routing import websocket_urlpatterns
from conftest import task_data
from support import sockets
from tests import authz_expectations as expect
from tests.authz_cells import report_coverage  # noqa: F401  (autouse: the summary)
from tests.authz_world import MARKERS, World, build_world, leaked
from workshops import services

# --- WebSocket ----------------------------------------------------------------------------------


def _ws_path(route, world: World) -> str:
    kind = expect.WS_ENDPOINTS[route.name]["target"]
    value = {"workshop": world.workshop.pk}[kind]
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(value), str(route.pattern))


WS_CELLS = [
    pytest.param(route, actor, id=f"{route.name}-{actor}")
    for route in websocket_urlpatterns
    for actor in expect.ACTORS
]


async def _open(path: str, user):
    return await sockets.open_socket(path, user)


async def _drain(socket, seconds=0.3) -> str:
    return await sockets.drain(socket, seconds)


# What an accepted plain socket must show, as a check that the snapshot is the viewer's page and
# that pushes reach it at all.
WS_MUST_SHOW = {
    "other_team_member": ["other_team.task_title"],
    "member": ["our_team.task_title"],
    "lead": ["our_team.task_title"],
    "instructor": ["our_team.team", "other_team.team"],
}
WS_MUST_HEAR = {
    "other_team_member": ["other_team.task_title"],
    "member": ["our_team.task_title"],
    "lead": ["our_team.task_title"],
}


def _ws_problems(what: str, html: str, actor: str, world: World) -> list[str]:
    problems = [f"{what} shows {found}" for found in leaked(html, actor)]
    if actor != "instructor":
        # A team's people get their own team's regions only, and no board.
        own = world.other_team if actor == "other_team_member" else world.team
        for team in (world.team, world.other_team, world.foreign_team):
            if team != own and f'id="team-{team.pk}-' in html:
                problems.append(f"{what} has team {team.pk}'s regions")
        if 'id="board-team-' in html:
            problems.append(f"{what} has the instructor's board")
    return problems


def _change_every_team(world: World) -> None:
    """A new task in each team of both workshops, each titled with its team's marker."""
    for team, prefix in (
        (world.team, "our_team"),
        (world.other_team, "other_team"),
        (world.foreign_team, "foreign"),
    ):
        services.task_create(
            team=team,
            actor=team.lead,
            data=task_data(
                team.workshop.domains.first(), title=f"{MARKERS[prefix + '.task_title']} 새 업무"
            ),
        )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("live_state")
@pytest.mark.parametrize("route, actor", WS_CELLS)
async def test_websocket(route, actor):
    """Connect as the actor, plainly and asking by query string for each team's regions (only
    an instructor may pick a team, and only one of their own workshop); check the snapshot,
    then change a task in every team of both workshops and check what is pushed."""
    spec = expect.WS_ENDPOINTS.get(route.name)
    assert spec is not None, f"new WebSocket route {route.name!r} has no expectation"
    world = await database_sync_to_async(build_world)()
    path = _ws_path(route, world)
    teams = (world.team, world.other_team, world.foreign_team)
    paths = [path, *(f"{path}?team={team.pk}" for team in teams)]
    user = world.actors[actor]
    expected = spec["outcomes"][actor]
    problems = []
    sockets = {}
    try:
        for each in paths:
            socket, connected, code = await _open(each, user)
            what = f"WebSocket {each} as {actor}"
            if expected == expect.REFUSED:
                await socket.disconnect()
                if (connected, code) != (False, 4403):
                    problems.append(f"{what}: expected refusal 4403, got {(connected, code)}")
            elif not connected:
                problems.append(f"{what}: expected to be accepted, was closed with {code}")
            else:
                sockets[each] = socket
        snapshots = await asyncio.gather(*(_drain(socket) for socket in sockets.values()))
        for each, snapshot in zip(sockets, snapshots, strict=True):
            problems += _ws_problems(f"the snapshot of {each} as {actor}", snapshot, actor, world)
            if each == path:
                for name in WS_MUST_SHOW.get(actor, []):
                    if MARKERS[name] not in snapshot:
                        problems.append(f"the snapshot of {each} as {actor} lacks {name}")
        if sockets:
            await database_sync_to_async(_change_every_team)(world)
            pushes = await asyncio.gather(*(_drain(socket) for socket in sockets.values()))
            for each, pushed in zip(sockets, pushes, strict=True):
                problems += _ws_problems(f"what {each} pushed to {actor}", pushed, actor, world)
                if each == path:
                    for name in WS_MUST_HEAR.get(actor, []):
                        if f"{MARKERS[name]} 새 업무" not in pushed:
                            problems.append(f"{each} as {actor} did not hear {name}'s change")
    finally:
        for socket in sockets.values():
            await socket.disconnect()
        # The consumers' database work ran on asgiref's shared sync thread; its connection
        # would otherwise outlive the test and keep the test database from being dropped.
        await database_sync_to_async(connections.close_all)()
    assert not problems, "\n".join(problems)
