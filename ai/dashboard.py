"""Spend figures for the operators: the admin dashboard, its CSV export, `usage_report`."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ai import budget
from ai.models import EconomyBatch, UsageRecord, month_start
from workshop_site.spreadsheets import write_csv

ZERO = Decimal("0")


def parse_month(text: str | None) -> date:
    """'2026-11' → date(2026, 11, 1); anything else → this month."""
    if text:
        try:
            year, month = (int(part) for part in text.split("-", 1))
            return date(year, month, 1)
        except ValueError:
            pass
    return month_start()


@dataclass
class Bar:
    label: str
    value: Decimal
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0


def daily_chart(month: date, *, width=640, height=160) -> dict:
    """Spend per day of `month` as SVG bar geometry (server-rendered, no JavaScript)."""
    days = calendar.monthrange(month.year, month.month)[1]
    totals = {
        row["day"]: row["cost"]
        for row in UsageRecord.objects.filter(month=month)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(cost=Sum("cost_usd"))
    }
    values = [totals.get(date(month.year, month.month, d), ZERO) for d in range(1, days + 1)]
    peak = max(values) if any(values) else Decimal("1")
    slot = width / days
    bars = []
    for index, value in enumerate(values):
        bar_height = float(value / peak) * (height - 20) if peak else 0
        bars.append(
            Bar(
                label=f"{month.month}/{index + 1}",
                value=value,
                x=index * slot + 1,
                y=height - bar_height,
                width=max(slot - 2, 1),
                height=bar_height,
            )
        )
    return {"bars": bars, "width": width, "height": height, "peak": peak}


def _grouped(month: date, field: str, label_field: str | None = None, limit=10) -> list[dict]:
    values = [field] + ([label_field] if label_field else [])
    rows = (
        UsageRecord.objects.filter(month=month, kind__in=["call", "batch"])
        .values(*values)
        .annotate(
            cost=Sum("cost_usd"),
            calls=Count("id"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
        )
        .order_by("-cost")[:limit]
    )
    return [
        {
            "key": row[field],
            "label": row[label_field] if label_field else row[field],
            "cost": row["cost"] or ZERO,
            "calls": row["calls"],
            "input_tokens": row["input_tokens"] or 0,
            "output_tokens": row["output_tokens"] or 0,
        }
        for row in rows
    ]


def spend_report(month: date) -> dict:
    summary = budget.month_summary(month)
    today = timezone.localdate()
    days = calendar.monthrange(month.year, month.month)[1]
    current = month == month_start()
    elapsed = today.day if current else days
    projection = summary["spent_usd"] / elapsed * days if elapsed else ZERO
    krw = summary["krw_per_usd"]
    answered = summary["analysed_tasks"] + summary["cached_tasks"]
    budget_usd = summary["budget_usd"] or Decimal("1")
    return {
        **summary,
        "spent_krw": int(summary["spent_usd"] * krw),
        "held_krw": int(summary["held_usd"] * krw),
        "projection_usd": projection,
        "projection_krw": int(projection * krw),
        "percent": float(summary["spent_usd"] * 100 / budget_usd),
        "projection_percent": float(projection * 100 / budget_usd),
        "saved_krw": int(summary["saved_usd"] * krw),
        "uncertain_krw": int(summary["uncertain_usd"] * krw),
        "reconciled_batches": EconomyBatch.objects.filter(
            reconciled=True,
            created_at__date__gte=month,
            created_at__date__lte=month.replace(day=days),
        ).count(),
        "cache_hit_percent": (100 * summary["cached_tasks"] / answered) if answered else 0,
        "by_model": _grouped(month, "model_id"),
        "by_mode": _grouped(month, "mode"),
        "by_workshop": _grouped(month, "workshop_id", "workshop__title"),
        "by_user": _grouped(month, "user_id", "user__email"),
        "chart": daily_chart(month),
        "is_current": current,
    }


LEDGER_COLUMNS = [
    "created_at",
    "kind",
    "ok",
    "uncertain",
    "model_id",
    "mode",
    "user__email",
    "team_name",
    "workshop_title",
    "run_id",
    "input_tokens",
    "output_tokens",
    "cache_write_tokens",
    "cache_read_tokens",
    "cost_usd",
    "latency_ms",
    "tasks",
    "cached_tasks",
    "saved_usd",
    "request_id",
]


def write_ledger_csv(month: date, stream) -> None:
    """The month's ledger as CSV, UTF-8 with a byte-order mark so Excel shows Korean. Names
    are as they were when each line was written, and a formula in one is written as text."""
    rows = UsageRecord.objects.filter(month=month).order_by("created_at", "id")
    write_csv(stream, [LEDGER_COLUMNS, *rows.values_list(*LEDGER_COLUMNS).iterator()])
