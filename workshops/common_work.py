"""An instructor's corrections of the common-work grouping (issue 18): merge two groups, take a
task out of its group, or go back to the grouping by words alone. The groups themselves are
computed from the tasks' words (ai.grouping) and read with these corrections applied
(board.common_work); here are only the writes, one transaction each.

Who may call them is the views' check: the workshop's instructors (workshops.access).
"""

from collections.abc import Collection

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import User
from workshops.models import CommonWorkChoice, Task, Workshop
from workshops.services import RuleError


@transaction.atomic
def common_work_merge(*, workshop: Workshop, actor: User, task_ids: Collection[int]) -> int:
    """Make `task_ids` (the members of the groups being merged) one group, with every task
    already merged with any of them. Returns the group's key."""
    Workshop.objects.select_for_update().filter(pk=workshop.pk).first()  # one merge at a time
    tasks = list(
        Task.objects.filter(team__workshop=workshop, pk__in=list(task_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(tasks) < 2:
        raise RuleError(_("합칠 묶음을 찾지 못했습니다. 요약을 새로 고친 뒤 다시 골라 주세요."))
    choices = CommonWorkChoice.objects.filter(workshop=workshop)
    keys = set(
        choices.filter(task_id__in=tasks, group_key__isnull=False).values_list(
            "group_key", flat=True
        )
    )
    # The oldest key among them, or a new one past every key of the workshop.
    key = min(keys) if keys else (choices.aggregate(top=Max("group_key"))["top"] or 0) + 1
    # Tasks merged earlier with any of these come along.
    choices.filter(group_key__in=keys).update(group_key=key, decided_by=actor)
    for task_id in tasks:
        CommonWorkChoice.objects.update_or_create(
            task_id=task_id,
            defaults={"workshop": workshop, "group_key": key, "apart": False, "decided_by": actor},
        )
    audit.record(
        "common_work.merge",
        actor=actor,
        target=workshop,
        workshop=workshop,
        summary=f"{len(tasks)} tasks",
        detail={"tasks": tasks},
    )
    return key


@transaction.atomic
def common_work_split(*, task: Task, actor: User) -> None:
    """Take `task` out of its group and keep it out of every group."""
    workshop = task.team.workshop
    CommonWorkChoice.objects.update_or_create(
        task=task,
        defaults={"workshop": workshop, "group_key": None, "apart": True, "decided_by": actor},
    )
    audit.record(
        "common_work.split", actor=actor, target=task, workshop=workshop, summary=task.title
    )


@transaction.atomic
def common_work_reset(*, workshop: Workshop, actor: User) -> int:
    """Forget every correction: the groups follow the tasks' words again. Returns how many."""
    deleted, _by_model = CommonWorkChoice.objects.filter(workshop=workshop).delete()
    audit.record(
        "common_work.reset", actor=actor, target=workshop, workshop=workshop, summary=str(deleted)
    )
    return deleted
