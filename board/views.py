"""Pages and fragments that show a workshop's tasks with their analyses: the instructor's
board, the team page and the answers to task writes (the same HTML as their live pushes)."""

import functools
import hashlib
import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from ai.selectors import progress_context
from board import live, priority_views, reads
from board import render as live_render
from board.facilitation_views import panel_context
from board.result_views import purged_page
from workshop_site.links import public_url
from workshop_site.ratelimits import write_limited
from workshops import services
from workshops.access import (
    CLOSED_WHILE_TYPING,
    WorkshopClosed,
    answered_in_place,
    get_task_for_user,
    get_team_for_user,
    get_workshop_for_instructor,
)
from workshops.forms import TaskEditForm, TaskForm, add_rule_error
from workshops.models import Invitation, Participant
from workshops.services import RuleError

logger = logging.getLogger(__name__)


@login_required
@require_GET
def workshop_detail(request, pk):
    try:
        workshop, _participant = get_workshop_for_instructor(request.user, pk)
    except PermissionDenied:
        # A team lead or member following a workshop link belongs on their team page.
        participant = Participant.objects.select_related("team").get(
            user=request.user, workshop_id=pk
        )
        return redirect(participant.team)
    if workshop.is_purged:
        return purged_page(request, workshop)
    join_url = public_url(request, workshop.get_join_url())
    qr_svg = _qr_svg(join_url)
    version = live_render.new_version()  # before the reads, like every pushed render
    board_html = live_render.board(workshop, version, csrf_token=get_token(request))
    return render(
        request,
        "workshops/workshop_detail.html",
        {
            "workshop": workshop,
            "board_html": board_html,
            "join_url": join_url,
            "qr_svg": qr_svg,
            "version": version,
            "spotlight_html": live_render.spotlight(workshop, version),
            **panel_context(workshop),
        },
    )


@functools.lru_cache(maxsize=256)
def _qr_svg(url: str) -> str:
    """The join code's QR image: the same for every load of the board (a few ms to draw)."""
    return segno.make(url, error="m").svg_inline(scale=6, dark="#111827", border=2, omitsize=True)


# --- Team ------------------------------------------------------------------------------------


def _team_context(request, access, *, task_form=None, invitations=True):
    """What the team page and its fragments (the add form, the invitations) show, but the
    regions `board.render.TeamView` renders. `invitations=False` for fragments that do not
    show them."""
    team = access.team
    context = {
        "team": team,
        "workshop": team.workshop,
        "access": access,
        "can_edit": access.can_edit_tasks,
    }
    if task_form is not None and not access.can_edit_tasks:
        context["task_form"] = task_form  # refused as the workshop closed: shown as typed
    elif access.can_edit_tasks:
        if task_form is None:
            context["task_form"] = TaskForm(workshop=team.workshop)
            context["task_fields_html"] = _blank_task_fields(team.workshop)
        else:
            context["task_form"] = task_form
    if invitations and access.can_manage_team:
        active = list(team.invitations.active())
        for invitation in active:
            invitation.url = public_url(request, invitation.get_absolute_url())
        context["invitations"] = active
    return context


_blank_fields: dict[tuple, str] = {}


def _blank_task_fields(workshop) -> str:
    """The empty add-task form's fields, rendered once per workshop revision (its domains are
    the choices: a change of them bumps it, workshops.revisions) and language: the form is on
    every team page and in every add's answer."""
    key = (get_language(), workshop.pk, workshop.revision)
    html = _blank_fields.get(key)
    if html is None:
        if len(_blank_fields) > 500:
            _blank_fields.clear()
        form = TaskForm(workshop=workshop)
        html = _blank_fields[key] = render_to_string("workshops/_task_fields.html", {"form": form})
    return html


@login_required
@require_GET
def team_detail(request, pk):
    return _team_page(request, get_team_for_user(request.user, pk))


