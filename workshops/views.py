import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from accounts import privacy
from ai.selectors import attach_analyses, progress_context
from workshop_site.ratelimits import join_guesses_limited, write_limited
from workshops import selectors, services
from workshops.access import get_task_for_user, get_team_for_user, get_workshop_for_instructor
from workshops.forms import (
    AcceptInvitationForm,
    JoinCodeForm,
    JoinForm,
    TaskEditForm,
    TaskForm,
    TeamForm,
    WorkshopForm,
)
from workshops.live import presence
from workshops.live import render as live_render
from workshops.models import Invitation, Participant, Workshop
from workshops.result_views import purged_page
from workshops.services import RuleError

logger = logging.getLogger(__name__)


def _add_rule_error(form, error: RuleError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _participation_url(participant: Participant) -> str:
    if participant.is_instructor:
        return participant.workshop.get_absolute_url()
    return participant.team.get_absolute_url()


# --- Home and joining ------------------------------------------------------------------------


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "workshops/landing.html", {"code_form": JoinCodeForm()})
    return render(
        request,
        "workshops/home.html",
        {"home": selectors.home_for_user(request.user), "code_form": JoinCodeForm()},
    )


@require_GET
def join(request):
    """Enter a join code; the form submits by GET so the result is a shareable address."""
    form = JoinCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("workshops:join_workshop", code=form.cleaned_data["code"])
    return render(request, "workshops/join_code.html", {"form": form})


def _workshop_for_code(code: str) -> Workshop:
    workshop = Workshop.objects.for_join_code(code)
    if workshop is None:
        raise Http404
    return workshop


