"""/health/ and /health/ready/: each check failing for real, and recovering."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from ai.models import WorkerHeartbeat

# The checks run in worker threads with their own connections: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_alive():
    WorkerHeartbeat.objects.create(worker_id="w1", beat_at=timezone.now())


def ready(client):
    response = client.get("/health/ready/")
    return response.status_code, response.json()


def test_liveness_answers_without_touching_anything(client):
    response = client.get("/health/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_reports_every_check_with_its_timing(client, worker_alive):
    status, body = ready(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "worker"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())


def test_ready_fails_without_a_worker_and_recovers_when_one_reports(client):
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["worker"]["error"].endswith("no worker has ever reported")
    beat = WorkerHeartbeat.objects.create(
        worker_id="w1", beat_at=timezone.now() - timedelta(minutes=5)
    )
    assert ready(client)[0] == 503  # too old
    beat.beat_at = timezone.now()
    beat.save()
    assert ready(client)[0] == 200


def test_ready_fails_while_the_cache_is_unreachable(client, settings, worker_alive):
    good = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    caches._settings = caches.settings = settings.CACHES
    try:
        status, body = ready(client)
        assert status == 503 and not body["checks"]["cache"]["ok"]
    finally:
        settings.CACHES = good
        del caches.settings
    assert ready(client)[0] == 200


def test_ready_fails_while_the_channel_layer_is_unreachable(client, settings, worker_alive):
    from channels.layers import channel_layers

    good = settings.CHANNEL_LAYERS
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": "redis://127.0.0.1:9/0", "socket_connect_timeout": 0.5}]
            },
        }
    }
    channel_layers.backends.clear()
    try:
        status, body = ready(client)
        assert status == 503 and not body["checks"]["channel_layer"]["ok"]
    finally:
        settings.CHANNEL_LAYERS = good
        channel_layers.backends.clear()
    assert ready(client)[0] == 200


def test_ready_fails_while_the_database_is_unreachable(client, worker_alive):
    config = connection.settings_dict
    saved = dict(config)
    if connection.vendor == "sqlite":
        config["NAME"] = "/nonexistent-dir/db.sqlite3"
    else:
        config["PORT"] = "9"
    connection.close()
    try:
        status, body = ready(client)
        assert status == 503 and not body["checks"]["database"]["ok"]
    finally:
        config.clear()
        config.update(saved)
        connection.close()
    assert ready(client)[0] == 200