def _team_page(request, access, *, task_form=None, status=200):
    """The whole team page: its load, and a refused add from a browser without JavaScript.

    A load after no change takes the page from the cache (`board.render.team_page`), kept per
    kind of viewer under the team's revisions; what is the request's own (the CSRF token, the
    CSP nonce, the add form's submit key, the version stamp) and what changes without a
    revision (a phase's countdown, the workshop's counts, a run's progress) are marks,
    filled in for each load. A page with a form as typed or a message is rendered for itself,
    with the same marks."""
    team = access.team
    view = live_render.team_view(team)
    if (
        request.method == "GET"
        and task_form is None
        and status == 200
        and not len(messages.get_messages(request))  # counts them without using them up
    ):
        parts = (
            request.user.pk,
            access.participant.role,
            int(access.participant.team_id == team.pk),
            int(access.can_edit_tasks),
            int(request.GET.get("invitations") == "open"),
            hashlib.sha256(request.get_host().encode()).hexdigest()[:12],  # invitation links
        )
        html = live_render.team_page(team, parts, lambda: _marked_team_page(request, access, view))
    else:
        html = _marked_team_page(request, access, view, task_form=task_form)[0]
    html = live_render.fill_page(
        html,
        version=view.version,
        csrf_token=get_token(request),
        nonce=str(getattr(request, "csp_nonce", "")),
        live=_live_parts(access, html),
    )
    return HttpResponse(html, status=status)


def _live_parts(access, html: str) -> dict[str, str]:
    """The parts of a kept team page (`html`) that change without a revision of the team or
    its workshop, rendered for this load (with the version and CSRF marks): the workshop's
    counts, and, where the page has their marks, a running analysis and a countdown."""
    workshop = access.team.workshop
    parts = {live_render.PULSE_MARK: live_render.pulse_marked(workshop)}
    if live_render.PROGRESS_MARK in html:
        parts[live_render.PROGRESS_MARK] = _progress_html(access)
    if live_render.STAGE_MARK in html:
        parts[live_render.STAGE_MARK] = live_render.stage(workshop, live_render.VERSION_MARK)
    return parts


def _progress_html(access, runs=None) -> str:
    context = progress_context(access.team, can_edit=access.can_edit_tasks, runs=runs)
    context.update(version=live_render.VERSION_MARK, csrf_token=live_render.CSRF_MARK)
    return render_to_string("ai/progress.html#progress", context)


def _marked_team_page(request, access, view, *, task_form=None) -> tuple[str, float | None]:
    """The team page with marks for all that is the request's own or changes without a
    revision (`_team_page`), and when it must be rendered again at the latest (the earliest
    expiry of an invitation it shows), or None."""
    team = access.team
    can_edit = access.can_edit_tasks
    live_render.load_people(team)  # the latest activity names who
    view.load(("tasks", "members"), can_edit=can_edit)
    tasks_html = view.marked("tasks", can_edit=can_edit)  # reads the tasks if not kept
    runs = view.runs()  # (active, last finished): with the tasks' read, if there was one
    context = _team_context(request, access, task_form=task_form)
    if task_form is None and "task_form" in context:
        context["task_form"].__dict__["submit_key"] = live_render.SUBMIT_MARK  # cached_property
    context.update(
        version=live_render.VERSION_MARK,
        csrf_token=live_render.CSRF_MARK,
        csp_nonce=live_render.NONCE_MARK,
        shown=live_render.copy_shown(team),
        tasks_html=tasks_html,
        members_html=view.marked("members", can_edit=can_edit),
        task_count=view.task_count(can_edit=can_edit),
        # Kept with the page but while they change by the second: a phase, a notice, a run's
        # start and end bump a revision; a countdown and a run's progress do not.
        stage_html=(
            live_render.STAGE_MARK
            if team.workshop.phase_ends_at
            else live_render.stage(team.workshop, live_render.VERSION_MARK)
        ),
        pulse_html=live_render.PULSE_MARK,
        progress_html=live_render.PROGRESS_MARK if runs[0] else _progress_html(access, runs),
        invitations_open=request.GET.get("invitations") == "open",
        priorities_html=priority_views.priorities_html(
            request, access, csrf_token=live_render.CSRF_MARK
        ),
    )
    html = render_to_string("workshops/team_detail.html", context, request=request)
    expiries = [invitation.expires_at.timestamp() for invitation in context.get("invitations", ())]
    return html, min(expiries, default=None)


