"""The background worker's own chores, beside the jobs django-tasks runs for it.

Every HEARTBEAT_SECONDS it writes a heartbeat row (what /health/ready/ checks) and hands runs
left behind by dead workers back to the queue, so recovery does not wait for someone to press
a button. Once a day (whichever worker claims the day first) it does the housekeeping that
personal-data retention needs: workshops past their retention period are purged and old audit
entries deleted; and, as a chore of its own, it sends the follow-up mails that are due
(workshops.follow_up: each sent once, a missed day caught up by the next run).
"""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from accounts import audit
from ai.models import DailyChore, WorkerHeartbeat
from ai.recovery import recover_stale_runs
from ai.retention import purge_due
from ai.runner import HEARTBEAT_SECONDS  # one cadence for chores and runs
from workshops import follow_up

logger = logging.getLogger(__name__)

HOUSEKEEPING = "housekeeping"
FOLLOW_UP = "follow_up"
DAILY = timedelta(days=1)
HOUSEKEEPING_CHECK_SECONDS = 3600


def claim_daily(name: str, *, now=None) -> bool:
    """True for the one caller that may run chore `name` now: it last ran a day or more ago
    (or never). The row is locked while it is read and stamped, so two workers never both
    claim the same day, and one never waits for the other (SKIP LOCKED)."""
    now = now or timezone.now()
    DailyChore.objects.get_or_create(name=name)
    with transaction.atomic():
        chore = DailyChore.objects.select_for_update(skip_locked=True).filter(name=name).first()
        if chore is None:  # another worker is claiming it right now
            return False
        if chore.last_run_at is not None and now - chore.last_run_at < DAILY:
            return False
        chore.last_run_at = now
        chore.save(update_fields=["last_run_at"])
    return True


def housekeeping(*, now=None) -> bool:
    """Run the daily retention chores if this worker claims today's run; whether it ran.

    A failed run waits for the next day: purge_due picks up every workshop that is due, so
    nothing is left behind for longer than that."""
    if not claim_daily(HOUSEKEEPING, now=now):
        return False
    purge_due(now)
    audit.purge_expired(now=now)
    return True


def follow_ups(*, now=None) -> bool:
    """Send the follow-up mails that are due if this worker claims today's run; whether it
    ran. Whatever a failed or missed day left is due still, and goes on the next run."""
    if not claim_daily(FOLLOW_UP, now=now):
        return False
    report = follow_up.send_due(now=now)
    if report.sent or report.failed:
        logger.info(
            "follow-up mails: %d sent, %d failed, %d leads without an address",
            len(report.sent),
            len(report.failed),
            len(report.no_address),
        )
    return True


class Chores(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name="worker-chores", daemon=True)
        self.worker_id = worker_id[:100]
        self.stopping = threading.Event()
        self.next_housekeeping_check = 0.0

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "beat_at": timezone.now(),
            },
        )

    def once(self) -> None:
        try:
            close_old_connections()
            self.beat()
            recover_stale_runs()
        except Exception:
            logger.exception("worker chores failed; trying again shortly")
            return  # the database is likely down: housekeeping waits for the next beat
        # The daily claim is asked at most once an hour per worker, not at every heartbeat.
        if time.monotonic() < self.next_housekeeping_check:
            return
        self.next_housekeeping_check = time.monotonic() + HOUSEKEEPING_CHECK_SECONDS
        try:
            housekeeping()
        except Exception:
            logger.exception("daily housekeeping failed; it runs again tomorrow")
        try:
            follow_ups()
        except Exception:
            logger.exception("the follow-up mails failed; they are sent on the next run")

    def run(self) -> None:
        while not self.stopping.wait(HEARTBEAT_SECONDS):
            try:
                self.once()
            finally:
                connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
