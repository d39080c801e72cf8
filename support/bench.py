"""What the benchmarks share: a fresh PostgreSQL database, Django set up against it, and
percentiles of a sample."""

import os
import resource
import urllib.parse


def recreate_database(url: str) -> None:
    """Drop and create the database `url` names (on the same server, as its superuser)."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(*, database_url: str, redis_url: str) -> None:
    """Django against the benchmark's PostgreSQL and Redis, with the pool on and quiet logs."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "workshop_site.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench-only-not-secret",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "DATABASE_POOL": "1",
        }
    )
    import django

    django.setup()


def prepare(*, database_url: str, redis_url: str) -> None:
    """A load benchmark's start: file descriptors for every socket it opens, a fresh migrated
    database, Django set up against it, an empty cache."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    recreate_database(database_url)
    setup_django(database_url=database_url, redis_url=redis_url)
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cache.clear()


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0–100) of `values`; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def import_analysed_sample_tasks(team, lead, domains: dict, samples: list, count: int, start=0):
    """`count` tasks of `samples` (bench/data/tasks_1000.json's rows, from `start` on, round
    robin) imported into `team` as its lead would, then analysed by the rule-based estimator.
    `domains`: the workshop's domains by name."""
    from ai.providers.rules import RuleProvider
    from ai.requests import analysis_request
    from ai.runner import run_execute
    from workshops import services

    rows = []
    for number in range(count):
        sample = samples[(start + number) % len(samples)]
        rows.append(
            {
                "domain": domains[sample["domain"]],
                "title": sample["title"],
                "description": sample["description"],
                "frequency": sample["frequency"],
                "occurrences_per_period": sample["occurrences"],
                "minutes_per_occurrence": sample["minutes"],
            }
        )
    services.task_import(team=team, actor=lead, rows=rows)
    run, _created = analysis_request(team=team, actor=lead)
    run_execute(run.pk, provider=RuleProvider())