def _tasks_region(request, access, *, status=200):
    """The team's task list and totals: what every task write returns to HTMX, the same HTML
    as its live push."""
    html = live_render.tasks_region(
        live.written_team_view(access.team), can_edit=access.can_edit_tasks
    )
    return HttpResponse(html, status=status)


@login_required
@require_POST
@write_limited
def task_create(request, pk):
    try:
        access = get_team_for_user(request.user, pk, write=True)
    except WorkshopClosed:
        return _task_create_closed(request, pk)
    form = TaskForm(request.POST, workshop=access.team.workshop)
    if form.is_valid() and _first_submit(request, form):
        try:
            services.task_create(team=access.team, actor=request.user, data=form.cleaned_data)
        except RuleError as error:
            _forget_submit(request, form)  # corrected and sent again, it must count
            add_rule_error(form, error)
    if form.errors:
        if request.htmx:  # the form alone: nothing else of the team is shown or read
            context = {"team": access.team, "task_form": form}
            return render(request, "workshops/team_detail.html#task-add-form", context)
        return _team_page(request, access, task_form=form)
    if request.htmx:
        view = live.written_team_view(access.team)
        context = _team_context(request, access, invitations=False)
        context["task_added"] = True
        context["tasks_region"] = live_render.tasks_region(
            view, can_edit=access.can_edit_tasks, oob=True
        )
        return render(request, "workshops/team_detail.html#task-add-form-with-tasks", context)
    messages.success(request, _("업무를 추가했습니다."))
    return redirect(access.team)


def _task_create_closed(request, pk):
    """An add that reached us after the workshop closed: the form as typed, with the reason."""
    access = get_team_for_user(request.user, pk)
    form = TaskForm(request.POST, workshop=access.team.workshop)
    form.is_valid()
    form.add_error(None, CLOSED_WHILE_TYPING)
    if request.htmx:
        context = {"team": access.team, "task_form": form}
        return answered_in_place(
            render(request, "workshops/team_detail.html#task-add-form", context)
        )
    return answered_in_place(_team_page(request, access, task_form=form))


def _submit_cache_key(request, form) -> str:
    return f"task-submit:{request.user.pk}:{form.submit_key}"


def _first_submit(request, form) -> bool:
    """Whether this is the first post of this form (False: a double tap or a retry of one that
    went through, answered like the first without adding the task twice)."""
    if form.data.get("submit_key") != form.submit_key:
        return True  # a page from before the key existed
    try:
        return cache.add(_submit_cache_key(request, form), 1, settings.TASK_SUBMIT_WINDOW)
    except Exception:
        logger.warning("task submit keys: cache unavailable; not deduplicating")
        return True


def _forget_submit(request, form) -> None:
    try:
        cache.delete(_submit_cache_key(request, form))
    except Exception:
        logger.warning("task submit keys: cache unavailable")


@login_required
@require_GET
def task_detail(request, pk):
    """One task's card, as the team page shows it (the edit form's "취소" comes back here)."""
    task, access = get_task_for_user(request.user, pk)
    return render(
        request,
        "workshops/team_detail.html#task-card",
        {"card": reads.task_card(task), "can_edit": access.can_edit_tasks},
    )


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def task_edit(request, pk):
    try:
        task, access = get_task_for_user(request.user, pk, write=True)
    except WorkshopClosed:
        if request.method != "POST":
            raise
        return _task_edit_closed(request, pk)
    form = TaskEditForm(request.POST or None, instance=task, workshop=access.team.workshop)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(
                task=task,
                actor=request.user,
                data=form.cleaned_data,
                base_version=form.cleaned_data["version"],
            )
        except services.EditConflict as error:
            conflict = _conflict(form, error)
            form = conflict.pop("form")
        except RuleError as error:
            add_rule_error(form, error)
        else:
            if request.htmx:
                return retarget(_tasks_region(request, access), f"#team-{access.team.pk}-tasks")
            messages.success(request, _("업무를 수정했습니다."))
            return redirect(access.team)
    context = {
        "task": task,
        "form": form,
        "access": access,
        "team": access.team,
        "conflict": conflict,
    }
    if request.htmx:
        return render(request, "workshops/task_edit.html#task-edit-form", context)
    return render(request, "workshops/task_edit.html", context)


