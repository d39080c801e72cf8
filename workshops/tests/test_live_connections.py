"""The open-socket count every web process publishes, and the alert above the threshold."""

import time

from django.core.cache import cache
from django.urls import reverse

from workshops.live import connections


def test_each_process_publishes_its_count(monkeypatch):
    monkeypatch.setattr(connections, "_open", 0)
    connections.opened()
    connections.opened()
    connections.closed()
    # A second web process, as it would appear in the shared cache.
    other = "web-2:4242"
    cache.set(connections._key(other), 7, connections.TTL)
    registry = cache.get(connections.REGISTRY)
    registry[other] = time.time() + connections.TTL
    cache.set(connections.REGISTRY, registry, None)
    assert connections.per_process() == {connections.PROCESS: 1, other: 7}
    assert connections.total() == 8


def test_a_process_that_stopped_reporting_drops_out(monkeypatch):
    monkeypatch.setattr(connections, "_open", 3)
    cache.set(connections._key("gone:1"), 50, connections.TTL)
    cache.set(connections.REGISTRY, {"gone:1": time.time() - 1}, None)
    connections.publish()
    assert connections.per_process() == {connections.PROCESS: 3}


def test_closing_never_goes_below_zero(monkeypatch):
    monkeypatch.setattr(connections, "_open", 0)
    connections.closed()
    assert connections.total() == 0


def test_crossing_the_threshold_alerts_once_an_hour(monkeypatch, settings, slack):
    settings.LIVE_CONNECTION_ALERT = 2
    monkeypatch.setattr(connections, "_open", 0)
    connections.opened()
    connections.opened()
    assert slack.messages == []  # at the threshold is fine
    connections.opened()
    connections.opened()
    connections.opened()
    assert len(slack.messages) == 1
    assert "실시간 연결이 3개로 기준(2)을 넘었습니다" in slack.messages[0]["text"]
    cache.delete(f"{connections.ALERTED}:{connections.PROCESS}")  # an hour later
    connections.opened()
    assert len(slack.messages) == 2


def test_the_threshold_is_per_process_not_the_sum_of_all(monkeypatch, settings, slack):
    settings.LIVE_CONNECTION_ALERT = 2
    # Another web process holds two sockets and this one two: four in all, none over.
    cache.set(connections._key("other-host:1"), 2, connections.TTL)
    cache.set(connections.REGISTRY, {"other-host:1": 10**10}, None)
    monkeypatch.setattr(connections, "_open", 1)
    connections.opened()
    assert connections.total() == 4
    assert slack.messages == []
    connections.opened()
    assert len(slack.messages) == 1
    assert connections.PROCESS in slack.messages[0]["text"]


def test_the_operators_live_connection_page_shows_the_counts(db, monkeypatch, client, settings):
    from ai.tests.test_spend_admin import staff_client

    settings.LIVE_CONNECTION_ALERT = 1
    monkeypatch.setattr(connections, "_open", 2)
    connections.publish()
    operator = staff_client(client)
    changelist = operator.get(reverse("admin:workshops_workshop_changelist")).content.decode()
    assert reverse("admin:workshops_live_connections") in changelist
    body = operator.get(reverse("admin:workshops_live_connections")).content.decode()
    assert f'<td>{connections.PROCESS}</td><td style="text-align:right">2</td>' in body
    assert "<strong>넘음</strong>" in body


def test_the_spend_dashboard_is_about_spend_only(db, client):
    from ai.tests.test_spend_admin import staff_client

    body = staff_client(client).get(reverse("admin:ai_spend")).content.decode()
    assert "실시간 연결" not in body
