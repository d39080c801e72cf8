"""The background worker's own chores, beside the jobs django-tasks runs for it.

Every HEARTBEAT_SECONDS it writes a heartbeat row (what /health/ready/ checks) and hands runs
left behind by dead workers back to the queue, so recovery does not wait for someone to press
a button.
"""

import logging
import os
import socket
import threading

from django.db import close_old_connections, connections
from django.utils import timezone

from ai.services import HEARTBEAT_SECONDS  # one cadence for the worker's chores and for runs

logger = logging.getLogger(__name__)


class Chores(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name="worker-chores", daemon=True)
        self.worker_id = worker_id[:100]
        self.stopping = threading.Event()

    def beat(self) -> None:
        from ai.models import WorkerHeartbeat

        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "beat_at": timezone.now(),
            },
        )

    def once(self) -> None:
        from ai.services import recover_stale_runs

        try:
            close_old_connections()
            self.beat()
            recover_stale_runs()
        except Exception:
            logger.exception("worker chores failed; trying again shortly")

    def run(self) -> None:
        while not self.stopping.wait(HEARTBEAT_SECONDS):
            try:
                self.once()
            finally:
                connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
