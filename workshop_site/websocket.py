from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings


class RefusingOriginValidator(OriginValidator):
    """channels' AllowedHostsOriginValidator, but a foreign origin is refused with code 4403.

    The stock denier closes without a code; our consumers use 4403 for every refusal, so the
    browser and the tests see one meaning for one number.
    """

    def __init__(self, application):
        allowed_hosts = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed_hosts:
            allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(application, allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("RefusingOriginValidator only handles WebSocket connections")
        origin = None
        for name, value in scope.get("headers", []):
            if name == b"origin":
                try:
                    origin = urlparse(value.decode("latin1"))
                except UnicodeDecodeError:
                    origin = None
        if self.valid_origin(origin):
            return await self.application(scope, receive, send)
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": 4403})
