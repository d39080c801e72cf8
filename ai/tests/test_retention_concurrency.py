"""Two processes purging at once: the workshop row lock decides, nothing is done twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from ai import retention, worker
from workshops import services
from workshops.models import Workshop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _holding(lock_queryset):
    """Run a thread that locks the rows of `lock_queryset` until told to let go."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(lock_queryset.select_for_update())
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(10)
    return release, thread


def test_a_workshop_another_process_is_purging_is_passed_by(workshop, team):
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=200))
    release, thread = _holding(Workshop.objects.filter(pk=workshop.pk))
    try:
        assert retention.purge_due() == []
    finally:
        release.set()
        thread.join()
    assert retention.purge_due() == [workshop.pk]


def test_a_day_another_worker_is_claiming_is_not_claimed_twice(db):
    from ai.models import DailyChore

    DailyChore.objects.create(name=worker.HOUSEKEEPING)
    release, thread = _holding(DailyChore.objects.filter(name=worker.HOUSEKEEPING))
    try:
        assert worker.claim_daily(worker.HOUSEKEEPING) is False
    finally:
        release.set()
        thread.join()
    assert worker.claim_daily(worker.HOUSEKEEPING) is True
