"""Background jobs (django-tasks, database backend): thin wrappers over ai.services."""

from django_tasks import task

from ai import services


@task()
def run_analysis(run_id: int) -> None:
    services.run_execute(run_id)
