"""Exports during a class: 4 instructors download a 3,000-task workshop's XLSX at once while a
lead works on their team page (issue 17).

    .venv/bin/python bench/export_stall.py
    .venv/bin/python bench/export_stall.py --exports 4 --teams 60 --tasks 50

Starts daphne (`--procs` processes, default 2) and the worker (`manage.py worker`) on loopback
with PostgreSQL (a fresh database, `workshop_bench_export`) and Redis (db 10), and builds one
open workshop of `--teams` teams (60) of `--tasks` tasks (50) each — 3,000 tasks, titles and
descriptions from bench/data/tasks_1000.json — all analysed by the rule-based estimator, with
`--exports` instructors (4). Then a lead loads their team page back to back (one connection
per process, alternating) for a second alone (the quiet figure), and the instructors each ask
for the workshop's XLSX at the same moment, each as a browser would: the export URL, then, if
the answer is the "준비 중" page, that page every `--poll` seconds until it offers the file,
then the file. The lead keeps loading their page until the last file has arrived (at most
`--timeout` seconds).

Errors: any unexpected status, a file that is not an XLSX, a lead page without the lead's
tasks, a timeout. Everything targets 127.0.0.1 and stops by itself. The last line is JSON:

    {"lead_p50_ms":..,"lead_p95_ms":..,"lead_max_ms":..,"lead_pages":..,"quiet_p50_ms":..,
     "export_s":[..],"export_bytes":[..],"errors":0,"procs":2,"tasks":3000,"exports":4}

Target (issue 17): lead_p95_ms < 300 while the exports run.
"""

import argparse
import http.client
import json
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from support.bench import import_analysed_sample_tasks, percentile, prepare  # noqa: E402

