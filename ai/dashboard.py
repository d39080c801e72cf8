"""Spend figures for the operators: the admin dashboard, its CSV export, `usage_report`."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ai import budget
from ai.models import EconomyBatch, Source, TaskAnalysis, UsageRecord, month_start
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


# Where the month's ratings came from, as the operators read them beside the spend: an answer
# from the cache is the AI's answer again, so it counts as AI; rule-based estimates are not AI
# and say so in their label. Keys, the choice labels that head the columns, the sources summed.
SOURCE_COLUMNS = [
    ("ai", Source.AI.label, (Source.AI, Source.CACHE)),
    ("rules", Source.RULES.label, (Source.RULES,)),
    ("person", Source.PERSON.label, (Source.PERSON,)),
]


@dataclass
class SourceRow:
    """One workshop's month (or all of them): its AI spend and its analyses by source."""

    label: str
    cost: Decimal = ZERO
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[int]:
        """The counts in SOURCE_COLUMNS order."""
        return [self.counts.get(key, 0) for key, _label, _sources in SOURCE_COLUMNS]

    @property
    def analyses(self) -> int:
        return sum(self.counts.values())


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as an aware [start, end) range in the current time zone."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (
        timezone.make_aware(datetime(month.year, month.month, 1)),
        timezone.make_aware(datetime(following.year, following.month, 1)),
    )


def analyses_by_source(month: date) -> dict:
    """The task analyses made in `month` per workshop, and in all, as AI, rule-based (not AI)
    or a person's, beside each workshop's AI spend.

    Wherever ratings are summed the reader must be able to tell how many were AI: a workshop
    that ran on the rule-based estimate spends nothing and would not show in the spend tables
    at all. The counts are one grouped query; the spend is the ledger's calls and batches.
    """
    start, end = _month_bounds(month)
    column_of = {source: key for key, _label, sources in SOURCE_COLUMNS for source in sources}
    rows: dict[int | None, SourceRow] = {}
    counts = (
        TaskAnalysis.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("task__team__workshop_id", "task__team__workshop__title", "source")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counts:
        workshop = rows.setdefault(
            row["task__team__workshop_id"], SourceRow(label=row["task__team__workshop__title"])
        )
        key = column_of.get(row["source"])
        if key:
            workshop.counts[key] = workshop.counts.get(key, 0) + row["n"]
    spend = (
        UsageRecord.objects.filter(
            month=month, kind__in=[UsageRecord.Kind.CALL, UsageRecord.Kind.BATCH]
        )
        .values("workshop_id", "workshop__title")
        .annotate(cost=Sum("cost_usd"))
        .order_by()
    )
    for row in spend:
        # A line without a workshop (an evaluation run, say) is listed as "—".
        workshop = rows.setdefault(
            row["workshop_id"], SourceRow(label=row["workshop__title"] or "")
        )
        workshop.cost = row["cost"] or ZERO
    ordered = sorted(rows.values(), key=lambda r: (-r.cost, -r.analyses, r.label))
    total = SourceRow(label="합계", cost=sum((r.cost for r in ordered), ZERO))
    for each in ordered:
        for key, n in each.counts.items():
            total.counts[key] = total.counts.get(key, 0) + n
    return {
        "columns": [(key, label) for key, label, _sources in SOURCE_COLUMNS],
        "rows": ordered,
        "total": total,
    }


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
        "by_source": analyses_by_source(month),
        "cache_label": Source.CACHE.label,
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


def write_workshops_csv(month: date, stream) -> None:
    """Each workshop's month as the dashboard shows it: AI spend, then its analyses by source
    under the sources' own labels, and a total line; UTF-8 with a byte-order mark for Excel."""
    by_source = analyses_by_source(month)
    header = ["workshop_title", "cost_usd", *(label for _key, label in by_source["columns"])]
    lines = [[row.label, row.cost, *row.cells] for row in [*by_source["rows"], by_source["total"]]]
    write_csv(stream, [header, *lines])
