from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from ai import economy, recovery, selectors
from ai import requests as ai_requests
from ai.errors import AnalysisRefused
from ai.forms import OverrideForm
from ai.models import AnalysisRun, Mode
from board import live
from board import render as live_render
from workshop_site.ratelimits import ai_limited, write_limited
from workshops.access import get_task_for_user, get_team_for_user, get_workshop_for_instructor


def _panel(request, access, *, status=200, view=None):
    """The analysis panel, and with it the task list out of band: results land there. `view`:
    the team as read now, when the request changed nothing (the poll)."""
    view = view or live.written_team_view(access.team)
    can_edit = access.can_edit_tasks
    html = live_render.analysis_progress(view.team, can_edit=can_edit, view=view)
    if request.GET.get("shown") != live_render.copy_shown(view.team):
        html += live_render.tasks_region(view, can_edit=can_edit, oob=True)
    return HttpResponse(html, status=status)


def _after_request(request, access, run_created, refused=None):
    notice = refused or (
        None if run_created else _("이미 분석 중입니다. 끝나면 결과가 바로 나타납니다.")
    )
    if request.htmx:
        response = _panel(request, access)
        if notice:
            trigger_client_event(response, "workshop:toast", {"message": notice})
        return response
    if notice:
        messages.info(request, notice)
    return redirect(access.team)


def _requested(request, access, start):
    """Start a run with `start()` -> (run, created) and answer; a refusal is told, not raised."""
    try:
        _run, created = start()
    except AnalysisRefused as refused:
        return _after_request(request, access, False, refused.message)
    return _after_request(request, access, created)


@login_required
@require_POST
@ai_limited
def analysis_request(request, pk):
    access = get_team_for_user(request.user, pk, write=True)
    return _requested(
        request, access, lambda: ai_requests.analysis_request(team=access.team, actor=request.user)
    )


@login_required
@require_POST
@ai_limited
def analysis_deep(request, pk):
    task, access = get_task_for_user(request.user, pk, write=True)
    return _requested(
        request,
        access,
        lambda: ai_requests.analysis_request(
            team=access.team, actor=request.user, mode=Mode.DEEP, tasks=[task]
        ),
    )


@login_required
@require_POST
@ai_limited
def analysis_answer(request, pk):
    """An answer to a 정보 부족 task's question: added to its description, then the task is
    analysed again (the same limits and budget as any analysis)."""
    task, access = get_task_for_user(request.user, pk, write=True)
    try:
        _run, created, refused = ai_requests.task_answer_question(
            task=task,
            actor=request.user,
            key=request.POST.get("question", ""),
            option=request.POST.get("answer", ""),
        )
    except AnalysisRefused as refusal:
        return _after_request(request, access, False, refusal.message)
    return _after_request(request, access, created, refused or None)


@login_required
@require_POST
@ai_limited
def analysis_retry(request, pk):
    run = get_object_or_404(AnalysisRun, pk=pk)
    access = get_team_for_user(request.user, run.team_id, write=True)
    run.team = access.team
    return _requested(
        request, access, lambda: ai_requests.analysis_retry(run=run, actor=request.user)
    )


@login_required
@require_GET
def analysis_progress(request, pk):
    access = get_team_for_user(request.user, pk)
    recovery.recover_stale_runs(team=access.team)
    # The poll, every few seconds while an analysis runs: the task list only if it changed
    # since the copy the page shows (`?shown=`), and then from the cache. The team is read
    # again for its revision: the recovery may have just changed its runs.
    version = live_render.new_version()  # before the read, as every render
    team = live_render.read_team(access.team.pk)
    return _panel(request, access, view=live_render.team_view(team, version=version))


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def analysis_override(request, pk):
    task, access = get_task_for_user(request.user, pk, write=True)
    analysis = selectors.latest_analyses([task.pk]).get(task.pk)
    initial = {"rating": analysis.rating} if analysis else {}
    form = OverrideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ai_requests.analysis_override(
            task=task,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("평가를 바꿨습니다. 사람이 정한 평가로 표시됩니다."))
        return redirect(access.team)
    context = {"task": task, "analysis": analysis, "form": form}
    return render(request, "ai/override.html", context)


@login_required
@require_POST
@write_limited
def analysis_factor(request, pk):
    """A lead's correction of one factor of a task's analysis; the rubric recomputes the
    rating and share (no AI call, so the write limit applies)."""
    task, access = get_task_for_user(request.user, pk, write=True)
    try:
        ai_requests.analysis_correct_factor(
            task=task,
            actor=request.user,
            factor=request.POST.get("factor", ""),
            value=request.POST.get("value", ""),
        )
    except AnalysisRefused as refusal:
        return _after_request(request, access, True, refusal.message)
    return _after_request(
        request, access, True, _("요인을 고쳤습니다. 평가를 공식으로 다시 계산했습니다.")
    )


@login_required
@require_GET
def analysis_history(request, pk):
    task, _access = get_task_for_user(request.user, pk)
    return render(
        request, "ai/history.html", {"task": task, "analyses": selectors.history(task.pk)}
    )


@login_required
@require_POST
@ai_limited
def economy_request(request, pk):
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    if workshop.is_closed:
        raise PermissionDenied(_("종료된 워크샵은 읽기 전용입니다."))
    try:
        batch = economy.economy_request(workshop=workshop, actor=request.user)
    except AnalysisRefused as refused:
        messages.info(request, refused.message)
    else:
        messages.success(
            request,
            _("업무 %(n)d개를 절약 모드로 보냈습니다. 끝나면 보드에 결과가 나타납니다.")
            % {"n": batch.total_tasks},
        )
    return redirect(workshop)
