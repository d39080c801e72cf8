"""`manage.py worker`: django-tasks-db's db_worker with a heartbeat and run recovery."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from ai import economy
from ai.worker import Chores


class Command(DatabaseWorkerCommand):
    help = "Run background jobs (db_worker) with a heartbeat; recover dead runs and batches."

    def handle(self, *args, **options):
        chores = Chores(worker_id=options["worker_id"])
        chores.once()  # report at once and pick up what a dead worker left, before any job
        economy.recover_batches()  # a batch a crash left half-submitted is found and polled
        chores.start()
        try:
            return super().handle(*args, **options)
        finally:
            chores.stop()