@login_required
@require_http_methods(["GET", "POST"])
@join_guesses_limited
@write_limited
def join_workshop(request, code):
    try:
        workshop = _workshop_for_code(code)
    except Http404:
        form = JoinCodeForm(initial={"code": code})
        form.errors["code"] = form.error_class(
            [_("참여 코드를 찾을 수 없습니다. 다시 확인해 주세요.")]
        )
        return render(request, "workshops/join_code.html", {"form": form}, status=404)

    participant = (
        Participant.objects.filter(workshop=workshop, user=request.user)
        .select_related("workshop", "team")
        .first()
    )
    if participant:
        messages.info(request, _("이미 참여 중인 워크샵입니다."))
        return redirect(_participation_url(participant))
    if not workshop.is_open:
        message = (
            _("종료된 워크샵입니다. 더 이상 참여할 수 없습니다.")
            if workshop.is_closed
            else _("아직 참여가 열리지 않은 워크샵입니다. 강사가 참여를 열면 다시 시도하세요.")
        )
        return render(
            request,
            "workshops/join_closed.html",
            {"workshop": workshop, "message": message},
            status=403,
        )

    form = JoinForm(
        request.POST or None,
        initial={"display_name": request.user.name},
        ask_consent=privacy.needs_consent(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                workshop=workshop,
                lead=request.user,
                team_name=form.cleaned_data["team_name"],
                display_name=form.cleaned_data["display_name"],
                consent=_consent(request, form),
            )
        except RuleError as error:
            _add_rule_error(form, error)
        else:
            messages.success(request, _("팀을 만들었습니다. 이제 팀의 업무를 적어 보세요."))
            return redirect(team)
    return render(
        request,
        "workshops/join.html",
        {"workshop": workshop, "form": form, "notice": privacy.notice()},
    )


def _consent(request, form) -> privacy.ConsentGiven | None:
    return privacy.ConsentGiven.from_request(request) if form.consent_given else None


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def accept_invitation(request, token):
    invitation = get_object_or_404(
        Invitation.objects.select_related("team__workshop", "team__lead"), token=token
    )
    form = AcceptInvitationForm(
        request.POST or None,
        initial={"display_name": request.user.name},
        ask_consent=privacy.needs_consent(request.user),
    )
    try:
        existing = services.invitation_check(invitation=invitation, user=request.user)
    except RuleError as error:
        return render(
            request,
            "workshops/invitation_invalid.html",
            {"invitation": invitation, "message": error.message},
            status=403,
        )
    if existing:
        messages.info(request, _("이미 이 팀의 팀원입니다."))
        return redirect(invitation.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                consent=_consent(request, form),
            )
        except RuleError as error:
            _add_rule_error(form, error)
        else:
            messages.success(request, _("%(team)s 팀에 들어왔습니다.") % {"team": invitation.team})
            return redirect(invitation.team)
    return render(
        request,
        "workshops/invitation.html",
        {"invitation": invitation, "form": form, "notice": privacy.notice()},
    )


# --- Instructor ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def workshop_create(request):
    if not request.user.can_create_workshops:
        raise PermissionDenied(
            _("워크샵을 만들 권한이 없습니다. 운영자에게 강사 권한을 요청하세요.")
        )
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(creator=request.user, **_workshop_fields(form))
        except RuleError as error:
            _add_rule_error(form, error)
        else:
            messages.success(request, _("워크샵을 만들었습니다. 준비가 되면 참여를 여세요."))
            return redirect(workshop)
    return render(request, "workshops/workshop_form.html", {"form": form})


def _workshop_fields(form: WorkshopForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "date": data["date"],
        "domain_names": data["domains"],
    }


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def workshop_edit(request, pk):
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    domain_text = "\n".join(workshop.domains.values_list("name", flat=True))
    form = WorkshopForm(request.POST or None, instance=workshop, initial={"domains": domain_text})
    if request.method == "POST":
        if workshop.is_closed:
            raise PermissionDenied(_("종료된 워크샵은 읽기 전용입니다."))
        if form.is_valid():
            try:
                services.workshop_update(workshop=workshop, **_workshop_fields(form))
            except RuleError as error:
                _add_rule_error(form, error)
            else:
                messages.success(request, _("워크샵을 수정했습니다."))
                return redirect(workshop)
    return render(request, "workshops/workshop_form.html", {"form": form, "workshop": workshop})


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
    join_url = request.build_absolute_uri(workshop.get_join_url())
    qr_svg = segno.make(join_url, error="m").svg_inline(
        scale=6, dark="#111827", border=2, omitsize=True
    )
    version = live_render.new_version()  # before the reads, like every pushed render
    board = selectors.workshop_board(workshop, presence.online_user_ids(workshop.pk))
    return render(
        request,
        "workshops/workshop_detail.html",
        {
            "workshop": workshop,
            "board": board,
            "online": board.online,
            "join_url": join_url,
            "qr_svg": qr_svg,
            "version": version,
        },
    )


@login_required
@require_POST
@write_limited
def workshop_status(request, pk):
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    action = request.POST.get("action")
    try:
        if action == "open":
            services.workshop_open(workshop=workshop, actor=request.user)
            messages.success(request, _("참여를 열었습니다. 참여 코드를 팀장들에게 알려 주세요."))
        elif action == "close":
            services.workshop_close(workshop=workshop, actor=request.user)
            messages.success(request, _("워크샵을 종료했습니다. 이제 읽기 전용입니다."))
        else:
            messages.error(request, _("알 수 없는 요청입니다."))
    except RuleError as error:
        messages.error(request, error.message)
    return redirect(workshop)


# --- Team ------------------------------------------------------------------------------------


def _team_context(request, access, *, task_form=None, view=None, invitations=True):
    """What the team page and its fragments show. `view`: the team's regions as read for this
    page (read now by default). `invitations=False` for fragments that do not show them."""
    team = access.team
    # The view stamps its version before reading: a change committed after the read has a
    # later push.
    view = view or live_render.team_view(team)
    tasks = view.tasks
    context = {
        "team": team,
        "workshop": team.workshop,
        "access": access,
        "can_edit": access.can_edit_tasks,
        "tasks": tasks,
        "version": view.version,
    }
    context.update(progress_context(team, can_edit=access.can_edit_tasks, runs=tasks.runs))
    if access.can_edit_tasks:
        if task_form is None:
            context["task_form"] = TaskForm(workshop=team.workshop)
            context["task_fields_html"] = _blank_task_fields(team.workshop, tasks.domains)
        else:
            context["task_form"] = task_form
    if invitations and access.can_manage_team:
        active = list(team.invitations.active())
        for invitation in active:
            invitation.url = request.build_absolute_uri(invitation.get_absolute_url())
        context["invitations"] = active
    return context


_blank_fields: dict[tuple, str] = {}


def _blank_task_fields(workshop, domains) -> str:
    """The empty add-task form's fields, rendered once per workshop, domain list and language
    (they differ in nothing else): the form is on every team page and in every add's answer."""
    key = (get_language(), workshop.pk, tuple((d.pk, d.name) for d in domains))
    html = _blank_fields.get(key)
    if html is None:
        if len(_blank_fields) > 500:
            _blank_fields.clear()
        form = TaskForm(workshop=workshop)
        # The choices as the field would list them, from the domains the page read already.
        field = form.fields["domain"]
        field.choices = [(domain.pk, field.label_from_instance(domain)) for domain in domains]
        html = _blank_fields[key] = render_to_string("workshops/_task_fields.html", {"form": form})
    return html


@login_required
@require_GET
def team_detail(request, pk):
    return _team_page(request, get_team_for_user(request.user, pk))


def _team_page(request, access, *, task_form=None):
    """The whole team page: its load, and a refused add from a browser without JavaScript."""
    view = live_render.team_view(access.team)
    live_render.attach_cards(view.tasks, can_edit=access.can_edit_tasks, request=request)
    context = _team_context(request, access, task_form=task_form, view=view)
    context["members"] = view.members
    context["pulse"] = selectors.workshop_pulse(access.team.workshop_id)
    context["invitations_open"] = request.GET.get("invitations") == "open"
    return render(request, "workshops/team_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def team_edit(request, pk):
    access = get_team_for_user(request.user, pk, manage=True)
    team = access.team
    form = TeamForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_rename(team=team, name=form.cleaned_data["name"])
        except RuleError as error:
            _add_rule_error(form, error)
        else:
            messages.success(request, _("팀 이름을 바꿨습니다."))
            return redirect(team)
    return render(request, "workshops/team_edit.html", {"team": team, "form": form})


def _tasks_region(request, access, *, status=200):
    """The team's task list and totals: what every task write returns to HTMX, the same HTML
    as its live push."""
    html = live_render.tasks_region(
        live_render.written_team_view(access.team), can_edit=access.can_edit_tasks
    )
    return HttpResponse(html, status=status)


@login_required
@require_POST
@write_limited
def task_create(request, pk):
    access = get_team_for_user(request.user, pk, write=True)
    form = TaskForm(request.POST, workshop=access.team.workshop)
    if form.is_valid() and _first_submit(request, form):
        try:
            services.task_create(team=access.team, actor=request.user, data=form.cleaned_data)
        except RuleError as error:
            _forget_submit(request, form)  # corrected and sent again, it must count
            _add_rule_error(form, error)
    if form.errors:
        if request.htmx:  # the form alone: nothing else of the team is shown or read
            context = {"team": access.team, "task_form": form}
            return render(request, "workshops/team_detail.html#task-add-form", context)
        return _team_page(request, access, task_form=form)
    if request.htmx:
        view = live_render.written_team_view(access.team)
        context = _team_context(request, access, view=view, invitations=False)
        context["task_added"] = True
        context["tasks_region"] = live_render.tasks_region(
            view, can_edit=access.can_edit_tasks, oob=True
        )
        return render(request, "workshops/team_detail.html#task-add-form-with-tasks", context)
    messages.success(request, _("업무를 추가했습니다."))
    return redirect(access.team)


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
    attach_analyses([task])
    return render(
        request,
        "workshops/team_detail.html#task-card",
        {"task": task, "can_edit": access.can_edit_tasks},
    )


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def task_edit(request, pk):
    task, access = get_task_for_user(request.user, pk, write=True)
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
            _add_rule_error(form, error)
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
    access = get_team_for_user(request.user, pk, manage=True)
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
    access = get_team_for_user(request.user, invitation.team_id, manage=True)
    invitation = access.team.invitations.get(pk=pk)
    services.invitation_revoke(invitation=invitation)
    if request.htmx:
        context = _team_context(request, access)
        context["invitations_open"] = True
        return render(request, "workshops/team_detail.html#invitations", context)
    messages.success(request, _("초대 링크를 취소했습니다."))
    return redirect(f"{access.team.get_absolute_url()}?invitations=open#invitations")
