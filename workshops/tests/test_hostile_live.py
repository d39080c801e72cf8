"""Hostile input on the live workshop WebSocket: every frame a client can send, and hostile
connect parameters. The catalogue and its checks are in tests/hostile.py; the properties are
described in tests/test_hostile_input.py.
"""

import asyncio
import json
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import task_data
from tests.hostile import (
    any_text,
    count,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    serials,
)
from workshops import services

# --- The WebSocket ------------------------------------------------------------------------------

# The only message a client may send is {"type": "resync"}; everything else must be ignored
# without closing the socket. A socket is opened per example, so the examples stay few.

frame = st.one_of(
    st.builds(lambda text: {"text_data": text}, any_text),
    st.builds(lambda data: {"bytes_data": data}, st.binary(max_size=200)),
    st.builds(
        lambda obj: {"text_data": json.dumps(obj)},
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | any_text,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["type", "html", "data", "team"]) | any_text, inner, max_size=3
                )
            ),
            max_leaves=8,
        ),
    ),
)
HOSTILE_FRAMES = [
    {"text_data": "x" * (1024 * 1024)},  # huge
    {"bytes_data": b"\x00\xff" * 4096},  # binary
    {"text_data": "{not json"},
    {"text_data": '{"type": "resync"'},  # truncated
    {"text_data": '{"type": "resync", "type": "drop"}'},  # duplicate keys
    {"text_data": '{"type": ["resync"]}'},
    {"text_data": json.dumps({"type": "push.html", "html": "<script>alert(1)</script>"})},
    {"text_data": json.dumps({"type": "session.ended"})},
    {"text_data": '"\\ud800"'},  # a lone surrogate, escaped
    {"text_data": "\ud800"},  # a lone surrogate, raw
    {"text_data": "\x00" * 100},
    {"text_data": "'; DROP TABLE workshops_task; --"},
    {"text_data": "👩\u200d👩\u200d👧\u200d👦 \u202e مرحبا"},
    {"text_data": "1e309"},
    {"text_data": "[" * 500},  # deep, but within what the decoder handles
    {"text_data": "[" * 1024},  # deeper than the decoder's recursion (RecursionError)
    {"text_data": ""},
    {"bytes_data": b""},
]
DEEP_FRAME = {"text_data": "[" * 1024}


async def open_socket(workshop_id, user, query="", timeout=5):
    from support import sockets

    return await sockets.open_socket(f"/ws/workshops/{workshop_id}/{query}", user, timeout=timeout)


async def drain(socket, seconds=0.1, first=3.0) -> list[dict]:
    """Everything the socket sends until it has been quiet for `seconds`, after waiting up to
    `first` seconds for the first message (a process's first snapshot renders cold templates:
    0.28 s seen on PostgreSQL)."""
    received = []
    wait = first
    while not await socket.receive_nothing(timeout=wait, interval=0.01):
        received.append(await socket.receive_output())
        wait = seconds
    return received


async def receive_containing(socket, text: str, timeout=5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        output = await socket.receive_output(timeout=deadline - loop.time())
        assert output["type"] == "websocket.send", output
        if text in output.get("text", ""):
            return
    pytest.fail(f"{text!r} never arrived")


def still_running(socket) -> None:
    if socket.future.done():
        socket.future.result()  # re-raises what crashed the consumer
        pytest.fail("the consumer stopped")


def frames_examples(test):
    # Every catalogue frame, one after another on one socket (a socket per frame would cost a
    # second each), then the huge and the binary ones alone.
    test = example(frames=HOSTILE_FRAMES)(test)
    test = example(frames=HOSTILE_FRAMES[:1])(test)
    return example(frames=HOSTILE_FRAMES[1:2])(test)


@pytest.mark.django_db(transaction=True)
@examples(10)
@given(frames=st.lists(frame, min_size=1, max_size=8))
@frames_examples
def test_hostile_frames_are_ignored_and_the_socket_stays_live(
    live_state, workshop, lead, team, domain, frames
):
    title = f"소켓 확인 {next(serials)}"

    async def scenario():
        socket, connected, _code = await open_socket(workshop.pk, lead)
        assert connected
        await drain(socket)
        for sent in frames:
            count("ws:receive", sent.get("text_data"))
            # Sent as the raw ASGI event: the communicator's helper refuses empty frames.
            event = {"type": "websocket.receive"}
            if "text_data" in sent:
                event["text"] = sent["text_data"]
            else:
                event["bytes"] = sent["bytes_data"]
            await socket.send_input(event)
        for output in await drain(socket, first=0.1):  # nothing new is due
            assert output["type"] == "websocket.send", output  # a resync answer, never a close
        still_running(socket)
        # Still live: a change made now reaches this socket.
        await database_sync_to_async(services.task_create)(
            team=team, actor=lead, data=task_data(domain, title=title)
        )
        await receive_containing(socket, escape(title))
        await socket.disconnect()

    async_to_sync(scenario)()


WS_WORKSHOP_IDS = ["own", "0", "987654", str(2**31), str(2**63)]


@pytest.mark.django_db(transaction=True)
@examples(5)
@given(
    team_param=st.one_of(any_text, st.integers().map(str)),
    workshop_id=st.sampled_from(WS_WORKSHOP_IDS),
)
@example(team_param="%00", workshop_id="own")
@example(team_param="9" * 40, workshop_id="own")
@example(team_param="-1", workshop_id="own")
@example(team_param="<script>", workshop_id="own")
@example(team_param="1 OR 1=1", workshop_id="987654")
@example(team_param="", workshop_id=WS_WORKSHOP_IDS[-1])
def test_hostile_connect_parameters_are_refused_or_ignored_never_fatal(
    live_state, workshop, instructor, team, team_param, workshop_id
):
    target = workshop.pk if workshop_id == "own" else workshop_id

    async def scenario():
        query = "?team=" + quote(team_param, safe="")
        count("ws:connect", team_param)
        socket, connected, code = await open_socket(target, instructor, query)
        assert connected or code == 4403
        assert connected == (workshop_id == "own")
        if connected:
            received = await drain(socket)
            assert received and all(o["type"] == "websocket.send" for o in received)
            still_running(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


@pytest.mark.django_db(transaction=True)
def test_a_deeply_nested_json_frame_is_ignored(live_state, workshop, lead, team):
    async def scenario():
        socket, _connected, _code = await open_socket(workshop.pk, lead)
        await drain(socket)
        await socket.send_to(**DEEP_FRAME)
        assert await socket.receive_nothing(timeout=0.3)
        still_running(socket)
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_socket_for_a_workshop_id_past_64_bits_is_refused(live_state, instructor, workshop):
    async def scenario():
        socket, connected, code = await open_socket(2**63, instructor, timeout=1)
        assert (connected, code) == (False, 4403)
        await socket.disconnect()

    async_to_sync(scenario)()
