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
