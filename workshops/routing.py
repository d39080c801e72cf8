from django.urls import path

from workshops.consumers import WorkshopConsumer

websocket_urlpatterns = [
    path("ws/workshops/<int:workshop_id>/", WorkshopConsumer.as_asgi(), name="ws_workshop"),
]
