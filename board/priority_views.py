"""The team page's priorities: three dots each, the lead's picks, an action plan per pick.

The region shows the viewer's own dots, so it is rendered per person: a live push brings a
stub that loads it (`team-priorities` in workshops/team_detail.html), each page fetching its
own copy.
"""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from ai.models import saved_hours
from ai.selectors import latest_analyses
from board import render as live_render
from workshop_site.forms import too_long_message
from workshop_site.ratelimits import write_limited
from workshops import facilitation, priorities
from workshops.access import (
    CLOSED_WHILE_TYPING,
    WorkshopClosed,
    answered_in_place,
    get_task_for_user,
    get_team_for_user,
)
from workshops.models import VOTES_PER_PERSON, Participant, Pick, Workshop
from workshops.services import RuleError

REGION = "workshops/_priorities.html"


def pick_defaults(task) -> tuple[str, Decimal]:
    """A new pick's plan starts from the task's latest analysis: its method and hours saved."""
    analysis = latest_analyses([task.pk]).get(task.pk)
    if analysis is None:
        return "", Decimal("0")
    return str(analysis.get_method_display()), saved_hours(
        analysis.automatable_share, task.hours_per_month
    )


def priorities_html(
    request, access, *, after_write: bool = False, csrf_token: str | None = None
) -> str:
    """The region for this viewer, cached per viewer under the team's revisions (a vote, pick,
    plan or phase bumps them). `after_write`: the request changed them after `access` was
    read, so its copy is rendered now."""
    team = access.team
    can_vote = access.can_edit_tasks and facilitation.voting_open(team.workshop)
    can_pick = access.can_manage_team
    can_choose = access.can_manage_team and facilitation.planning_open(team.workshop)

    def build() -> str:
        # Before the room prioritises, and while nobody has voted or picked, the tally would
        # only repeat the task list: the region says when voting opens, and reads no task.
        waiting = priorities.waiting(team)
        context = {
            "team": team,
            "waiting": waiting,
            "tally": None if waiting else priorities.tally(team, viewer=request.user),
            "votes_per_person": VOTES_PER_PERSON,
            "can_vote": can_vote,
            "can_pick": can_pick,
            "can_choose": can_choose,
            "phase": team.workshop.get_phase_display(),
            "voting_phase": Workshop.Phase.PRIORITISE.label,
            "workshop_closed": team.workshop.is_closed,
            "csrf_token": live_render.CSRF_MARK,
        }
        return render_to_string(REGION, context)

    token = csrf_token or get_token(request)  # a mark, for a page kept with its marks
    if after_write:
        return live_render.fill_marks(build(), csrf_token=token)
    parts = (request.user.pk, int(can_vote), int(can_pick), int(can_choose))
    return live_render.team_fragment(team, "priorities", parts, build, csrf_token=token)


def _answer(request, access, notice: str | None = None, *, error: bool = False):
    if request.htmx:
        response = HttpResponse(priorities_html(request, access, after_write=True))
        if notice:
            trigger_client_event(response, "workshop:toast", {"message": notice})
        return response
    if notice:
        (messages.error if error else messages.success)(request, notice)
    return redirect(f"{access.team.get_absolute_url()}#team-{access.team.pk}-priorities")


@login_required
@require_GET
def team_priorities(request, pk):
    access = get_team_for_user(request.user, pk)
    return HttpResponse(priorities_html(request, access))


@login_required
@require_POST
@write_limited
def vote(request, pk):
    task, access = get_task_for_user(request.user, pk, write=True)
    try:
        priorities.vote_toggle(task=task, user=request.user)
    except RuleError as refused:
        return _answer(request, access, refused.message, error=True)
    return _answer(request, access)


@login_required
@require_POST
@write_limited
def pick(request, pk):
    """The lead confirms a task; the plan starts from its latest analysis (method, hours)."""
    task, _access = get_task_for_user(request.user, pk, write=True)
    access = get_team_for_user(request.user, task.team_id, manage=True)
    method, hours = pick_defaults(task)
    try:
        priorities.pick_confirm(task=task, actor=request.user, method=method, expected_hours=hours)
    except RuleError as refused:
        return _answer(request, access, refused.message, error=True)
    return _answer(request, access, _("실행할 업무로 선정했습니다. 실행 계획을 적어 주세요."))


