from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

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
