"""Runs a dead worker left: handed to the next worker, or failed after MAX_ATTEMPTS."""

import logging

from django.db import transaction

from ai.models import AnalysisRun, RunStatus
from ai.runner import analysed_ids, run_finish
from ai.tasks import run_analysis
from workshops.models import Team

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def recover_stale_runs(*, team: Team | None = None) -> int:
    """Hand runs whose worker died to the next worker (or fail them after MAX_ATTEMPTS)."""
    stale = AnalysisRun.objects.stale()
    if team is not None:
        stale = stale.filter(team=team)
    recovered = 0
    for run in stale:
        if run.attempts >= MAX_ATTEMPTS:
            done = analysed_ids(run)
            run_finish(run, failed_ids=set(run.task_ids) - done, kind="server")
            continue
        with transaction.atomic():
            requeued = AnalysisRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, heartbeat_at=run.heartbeat_at
            ).update(status=RunStatus.QUEUED)
            if requeued:
                run_analysis.enqueue(run.pk)
        if requeued:
            recovered += 1
            logger.warning("analysis run %s: worker stopped reporting; queued again", run.pk)
    return recovered
