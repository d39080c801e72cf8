"""Background jobs (django-tasks, database backend): thin wrappers over ai.services."""

from django_tasks import task

from ai import economy, services


@task()
def run_analysis(run_id: int) -> None:
    services.run_execute(run_id)


@task()
def submit_economy_batch(batch_id: int) -> None:
    economy.submit(batch_id)


@task()
def poll_economy_batch(batch_id: int) -> None:
    economy.poll(batch_id)
