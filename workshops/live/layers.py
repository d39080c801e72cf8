import asyncio

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close

from workshops.live.metrics import record_dropped


class CountingInMemoryChannelLayer(InMemoryChannelLayer):
    """The in-memory layer, except that a message dropped for a full channel is counted."""

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        dropped = 0
        for channel in list(self.groups.get(group, {})):
            try:
                await self.send(channel, message)
            except ChannelFull:
                dropped += 1
        if dropped:
            record_dropped(dropped, group)


class _BoundedQueue(asyncio.Queue):
    """One socket's waiting pushes in the pub/sub layer, at most `maxsize` of them: a push
    beyond is dropped and counted, as the core layer does at `capacity`, instead of growing
    without end behind a socket that stopped reading."""

    def __init__(self, maxsize: int, channel: str):
        super().__init__(maxsize)
        self.channel = channel

    def put_nowait(self, item) -> None:
        try:
            super().put_nowait(item)
        except asyncio.QueueFull:
            # Counting touches the cache (sync): off the event loop.
            asyncio.get_running_loop().run_in_executor(None, record_dropped, 1, self.channel)


class _BoundedLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, *args, capacity: int = 100, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    async def _subscribe_to_channel(self, channel):
        self.channels[channel] = _BoundedQueue(self.capacity, channel)
        shard = self._get_shard(channel)
        await shard.subscribe(channel)


class BoundedPubSubChannelLayer(RedisPubSubChannelLayer):
    """channels-redis's pub/sub layer (a group message crosses Redis once per process, not
    once per socket: the fan-out of BENCHMARKS.md), with the core layer's bound on each
    socket's waiting messages (`capacity`; a drop is counted in `live:dropped`). What it
    still lacks: pub/sub keeps nothing while a process is cut off from Redis (the core layer
    keeps a message `expiry` seconds). Subclasses channels-redis 4.3's internals
    (`_get_layer`, `_subscribe_to_channel`): pinned in requirements.txt, and
    `workshops/tests/test_live_layers.py` runs it on Redis."""

    def __init__(self, *args, capacity: int = 100, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            layer = self._layers[loop]
        except KeyError:
            layer = _BoundedLoopLayer(
                *self._args, **self._kwargs, channel_layer=self, capacity=self.capacity
            )
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
