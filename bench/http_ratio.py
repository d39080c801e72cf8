"""Page cost against a bare view, in one run against the same server (issue 17).

    .venv/bin/python bench/http_ratio.py                     # 50 connections, 2 processes
    .venv/bin/python bench/http_ratio.py --rounds 5 --seconds 10

Starts daphne (`--procs` processes) on loopback with PostgreSQL (a fresh database,
`workshop_bench_ratio`) and Redis (db 11), and builds one open workshop of `--teams` teams
(50), each with a lead and `--tasks` tasks (15), all analysed by the rule-based estimator, so
the team page shows 15 cards with their analyses and the board 50 teams. Then, for each target
in turn — a bare view (`/health/`, which answers "ok" and reads nothing), a lead's team page and
the instructor's board — `--concurrency` client threads (50), each with one keep-alive
connection per process and requests spread round-robin over the processes, send GETs back to
back for `--seconds` (after a one-second warm-up that is not counted). The three targets are
interleaved `--rounds` times (3) and each target's median throughput is reported, so a busy
moment of the shared machine hits all three alike.

Every request must answer 200 (the pages as the signed-in lead and instructor); anything else
is counted as an error. Everything targets 127.0.0.1 and stops by itself. The last line is
JSON:

    {"bare_rps":..,"team_rps":..,"board_rps":..,"team_ratio":..,"board_ratio":..,
     "errors":0,"procs":2,"concurrency":50,"teams":50,"tasks":15,"rounds":3,"seconds":5}

Targets (issue 17): team_ratio ≥ 0.33, board_ratio ≥ 0.25.
"""

import argparse
import collections
import http.client
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from support.bench import prepare  # noqa: E402

SERVER_ENV = {"DATABASE_POOL": "1"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, default=2, help="daphne processes")
    parser.add_argument("--concurrency", type=int, default=50, help="client connections")
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=15, help="tasks per team")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--seconds", type=float, default=5, help="measured time per target")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/workshop_bench_ratio"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="after the measured rounds, one more round of the team page and the board under "
        "py-spy (needs py-spy from requirements-dev.txt, and ptrace): raw stacks and a summary "
        "of where the server's time goes are written to DIR",
    )
    parser.add_argument("--top", type=int, default=25, help="lines in each profile summary")
    return parser.parse_args()


def build(teams: int, tasks: int):
    """An open workshop of `teams` teams of `tasks` analysed tasks each. Returns (workshop id,
    first team's id, its lead's session cookie, the instructor's session cookie)."""
    from datetime import date

    from accounts.models import User
    from ai.providers.rules import RuleProvider
    from ai.requests import analysis_request
    from ai.runner import run_execute
    from support.servers import session_cookie_for
    from workshops import services

    instructor = User.objects.create_user(email="ratio-instructor@example.com", name="강사")
    workshop = services.workshop_create(
        creator=instructor,
        title="처리량 비교 워크샵",
        description="",
        date=date.today(),
        domain_names=["영업", "인사", "재무", "총무"],
    )
    services.workshop_open(workshop=workshop)
    domains = list(workshop.domains.order_by("pk"))
    titles = [
        (
            "주간 영업 실적 보고서 작성",
            "CRM 실적을 엑셀로 내려받아 피벗으로 정리해 보고서에 붙인다",
        ),
        ("거래처 세금계산서 대조", "홈택스 내역과 ERP 전표를 한 건씩 맞춰 본다"),
        ("신규 입사자 계정 신청", "그룹웨어 양식에 입사자 정보를 적어 IT팀에 요청한다"),
        ("고객 문의 메일 분류", "공용 메일함의 문의를 읽고 담당자에게 전달한다"),
        ("현장 설비 순회 점검", "매일 아침 설비를 돌며 이상 여부를 확인한다"),
    ]
    first = None
    for index in range(teams):
        lead = User.objects.create_user(email=f"ratio-lead{index}@example.com", name=f"팀장{index}")
        team = services.team_create(
            workshop=workshop, lead=lead, team_name=f"팀 {index + 1:03d}", display_name=lead.name
        )
        for number in range(tasks):
            title, description = titles[number % len(titles)]
            services.task_create(
                team=team,
                actor=lead,
                data={
                    "domain": domains[number % len(domains)],
                    "title": f"{title} {number + 1}",
                    "description": description,
                    "frequency": "weekly",
                    "occurrences_per_period": 1 + number % 3,
                    "minutes_per_occurrence": 30 + 5 * number,
                },
            )
        run, _created = analysis_request(team=team, actor=lead)
        run_execute(run.pk, provider=RuleProvider())
        if first is None:
            first = (team.pk, session_cookie_for(lead))
    assert first is not None
    return workshop.pk, first[0], first[1], session_cookie_for(instructor)


