"""The hard AI budget: reserve the worst case before a call, settle to the real cost after.

Alerts alone do not hold a budget: concurrent requests that only check the spend can all pass
the check and overspend together. Every call therefore first reserves its worst-case cost
(input estimate + max_tokens at the output price) against the month, the user and the
workshop inside one transaction that locks the budget row (PostgreSQL `SELECT … FOR UPDATE`;
SQLite serialises writers by itself, and our SQLite transactions start IMMEDIATE). After the
call the reservation is replaced by the real cost from the response's usage; a failed call
releases it; a reservation abandoned by a dead worker stops counting when it expires.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ai.alerts import send_budget_alert
from ai.models import (
    AIModel,
    BudgetAlert,
    BudgetSettings,
    Refusal,
    Reservation,
    UsageRecord,
    month_start,
)
from ai.providers.base import Usage
from ai.tokens import estimate_tokens
from workshops.models import Team, Workshop

logger = logging.getLogger(__name__)

ZERO = Decimal("0")


class BudgetRefused(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def refusal_message(kind: str) -> str:
    return {
        Refusal.Kind.BUDGET_MONTH: _(
            "이번 달 AI 예산을 모두 써서 AI 분석을 할 수 없습니다. 운영자에게 문의하세요."
        ),
        Refusal.Kind.BUDGET_USER: _(
            "이번 달 내 AI 사용 한도에 닿았습니다. 강사나 운영자에게 문의하세요."
        ),
        Refusal.Kind.BUDGET_WORKSHOP: _(
            "이 워크샵의 이번 달 AI 사용 한도에 닿았습니다. 강사에게 문의하세요."
        ),
    }[kind]


def worst_case_usd(model: AIModel, params: dict, *, batch: bool = False) -> Decimal:
    """The most a request with these parameters can cost: all input, every output token."""
    prompt = json.dumps(
        [params.get("system"), params.get("messages"), params.get("output_config")],
        ensure_ascii=False,
    )
    input_tokens = estimate_tokens(prompt)
    # A cache write is dearer than plain input: assume the whole prompt might be one.
    input_price = max(model.input_usd_per_mtok, model.cache_write_usd_per_mtok)
    cost = (
        Decimal(input_tokens) * input_price
        + Decimal(params["max_tokens"]) * model.output_usd_per_mtok
    ) / Decimal(1_000_000)
    if batch:
        cost *= 1 - model.batch_discount
    return cost.quantize(Decimal("0.00000001"))


def _sum(queryset, field) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def committed_usd(month, *, now=None, **filters) -> Decimal:
    """Spent (the ledger) plus held (live reservations) in `month`, optionally per user/workshop."""
    now = now or timezone.now()
    spent = _sum(UsageRecord.objects.filter(month=month, **filters), "cost_usd")
    held = _sum(
        Reservation.objects.filter(
            month=month, status=Reservation.Status.ACTIVE, expires_at__gt=now, **filters
        ),
        "amount_usd",
    )
    return spent + held


def reserve(
    *, amount_usd: Decimal, user_id, workshop_id, minutes: int | None = None
) -> Reservation:
    """Hold `amount_usd` or raise BudgetRefused; atomic against every concurrent caller.

    The hold expires after `minutes` (default: the budget settings'), so a caller that dies
    without settling stops blocking the budget.
    """
    BudgetSettings.load()  # make sure the row exists before locking it
    now = timezone.now()
    month = month_start(now)
    refused = None
    with transaction.atomic():
        rules = BudgetSettings.objects.select_for_update().get(pk=1)
        checks = [(Refusal.Kind.BUDGET_MONTH, rules.monthly_budget_krw, {})]
        if rules.per_user_monthly_cap_krw and user_id:
            checks.append(
                (Refusal.Kind.BUDGET_USER, rules.per_user_monthly_cap_krw, {"user_id": user_id})
            )
        if rules.per_workshop_monthly_cap_krw and workshop_id:
            checks.append(
                (
                    Refusal.Kind.BUDGET_WORKSHOP,
                    rules.per_workshop_monthly_cap_krw,
                    {"workshop_id": workshop_id},
                )
            )
        for kind, cap_krw, filters in checks:
            if committed_usd(month, now=now, **filters) + amount_usd > rules.usd(cap_krw):
                refused = kind
                break
        if refused is None:
            return Reservation.objects.create(
                month=month,
                user_id=user_id,
                workshop_id=workshop_id,
                amount_usd=amount_usd,
                expires_at=now + timedelta(minutes=minutes or rules.reservation_minutes),
            )
    Refusal.objects.create(month=month, kind=refused, user_id=user_id, workshop_id=workshop_id)
    if refused == Refusal.Kind.BUDGET_MONTH:
        _alert_once(month, 100, committed_usd(month))
    raise BudgetRefused(refused, refusal_message(refused))


def release(reservation: Reservation, *, status=Reservation.Status.RELEASED) -> None:
    """Stop holding a reservation: unused (released) or replaced by ledger lines (settled)."""
    Reservation.objects.filter(pk=reservation.pk, status=Reservation.Status.ACTIVE).update(
        status=status
    )


@dataclass
class CallContext:
    """Who and what a ledger line is about."""

    model: AIModel
    mode: str = ""
    user_id: int | None = None
    team_id: int | None = None
    workshop_id: int | None = None
    run_id: int | None = None


def _names(context: CallContext) -> dict:
    """The team's and workshop's names now, kept on the ledger line (one query)."""
    if context.team_id:
        row = Team.objects.filter(pk=context.team_id).values_list("name", "workshop__title")
        team_name, title = row.first() or ("", "")
        return {"team_name": team_name, "workshop_title": title}
    if context.workshop_id:
        title = Workshop.objects.filter(pk=context.workshop_id).values_list("title", flat=True)
        return {"workshop_title": title.first() or ""}
    return {}


def record(
    context: CallContext,
    usage: Usage,
    *,
    kind=UsageRecord.Kind.CALL,
    ok=True,
    latency_ms=0,
    tasks=0,
    request_id="",
    uncertain_usd: Decimal | None = None,
) -> UsageRecord:
    """One ledger line. With `uncertain_usd`, a call that got no answer, at that cost."""
    batch = kind == UsageRecord.Kind.BATCH
    cost = context.model.cost_usd(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        batch=batch,
    )
    if uncertain_usd is not None:
        cost = uncertain_usd
    line = UsageRecord.objects.create(
        **_names(context),
        month=month_start(),
        kind=kind,
        ok=ok and uncertain_usd is None,
        uncertain=uncertain_usd is not None,
        model_id=context.model.model_id,
        mode=context.mode,
        user_id=context.user_id,
        team_id=context.team_id,
        workshop_id=context.workshop_id,
        run_id=context.run_id,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cost_usd=cost,
        latency_ms=latency_ms,
        tasks=tasks,
        request_id=request_id[:100],
    )
    check_alerts(line.month)
    return line


def settle(
    reservation: Reservation,
    context: CallContext,
    usage: Usage,
    *,
    unanswered: int = 0,
    attempt_usd: Decimal | None = None,
    **record_kwargs,
) -> list[UsageRecord]:
    """Replace a reservation by the real cost of the call it covered.

    `unanswered` attempts were sent and never answered (a timeout, a dropped connection, each
    SDK retry counting): the API may have billed each, and nobody can say what it cost, so each
    is a "결과 불명" line at one attempt's worst case (`attempt_usd`, by default the whole
    reservation). The budget stays conservative.
    """
    attempt_usd = reservation.amount_usd if attempt_usd is None else attempt_usd
    lines = []
    with transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(status=Reservation.Status.SETTLED)
        answered = record_kwargs.get("ok", True) or not usage.is_empty
        if answered or not unanswered:
            lines.append(record(context, usage, **record_kwargs))
        for _attempt in range(unanswered):
            lines.append(
                record(
                    context,
                    Usage(),
                    ok=False,
                    uncertain_usd=attempt_usd.quantize(Decimal("0.00000001")),
                )
            )
    return lines


def record_cache_hits(context: CallContext, *, tasks: int) -> UsageRecord | None:
    """A ledger line for tasks a run answered from the cache, with the cost that saved."""
    if not tasks:
        return None
    calls = UsageRecord.objects.filter(
        month=month_start(), kind=UsageRecord.Kind.CALL, ok=True, model_id=context.model.model_id
    ).aggregate(cost=Sum("cost_usd"), tasks=Sum("tasks"))
    if calls["tasks"]:
        per_task = calls["cost"] / calls["tasks"]
    else:
        # No call this month to learn from: a typical answer (60 output, 150 input tokens).
        per_task = context.model.cost_usd(input_tokens=150, output_tokens=60)
    return UsageRecord.objects.create(
        **_names(context),
        month=month_start(),
        kind=UsageRecord.Kind.CACHE,
        model_id=context.model.model_id,
        mode=context.mode,
        user_id=context.user_id,
        team_id=context.team_id,
        workshop_id=context.workshop_id,
        run_id=context.run_id,
        cached_tasks=tasks,
        saved_usd=(per_task * tasks).quantize(Decimal("0.00000001")),
    )


# --- Alerts ----------------------------------------------------------------------------------


def check_alerts(month) -> None:
    """Alert once for each threshold the month's spend has crossed."""
    rules = BudgetSettings.load()
    budget = rules.monthly_budget_usd
    if budget <= 0:
        return
    spent = _sum(UsageRecord.objects.filter(month=month), "cost_usd")
    percent = spent * 100 / budget
    for threshold in [*rules.thresholds(), 100]:
        if percent >= threshold:
            _alert_once(month, threshold, spent)


