"""Background jobs (django-tasks, database backend): thin wrappers over the runner and economy
mode. (The module keeps its name, which collides with the `Task` model's: a queued job is stored
by its dotted path, `ai.tasks.run_analysis`, and jobs queued before a deploy must still run.)"""

from django_tasks import task

from ai import economy, runner


@task()
def run_analysis(run_id: int) -> None:
    runner.run_execute(run_id)


@task()
def submit_economy_batch(batch_id: int) -> None:
    economy.submit(batch_id)


@task()
def poll_economy_batch(batch_id: int) -> None:
    economy.poll(batch_id)
