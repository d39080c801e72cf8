from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings


def _origin(scheme: str, netloc: str) -> str:
    """scheme://host[:port], lower case, without the scheme's default port."""
    scheme, netloc = scheme.lower(), netloc.lower()
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return f"{scheme}://{netloc}"


class RefusingOriginValidator(OriginValidator):
    """A socket is opened only from the site's own origin, refused otherwise with code 4403.

    The origin must match exactly — scheme, host and port — either the origin the request was
    made to (its Host header, https for wss), `SITE_URL`, or one of `CSRF_TRUSTED_ORIGINS`; its
    host must also be in ALLOWED_HOSTS. channels' stock validator compares the host alone, so
    http://127.0.0.1:9999 passed for a site on :8072. The stock denier closes without a code;
    our consumers use 4403 for every refusal, one meaning for one number.
    """

    def __init__(self, application):
        allowed_hosts = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed_hosts:
            allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(application, allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("RefusingOriginValidator only handles WebSocket connections")
        if self.exact_origin(scope):
            return await self.application(scope, receive, send)
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": 4403})

    def exact_origin(self, scope) -> bool:
        headers = dict(scope.get("headers", []))
        try:
            origin = urlparse(headers.get(b"origin", b"").decode("latin1"))
            host = headers.get(b"host", b"").decode("latin1")
        except (UnicodeDecodeError, ValueError):
            return False
        if origin.scheme not in ("http", "https") or not origin.hostname:
            return False
        if not self.valid_origin(origin):  # the host is one we serve
            return False
        sent = _origin(origin.scheme, origin.netloc)
        own = _origin("https" if scope.get("scheme") == "wss" else "http", host)
        trusted = {
            _origin(url.scheme, url.netloc)
            for url in map(urlparse, [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS])
        }
        return sent == own or sent in trusted
