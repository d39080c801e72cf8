import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import privacy
from workshop_site.ratelimits import join_guesses_limited, write_limited
from workshops import selectors, services
from workshops.access import get_team_for_user, get_workshop_for_instructor
from workshops.forms import (
    AcceptInvitationForm,
    JoinCodeForm,
    JoinForm,
    TeamForm,
    WorkshopForm,
    add_rule_error,
)
from workshops.models import Invitation, Participant, Workshop
from workshops.services import RuleError

logger = logging.getLogger(__name__)


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
            add_rule_error(form, error)
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
            add_rule_error(form, error)
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
            add_rule_error(form, error)
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
                add_rule_error(form, error)
            else:
                messages.success(request, _("워크샵을 수정했습니다."))
                return redirect(workshop)
    return render(request, "workshops/workshop_form.html", {"form": form, "workshop": workshop})


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
            add_rule_error(form, error)
        else:
            messages.success(request, _("팀 이름을 바꿨습니다."))
            return redirect(team)
    return render(request, "workshops/team_edit.html", {"team": team, "form": form})