def _alert_once(month, threshold: int, spent: Decimal) -> None:
    alert, created = BudgetAlert.objects.get_or_create(
        month=month, threshold=threshold, defaults={"spent_usd": spent}
    )
    if created:
        transaction.on_commit(partial(send_budget_alert, alert.pk))


def month_summary(month) -> dict:
    """Spend figures for reports and the dashboard."""
    rules = BudgetSettings.load()
    lines = UsageRecord.objects.filter(month=month)
    calls = lines.filter(kind__in=[UsageRecord.Kind.CALL, UsageRecord.Kind.BATCH])
    return {
        "month": month,
        "budget_usd": rules.monthly_budget_usd,
        "budget_krw": rules.monthly_budget_krw,
        "krw_per_usd": rules.krw_per_usd,
        "spent_usd": _sum(lines, "cost_usd"),
        "calls": calls.count(),
        "failed_calls": calls.filter(ok=False).count(),
        "uncertain_calls": calls.filter(uncertain=True).count(),
        "uncertain_usd": _sum(calls.filter(uncertain=True), "cost_usd"),
        "input_tokens": _sum(calls, "input_tokens"),
        "output_tokens": _sum(calls, "output_tokens"),
        "cache_write_tokens": _sum(calls, "cache_write_tokens"),
        "cache_read_tokens": _sum(calls, "cache_read_tokens"),
        "analysed_tasks": _sum(calls, "tasks"),
        "cached_tasks": _sum(lines, "cached_tasks"),
        "saved_usd": _sum(lines, "saved_usd"),
        "refusals": _refusal_counts(month),
        "held_usd": _sum(
            Reservation.objects.filter(
                Q(month=month), status=Reservation.Status.ACTIVE, expires_at__gt=timezone.now()
            ),
            "amount_usd",
        ),
    }


def _refusal_counts(month) -> dict[str, int]:
    return dict(
        Refusal.objects.filter(month=month)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )


def record_rate_limit_refusal(sender: str, request, **kwargs) -> None:
    """Count a request a rate limit refused (workshop_site.ratelimits.request_refused), for the
    spend dashboard's "거절된 요청"."""
    Refusal.objects.create(
        month=month_start(),
        kind=Refusal.Kind.RATE_LIMIT,
        user=request.user if request.user.is_authenticated else None,
        detail=sender,
    )
