"""The pub/sub channel layer with a capacity (`workshops.live.layers.BoundedPubSubChannelLayer`),
on the Redis of the second pass: a group message reaches every socket of the process, and a
socket that stops reading holds at most `capacity` messages; the rest are dropped and counted."""

import asyncio
import uuid

import pytest
from django.conf import settings

from workshops.live import metrics
from workshops.live.layers import BoundedPubSubChannelLayer

pytestmark = pytest.mark.redis


def make_layer(capacity: int) -> BoundedPubSubChannelLayer:
    return BoundedPubSubChannelLayer(
        hosts=[settings.REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}", capacity=capacity
    )


def test_a_group_message_reaches_every_socket_once():
    async def scenario():
        layer = make_layer(capacity=10)
        first, second = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("workshop-1", first)
        await layer.group_add("workshop-1", second)
        await layer.group_send("workshop-1", {"type": "push.html", "html": "<p>1</p>"})
        got = [
            await asyncio.wait_for(layer.receive(channel), timeout=5) for channel in (first, second)
        ]
        await layer.flush()
        return got

    got = asyncio.run(scenario())
    assert got == [{"type": "push.html", "html": "<p>1</p>"}] * 2


def test_a_socket_that_stops_reading_holds_at_most_its_capacity(db):
    async def scenario():
        layer = make_layer(capacity=3)
        channel = await layer.new_channel()
        await layer.group_add("workshop-2", channel)
        for number in range(5):
            await layer.group_send("workshop-2", {"type": "push.html", "html": str(number)})
        await asyncio.sleep(0.5)  # the process's receive loop takes them off Redis
        got = []
        while True:
            try:
                got.append(await asyncio.wait_for(layer.receive(channel), timeout=0.3))
            except TimeoutError:
                break
        await asyncio.sleep(0.1)  # the drops' count runs off the event loop
        await layer.flush()
        return got

    before = metrics.dropped_total()
    got = asyncio.run(scenario())
    assert [message["html"] for message in got] == ["0", "1", "2"]
    assert metrics.dropped_total() - before == 2
