"""The instructor's 진행 panel (phase, timer, notice, targets, spotlight) and a team's 도움 요청.

Every change goes through `workshops.facilitation`, whose event pushes the stage to every page
of the workshop; the answer here is the panel itself (htmx) or the board (without JavaScript).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from board import live
from workshop_site.ratelimits import write_limited
from workshops import facilitation
from workshops.access import get_team_for_user, get_workshop_for_instructor
from workshops.forms import NoticeForm, PhaseForm, SpotlightForm, TargetsForm, TimerForm
from workshops.models import Workshop
from workshops.services import RuleError

PANEL = "workshops/workshop_detail.html#facilitation"


def panel_context(workshop: Workshop, **forms) -> dict:
    initial_targets = {
        "target_tasks": workshop.target_tasks,
        "stall_minutes": workshop.stall_minutes,
    }
    context = {
        "workshop": workshop,
        "phases": Workshop.Phase.choices,
        "phase_form": PhaseForm(),
        "timer_form": TimerForm(),
        "notice_form": NoticeForm(),
        "targets_form": TargetsForm(initial=initial_targets),
        "spotlight_form": SpotlightForm(
            workshop=workshop, initial={"team": workshop.spotlight_team_id}
        ),
    }
    context.update(forms)
    context["spotlight_options"] = _spotlight_options(workshop, context["spotlight_form"])
    return context


def _spotlight_options(workshop: Workshop, form: SpotlightForm) -> str:
    """The spotlight select's teams as the form would list them, written out in one query of
    two columns: the widget's rendering, then a template loop, of 50 teams was a third of the
    board's time."""
    chosen = str(form["team"].value() or "")
    teams = workshop.teams.order_by("name", "id").values_list("pk", "name")
    return mark_safe(  # noqa: S308  # nosec B308 B703: every value is escaped by format_html
        "".join(
            format_html('<option value="{}" selected>{}</option>', pk, name)
            if str(pk) == chosen
            else format_html('<option value="{}">{}</option>', pk, name)
            for pk, name in teams
        )
    )


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("입력을 확인해 주세요.")


def _phase(workshop, actor, data) -> str:
    facilitation.phase_set(
        workshop=workshop, phase=data["phase"], minutes=data["minutes"], actor=actor
    )
    return _("진행 단계를 바꿨습니다: %(phase)s") % {"phase": workshop.get_phase_display()}


def _timer(workshop, actor, data) -> str:
    facilitation.timer_start(workshop=workshop, minutes=data["minutes"], actor=actor)
    return _("타이머를 %(minutes)d분으로 시작했습니다.") % data


def _timer_stop(workshop, actor, data) -> str:
    facilitation.timer_stop(workshop=workshop, actor=actor)
    return _("타이머를 멈췄습니다.")


def _notice(workshop, actor, data) -> str:
    facilitation.notice_set(workshop=workshop, text=data.get("notice", ""), actor=actor)
    return _("공지를 보냈습니다.") if workshop.notice else _("공지를 내렸습니다.")


def _targets(workshop, actor, data) -> str:
    facilitation.targets_set(workshop=workshop, actor=actor, **data)
    return _("목표를 저장했습니다.")


def _spotlight(workshop, actor, data) -> str:
    team = data["team"]
    facilitation.spotlight_set(workshop=workshop, team=team, actor=actor)
    if team is None:
        return _("프로젝터가 전체 결과로 돌아갑니다.")
    return _("프로젝터에 보여 줍니다: %(team)s") % {"team": team.name}


# action → (its form and the panel's name for it, or None when it takes no input; what it does)
ACTIONS = {
    "phase": (PhaseForm, "phase_form", _phase),
    "timer": (TimerForm, "timer_form", _timer),
    "timer_stop": (None, "", _timer_stop),
    "notice": (NoticeForm, "notice_form", _notice),
    "notice_clear": (None, "", _notice),
    "targets": (TargetsForm, "targets_form", _targets),
    "spotlight": (SpotlightForm, "spotlight_form", _spotlight),
}


@login_required
@require_POST
@write_limited
def facilitate(request, pk):
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    if workshop.is_closed:
        raise PermissionDenied(_("종료된 워크샵은 진행 단계를 바꿀 수 없습니다."))
    # The phase buttons send the phase (and the timer's minutes); the other buttons an action.
    action = request.POST.get("action") or ("phase" if "phase" in request.POST else "")
    bound = {}
    try:
        if action not in ACTIONS:
            raise RuleError(_("알 수 없는 요청입니다. 화면을 새로 고친 뒤 다시 해 주세요."))
        form_class, name, act = ACTIONS[action]
        data: dict = {}
        if form_class is not None:
            extra = {"workshop": workshop} if form_class is SpotlightForm else {}
            form = form_class(request.POST, **extra)
            bound[name] = form
            if not form.is_valid():
                raise RuleError(_first_error(form))
            data = form.cleaned_data
        notice, error = act(workshop, request.user, data), False
    except RuleError as refused:
        notice, error = refused.message, True
    if request.htmx:
        # Refused input stays in its form (the bound forms); the others start fresh.
        context = panel_context(workshop, **(bound if error else {}))
        response = HttpResponse(render_to_string(PANEL, context, request=request))
        trigger_client_event(response, "workshop:toast", {"message": notice})
        return response
    (messages.error if error else messages.success)(request, notice)
    return redirect(f"{workshop.get_absolute_url()}#facilitation")


@login_required
@require_POST
@write_limited
def help_request(request, pk):
    """Someone of the team asks for help (or says it is solved); the instructor clears it."""
    access = get_team_for_user(request.user, pk)
    team = access.team
    instructor = access.participant.is_instructor
    if team.workshop.is_closed:
        raise PermissionDenied(_("종료된 워크샵은 읽기 전용입니다."))
    asking = request.POST.get("asking") == "1" and not instructor
    facilitation.help_request(team=team, asking=asking)
    message = (
        _("강사에게 도움을 요청했습니다. 곧 자리로 찾아갑니다.")
        if asking
        else _("도움 요청을 내렸습니다.")
    )
    if instructor and not request.htmx:
        messages.success(request, message)
        return redirect(f"{team.workshop.get_absolute_url()}#board-team-{team.pk}")
    return _help_answer(request, team, can_edit=access.can_edit_tasks, notice=message)


def _help_answer(request, team, *, can_edit: bool, notice: str):
    if not request.htmx:
        messages.success(request, notice)
        return redirect(team)
    if access_is_board(request):
        response = HttpResponse(status=204)
    else:
        # As the change's push read it, when a page of the team is open; else read now.
        view = live.written_team_view(team)
        response = HttpResponse(view.region("activity", can_edit=can_edit))
    trigger_client_event(response, "workshop:toast", {"message": notice})
    return response


def access_is_board(request) -> bool:
    """The instructor's 확인 on the board: the board's push shows the result."""
    return request.POST.get("from") == "board"
