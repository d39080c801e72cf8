"""AI cost benchmark: what analysing 1,000 realistic Korean tasks costs at the database prices.

    .venv/bin/python bench/ai_cost.py

Runs the real analysis code (services, real SDK) against our fake Anthropic API on loopback,
with a throwaway SQLite database and the local-memory cache:

1. quick analysis of the 1,000 tasks in bench/data/tasks_1000.json (50 teams of 20);
2. deep analysis of the same tasks one task per call, as the team page's "심층 분석" sends it;
3. deep analysis batched 20 to a call (what a whole team's deep run would cost);
4. a second, identical workshop analysed quick again: how many tasks the cache answers;
5. economy mode: a third identical workshop, cache cleared, analysed quick through the
   Message Batches API at batch prices (the instructor's "절약 모드").

The fake API is strict (it refuses any request the real API documents as invalid) and counts
tokens as Claude's tokenizer does on Korean: one token per Hangul syllable, 3.5 ASCII
characters a token (support/fake_anthropic.count_tokens). Dollars come from the AIModel rows
seeded by migration. `failed` counts tasks left without an answer; `cache_read_share` is the
share of input tokens read from the prompt cache. The last line is JSON: {"tasks":1000,
"quick":{...},"deep":{...},"deep_batched":{...},"economy":{...},
"second_pass_cache_hit_rate":..}.
"""

import json
import os
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
DATA = BASE_DIR / "bench" / "data" / "tasks_1000.json"
TEAM_SIZE = 20


