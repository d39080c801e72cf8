"""Every write to workshops, teams, participants, invitations and tasks goes through here.

Views and commands call these functions; each runs in one transaction and announces its
change through `workshops.events` only after the transaction commits. A broken rule raises
`RuleError` with a message for the person who asked.
"""

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, privacy
from accounts import services as accounts_services
from accounts.models import User
from workshops import events
from workshops.models import (
    ActivityVerb,
    Domain,
    Invitation,
    Participant,
    Task,
    Team,
    Workshop,
    generate_join_code,
)


class RuleError(Exception):
    """A request that breaks a workshop rule; `str(error)` is shown to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class EditConflict(RuleError):
    """Someone saved the task after this edit began; `current` is what is stored now."""

    def __init__(self, current: Task):
        super().__init__(
            _(
                "다른 사람이 먼저 이 업무를 수정했습니다. 두 내용을 비교한 뒤, "
                "내 내용으로 바꾸려면 다시 저장하세요."
            )
        )
        self.current = current


TASK_FIELDS = (
    "domain",
    "title",
    "description",
    "frequency",
    "minutes_per_occurrence",
    "occurrences_per_period",
)


def _unused_join_code() -> str:
    # 31^6 ≈ 887 million codes: a clash is rare, but a draft or open workshop never shares one.
    while True:
        code = generate_join_code()
        taken = Workshop.objects.filter(
            join_code=code, status__in=[Workshop.Status.DRAFT, Workshop.Status.OPEN]
        ).exists()
        if not taken:
            return code


def _sync_domains(*, workshop: Workshop, names: Sequence[str]) -> None:
    """Make the workshop's domains exactly `names`, in that order.

    A domain that still has tasks cannot be removed: the tasks would lose their place.
    """
    wanted = {name.casefold(): (position, name) for position, name in enumerate(names)}
    existing = list(workshop.domains.all())
    for domain in existing:
        if domain.name.casefold() not in wanted and domain.tasks.exists():
            raise RuleError(
                _("'%(name)s' 영역에 업무가 있어 삭제할 수 없습니다.") % {"name": domain.name},
                field="domains",
            )
    try:
        # The form compares names by casefold(); the database's constraint by its own lower(),
        # which folds a few letters differently ('İ' and 'i' on PostgreSQL). A clash only the
        # database sees is the same mistake to the user.
        with transaction.atomic():
            for domain in existing:
                key = domain.name.casefold()
                if key not in wanted:
                    domain.delete()
                    continue
                position, name = wanted.pop(key)
                if domain.position != position or domain.name != name:
                    domain.position, domain.name = position, name
                    domain.save(update_fields=["position", "name"])
            Domain.objects.bulk_create(
                Domain(workshop=workshop, name=name, position=position)
                for position, name in wanted.values()
            )
    except IntegrityError:
        raise RuleError(
            _("대소문자만 다른 영역 이름이 있습니다. 하나로 합쳐 주세요."), field="domains"
        ) from None


@transaction.atomic
def workshop_create(
    *,
    creator: User,
    title: str,
    description: str,
    date: date,
    domain_names: Sequence[str],
    join_mode: str = Workshop.JoinMode.QUICK,
    hourly_cost: int | None = None,
    follow_up_days: int | None = None,
) -> Workshop:
    workshop = Workshop(
        title=title,
        description=description,
        date=date,
        join_code=_unused_join_code(),
        join_mode=join_mode,
        created_by=creator,
    )
    if hourly_cost is not None:
        workshop.hourly_cost = hourly_cost
    if follow_up_days is not None:
        workshop.follow_up_days = follow_up_days
    workshop.save()
    _sync_domains(workshop=workshop, names=domain_names)
    Participant.objects.create(user=creator, workshop=workshop, role=Participant.Role.INSTRUCTOR)
    return workshop


@transaction.atomic
def workshop_update(
    *,
    workshop: Workshop,
    title: str,
    description: str,
    date: date,
    domain_names: Sequence[str],
    join_mode: str | None = None,
    hourly_cost: int | None = None,
    follow_up_days: int | None = None,
) -> Workshop:
    workshop.title, workshop.description, workshop.date = title, description, date
    workshop.join_mode = join_mode or workshop.join_mode
    if hourly_cost is not None:
        workshop.hourly_cost = hourly_cost
    if follow_up_days is not None:
        workshop.follow_up_days = follow_up_days
    workshop.save(
        update_fields=[
            "title",
            "description",
            "date",
            "join_mode",
            "hourly_cost",
            "follow_up_days",
            "updated_at",
        ]
    )
    _sync_domains(workshop=workshop, names=domain_names)
    return workshop


def workshop_open(*, workshop: Workshop, actor: User | None = None) -> Workshop:
    if workshop.is_purged:
        raise RuleError(
            _("보유 기간이 지나 참여자와 업무 기록을 파기한 워크샵이라 다시 열 수 없습니다.")
        )
    if workshop.is_open:
        return workshop
    if not workshop.domains.exists():
        raise RuleError(_("업무 영역을 하나 이상 만든 뒤에 참여를 열 수 있습니다."))
    for _attempt in range(5):
        clash = (
            Workshop.objects.filter(
                join_code=workshop.join_code,
                status__in=[Workshop.Status.OPEN, Workshop.Status.DRAFT],
            )
            .exclude(pk=workshop.pk)
            .exists()
        )
        if clash:
            # A closed workshop's code may have been given out again meanwhile (to an open
            # workshop, or printed on a draft's QR code): reopen with a fresh one.
            workshop.join_code = _unused_join_code()
        try:
            with transaction.atomic():
                workshop.open()
            audit.record("workshop_opened", actor=actor, target=workshop, workshop=workshop)
            events.announce(events.WorkshopStatusChanged(workshop_id=workshop.pk))
            return workshop
        except IntegrityError:
            workshop.join_code = _unused_join_code()
    raise RuleError(_("참여 코드를 만들지 못했습니다. 다시 시도해 주세요."))


def workshop_close(*, workshop: Workshop, actor: User | None = None) -> Workshop:
    if not workshop.is_closed:
        workshop.close()
        audit.record("workshop_closed", actor=actor, target=workshop, workshop=workshop)
        events.announce(events.WorkshopStatusChanged(workshop_id=workshop.pk))
    return workshop


def _ensure_can_join(*, workshop: Workshop, user: User | None) -> None:
    if workshop.status == Workshop.Status.DRAFT:
        raise RuleError(_("아직 참여가 열리지 않은 워크샵입니다. 강사에게 문의하세요."))
    if workshop.is_closed:
        raise RuleError(_("종료된 워크샵에는 참여할 수 없습니다."))


@transaction.atomic
def team_create(
    *,
    workshop: Workshop,
    lead: User,
    team_name: str,
    display_name: str,
    consent: privacy.ConsentGiven | None = None,
) -> Team:
    """The user joins `workshop` as the lead of a new team (with `consent`: having just agreed
    to the personal-data notice, recorded in the same transaction)."""
    _ensure_can_join(workshop=workshop, user=lead)
    if Participant.objects.filter(workshop=workshop, user=lead).exists():
        raise RuleError(_("이미 이 워크샵에 참여하고 있습니다."))
    if workshop.teams.filter(name__iexact=team_name).exists():
        raise RuleError(
            _("같은 이름의 팀이 이미 있습니다. 그 팀의 팀원이라면 팀장에게 초대 링크를 받으세요."),
            field="team_name",
        )
    _set_display_name(lead, display_name)
    try:
        with transaction.atomic():
            team = Team.objects.create(workshop=workshop, name=team_name, lead=lead)
            Participant.objects.create(
                user=lead, workshop=workshop, role=Participant.Role.LEAD, team=team
            )
    except IntegrityError:
        # Another request created the same team name, or joined this user, a moment ago.
        raise RuleError(
            _("같은 이름의 팀이 방금 만들어졌거나 이미 참여 중입니다. 다시 확인해 주세요."),
            field="team_name",
        ) from None
    if consent is not None:
        privacy.consent_record(user=lead, consent=consent, workshop=workshop)
    events.announce(events.TeamChanged(team_id=team.pk))
    audit.record("join_as_lead", actor=lead, target=team, workshop=workshop, summary=team.name)
    return team


@transaction.atomic
def team_rename(*, team: Team, name: str) -> Team:
    taken = RuleError(_("같은 이름의 팀이 이미 있습니다."), field="name")
    if team.workshop.teams.filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise taken
    team.name = name
    try:
        with transaction.atomic():
            team.save(update_fields=["name"])
    except IntegrityError:
        raise taken from None  # a rename raced ours, or case folding the check missed
    events.announce(events.TeamChanged(team_id=team.pk))
    return team


def _set_display_name(user: User, display_name: str) -> None:
    display_name = display_name.strip()
    if display_name and display_name != user.name:
        user.name = display_name
        user.save(update_fields=["name"])


def team_join_as_member(
    *,
    team: Team,
    user: User,
    display_name: str,
    consent: privacy.ConsentGiven | None = None,
) -> Participant:
    """`user` joins `team` as a member without an invitation: a quick-join workshop lets
    anyone with its code pick their team (README, "Joining")."""
    workshop = team.workshop
    _ensure_can_join(workshop=workshop, user=user)
    if workshop.join_mode != Workshop.JoinMode.QUICK:
        raise RuleError(_("이 워크샵은 팀장이 보낸 초대 링크로만 팀원이 들어옵니다."))
    _set_display_name(user, display_name)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                user=user, workshop=workshop, role=Participant.Role.MEMBER, team=team
            )
    except IntegrityError:
        raise RuleError(_("이미 이 워크샵에 참여하고 있습니다.")) from None
    if consent is not None:
        privacy.consent_record(user=user, consent=consent, workshop=workshop)
    events.announce(events.TeamChanged(team_id=team.pk, members=True))
    audit.record("join_as_member", actor=user, target=team, workshop=workshop, summary=team.name)
    return participant


@transaction.atomic
def quick_join(
    *,
    workshop: Workshop,
    display_name: str,
    team_name: str,
    work_email: str = "",
    consent: privacy.ConsentGiven | None = None,
) -> Participant:
    """A new participant with no account joins a quick-join workshop in one step: a team of
    that name (ignoring case) is joined as a member, any other name makes a new team it leads.
    The account is bound to the browser (the caller signs it in); `work_email` waits
    unconfirmed. All or nothing: a refused join leaves no account behind."""
    if workshop.join_mode != Workshop.JoinMode.QUICK:
        raise RuleError(_("이 워크샵은 이메일로 로그인한 뒤에 참여합니다."))
    _ensure_can_join(workshop=workshop, user=None)
    user = accounts_services.guest_create(name=display_name, pending_email=work_email)
    team = workshop.teams.filter(name__iexact=team_name.strip()).first()
    if team is not None:
        return team_join_as_member(team=team, user=user, display_name=display_name, consent=consent)
    team = team_create(
        workshop=workshop,
        lead=user,
        team_name=team_name.strip(),
        display_name=display_name,
        consent=consent,
    )
    return Participant.objects.select_related("team", "workshop").get(user=user, workshop=workshop)


@transaction.atomic
def participant_remove(*, participant: Participant, actor: User) -> None:
    """The instructor removes someone from the workshop. A member just leaves their team; a
    lead's team goes with them (its members and tasks), since a team has exactly one lead."""
    workshop = participant.workshop
    if participant.is_instructor:
        raise RuleError(_("강사는 내보낼 수 없습니다."))
    team = participant.team
    assert team is not None  # a lead or member always has a team (Participant constraint)
    who = participant.user.display_name
    if participant.is_lead:
        # The whole team leaves: everyone in it loses access.
        leaving = list(team.participants.values_list("user_id", flat=True))
        name = team.name
        team.delete()  # cascades to its participants, tasks, invitations and analyses
        events.announce(events.WorkshopFiguresChanged(workshop_id=workshop.pk))
        summary = f"{name} (팀장 {who})"
    else:
        leaving = [participant.user_id]
        participant.delete()
        events.announce(events.TeamChanged(team_id=team.pk, members=True))
        summary = f"{team.name} · {who}"
    for user_id in leaving:
        events.announce(events.AccessChanged(user_id=user_id, workshop_id=workshop.pk))
    audit.record(
        "participant_removed", actor=actor, target=workshop, workshop=workshop, summary=summary
    )