def hammer(addresses, path: str, cookie: str, concurrency: int, seconds: float) -> tuple[int, int]:
    """`concurrency` threads GET `path` back to back for `seconds` (after 1 s not counted).
    Returns (answers 200, errors)."""
    start = time.monotonic() + 1.0
    stop = start + seconds
    counts = [[0, 0] for _ in range(concurrency)]
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}

    def worker(slot: int) -> None:
        conns = [http.client.HTTPConnection(host, port, timeout=30) for host, port in addresses]
        for conn in itertools.cycle(conns):
            now = time.monotonic()
            if now >= stop:
                break
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            if now >= start:
                counts[slot][0 if ok else 1] += 1
        for conn in conns:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def profile_target(servers, addresses, name, path, cookie, args) -> None:
    """Samples every server process with py-spy while the target is hammered, then prints the
    functions (ours and Django's) with the largest share of samples, inclusive and exclusive."""
    out = Path(args.profile)
    out.mkdir(parents=True, exist_ok=True)
    spies = []
    for server in servers:
        raw = out / f"{name}-{server.process.pid}.txt"
        spies.append(
            (
                raw,
                subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("py-spy")),
                        "record",
                        "--pid",
                        str(server.process.pid),
                        "--duration",
                        str(int(args.seconds) + 1),
                        "--rate",
                        "200",
                        "--format",
                        "raw",
                        "--nonblocking",
                        "-o",
                        str(raw),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ),
            )
        )
    hammer(addresses, path, cookie, args.concurrency, args.seconds)
    for _raw, spy in spies:
        spy.wait(timeout=60)
    inclusive: collections.Counter[str] = collections.Counter()
    exclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for raw, _spy in spies:
        if not raw.exists():
            continue
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [
                f.split(" (")[0] + " (" + f.rsplit("/", 1)[-1].rstrip(")").rsplit(":", 1)[0] + ")"
                for f in stack.split(";")
            ]
            if not frames or not count.isdigit():
                continue
            n = int(count)
            total += n
            # idle threads (waiting on a lock, select or a queue) are not server time
            for frame in set(frames):
                inclusive[frame] += n
            exclusive[frames[-1]] += n
    summary = out / f"{name}-summary.txt"
    with summary.open("w") as fh:
        fh.write(f"{name}: {path}, {total} samples over {len(spies)} process(es)\n\n")
        fh.write("inclusive\n")
        for frame, n in inclusive.most_common(args.top):
            fh.write(f"{100 * n / max(total, 1):5.1f}%  {frame}\n")
        fh.write("\nexclusive\n")
        for frame, n in exclusive.most_common(args.top):
            fh.write(f"{100 * n / max(total, 1):5.1f}%  {frame}\n")
    print(f"  profile of {name}: {summary}", flush=True)


def main():
    args = parse_args()
    prepare(database_url=args.database_url, redis_url=args.redis_url)
    print(f"building {args.teams} teams of {args.tasks} analysed tasks…", flush=True)
    workshop_id, team_id, lead_cookie, instructor_cookie = build(args.teams, args.tasks)
    from django.db import connections

    connections.close_all()
    from support.servers import ServerProcess

    tmp = Path(tempfile.mkdtemp(prefix="http-ratio-"))
    servers = []
    targets = {
        "bare": ("/health/", ""),
        "team": (f"/teams/{team_id}/", lead_cookie),
        "board": (f"/workshops/{workshop_id}/", instructor_cookie),
    }
    rps: dict[str, list[float]] = {name: [] for name in targets}
    errors = 0
    try:
        for _ in range(args.procs):
            servers.append(ServerProcess(mail_dir=tmp, log_dir=tmp, env=SERVER_ENV).start())
        addresses = [("127.0.0.1", s.port) for s in servers]
        print(f"{args.procs} daphne process(es); logs in {tmp}", flush=True)
        for round_ in range(args.rounds):
            for name, (path, cookie) in targets.items():
                done, failed = hammer(addresses, path, cookie, args.concurrency, args.seconds)
                rps[name].append(done / args.seconds)
                errors += failed
                print(
                    f"  round {round_ + 1} {name:5s} {done / args.seconds:7.1f} req/s"
                    f"  errors {failed}",
                    flush=True,
                )
        if args.profile:
            for name in ("team", "board"):
                path, cookie = targets[name]
                profile_target(servers, addresses, name, path, cookie, args)
    finally:
        for server in servers:
            server.stop()
    median = {name: statistics.median(values) for name, values in rps.items()}
    print(
        json.dumps(
            {
                "bare_rps": round(median["bare"], 1),
                "team_rps": round(median["team"], 1),
                "board_rps": round(median["board"], 1),
                "team_ratio": round(median["team"] / median["bare"], 3),
                "board_ratio": round(median["board"] / median["bare"], 3),
                "errors": errors,
                "procs": args.procs,
                "concurrency": args.concurrency,
                "teams": args.teams,
                "tasks": args.tasks,
                "rounds": args.rounds,
                "seconds": args.seconds,
            },
            separators=(",", ":"),
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
