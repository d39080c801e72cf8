"""The workshop's WebSocket: pushes only, writes go over HTTP.

A socket joins the groups its owner may hear (see `workshops.events`), sends a fresh snapshot
of every live region on each (re)connect, keeps its presence entry alive, and closes when the
session that opened it ends. Close codes: 4403 refused (not signed in, not a participant,
foreign origin; or, on an open socket, the person's place in the workshop ended or moved), 4401
signed out or session expired. A socket refused before it opens is answered at the handshake
with HTTP 403 (the browser reports 1006); only in-process ASGI tests see 4403 there.
"""

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import SESSION_KEY
from django.utils.module_loading import import_string

from board import render
from workshops import events
from workshops.live import connections, presence, publisher

logger = logging.getLogger(__name__)

CLOSE_REFUSED = 4403
CLOSE_SIGNED_OUT = 4401
# A client message is a tiny JSON object; anything larger is not ours.
MAX_CLIENT_MESSAGE = 1024
SESSION_CHECK_EVERY = 2  # heartbeats
RESYNC_INTERVAL = 5.0  # seconds; a snapshot renders every region, so ration the asking


class WorkshopConsumer(AsyncWebsocketConsumer):
    viewer: render.Viewer | None = None
    groups_joined: tuple[str, ...] = ()
    last_resync: float = 0.0

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_REFUSED)
            return
        workshop_id = self.scope["url_route"]["kwargs"]["workshop_id"]
        viewer = await database_sync_to_async(render.viewer_for)(
            user, workshop_id, self._query_param("team"), self._query_param("page")
        )
        if viewer is None:
            await self.close(code=CLOSE_REFUSED)
            return
        self.viewer = viewer
        # Led by the page the socket shows, so events can skip fragments no open page shows.
        self.connection_id = presence.connection_id(
            instructor=viewer.is_instructor,
            team_id=viewer.viewing_team_id,
            summary=viewer.page == render.Page.SUMMARY,
        )
        publisher.register_consumer_loop(asyncio.get_running_loop())

        groups = [events.workshop_group(workshop_id), events.user_group(user.pk)]
        session_key = getattr(self.scope.get("session"), "session_key", None)
        if session_key:
            groups.append(events.session_group(session_key))
        # Only the groups of the regions this page has: a push never misses its target.
        if viewer.page == render.Page.BOARD:
            groups.append(events.board_group(workshop_id))
        elif viewer.page == render.Page.SUMMARY:
            groups.append(events.summary_group(workshop_id))
        elif viewer.is_instructor:
            groups += [
                events.team_pages_group(workshop_id),
                events.team_watchers_group(viewer.viewing_team_id),
            ]
        else:
            groups += [events.team_pages_group(workshop_id), events.team_group(viewer.team_id)]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = tuple(groups)
        await self.accept()

        await sync_to_async(connections.opened)()
        came_online = await sync_to_async(presence.connect)(
            workshop_id, user.pk, self.connection_id
        )
        # The page's own regions as it loaded them (`?shown=`): not sent again if nothing changed.
        await self.send_snapshot(shown=self._query_param("shown"))
        if came_online:
            await database_sync_to_async(events.announce)(events.PresenceChanged(workshop_id))
        self.heartbeat_task = asyncio.create_task(self.heartbeat())

    async def disconnect(self, code):
        if self.viewer is None:
            return
        task = getattr(self, "heartbeat_task", None)
        if task:
            task.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        await sync_to_async(connections.closed)()
        went_offline = await sync_to_async(presence.disconnect)(
            self.viewer.workshop_id, self.viewer.user_id, self.connection_id
        )
        if went_offline:
            await database_sync_to_async(events.announce)(
                events.PresenceChanged(self.viewer.workshop_id)
            )

    async def receive(self, text_data=None, bytes_data=None):
        """The one message a client may send: {"type": "resync"} asks for a fresh snapshot."""
        if self.viewer is None or not text_data or len(text_data) > MAX_CLIENT_MESSAGE:
            return
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):  # not JSON, or nested past the decoder's depth
            return
        if isinstance(message, dict) and message.get("type") == "resync":
            now = asyncio.get_running_loop().time()
            if now - self.last_resync >= RESYNC_INTERVAL:
                self.last_resync = now
                await self.send_snapshot()

    async def send_snapshot(self, shown: str | None = None):
        html = await database_sync_to_async(render.snapshot)(self.viewer, shown=shown)
        await self.send(text_data=html)

    # --- Group messages ----------------------------------------------------------------------

    async def dispatch(self, message):
        # channels' dispatch first hops to the sync thread to close stale database
        # connections, for every message. A push touches no database, and at 500 sockets that
        # hop per socket per change was most of the fan-out time (see BENCHMARKS.md).
        if message["type"] == "push.html":
            await self.push_html(message)
            return
        await super().dispatch(message)

    async def push_html(self, event):
        await self.send(text_data=event["html"])

    async def session_ended(self, event):
        await self.close(code=CLOSE_SIGNED_OUT)

    async def access_changed(self, event):
        if event.get("workshop_id") == self.viewer.workshop_id and not await self.still_allowed():
            await self.close(code=CLOSE_REFUSED)

    async def still_allowed(self) -> bool:
        """May this person still see what the socket shows: the same workshop, as the same
        role, the same team?"""
        viewer = await database_sync_to_async(render.viewer_for)(
            self.scope["user"],
            self.viewer.workshop_id,
            self._query_param("team"),
            self._query_param("page"),
        )
        return viewer is not None and (viewer.is_instructor, viewer.team_id) == (
            self.viewer.is_instructor,
            self.viewer.team_id,
        )

    # --- Heartbeat ---------------------------------------------------------------------------

    async def heartbeat(self):
        beats = 0
        while True:
            try:
                await asyncio.sleep(presence.HEARTBEAT_SECONDS)
                beats += 1
                if not await self.beat(beats):
                    return  # the socket was closed
            except asyncio.CancelledError:
                return
            except Exception:
                # A database or cache blip must not stop this socket's beats for good: its
                # presence would expire and its session and access would no longer be checked.
                logger.exception("live: heartbeat failed; trying again at the next beat")

    async def beat(self, beats: int) -> bool:
        """One heartbeat: keep presence alive, drop ghosts, and every few beats check that
        the sign-in and the place in the workshop still hold. False once the socket closed."""
        ghosts = await sync_to_async(presence.heartbeat)(
            self.viewer.workshop_id, self.viewer.user_id, self.connection_id
        )
        await sync_to_async(connections.publish)()
        if ghosts:
            # Sockets of a process that died expired: the board must drop them.
            await database_sync_to_async(events.announce)(
                events.PresenceChanged(self.viewer.workshop_id)
            )
        if beats % SESSION_CHECK_EVERY == 0:
            if not await self.session_is_valid():
                await self.close(code=CLOSE_SIGNED_OUT)
                return False
            # Also without an event (a change made outside the models' signals).
            if not await self.still_allowed():
                await self.close(code=CLOSE_REFUSED)
                return False
        return True

    async def session_is_valid(self) -> bool:
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        if not key:
            return False

        def check():
            from django.conf import settings

            store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key=key)
            return store.get(SESSION_KEY) == str(self.viewer.user_id)

        return await database_sync_to_async(check)()

    def _query_param(self, name: str) -> str | None:
        from urllib.parse import parse_qs

        raw = self.scope.get("query_string", b"").decode("latin1")
        values = parse_qs(raw).get(name)
        return values[0][:20] if values else None