def personal_link_send(*, participant: Participant, actor: User | None = None) -> str:
    """Mail a participant a personal link that signs them in and opens their team page with
    one tap (the course's 사전 안내 이메일): single use, valid 14 days, voided by a newer link
    or an operator's revoke. Returns the link. A quick-join account without a confirmed
    e-mail has nowhere to be mailed: RuleError."""
    user, team = participant.user, participant.team
    if user.is_guest:
        raise RuleError(_("확인된 이메일이 없는 참가자에게는 메일을 보낼 수 없습니다."))
    target = team.get_absolute_url() if team else participant.workshop.get_absolute_url()
    token = accounts_services.reentry_token(
        user=user, next_path=target, max_age=accounts_services.PERSONAL_LINK_MAX_AGE
    )
    link = f"{settings.SITE_URL}{reverse('reentry', args=[token])}"
    workshop = participant.workshop
    place = (
        _("팀: %(team)s · 역할: %(role)s")
        % {"team": team.name, "role": participant.get_role_display()}
        if team
        else _("역할: 강사")
    )
    send_mail(
        _("[워크샵] %(title)s — 참여 링크") % {"title": workshop.title},
        render_to_string(
            "workshops/email/personal_link.txt",
            {"user": user, "workshop": workshop, "place": place, "link": link},
        ),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    audit.record(
        "personal_link_sent", actor=actor, target=user, workshop=workshop, summary=user.email
    )
    return link


def invitation_create(*, team: Team, actor: User) -> Invitation:
    return Invitation.objects.create(team=team, created_by=actor)


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    invitation.revoke()
    return invitation


def invitation_check(*, invitation: Invitation, user: User) -> Participant | None:
    """Raise RuleError if `user` cannot accept; return their participation if already in."""
    workshop = invitation.team.workshop
    existing = Participant.objects.filter(workshop=workshop, user=user).first()
    if existing and existing.team_id == invitation.team_id:
        return existing
    if existing:
        raise RuleError(_("이미 이 워크샵에 다른 역할이나 다른 팀으로 참여하고 있습니다."))
    if invitation.is_revoked:
        raise RuleError(_("취소된 초대 링크입니다. 팀장에게 새 링크를 요청하세요."))
    if invitation.is_expired:
        raise RuleError(_("만료된 초대 링크입니다. 팀장에게 새 링크를 요청하세요."))
    _ensure_can_join(workshop=workshop, user=user)
    return None


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User,
    display_name: str,
    consent: privacy.ConsentGiven | None = None,
) -> Participant:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("team__workshop")
        .get(pk=invitation.pk)
    )
    existing = invitation_check(invitation=invitation, user=user)
    if existing:
        return existing
    _set_display_name(user, display_name)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                user=user,
                workshop=invitation.team.workshop,
                role=Participant.Role.MEMBER,
                team=invitation.team,
            )
    except IntegrityError:
        raise RuleError(_("이미 이 워크샵에 참여하고 있습니다.")) from None
    if consent is not None:
        privacy.consent_record(user=user, consent=consent, workshop=invitation.team.workshop)
    Invitation.objects.filter(pk=invitation.pk).update(use_count=F("use_count") + 1)
    events.announce(events.TeamChanged(team_id=invitation.team_id, members=True))
    audit.record(
        "join_as_member",
        actor=user,
        target=invitation.team,
        workshop=invitation.team.workshop,
        summary=invitation.team.name,
    )
    return participant