SERVER_ENV = {"DATABASE_POOL": "1"}
TASKS_FILE = BASE_DIR / "bench" / "data" / "tasks_1000.json"
DOWNLOAD_LINK = re.compile(r'href="([^"]+/download/?)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, default=2, help="daphne processes")
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--tasks", type=int, default=50, help="tasks per team")
    parser.add_argument("--exports", type=int, default=4, help="instructors exporting at once")
    parser.add_argument("--poll", type=float, default=1.0, help="준비 중 page reloaded every (s)")
    parser.add_argument("--timeout", type=float, default=90.0, help="for the exports (s)")
    parser.add_argument("--no-worker", action="store_true", help="do not start the worker")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/workshop_bench_export"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    return parser.parse_args()


def build(teams: int, tasks: int, instructors: int):
    """The workshop; returns (workshop id, a lead's team id, the lead's session cookie, the
    instructors' session cookies)."""
    from datetime import date

    from accounts.models import User
    from support.servers import session_cookie_for
    from workshops import services
    from workshops.models import Participant

    samples = json.loads(TASKS_FILE.read_text(encoding="utf-8"))
    creator = User.objects.create_user(email="export-instructor0@example.com", name="강사0")
    names = sorted({sample["domain"] for sample in samples})
    workshop = services.workshop_create(
        creator=creator,
        title="내보내기 워크샵",
        description="",
        date=date.today(),
        domain_names=names,
    )
    services.workshop_open(workshop=workshop)
    domains = {domain.name: domain for domain in workshop.domains.all()}
    cookies = [session_cookie_for(creator)]
    for index in range(1, instructors):
        user = User.objects.create_user(
            email=f"export-instructor{index}@example.com", name=f"강사{index}"
        )
        Participant.objects.create(user=user, workshop=workshop, role="instructor")
        cookies.append(session_cookie_for(user))
    first = None
    for index in range(teams):
        lead = User.objects.create_user(
            email=f"export-lead{index}@example.com", name=f"팀장{index}"
        )
        team = services.team_create(
            workshop=workshop, lead=lead, team_name=f"팀 {index + 1:03d}", display_name=lead.name
        )
        import_analysed_sample_tasks(team, lead, domains, samples, tasks, start=index * tasks)
        if first is None:
            first = (team.pk, session_cookie_for(lead))
    assert first is not None
    # The analyses ran here; their queued jobs would only keep the worker busy at the start.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    return workshop.pk, first[0], first[1], cookies


class Client:
    """One keep-alive connection per process, requests alternating between them."""

    def __init__(self, addresses, cookie: str, timeout: float):
        self.conns = [http.client.HTTPConnection(h, p, timeout=timeout) for h, p in addresses]
        self.headers = {"Cookie": f"sessionid={cookie}"}
        self.turn = 0

    def get(self, path: str, conn_index: int | None = None) -> tuple[int, dict, bytes]:
        if conn_index is None:
            conn_index = self.turn % len(self.conns)
            self.turn += 1
        conn = self.conns[conn_index]
        try:
            conn.request("GET", path, headers=self.headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            raise

    def close(self) -> None:
        for conn in self.conns:
            conn.close()


def export_one(addresses, cookie, workshop_id, slot, args, results, errors) -> None:
    """What a browser does after the click: the export URL, the 준비 중 page until it links
    the file, the file. Records (seconds, bytes)."""
    client = Client(addresses, cookie, timeout=args.timeout)
    started = time.monotonic()
    deadline = started + args.timeout
    path = f"/workshops/{workshop_id}/export.xlsx"
    try:
        # Instructors spread over the processes, as a load balancer would.
        status, headers, body = client.get(path, conn_index=slot % len(addresses))
        while status in (301, 302, 303):
            path = headers.get("Location", "")
            status, headers, body = client.get(path, conn_index=slot % len(addresses))
        while "spreadsheetml" not in headers.get("Content-Type", ""):
            if status != 200 or time.monotonic() > deadline:
                errors.append(f"export {slot}: status {status} at {path}")
                return
            link = DOWNLOAD_LINK.search(body.decode("utf-8", "replace"))
            if link:
                path = link.group(1).replace("&amp;", "&")
            else:
                time.sleep(args.poll)
            status, headers, body = client.get(path)
        if status != 200 or not body.startswith(b"PK"):
            errors.append(f"export {slot}: status {status}, not an XLSX")
            return
        results[slot] = (time.monotonic() - started, len(body))
    except (OSError, http.client.HTTPException) as error:
        errors.append(f"export {slot}: {error!r}")
    finally:
        client.close()


def lead_pages(addresses, cookie, team_id, stop: threading.Event, until: float | None, errors):
    """Load the lead's team page back to back until `stop` (or `until`); the timings (s)."""
    client = Client(addresses, cookie, timeout=60)
    timings = []
    try:
        while not stop.is_set() and (until is None or time.monotonic() < until):
            started = time.monotonic()
            try:
                status, _headers, body = client.get(f"/teams/{team_id}/")
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"lead page: {error!r}")
                continue
            timings.append(time.monotonic() - started)
            if status != 200 or "팀장0".encode() not in body:
                errors.append(f"lead page: status {status}")
    finally:
        client.close()
    return timings


def main():
    args = parse_args()
    prepare(database_url=args.database_url, redis_url=args.redis_url)
    total = args.teams * args.tasks
    print(f"building {args.teams} teams of {args.tasks} analysed tasks ({total})…", flush=True)
    workshop_id, team_id, lead_cookie, instructor_cookies = build(
        args.teams, args.tasks, args.exports
    )
    from django.db import connections

    connections.close_all()
    from support.servers import ServerProcess, WorkerProcess

    tmp = Path(tempfile.mkdtemp(prefix="export-stall-"))
    servers: list = []
    worker = None
    errors: list[str] = []
    try:
        for _ in range(args.procs):
            servers.append(ServerProcess(mail_dir=tmp, log_dir=tmp, env=SERVER_ENV).start())
        if not args.no_worker:
            worker = WorkerProcess(log_dir=tmp, env=SERVER_ENV).start()
        addresses = [("127.0.0.1", s.port) for s in servers]
        print(f"{args.procs} daphne process(es), worker: {worker is not None}; logs in {tmp}")
        # Warm-up (not counted), then the quiet figure: the lead alone.
        lead_pages(addresses, lead_cookie, team_id, threading.Event(), time.monotonic() + 1, [])
        quiet = lead_pages(
            addresses, lead_cookie, team_id, threading.Event(), time.monotonic() + 2, errors
        )
        stop = threading.Event()
        busy: list[float] = []

        def lead() -> None:
            busy.extend(lead_pages(addresses, lead_cookie, team_id, stop, None, errors))

        lead_thread = threading.Thread(target=lead, daemon=True)
        lead_thread.start()
        results: list[tuple[float, int] | None] = [None] * args.exports
        exporters = [
            threading.Thread(
                target=export_one,
                args=(addresses, cookie, workshop_id, slot, args, results, errors),
                daemon=True,
            )
            for slot, cookie in enumerate(instructor_cookies)
        ]
        for thread in exporters:
            thread.start()
        for thread in exporters:
            thread.join(timeout=args.timeout + 30)
        stop.set()
        lead_thread.join(timeout=90)
    finally:
        if worker is not None:
            worker.stop()
        for server in servers:
            server.stop()
    for slot, result in enumerate(results):
        if result is None and not any(e.startswith(f"export {slot}") for e in errors):
            errors.append(f"export {slot}: no file within {args.timeout}s")
    done = [r for r in results if r is not None]
    for error in errors[:10]:
        print("error:", error, flush=True)
    print(
        json.dumps(
            {
                "lead_p50_ms": round(percentile(busy, 50) * 1000),
                "lead_p95_ms": round(percentile(busy, 95) * 1000),
                "lead_max_ms": round(max(busy, default=float("nan")) * 1000),
                "lead_pages": len(busy),
                "quiet_p50_ms": round(percentile(quiet, 50) * 1000),
                "export_s": [round(seconds, 1) for seconds, _size in done],
                "export_bytes": [size for _seconds, size in done],
                "errors": len(errors),
                "procs": args.procs,
                "worker": worker is not None,
                "tasks": total,
                "exports": args.exports,
            },
            separators=(",", ":"),
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
