"""What the benchmarks share: a fresh PostgreSQL database, Django set up against it, and
percentiles of a sample."""

import os
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


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0–100) of `values`; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