def _check_domain(team: Team, domain: Domain) -> None:
    if domain.workshop_id != team.workshop_id:
        raise RuleError(_("이 워크샵의 업무 영역을 골라 주세요."), field="domain")


def _task_changed(team: Team, actor: User, verb: str, title: str, task: Task | None = None) -> None:
    team.record_activity(actor=actor, verb=verb, title=title)
    removed = verb == ActivityVerb.DELETED
    events.announce(
        events.TaskChanged(team_id=team.pk, workshop_id=team.workshop_id, removed=removed)
    )
    audit.record(
        f"task_{verb}",
        actor=actor,
        target=task,
        workshop=team.workshop,
        summary=f"{team.name}: {title}",
    )


@transaction.atomic
def task_create(*, team: Team, actor: User, data: dict) -> Task:
    _check_domain(team, data["domain"])
    task = Task(team=team, created_by=actor, updated_by=actor)
    for field in TASK_FIELDS:
        setattr(task, field, data[field])
    task.save()
    _task_changed(team, actor, ActivityVerb.CREATED, task.title, task)
    return task


@transaction.atomic
def task_update(*, task: Task, actor: User, data: dict, base_version: int | None = None) -> Task:
    """Save `data` over the task, if nobody saved it since `base_version` (the version the
    editor started from; by default the one `task` was read at). Otherwise EditConflict:
    the check and the write are one UPDATE, so of two simultaneous edits exactly one wins
    and the other is told, never silently overwritten."""
    _check_domain(task.team, data["domain"])
    expected = task.version if base_version is None else base_version
    for field in TASK_FIELDS:
        setattr(task, field, data[field])
    now = timezone.now()
    saved = Task.objects.filter(pk=task.pk, version=expected).update(
        **{field: data[field] for field in TASK_FIELDS},
        hours_per_month=task.computed_hours(),
        updated_by=actor,
        updated_at=now,
        version=F("version") + 1,
    )
    if not saved:
        current = Task.objects.select_related("domain", "updated_by").filter(pk=task.pk).first()
        if current is None:
            raise RuleError(_("이 업무는 이미 삭제되었습니다."))
        if all(getattr(current, field) == data[field] for field in TASK_FIELDS):
            return current  # the other edit said the same: nothing to resolve
        raise EditConflict(current)
    task.version = expected + 1
    task.hours_per_month = task.computed_hours()
    task.updated_by, task.updated_at = actor, now
    _task_changed(task.team, actor, ActivityVerb.UPDATED, task.title, task)
    return task


@transaction.atomic
def task_import(*, team: Team, actor: User, rows: list[dict]) -> list[Task]:
    """Create every task of an imported file, or none (the caller checked every row)."""
    tasks = []
    for data in rows:
        _check_domain(team, data["domain"])
        task = Task(team=team, created_by=actor, updated_by=actor)
        for field in TASK_FIELDS:
            setattr(task, field, data[field])
        task.save()
        tasks.append(task)
    if tasks:
        title = (
            tasks[0].title
            if len(tasks) == 1
            else _("%(first)s 외 %(n)d개")
            % {
                "first": tasks[0].title,
                "n": len(tasks) - 1,
            }
        )
        _task_changed(team, actor, ActivityVerb.CREATED, title[:200])
    return tasks


@transaction.atomic
def task_delete(*, task: Task, actor: User) -> None:
    team, title = task.team, task.title
    task.delete()
    _task_changed(team, actor, ActivityVerb.DELETED, title)
