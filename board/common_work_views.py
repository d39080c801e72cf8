"""The instructor's corrections of the common-work groups: merge two, take a task out, undo
them all (the groups as CSV are `board.result_views.workshop_sheet`). The summary shows the
groups (board.common_work); these answer its forms with post/redirect/get back to it, or, over
htmx (the form in a pushed summary), by having the browser reload it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from board import common_work
from workshop_site.ratelimits import write_limited
from workshops import common_work as services
from workshops.access import get_workshop_for_instructor
from workshops.models import Task
from workshops.services import RuleError


def _back(request, workshop_id: int):
    """Back to the summary. Over htmx the form was on it: reload it (a client redirect to the
    same address with another #fragment would only scroll, showing neither change nor message)."""
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(reverse("workshops:workshop_summary", args=[workshop_id]) + "#common-work")


def _task_id(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@login_required
@require_POST
@write_limited
def merge(request, pk):
    """Merge the group of task `group` with the group of task `with` (any member names one)."""
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    first, second = _task_id(request.POST.get("group")), _task_id(request.POST.get("with"))
    groups = common_work.common_work(workshop) if first and second else []
    a, b = common_work.group_of(groups, first or 0), common_work.group_of(groups, second or 0)
    if a is None or b is None or a is b:
        messages.error(
            request, _("합칠 두 묶음을 골라 주세요. 목록이 바뀌었으면 새로 고친 뒤 다시 고르세요.")
        )
        return _back(request, workshop.pk)
    try:
        services.common_work_merge(
            workshop=workshop,
            actor=request.user,
            task_ids=[m.task_id for m in a.members + b.members],
        )
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("‘%(a)s’ 묶음과 ‘%(b)s’ 묶음을 합쳤습니다.") % {"a": a.title, "b": b.title}
        )
    return _back(request, workshop.pk)


@login_required
@require_POST
@write_limited
def split(request, pk):
    """Take task `pk` out of its common-work group."""
    task = Task.objects.select_related("team").filter(pk=pk).first()
    if task is None:
        raise Http404
    workshop, _participant = get_workshop_for_instructor(request.user, task.team.workshop_id)
    services.common_work_split(task=task, actor=request.user)
    messages.success(request, _("‘%(title)s’ 업무를 묶음에서 뺐습니다.") % {"title": task.title})
    return _back(request, workshop.pk)


@login_required
@require_POST
@write_limited
def reset(request, pk):
    """Undo every merge and split: the groups follow the tasks' words again."""
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    if services.common_work_reset(workshop=workshop, actor=request.user):
        messages.success(request, _("공통 업무 묶음을 처음 찾은 대로 되돌렸습니다."))
    return _back(request, workshop.pk)
