"""The follow-up after the course (issue 18): `follow_up_days` after a workshop closes, each team
lead with a confirmed address gets one e-mail with a link to that team's action plans, where they
set each plan's status and the hours it actually saves a month.

The link is a credential for that one thing: it opens no session and signs nobody in, reaches
only its own team's plans, and expires after FOLLOW_UP_LINK_DAYS. The database keeps only its
SHA-256, so a copy of the database holds no working link.

Sending is a daily worker chore (ai.worker.follow_ups) and `manage.py send_follow_ups`. Every
run sends whatever is due and not yet sent, so a day the worker missed is caught up by the
next run. Each team's mail is sent inside the transaction that writes its FollowUp row, with
the team's row locked (SKIP LOCKED: a second worker passes it by): the row exists only if the
mail went, and exists once (one per team, a unique constraint). A mail that fails rolls its
row back and is tried again on the next run. The one case that could send twice is a database
failure in the instant between the mail leaving and the commit; we accept it rather than risk
never sending.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from workshops import events
from workshops.models import FollowUp, Pick, Team, Workshop

logger = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def due_teams(now: datetime | None = None) -> list[Team]:
    """Teams whose follow-up is due (their workshop closed `follow_up_days` ago or more, not
    purged) and not yet sent, that have plans to ask about."""
    now = now or timezone.now()
    closed = Workshop.objects.filter(
        status=Workshop.Status.CLOSED,
        purged_at__isnull=True,
        follow_up_days__gt=0,
        closed_at__lte=now,
    ).only("pk", "status", "closed_at", "follow_up_days")
    # Few workshops are closed and not yet purged; the day arithmetic is done here rather
    # than in SQL, where SQLite and PostgreSQL spell it differently.
    due = [w.pk for w in closed if w.follow_up_due_at is not None and w.follow_up_due_at <= now]
    return list(
        Team.objects.filter(workshop_id__in=due, follow_up__isnull=True)
        .filter(Exists(Pick.objects.filter(team=OuterRef("pk"))))
        .select_related("lead", "workshop")
        .order_by("pk")
    )


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)  # team ids
    no_address: list[int] = field(default_factory=list)  # leads without a confirmed e-mail
    failed: list[int] = field(default_factory=list)  # tried again on the next run


def send_due(*, now: datetime | None = None, dry_run: bool = False) -> SendReport:
    """Send every follow-up that is due. `dry_run`: only say which would go."""
    now = now or timezone.now()
    report = SendReport()
    for team in due_teams(now):
        if team.lead.is_guest:
            # A quick-join lead has nowhere to be mailed; if they confirm an address later,
            # the next run sends it.
            report.no_address.append(team.pk)
            continue
        if dry_run:
            report.sent.append(team.pk)
            continue
        try:
            if follow_up_send(team=team, now=now):
                report.sent.append(team.pk)
        except Exception:
            logger.exception(
                "follow-up mail to team %s failed; it is tried again tomorrow", team.pk
            )
            report.failed.append(team.pk)
    return report


def follow_up_send(*, team: Team, now: datetime | None = None) -> bool:
    """Mail `team`'s lead the follow-up link, once. False if it was sent already or another
    worker is sending it right now. Raises if the mail cannot go (nothing is recorded)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Team.objects.select_for_update(skip_locked=True).filter(pk=team.pk).first()
        if locked is None or FollowUp.objects.filter(team_id=team.pk).exists():
            return False
        token = secrets.token_urlsafe(32)
        record = FollowUp.objects.create(
            team=locked,
            token_hash=token_hash(token),
            sent_to=team.lead.email,
            sent_at=now,
            expires_at=now + timedelta(days=settings.FOLLOW_UP_LINK_DAYS),
        )
        link = f"{settings.SITE_URL}{reverse('workshops:follow_up', args=[token])}"
        plans = list(Pick.objects.filter(team=team).select_related("task"))
        workshop = team.workshop
        send_mail(
            _("[워크샵] %(title)s — 실행 계획은 어떻게 되고 있나요?") % {"title": workshop.title},
            render_to_string(
                "workshops/email/follow_up.txt",
                {
                    "team": team,
                    "workshop": workshop,
                    "plans": plans,
                    "link": link,
                    "record": record,
                },
            ),
            settings.DEFAULT_FROM_EMAIL,
            [team.lead.email],
        )
    audit.record("follow_up_sent", target=team, workshop=workshop, summary=team.lead.email)
    return True


def find(token: str) -> FollowUp | None:
    """The follow-up a link's token names (expired ones too: the page says so)."""
    return (
        FollowUp.objects.select_related("team__workshop", "team__lead")
        .filter(token_hash=token_hash(token))
        .first()
    )


def plans_of(record: FollowUp) -> list[Pick]:
    return list(
        Pick.objects.filter(team_id=record.team_id)
        .select_related("task__domain", "owner")
        .order_by("confirmed_at", "id")
    )


@dataclass(frozen=True)
class PlanReport:
    """What the lead reported for one plan."""

    pick_id: int
    status: str
    actual_hours: Decimal | None


@transaction.atomic
def follow_up_update(*, record: FollowUp, reports: list[PlanReport]) -> None:
    """Save the lead's report of their team's plans, all or nothing. Every plan must be one
    of the link's team (the view refuses others before calling; this is the rule itself)."""
    if record.is_expired:
        raise PermissionError("expired follow-up link")
    picks = {
        pick.pk: pick
        for pick in Pick.objects.select_for_update().filter(
            team_id=record.team_id, pk__in=[r.pick_id for r in reports]
        )
    }
    if len(picks) != len({r.pick_id for r in reports}):
        raise PermissionError("a plan of another team")
    for report in reports:
        pick = picks[report.pick_id]
        pick.status, pick.actual_hours = report.status, report.actual_hours
        pick.save(update_fields=["status", "actual_hours", "updated_at"])
    record.updated_at = timezone.now()
    record.save(update_fields=["updated_at"])
    team = record.team
    audit.record(
        "follow_up_updated",
        target=team,
        workshop=team.workshop,
        summary=", ".join(f"{r.pick_id}:{r.status}:{r.actual_hours}" for r in reports),
    )
    # The instructor's summary shows estimated against actual: it updates live.
    events.announce(events.TaskChanged(team_id=team.pk, workshop_id=team.workshop_id))