def setup(fake_url: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="ai-cost-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "workshop_site.settings",
            "SECRET_KEY": "bench-only-not-secret",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "ANTHROPIC_API_KEY": "bench-key",
            "ANTHROPIC_BASE_URL": fake_url,
            "LOG_LEVEL": "WARNING",
            "LIVE_BOARD_DEBOUNCE": "0",
            "LIVE_PULSE_WINDOW": "0",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_workshop(title: str, rows: list[dict]):
    from accounts.models import User
    from workshops import services
    from workshops.models import Task

    instructor, _ = User.objects.get_or_create(email="bench-instructor@example.com")
    domains = sorted({row["domain"] for row in rows})
    workshop = services.workshop_create(
        creator=instructor, title=title, description="", date=date.today(), domain_names=domains
    )
    services.workshop_open(workshop=workshop)
    by_name = {d.name: d for d in workshop.domains.all()}
    teams = []
    for start in range(0, len(rows), TEAM_SIZE):
        lead = User.objects.create_user(email=f"{title}-{start}@example.com", name="팀장")
        team = services.team_create(
            workshop=workshop, lead=lead, team_name=f"팀 {start // TEAM_SIZE}", display_name="팀장"
        )
        tasks = [
            Task(
                team=team,
                domain=by_name[row["domain"]],
                title=row["title"],
                description=row["description"],
                frequency=row["frequency"],
                occurrences_per_period=row["occurrences"],
                minutes_per_occurrence=row["minutes"],
                created_by=lead,
            )
            for row in rows[start : start + TEAM_SIZE]
        ]
        for task in tasks:
            task.save()  # computes hours per month
        teams.append((team, lead, tasks))
    return teams


def analyse(teams, mode: str, fake, *, one_per_call: bool = False) -> dict:
    from ai import requests as ai_requests
    from ai import runner
    from ai.models import AnalysisMode

    fake.reset()
    cached = total = failed = 0
    for team, lead, tasks in teams:
        for group in [[task] for task in tasks] if one_per_call else [tasks]:
            run, _ = ai_requests.analysis_request(team=team, actor=lead, mode=mode, tasks=group)
            runner.run_execute(run.pk)
            run.refresh_from_db()
            cached += run.cached_tasks
            total += run.total_tasks
            failed += run.failed_tasks
    usage = {
        "input_tokens": 0,
        "output_tokens": 0,
        "cache_write_tokens": 0,
        "cache_read_tokens": 0,
    }
    for request in fake.message_requests:
        got = request.get("usage") or {}
        usage["input_tokens"] += got.get("input_tokens", 0)
        usage["output_tokens"] += got.get("output_tokens", 0)
        usage["cache_write_tokens"] += got.get("cache_creation_input_tokens", 0)
        usage["cache_read_tokens"] += got.get("cache_read_input_tokens", 0)
    model = AnalysisMode.objects.select_related("model").get(mode=mode).model
    usd = model.cost_usd(**usage)
    prompt = usage["input_tokens"] + usage["cache_write_tokens"] + usage["cache_read_tokens"]
    return {
        "requests": len(fake.message_requests),
        "refused": len(fake.refused_requests),
        "failed": failed,
        "cache_read_share": round(usage["cache_read_tokens"] / prompt, 4) if prompt else 0.0,
        "input_tokens": usage["input_tokens"],
        "output_tokens": usage["output_tokens"],
        "cache_write_tokens": usage["cache_write_tokens"],
        "cache_read_tokens": usage["cache_read_tokens"],
        "usd": float(usd.quantize(Decimal("0.000001"))),
        "model": model.model_id,
        "cached_tasks": cached,
        "tasks": total,
    }


def economy_pass(teams, fake) -> dict:
    """Every task of the workshop through one Message Batches job, priced from the ledger."""
    from django.db.models import Sum

    from ai import economy
    from ai.models import UsageRecord

    fake.reset()
    fake.batch_seconds = 0
    workshop = teams[0][0].workshop
    before = set(UsageRecord.objects.values_list("pk", flat=True))
    batch = economy.economy_request(workshop=workshop, actor=teams[0][1])
    economy.submit(batch.pk)
    economy.poll(batch.pk)
    batch.refresh_from_db()
    lines = UsageRecord.objects.exclude(pk__in=before).filter(kind=UsageRecord.Kind.BATCH)
    totals = lines.aggregate(
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        cache_write_tokens=Sum("cache_write_tokens"),
        cache_read_tokens=Sum("cache_read_tokens"),
        usd=Sum("cost_usd"),
    )
    prompt = sum(
        totals[k] or 0 for k in ("input_tokens", "cache_write_tokens", "cache_read_tokens")
    )
    return {
        "requests": lines.count(),
        "refused": len(fake.refused_requests),
        "failed": len(batch.failed_task_ids),
        "cache_read_share": round((totals["cache_read_tokens"] or 0) / prompt, 4)
        if prompt
        else 0.0,
        "input_tokens": totals["input_tokens"] or 0,
        "output_tokens": totals["output_tokens"] or 0,
        "usd": float((totals["usd"] or Decimal("0")).quantize(Decimal("0.000001"))),
        "tasks": batch.done_tasks,
        "status": batch.status,
    }


def main():
    from support.fake_anthropic import FakeAnthropic

    fake = FakeAnthropic().start()
    setup(fake.url)
    from django.core.cache import cache

    rows = json.loads(DATA.read_text(encoding="utf-8"))
    print(f"{len(rows)} tasks from {DATA.relative_to(BASE_DIR)}", flush=True)
    cache.clear()
    first = build_workshop("first", rows)
    quick = analyse(first, "quick", fake)
    print(f"quick: {quick}", flush=True)
    second = build_workshop("second", rows)
    repeat = analyse(second, "quick", fake)
    hit_rate = repeat["cached_tasks"] / repeat["tasks"] if repeat["tasks"] else 0.0
    print(f"second identical workshop, quick: {repeat}", flush=True)
    # Cache keys include the mode: deep starts cold. One task per call, as the UI sends it.
    deep = analyse(first, "deep", fake, one_per_call=True)
    print(f"deep, one task per call: {deep}", flush=True)
    cache.clear()  # the batched pass must not be answered from the first one's results
    deep_batched = analyse(first, "deep", fake)
    print(f"deep, 20 tasks per call: {deep_batched}", flush=True)
    cache.clear()
    third = build_workshop("third", rows)
    cheap = economy_pass(third, fake)
    print(f"economy (batch API), third identical workshop, cache cleared: {cheap}", flush=True)
    fake.stop()
    keys = (
        "requests",
        "input_tokens",
        "output_tokens",
        "usd",
        "failed",
        "refused",
        "cache_read_share",
    )
    print(
        json.dumps(
            {
                "tasks": len(rows),
                "quick": {k: quick[k] for k in keys},
                "deep": {k: deep[k] for k in keys},
                "deep_batched": {k: deep_batched[k] for k in keys},
                "economy": {k: cheap[k] for k in keys},
                "second_pass_cache_hit_rate": round(hit_rate, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
