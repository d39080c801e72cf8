"""WebSocket clients for tests against real server processes."""

import asyncio
import time

import websockets


async def receive_until(socket, text: str, seconds: float = 15) -> str:
    async with asyncio.timeout(seconds):
        while True:
            message = await socket.recv()
            if text in message:
                return message


async def connect_when_possible(url: str, cookie: str, origin: str, marker: str, seconds=30):
    """What the page's reconnect loop does: try again until the server takes the socket."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket = await websockets.connect(
                url, additional_headers={"Cookie": f"sessionid={cookie}", "Origin": origin}
            )
            # The server accepts first and then joins groups; a socket it cannot serve is
            # closed at once, so wait for the snapshot before calling it connected.
            snapshot = await receive_until(socket, marker, seconds=5)
            return socket, snapshot
        except (OSError, websockets.exceptions.WebSocketException, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def open_socket(
    path: str, user=None, *, origin: bytes = b"http://testserver", cookie=None, timeout=5
):
    """An in-process WebSocket to `path` (the ASGI application, no server), signed in as
    `user` (or with `cookie`); returns (communicator, connected, close code)."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from support.servers import session_cookie_for
    from workshop_site.asgi import application

    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None or cookie is not None:
        cookie = cookie or await database_sync_to_async(session_cookie_for)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await socket.connect(timeout=timeout)
    return socket, connected, code


async def drain(socket, seconds: float = 0.3, first: float | None = None) -> str:
    """Everything the socket receives until it has been quiet for `seconds`, after waiting up
    to `first` seconds for the first message (a process's first render imports the URLconf)."""
    received = []
    wait = seconds if first is None else first
    # receive_nothing waits without cancelling the consumer (a receive timeout would).
    while not await socket.receive_nothing(timeout=wait, interval=0.02):
        received.append(await socket.receive_from())
        wait = seconds
    return "".join(received)
