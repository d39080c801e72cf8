import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import privacy
from workshop_site.korean import team_label
from workshop_site.ratelimits import join_guesses_limited, joins_limited, write_limited
from workshops import follow_up, priorities, selectors, services
from workshops.access import (
    CLOSED_WHILE_TYPING,
    WorkshopClosed,
    answered_in_place,
    get_team_for_user,
    get_workshop_for_instructor,
)
from workshops.forms import (
    AcceptInvitationForm,
    JoinCodeForm,
    JoinForm,
    QuickJoinForm,
    TeamForm,
    WorkshopForm,
    add_rule_error,
)
from workshops.models import Invitation, Participant, Pick, Workshop
from workshops.services import RuleError

logger = logging.getLogger(__name__)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


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


@require_http_methods(["GET", "POST"])
@join_guesses_limited
@joins_limited
def join_workshop(request, code):
    """The join link. A signed-in person makes a team here; someone not signed in joins a
    quick-join workshop on this one screen (name and team), or signs in first for the others."""
    try:
        workshop = _workshop_for_code(code)
    except Http404:
        form = JoinCodeForm(initial={"code": code})
        form.errors["code"] = form.error_class(
            [_("참여 코드를 찾을 수 없습니다. 다시 확인해 주세요.")]
        )
        return render(request, "workshops/join_code.html", {"form": form}, status=404)
    if not request.user.is_authenticated:
        if workshop.join_mode != Workshop.JoinMode.QUICK:
            return redirect_to_login(request.get_full_path())
        # A phone that scanned the QR early (or late) is told so, not sent to sign in.
        if not workshop.is_open:
            return _join_closed(request, workshop)
        return _quick_join(request, workshop)

    participant = (
        Participant.objects.filter(workshop=workshop, user=request.user)
        .select_related("workshop", "team")
        .first()
    )
    if participant:
        messages.info(request, _("이미 참여 중인 워크샵입니다."))
        return redirect(_participation_url(participant))
    if not workshop.is_open:
        return _join_closed(request, workshop)

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


def _join_closed(request, workshop: Workshop):
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


def _quick_join(request, workshop: Workshop):
    """Name and team, then the team page: no mailbox round trip. The new account is signed in
    on this browser for the session's whole life (no idle sign-out for it)."""
    form = QuickJoinForm(request.POST or None, ask_consent=True)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.quick_join(
                workshop=workshop,
                display_name=form.cleaned_data["display_name"],
                team_name=form.cleaned_data["team_name"],
                work_email=form.cleaned_data["work_email"],
                consent=_consent(request, form),
            )
        except RuleError as error:
            add_rule_error(form, error)
        else:
            login(request, participant.user, backend=MODEL_BACKEND)
            request.session.set_expiry(settings.SESSION_MAX_SECONDS)
            team = participant.team
            if participant.is_lead:
                messages.success(request, _("팀을 만들었습니다. 이제 팀의 업무를 적어 보세요."))
            else:
                messages.success(
                    request,
                    _("%(team)s에 팀원으로 들어왔습니다.") % {"team": team_label(team.name)},
                )
            return redirect(team)
    teams = list(workshop.teams.order_by("name").values_list("name", flat=True))
    context = {"workshop": workshop, "form": form, "notice": privacy.notice(), "teams": teams}
    return render(request, "workshops/join_quick.html", context)


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
            messages.success(
                request,
                _("%(team)s에 들어왔습니다.") % {"team": team_label(invitation.team.name)},
            )
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
        "join_mode": data["join_mode"],
        "hourly_cost": data["hourly_cost"],
        "follow_up_days": data["follow_up_days"],
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
    try:
        access = get_team_for_user(request.user, pk, manage=True)
    except WorkshopClosed:
        if request.method != "POST":
            raise
        # Closed while the new name was on its way: the page again, the name as typed.
        team = get_team_for_user(request.user, pk).team
        form = TeamForm(request.POST)
        form.is_valid()
        form.add_error(None, CLOSED_WHILE_TYPING)
        context = {"team": team, "form": form}
        return answered_in_place(render(request, "workshops/team_edit.html", context))
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


# --- The room: the join slide and who is in the workshop ---------------------------------------


@login_required
@require_GET
def join_slide(request, pk):
    """The projector's join slide: the big code, the QR, the link, and who has joined so far
    (the people list refreshes itself every few seconds)."""
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    people = selectors.joined_people(workshop)
    context = {"workshop": workshop, "people": people}
    if request.htmx:
        return render(request, "workshops/join_slide.html#people", context)
    join_url = request.build_absolute_uri(workshop.get_join_url())
    context |= {
        "join_url": join_url,
        "qr_svg": segno.make(join_url, error="m").svg_inline(
            scale=10, dark="#111827", border=2, omitsize=True
        ),
    }
    return render(request, "workshops/join_slide.html", context)


@login_required
@require_GET
def participants(request, pk):
    """Everyone in the workshop, for the instructor to remove someone who should not be there."""
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    people = (
        Participant.objects.filter(workshop=workshop)
        .exclude(role=Participant.Role.INSTRUCTOR)
        .select_related("user", "team")
        .order_by("team__name", "role", "joined_at")
    )
    return render(request, "workshops/participants.html", {"workshop": workshop, "people": people})


