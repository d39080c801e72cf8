"""Join rush: 50 phones join one quick-join workshop within 10 seconds, over HTTP.

    .venv/bin/python bench/join_rush.py                      # 50 phones, arrivals over 10 s
    .venv/bin/python bench/join_rush.py --phones 50 --window 0   # all at the same instant

Starts daphne (`--procs` processes, default 2) on loopback with PostgreSQL (a fresh database,
`workshop_bench_join`) and Redis (db 12), creates one open quick-join workshop, then lets
`--phones` simulated phones arrive at uniformly random moments within `--window` seconds (the
first five minutes of a workshop compressed: everyone scans the QR at once). Each phone, with
its own cookie jar and connection, does what a browser does after scanning the QR:

  screen 1: GET /join/<code>/              (the join form; the CSRF cookie and token)
            POST /join/<code>/              (name, team, consent) → 302 to the team page
  screen 2: GET /teams/<id>/                (the team page, signed in)

A phone's join time is from its first GET to the team page's last byte. Half the phones make a
team of their own (a lead), the other half pick one of those teams (a member), as a room does.
Errors: any status other than the expected ones, a missing redirect, a team page that does not
show the phone's name, or a timeout (`--timeout`, per request). Everything targets 127.0.0.1 and
stops by itself. The last line is JSON:

    {"phones":50,"window_s":10,"p50_s":..,"p95_s":..,"max_s":..,"errors":0,"screens":2,
     "procs":2,"joined":50}
"""

import argparse
import http.client
import itertools
import json
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from support.bench import percentile, prepare  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SERVER_ENV = {"DATABASE_POOL": "1"}  # the join limit stays at its production value


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--window", type=float, default=10.0, help="arrivals spread over (s)")
    parser.add_argument("--procs", type=int, default=2, help="daphne processes")
    parser.add_argument("--timeout", type=float, default=15.0, help="per-request timeout (s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/workshop_bench_join"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    return parser.parse_args()


def build_workshop() -> str:
    """An open quick-join workshop; its join code."""
    from datetime import date

    from accounts.models import User
    from workshops import services
    from workshops.models import Workshop

    instructor = User.objects.create_user(email="join-instructor@example.com", name="강사")
    workshop = services.workshop_create(
        creator=instructor,
        title="참여 러시 워크샵",
        description="",
        date=date.today(),
        domain_names=["영업", "인사", "재무", "총무"],
        join_mode=Workshop.JoinMode.QUICK,
    )
    services.workshop_open(workshop=workshop)
    return workshop.join_code


class Phone:
    """One phone's browser: its own connection and cookies."""

    def __init__(self, address: tuple[str, int], timeout: float):
        self.connection = http.client.HTTPConnection(*address, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.connection.host}:{self.connection.port}{path}",
            }
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return response.status, response.headers.get("Location", ""), text

    def close(self) -> None:
        self.connection.close()


def join(phone: Phone, code: str, name: str, team: str) -> str | None:
    """The two screens; None when it worked, else what went wrong."""
    status, _location, page = phone.request("GET", f"/join/{code}/")
    token = CSRF_INPUT.search(page)
    if status != 200 or token is None:
        return f"form {status}"
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "display_name": name,
        "team_name": team,
        "privacy_consent": "on",
    }
    status, location, _page = phone.request("POST", f"/join/{code}/", form)
    if status != 302 or not location.startswith("/teams/"):
        return f"join {status}"
    status, _location, page = phone.request("GET", location)
    if status != 200 or name not in page:
        return f"team page {status}"
    return None


def main():
    args = parse_args()
    prepare(database_url=args.database_url, redis_url=args.redis_url)
    code = build_workshop()
    from django.db import connections

    connections.close_all()
    from support.servers import ServerProcess

    tmp = Path(tempfile.mkdtemp(prefix="join-rush-"))
    servers = []
    rng = random.Random(args.seed)
    leads = max(1, args.phones // 2)
    # Phone i: a lead of 팀 i for the first half, a member of a lead's team for the rest.
    teams = [f"팀 {i % leads + 1:02d}" for i in range(args.phones)]
    arrivals = sorted(rng.uniform(0, args.window) for _ in range(args.phones))
    results: list[tuple[float, str | None]] = []
    lock = threading.Lock()
    try:
        for _ in range(args.procs):
            servers.append(ServerProcess(mail_dir=tmp, log_dir=tmp, env=SERVER_ENV).start())
        addresses = itertools.cycle([("127.0.0.1", s.port) for s in servers])
        # One phone's worth of warm-up per process (imports, first queries), not measured.
        for server in servers:
            warm = Phone(("127.0.0.1", server.port), args.timeout)
            warm.request("GET", f"/join/{code}/")
            warm.close()
        print(
            f"{args.phones} phones over {args.window:g}s, {args.procs} daphne process(es); "
            f"logs in {tmp}",
            flush=True,
        )
        start = time.monotonic() + 0.5

        def run(index: int, address: tuple[str, int], at: float) -> None:
            time.sleep(max(0.0, start + at - time.monotonic()))
            phone = Phone(address, args.timeout)
            began = time.perf_counter()
            try:
                # Leads arrive first in each team's pair: a member's team must exist (else
                # it makes the team and leads it, which is also a join).
                error = join(phone, code, f"참가자{index + 1:02d}", teams[index])
            except (OSError, http.client.HTTPException) as problem:
                error = type(problem).__name__
            finally:
                phone.close()
            with lock:
                results.append((time.perf_counter() - began, error))

        threads = [
            threading.Thread(target=run, args=(i, next(addresses), at), daemon=True)
            for i, at in enumerate(arrivals)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.window + 4 * args.timeout)
    finally:
        for server in servers:
            server.stop()

    times = [seconds for seconds, error in results if error is None]
    errors = [error for _seconds, error in results if error is not None]
    errors += ["no answer"] * (args.phones - len(results))
    if errors:
        print(f"  errors: {sorted(set(errors))}", flush=True)
    summary = {
        "phones": args.phones,
        "window_s": args.window,
        "p50_s": round(percentile(times, 50), 3),
        "p95_s": round(percentile(times, 95), 3),
        "max_s": round(max(times), 3) if times else None,
        "errors": len(errors),
        "screens": 2,
        "procs": args.procs,
        "joined": len(times),
    }
    print(json.dumps(summary, ensure_ascii=False, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
