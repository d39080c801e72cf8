"""Retention (개인정보 보유 기간): what happens to a workshop's personal data once it is due.

A workshop closed more than PRIVACY_RETENTION_DAYS ago loses its teams, participants, tasks,
analyses, runs, invitations and economy batches. The workshop row stays, with the figures its
pages showed (`purged_summary`) and `purged_at`; its instructors keep their place in it so they
can still open it and see those figures. The AI ledger keeps every cost but no names; the audit
log keeps what was done and when, not the words or addresses. Then accounts that are in no
workshop any more and have been idle as long are deleted.

`purge_due()` runs once a day on the worker (ai.worker) and picks up every workshop that is due,
so a day the worker missed is caught up on the next run. `manage.py purge_workshop` purges one
workshop at once.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts import audit
from accounts.models import INSTRUCTOR_GROUP, AuditEntry, User
from ai.models import (
    AnalysisRun,
    EconomyBatch,
    Refusal,
    Reservation,
    TaskAnalysis,
    UsageRecord,
)
from ai.selectors import workshop_savings
from workshops.models import Invitation, Participant, Task, Team, Workshop
from workshops.selectors import workshop_pulse

logger = logging.getLogger(__name__)

# What the ledger shows instead of a purged team's or workshop's name.
PURGED_LABEL = "(파기됨)"


@dataclass(frozen=True)
class PurgeCounts:
    """Rows a purge deletes (or would delete)."""

    teams: int
    participants: int
    tasks: int
    analyses: int
    analysis_runs: int
    invitations: int
    economy_batches: int


def purge_preview(workshop: Workshop) -> PurgeCounts:
    return PurgeCounts(
        teams=Team.objects.filter(workshop=workshop).count(),
        participants=_participants(workshop).count(),
        tasks=Task.objects.filter(team__workshop=workshop).count(),
        analyses=TaskAnalysis.objects.filter(task__team__workshop=workshop).count(),
        analysis_runs=AnalysisRun.objects.filter(workshop=workshop).count(),
        invitations=Invitation.objects.filter(team__workshop=workshop).count(),
        economy_batches=EconomyBatch.objects.filter(workshop=workshop).count(),
    )


def _participants(workshop: Workshop):
    # Instructors stay: they run the workshop and still open its page, which then shows the
    # kept figures. Their accounts are operators' business, not this workshop's data.
    return Participant.objects.filter(workshop=workshop).exclude(role=Participant.Role.INSTRUCTOR)


def _decimal(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _summary(workshop: Workshop, counts: PurgeCounts) -> dict:
    """The figures the workshop's pages showed, as plain values that name nobody."""
    totals = workshop_pulse(workshop.pk)
    savings = workshop_savings(workshop.pk)
    ai_cost = UsageRecord.objects.filter(workshop=workshop).aggregate(total=Sum("cost_usd"))
    return {
        "teams": counts.teams,
        "participants": counts.participants,
        "tasks": totals.task_count,
        "monthly_hours": _decimal(totals.total_hours),
        "automatable_hours": _decimal(savings.total),
        "ratings": dict(savings.ratings),
        "ai_cost_usd": str((ai_cost["total"] or Decimal("0")).quantize(Decimal("0.0001"))),
    }


def _ledger_anonymise(workshop: Workshop) -> None:
    teams = Team.objects.filter(workshop=workshop)
    UsageRecord.objects.filter(
        Q(workshop=workshop) | Q(team__in=teams) | Q(run__workshop=workshop)
    ).update(user=None, team=None, team_name=PURGED_LABEL, workshop_title=PURGED_LABEL)
    Reservation.objects.filter(workshop=workshop).update(user=None)
    Refusal.objects.filter(workshop=workshop).update(user=None, detail="")


def workshop_purge(
    workshop: Workshop, *, actor: User | None = None, reason: str = "retention", now=None
) -> bool:
    """Delete the workshop's personal data now, whatever its closing date; False when another
    process holds it or it is not a closed, unpurged workshop (nothing is done twice).
    `reason` goes to the audit log: "retention" (the daily chore) or "command" (an operator)."""
    now = now or timezone.now()
    with transaction.atomic():
        # skip_locked: of two workers on the same workshop, the second passes it by.
        locked = (
            Workshop.objects.select_for_update(skip_locked=True)
            .filter(pk=workshop.pk, status=Workshop.Status.CLOSED, purged_at__isnull=True)
            .first()
        )
        if locked is None:
            return False
        counts = purge_preview(locked)
        summary = _summary(locked, counts)
        _ledger_anonymise(locked)
        AuditEntry.objects.filter(workshop=locked).update(summary="", detail={}, ip=None)
        EconomyBatch.objects.filter(workshop=locked).delete()
        AnalysisRun.objects.filter(workshop=locked).delete()
        TaskAnalysis.objects.filter(task__team__workshop=locked).delete()
        Task.objects.filter(team__workshop=locked).delete()
        Invitation.objects.filter(team__workshop=locked).delete()
        _participants(locked).delete()
        Team.objects.filter(workshop=locked).delete()  # leads are PROTECTed, never the teams
        locked.purged_at = now
        locked.purged_summary = summary
        locked.save(update_fields=["purged_at", "purged_summary", "updated_at"])
        audit.record(
            "workshop.purged",
            actor=actor,
            target=locked,
            workshop=locked,
            detail={"deleted": asdict(counts), "reason": reason},
        )
    workshop.purged_at, workshop.purged_summary = locked.purged_at, locked.purged_summary
    return True


def due_workshops(now: datetime | None = None):
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRIVACY_RETENTION_DAYS)
    return Workshop.objects.filter(
        status=Workshop.Status.CLOSED, closed_at__lte=cutoff, purged_at__isnull=True
    ).order_by("closed_at", "pk")


def idle_accounts(now: datetime | None = None):
    """Accounts in no workshop, idle for the retention period, and not an operator's or an
    instructor's (those are kept by the people who manage the service)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRIVACY_RETENTION_DAYS)
    return (
        User.objects.filter(is_staff=False, is_superuser=False, date_joined__lte=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lte=cutoff))
        .exclude(groups__name=INSTRUCTOR_GROUP)
        .exclude(participations__isnull=False)
        .exclude(led_teams__isnull=False)
    )


def idle_accounts_delete(now: datetime | None = None) -> int:
    ids = list(idle_accounts(now).values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        deleted = User.objects.filter(pk__in=ids).delete()[1].get(User._meta.label, 0)
        audit.record("privacy.accounts_deleted", detail={"count": deleted})
    return deleted


def purge_due(now: datetime | None = None) -> list[int]:
    """Purge every workshop past its retention period, then idle accounts; the ids purged."""
    purged = []
    for workshop in due_workshops(now):
        try:
            if workshop_purge(workshop, now=now):
                purged.append(workshop.pk)
        except Exception:
            # One workshop that cannot be purged must not keep the others' data past its time.
            logger.exception("retention: could not purge workshop %s", workshop.pk)
    if purged:
        logger.info("retention: purged workshops %s", purged)
    try:
        count = idle_accounts_delete(now)
    except Exception:
        logger.exception("retention: could not delete idle accounts")
    else:
        if count:
            logger.info("retention: deleted %d idle accounts", count)
    return purged