@login_required
@require_POST
@write_limited
def participant_remove(request, pk, participant_pk):
    workshop, _participant = get_workshop_for_instructor(request.user, pk)
    participant = get_object_or_404(
        Participant.objects.select_related("user", "team", "workshop"),
        pk=participant_pk,
        workshop=workshop,
    )
    try:
        services.participant_remove(participant=participant, actor=request.user)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        if participant.is_lead:
            messages.success(
                request,
                _("%(team)s과 팀의 업무를 워크샵에서 내보냈습니다.")
                % {"team": team_label(participant.team.name)},
            )
        else:
            messages.success(
                request, _("%(name)s 님을 내보냈습니다.") % {"name": participant.user.display_name}
            )
    return redirect("workshops:participants", pk=workshop.pk)


# --- The follow-up after the course (issue 18) ------------------------------------------------


def _follow_up_refused(request, message: str, *, status: int):
    response = render(
        request, "workshops/follow_up_invalid.html", {"message": message}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


def _parse_follow_up(post, plans) -> tuple[list[follow_up.PlanReport], dict[int, dict]]:
    """The lead's report of each plan posted, and Korean errors by plan and field."""
    statuses = set(Pick.Status.values)
    reports, errors = [], {}
    for pick in plans:
        status = post.get(f"status-{pick.pk}", "")
        raw = post.get(f"actual-{pick.pk}", "").strip()
        problems = {}
        if status not in statuses:
            problems["status"] = _("진행 상황을 고르세요.")
        actual = None
        if raw:
            try:
                actual = priorities.parse_monthly_hours(raw)
            except ValueError:
                problems["actual"] = _(
                    "실제 절감 시간은 0에서 %(max)s 사이의 숫자로 적어 주세요. 예: 12.5"
                ) % {"max": priorities.MONTHLY_HOURS_MAX}
        if problems:
            errors[pick.pk] = problems
        else:
            reports.append(follow_up.PlanReport(pick.pk, status, actual))
    return reports, errors


@require_http_methods(["GET", "POST"])
@write_limited
def follow_up_page(request, token):
    """A lead's page, from the follow-up mail, for the status and actual hours of their
    team's plans. The token is the whole credential: no sign-in, nothing else reachable."""
    record = follow_up.find(token)
    if record is None:
        return _follow_up_refused(
            request,
            _("찾을 수 없는 링크입니다. 메일의 링크를 끝까지 복사했는지 확인하세요."),
            status=404,
        )
    if record.is_expired:
        return _follow_up_refused(
            request,
            _("%(date)s에 만료된 링크입니다. 실행 계획을 더 고치려면 강사에게 문의하세요.")
            % {"date": date_format(timezone.localtime(record.expires_at), "Y년 n월 j일")},
            status=403,
        )
    plans = follow_up.plans_of(record)
    errors: dict[int, dict] = {}
    typed = None
    if request.method == "POST":
        posted = request.POST.getlist("plan")
        ours = {str(pick.pk): pick for pick in plans}
        if any(value not in ours for value in posted):
            return _follow_up_refused(
                request, _("이 링크로는 이 팀의 실행 계획만 고칠 수 있습니다."), status=404
            )
        chosen = [ours[value] for value in dict.fromkeys(posted)]
        reports, errors = _parse_follow_up(request.POST, chosen)
        if not chosen:
            errors[0] = {
                "status": _("저장할 계획이 없습니다. 페이지를 새로 고친 뒤 다시 적어 주세요.")
            }
        if not errors:
            try:
                follow_up.follow_up_update(record=record, reports=reports)
            except PermissionError:  # expired, or a plan moved away, since the page was read
                return _follow_up_refused(
                    request, _("이 링크로는 더 고칠 수 없습니다. 강사에게 문의하세요."), status=403
                )
            messages.success(request, _("저장했습니다. 알려 주셔서 고맙습니다."))
            return redirect("workshops:follow_up", token=token)
        typed = request.POST
    rows = [
        {
            "pick": pick,
            "status": typed.get(f"status-{pick.pk}", "") if typed else pick.status,
            "actual": typed.get(f"actual-{pick.pk}", "")
            if typed
            else ("" if pick.actual_hours is None else f"{pick.actual_hours.normalize():f}"),
            "errors": errors.get(pick.pk, {}),
        }
        for pick in plans
    ]
    context = {
        "record": record,
        "team": record.team,
        "workshop": record.team.workshop,
        "rows": rows,
        "statuses": Pick.Status.choices,
        "form_error": errors.get(0, {}).get("status"),
        "has_errors": bool(errors),
    }
    response = render(request, "workshops/follow_up.html", context, status=400 if errors else 200)
    # The address is the credential: no cache keeps the page. (The site's Referrer-Policy,
    # same-origin, already keeps it from other sites; no-referrer would make the browser send
    # "Origin: null" with the form, which the CSRF check refuses.)
    response["Cache-Control"] = "no-store"
    return response
