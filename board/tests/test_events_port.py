"""The events port: announced after commit (at once outside a transaction), never on rollback,
and a failing sink never fails the code that announced."""

import asyncio

import pytest
from django.db import transaction

from board.consumers import WorkshopConsumer
from workshops import events
from workshops.live import presence


@pytest.fixture
def received():
    """Events delivered to a recording sink, in place of the presentation app's."""
    got = []
    previous = events.install_sink(got.append)
    yield got
    events.install_sink(previous)


@pytest.mark.django_db(transaction=True)
def test_an_event_waits_for_the_commit_and_is_dropped_on_rollback(received):
    event = events.TaskChanged(team_id=1, workshop_id=1)
    with transaction.atomic():
        events.announce(event)
        assert received == []
    assert received == [event]
    with pytest.raises(RuntimeError), transaction.atomic():
        events.announce(events.TaskChanged(team_id=2, workshop_id=1))
        raise RuntimeError("rolled back")
    assert received == [event]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_event_is_delivered_at_once(received):
    events.announce(events.SessionEnded(session_key="abc"))
    assert received == [events.SessionEnded(session_key="abc")]


@pytest.mark.django_db(transaction=True)
def test_a_failing_sink_is_logged_and_never_raises(caplog):
    def broken(event):
        raise RuntimeError("redis is down")

    previous = events.install_sink(broken)
    try:
        events.announce(events.PresenceChanged(workshop_id=7))
    finally:
        events.install_sink(previous)
    assert "PresenceChanged(workshop_id=7)" in caplog.text


def test_a_failed_heartbeat_does_not_stop_the_next_ones(monkeypatch):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.001)
    consumer = WorkshopConsumer()
    beats = []

    async def beat(number):
        beats.append(number)
        if number == 1:
            raise ConnectionError("database blip")
        return number < 3  # the third beat finds the socket closed

    consumer.beat = beat
    asyncio.run(consumer.heartbeat())
    assert beats == [1, 2, 3]