def _pick_for_lead(request, pk) -> tuple[Pick, object]:
    chosen = get_object_or_404(Pick.objects.select_related("task", "team"), pk=pk)
    access = get_team_for_user(request.user, chosen.team_id, manage=True)
    return chosen, access


@login_required
@require_POST
@write_limited
def unpick(request, pk):
    chosen, access = _pick_for_lead(request, pk)
    priorities.pick_remove(pick=chosen, actor=request.user)
    return _answer(request, access, _("선정을 취소했습니다."))


def _parse_plan(post, team) -> tuple[dict, dict[str, str]]:
    """The plan form's values, and Korean errors by field (nothing is lost: the form shows
    what was typed)."""
    errors: dict[str, str] = {}
    values: dict = {
        "first_step": post.get("first_step", "").strip(),
        "method": post.get("method", "").strip(),
        "owner": None,
        "target_date": None,
        "expected_hours": Decimal("0"),
    }
    for name in ("first_step", "method"):
        # Too long is an error that keeps the text, never a silent cut.
        limit = Pick._meta.get_field(name).max_length
        if limit and len(values[name]) > limit:
            errors[name] = too_long_message(limit=limit, length=len(values[name]))
    owner_id = post.get("owner", "")
    if owner_id:
        seat = (
            Participant.objects.filter(team=team, user_id=owner_id if owner_id.isdigit() else 0)
            .select_related("user")
            .first()
        )
        if seat is None:
            errors["owner"] = _("담당자는 이 팀의 팀장이나 팀원 중에서 고르세요.")
        else:
            values["owner"] = seat.user
    if post.get("target_date"):
        try:
            values["target_date"] = date.fromisoformat(post["target_date"])
        except ValueError:
            errors["target_date"] = _("날짜를 2026-04-30처럼 적어 주세요.")
    try:
        values["expected_hours"] = priorities.parse_monthly_hours(post.get("expected_hours") or "0")
    except ValueError:
        errors["expected_hours"] = _(
            "예상 절감 시간은 0에서 %(max)s 사이의 숫자로 적어 주세요."
        ) % {"max": priorities.MONTHLY_HOURS_MAX}
    return values, errors


def _people(team):
    return Participant.objects.filter(team=team).select_related("user").order_by("role")


@login_required
@require_http_methods(["GET", "POST"])
@write_limited
def plan(request, pk):
    """A pick's action plan: owner, first step, target date, method, expected hours."""
    try:
        chosen, access = _pick_for_lead(request, pk)
    except WorkshopClosed:
        if request.method != "POST":
            raise
        # Closed while the plan was on its way: the page again, the plan as typed.
        chosen = get_object_or_404(Pick.objects.select_related("task", "team"), pk=pk)
        team = get_team_for_user(request.user, chosen.team_id).team
        context = {
            "pick": chosen,
            "team": team,
            "people": _people(team),
            "errors": {"closed": CLOSED_WHILE_TYPING},
            "typed": request.POST,
        }
        return answered_in_place(render(request, "workshops/plan_form.html", context))
    team = access.team
    people = _people(team)
    errors: dict[str, str] = {}
    typed = None
    if request.method == "POST":
        values, errors = _parse_plan(request.POST, team)
        if not errors:
            try:
                priorities.plan_update(pick=chosen, actor=request.user, **values)
            except RuleError as refused:
                errors[refused.field or "first_step"] = refused.message
            else:
                messages.success(request, _("실행 계획을 저장했습니다."))
                return redirect(f"{team.get_absolute_url()}#team-{team.pk}-priorities")
        typed = request.POST
    context = {"pick": chosen, "team": team, "people": people, "errors": errors, "typed": typed}
    return render(request, "workshops/plan_form.html", context, status=400 if errors else 200)
