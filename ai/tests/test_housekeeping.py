"""The worker's daily housekeeping: retention purges and the audit log's age limit."""

from datetime import timedelta

from django.utils import timezone

from ai import worker
from ai.models import DailyChore
from workshops import services
from workshops.models import Team, Workshop


def _ran_ago(**delta) -> None:
    DailyChore.objects.update_or_create(
        name=worker.HOUSEKEEPING, defaults={"last_run_at": timezone.now() - timedelta(**delta)}
    )


def test_it_runs_when_it_never_ran(db):
    assert worker.housekeeping() is True
    assert DailyChore.objects.get(name=worker.HOUSEKEEPING).last_run_at is not None


def test_it_runs_when_the_last_run_is_more_than_a_day_old(db):
    _ran_ago(days=1, minutes=1)
    assert worker.housekeeping() is True


def test_it_does_not_run_an_hour_after_the_last_run(db):
    _ran_ago(hours=1)
    assert worker.housekeeping() is False


def test_of_two_claims_on_the_same_day_only_the_first_wins(db):
    now = timezone.now()
    assert worker.claim_daily(worker.HOUSEKEEPING, now=now) is True
    assert worker.claim_daily(worker.HOUSEKEEPING, now=now + timedelta(seconds=1)) is False


def test_a_workshop_due_for_days_is_purged_on_the_next_run(workshop, team):
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(
        closed_at=timezone.now() - timedelta(days=185)  # due five days ago; the worker was down
    )
    _ran_ago(days=5)
    assert worker.housekeeping() is True
    assert not Team.objects.filter(workshop=workshop).exists()
    assert Workshop.objects.get(pk=workshop.pk).purged_at is not None


def test_the_worker_chores_run_the_housekeeping(workshop, team, monkeypatch):
    # The chores drop stale connections first; here that would be the test's own database.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=200))
    worker.Chores(worker_id="test-worker").once()
    assert Workshop.objects.get(pk=workshop.pk).purged_at is not None
