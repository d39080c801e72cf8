"""ASGI entry point: HTTP through Django, WebSockets through Channels (board.routing)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")

# Django must be set up before anything imports models (as get_asgi_application does).
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from workshop_site.http_threads import PooledThreadsASGIHandler  # noqa: E402

# Django's ASGIHandler, on WEB_THREADS reused threads instead of a new thread per request.
django_asgi_app = PooledThreadsASGIHandler(threads=settings.WEB_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from board.routing import websocket_urlpatterns  # noqa: E402
from workshop_site.websocket import RefusingOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": RefusingOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
