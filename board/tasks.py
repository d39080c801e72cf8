"""Background jobs of the presentation app (django-tasks): thin wrappers over
board.export_files. A queued job is stored by its dotted path: keep these names."""

from django_tasks import task

from board import export_files


@task()
def build_workshop_export(export_id: int) -> None:
    export_files.export_build(export_id)


@task()
def delete_workshop_export(export_id: int) -> None:
    export_files.export_delete(export_id)
