"""Two workers sending the follow-ups at once (PostgreSQL): each team's mail goes once."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from workshops import follow_up, services
from workshops.models import FollowUp, Pick, Team, Workshop


def picked(task, expected_hours=Decimal("0")) -> Pick:
    """`task` as one of its team's picks (made directly: when a lead may pick is the priorities'
    own rule, tested with them)."""
    return Pick.objects.create(team=task.team, task=task, expected_hours=expected_hours)


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due(workshop, team, lead, task):
    picked(task)
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=31))
    return team


def test_a_team_another_worker_is_mailing_is_passed_by(due):
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(Team.objects.select_for_update().filter(pk=due.pk))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        assert follow_up.send_due().sent == []
    finally:
        release.set()
        thread.join()
    assert follow_up.send_due().sent == [due.pk]


def test_two_workers_at_once_send_one_mail(due, monkeypatch):
    real_send = follow_up.send_mail

    def slow_send(*args, **kwargs):
        time.sleep(0.5)  # the other worker arrives while this one is sending
        return real_send(*args, **kwargs)

    monkeypatch.setattr(follow_up, "send_mail", slow_send)
    start = threading.Barrier(2)
    reports = []

    def run():
        try:
            start.wait(10)
            reports.append(follow_up.send_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(len(report.sent) for report in reports) == [0, 1]
    assert (len(mail.outbox), FollowUp.objects.count()) == (1, 1)