def _task_edit_closed(request, pk):
    """A save that reached us after the workshop closed: the edit form as typed, with the
    reason (the task is not changed)."""
    task, access = get_task_for_user(request.user, pk)
    form = TaskEditForm(request.POST, instance=task, workshop=access.team.workshop)
    form.is_valid()
    form.add_error(None, CLOSED_WHILE_TYPING)
    context = {"task": task, "form": form, "access": access, "team": access.team}
    template = "workshops/task_edit.html"
    if request.htmx:
        template += "#task-edit-form"
    return answered_in_place(render(request, template, context))


def _conflict(form: TaskEditForm, error: services.EditConflict) -> dict:
    """The editor's input kept as typed, now based on the stored version (saving again
    replaces it on purpose), and each field that differs shown side by side."""
    current = error.current
    data = form.data.copy()
    data["version"] = current.version
    rows = []
    for name in services.TASK_FIELDS:
        field = form.fields[name]
        mine, theirs = form.cleaned_data[name], getattr(current, name)
        if mine != theirs:
            rows.append(
                {
                    "label": field.label,
                    "mine": _display(field, mine),
                    "theirs": _display(field, theirs),
                }
            )
    fresh = TaskEditForm(data, instance=current, workshop=current.domain.workshop)
    fresh.is_valid()
    fresh.add_error(None, error.message)
    return {
        "form": fresh,
        "rows": rows,
        "by": current.updated_by.display_name if current.updated_by else "",
        "at": current.updated_at,
    }


def _display(field, value) -> str:
    choices = dict(getattr(field, "choices", ()) or ())
    if value in choices:
        return str(choices[value])
    return str(value) if value not in (None, "") else "—"


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def task_delete(request, pk):
    task, access = get_task_for_user(request.user, pk, write=True)
    if request.method == "GET":
        return render(request, "workshops/task_delete.html", {"task": task, "team": access.team})
    services.task_delete(task=task, actor=request.user)
    if request.htmx:
        return _tasks_region(request, access)
    messages.success(request, _("업무를 삭제했습니다."))
    return redirect(access.team)


@login_required
@require_POST
@write_limited
def invitation_create(request, pk):
    try:
        access = get_team_for_user(request.user, pk, manage=True)
    except WorkshopClosed:
        if not request.htmx:
            raise  # the reason on its own page: nothing typed to keep
        return _invitations_closed(request, pk)
    services.invitation_create(team=access.team, actor=request.user)
    if request.htmx:
        context = _team_context(request, access)
        context["invitations_open"] = True
        return render(request, "workshops/team_detail.html#invitations", context)
    messages.success(request, _("새 초대 링크를 만들었습니다."))
    return redirect(f"{access.team.get_absolute_url()}?invitations=open#invitations")


@login_required
@require_POST
@write_limited
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.only("pk", "team_id"), pk=pk)
    try:
        access = get_team_for_user(request.user, invitation.team_id, manage=True)
    except WorkshopClosed:
        if not request.htmx:
            raise
        return _invitations_closed(request, invitation.team_id)
    invitation = access.team.invitations.get(pk=pk)
    services.invitation_revoke(invitation=invitation)
    if request.htmx:
        context = _team_context(request, access)
        context["invitations_open"] = True
        return render(request, "workshops/team_detail.html#invitations", context)
    messages.success(request, _("초대 링크를 취소했습니다."))
    return redirect(f"{access.team.get_absolute_url()}?invitations=open#invitations")


def _invitations_closed(request, team_id):
    """An invitation change that reached us after the workshop closed (only the team's lead
    gets here): the invitations as they are, with the reason, in place."""
    access = get_team_for_user(request.user, team_id)
    invitations = list(access.team.invitations.active())
    for invitation in invitations:
        invitation.url = public_url(request, invitation.get_absolute_url())
    context = {
        "team": access.team,
        "invitations": invitations,
        "invitations_open": True,
        "refusal": _("워크샵이 종료되어 초대 링크를 바꿀 수 없습니다."),
    }
    return answered_in_place(render(request, "workshops/team_detail.html#invitations", context))
