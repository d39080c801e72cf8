"""Workshop exports built on the worker.

A large workshop's XLSX takes seconds to build (2.6 s for 3,000 tasks), and a request that
builds it holds one of the web process's WEB_THREADS and its GIL for all that time: four
instructors downloading at once stalled every page of the process. So a workshop with more
than EXPORT_INLINE_MAX_TASKS tasks is exported here: the view records a request
(`export_request`), the worker builds the file into the row (`export_build`, a job in
board.tasks), and the "준비 중" page polls until it links the file. The bytes live in
PostgreSQL, not on a disk, because the web and worker services share no file system
(docs/deploy-railway.md). A file holds people's names and tasks: it is deleted
EXPORT_KEEP_MINUTES after it was asked for (a job queued for then, and a sweep at every new
request in case the worker was down).
"""

import logging
import os
import threading
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from board import exports
from board.models import WorkshopExport
from workshops.models import Task

logger = logging.getLogger(__name__)

BUILDERS = {"xlsx": exports.workshop_xlsx, "csv": exports.workshop_csv}
# How much lower the build's CPU priority is than the rest (nice). On one small machine that
# runs web and worker, the pages go first and the file waits a little longer.
BUILD_NICENESS = 10


def builds_on_worker(workshop) -> bool:
    """Whether this workshop's export is too large to build in a request."""
    tasks = Task.objects.filter(team__workshop=workshop)
    return tasks.count() > settings.EXPORT_INLINE_MAX_TASKS


def export_request(*, workshop, user, fmt: str) -> WorkshopExport:
    """A build of the workshop's `fmt` file for `user`: the one they asked for and is still
    being built (a second click, a reload), else a new one queued for the worker."""
    from board.tasks import build_workshop_export, delete_workshop_export

    now = timezone.now()
    _sweep(now)
    pending = (
        WorkshopExport.objects.filter(
            workshop=workshop,
            requested_by=user,
            fmt=fmt,
            status__in=[WorkshopExport.Status.QUEUED, WorkshopExport.Status.RUNNING],
            created_at__gte=now - timedelta(seconds=settings.EXPORT_BUILD_TIMEOUT),
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    with transaction.atomic():
        export = WorkshopExport.objects.create(workshop=workshop, requested_by=user, fmt=fmt)
        delete_at = now + timedelta(minutes=settings.EXPORT_KEEP_MINUTES)
        transaction.on_commit(partial(build_workshop_export.enqueue, export.pk))
        transaction.on_commit(
            partial(delete_workshop_export.using(run_after=delete_at).enqueue, export.pk)
        )
    return export


def export_build(export_id: int) -> None:
    """Build the file (the worker's job). Claimed with a conditional UPDATE, so a job run twice
    builds once."""
    claimed = WorkshopExport.objects.filter(
        pk=export_id, status=WorkshopExport.Status.QUEUED
    ).update(status=WorkshopExport.Status.RUNNING)
    if not claimed:
        return
    export = WorkshopExport.objects.select_related("workshop").get(pk=export_id)

    def progress(percent: int) -> None:
        WorkshopExport.objects.filter(pk=export_id).update(progress=percent)

    try:
        content = _at_low_priority(BUILDERS[export.fmt], export.workshop, progress)
    except Exception:
        logger.exception("export %s failed", export_id)
        WorkshopExport.objects.filter(pk=export_id).update(
            status=WorkshopExport.Status.FAILED, finished_at=timezone.now()
        )
        return
    WorkshopExport.objects.filter(pk=export_id).update(
        status=WorkshopExport.Status.DONE,
        progress=100,
        content=content,
        file_name=exports.filename(f"workshop-{export.workshop_id}", export.fmt),
        finished_at=timezone.now(),
    )


def _at_low_priority(build, *args):
    """`build(*args)` on a thread of its own whose CPU priority is BUILD_NICENESS lower (on
    Linux a thread's nice is its own, so the worker's other jobs keep theirs). Inside a
    transaction (a test's) it stays on this thread: another one would not see the data."""
    if connection.in_atomic_block:
        return build(*args)
    outcome: dict = {}

    def run() -> None:
        try:
            me = threading.get_native_id()
            niceness = min(os.getpriority(os.PRIO_PROCESS, me) + BUILD_NICENESS, 19)
            os.setpriority(os.PRIO_PROCESS, me, niceness)
        except (AttributeError, OSError):  # not Linux, or not allowed: build at the same one
            pass
        try:
            outcome["content"] = build(*args)
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()  # this thread's own database connection

    thread = threading.Thread(target=run, name="export-build")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["content"]


def export_delete(export_id: int) -> None:
    WorkshopExport.objects.filter(pk=export_id).delete()


def _sweep(now) -> None:
    """Files past their time that no job deleted (the worker was down then)."""
    expired = now - timedelta(minutes=settings.EXPORT_KEEP_MINUTES)
    WorkshopExport.objects.filter(created_at__lt=expired).delete()
