"""WebSocket fan-out benchmark: how long a task change takes to reach every open browser.

    .venv/bin/python bench/ws_fanout.py --clients 500 --changes 60

Starts daphne (one or more processes) on loopback with PostgreSQL and Redis, creates a
workshop whose N participants are spread over teams, opens one authenticated WebSocket per
participant, then makes M task changes through HTTP (the lead of a team posts the add-task
form, one change at a time at a fixed rate).

Every change pushes the team's task list to that team's sockets, and the workshop-wide pulse
to every socket (at most one pulse per LIVE_PULSE_WINDOW: a pulse may carry several changes).
Each pushed region carries `data-version`: the time (ns) the server began rendering it, right
after the change committed. Latency at a client: for its team's change, receipt - the team
region's version; for every change at every client, receipt of the first pulse whose version is
not older than that change's team region - that version (so a pulse's wait in the window is
counted). `lost` counts a change some client never saw within the grace period.
The window grows with the room (LIVE_PULSE_FRAMES: 500 sockets, 5 s): to measure the layer's
fan-out rather than that deliberate wait, run with LIVE_PULSE_WINDOW=0.1 LIVE_PULSE_FRAMES=0.
The clients run in this process, so their own scheduling delay is part of the figure.

The last line is JSON:
{"clients":N,"changes":M,"p50_ms":..,"p95_ms":..,"p99_ms":..,"max_ms":..,"lost":..,
 "rss_mb_per_1k_clients":..}
"""

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from support.bench import percentile, prepare  # noqa: E402

PULSE = re.compile(r'id="workshop-(\d+)-pulse"[^>]*data-version="(\d+)"')
TEAM = re.compile(r'id="team-(\d+)-tasks"[^>]*data-version="(\d+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--rate", type=float, default=4.0, help="changes per second")
    parser.add_argument("--team-size", type=int, default=10, help="participants per team")
    parser.add_argument("--procs", type=int, default=1, help="daphne processes")
    parser.add_argument("--grace", type=float, default=5.0, help="seconds to wait for stragglers")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/workshop_bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    return parser.parse_args()


def build_workshop(clients: int, team_size: int):
    """A workshop with `clients` participants in teams of `team_size`; returns who is where."""
    from datetime import date

    from accounts.models import User
    from support.servers import session_cookie_for
    from workshops import services
    from workshops.models import Participant

    instructor = User.objects.create_user(email="bench-instructor@example.com", name="강사")
    workshop = services.workshop_create(
        creator=instructor,
        title="벤치마크 워크샵",
        description="",
        date=date.today(),
        domain_names=["영업", "인사", "재무", "총무"],
    )
    services.workshop_open(workshop=workshop)
    domain = workshop.domains.first()
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.com", name=f"참가자{i}", password="!")  # noqa: S106
        for i in range(clients)
    )
    teams, people = [], []
    for start in range(0, clients, team_size):
        group = users[start : start + team_size]
        team = services.team_create(
            workshop=workshop,
            lead=group[0],
            team_name=f"팀 {start // team_size + 1:03d}",
            display_name=group[0].name,
        )
        Participant.objects.bulk_create(
            Participant(user=u, workshop=workshop, role=Participant.Role.MEMBER, team=team)
            for u in group[1:]
        )
        teams.append((team, group[0]))
        people.extend((user, team.pk) for user in group)
    sessions = [(session_cookie_for(user), team_id) for user, team_id in people]
    leads = [(team, session_cookie_for(lead)) for team, lead in teams]
    return workshop, domain, sessions, leads


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def redis_clients(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).info("clients")["connected_clients"])


class Client:
    def __init__(self, team_id: int):
        self.team_id = team_id
        self.pulses: dict[int, int] = {}  # version -> receipt ns
        self.team_updates: dict[int, int] = {}
        self.connected = asyncio.Event()


async def run_client(client: Client, url: str, cookie: str, origin: str, stop: asyncio.Event):
    import websockets

    async with websockets.connect(
        url,
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": origin},
        max_size=None,
        ping_interval=None,
        open_timeout=60,
    ) as socket:
        client.connected.set()
        receiver = asyncio.ensure_future(_receive(client, socket))
        await stop.wait()
        receiver.cancel()


async def _receive(client: Client, socket):
    async for message in socket:
        now = time.time_ns()
        for match in PULSE.finditer(message):
            client.pulses.setdefault(int(match.group(2)), now)
        for match in TEAM.finditer(message):
            if int(match.group(1)) == client.team_id:
                client.team_updates.setdefault(int(match.group(2)), now)


def post_task(base: str, team_id: int, domain_id: int, cookie: str, title: str) -> float:
    started = time.perf_counter()
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"sessionid={cookie}")]
    page = opener.open(f"{base}/teams/{team_id}/", timeout=30)
    csrf = next(
        value.split("=", 1)[1].split(";", 1)[0]
        for key, value in page.headers.items()
        if key.lower() == "set-cookie" and value.startswith("csrftoken=")
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "title": title,
            "domain": domain_id,
            "description": "벤치마크로 추가한 업무",
            "frequency": "weekly",
            "occurrences_per_period": 1,
            "minutes_per_occurrence": 30,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{base}/teams/{team_id}/tasks/",
        data=data,
        headers={"Cookie": f"sessionid={cookie}; csrftoken={csrf}", "HX-Request": "true"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
        assert response.status == 200, response.status
    return (time.perf_counter() - started) * 1000


async def measure(args, servers, workshop, domain, sessions, leads):
    stop = asyncio.Event()
    clients = []
    tasks = []
    pids = [server.process.pid for server in servers]
    rss_before = sum(rss_mb(pid) for pid in pids)
    redis_before = redis_clients(args.redis_url)

    print(f"opening {len(sessions)} sockets on {len(servers)} daphne process(es)…", flush=True)
    opened = time.perf_counter()
    for index, (cookie, team_id) in enumerate(sessions):
        server = servers[index % len(servers)]
        client = Client(team_id)
        clients.append(client)
        url = f"ws://127.0.0.1:{server.port}/ws/workshops/{workshop.pk}/"
        tasks.append(asyncio.ensure_future(run_client(client, url, cookie, server.url, stop)))
        if index % 25 == 24:
            await asyncio.gather(*(c.connected.wait() for c in clients[-25:]))
    await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in clients)), 120)
    print(
        f"  all open in {time.perf_counter() - opened:.1f}s; letting snapshots settle", flush=True
    )
    await asyncio.sleep(3)
    rss_after = sum(rss_mb(pid) for pid in pids)
    redis_after = redis_clients(args.redis_url)

    started_ns = time.time_ns()
    http_ms = []
    changed_teams = []
    interval = 1 / args.rate
    print(f"making {args.changes} changes at {args.rate}/s…", flush=True)
    for change in range(args.changes):
        tick = time.perf_counter()
        team, cookie = leads[change % len(leads)]
        base = servers[change % len(servers)].url
        http_ms.append(
            await asyncio.to_thread(
                post_task, base, team.pk, domain.pk, cookie, f"벤치 변경 {change:04d}"
            )
        )
        changed_teams.append(team.pk)
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))
    await asyncio.sleep(args.grace)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    # Each change's team push carries the version stamped right after that change committed;
    # the team's members all see the same one. A pulse includes the change when its own
    # version is not older (pulses are coalesced: one pulse may carry several changes).
    changes = sorted({v for client in clients for v in client.team_updates if v > started_ns})
    latencies, lost, pulse_messages = [], 0, 0
    for client in clients:
        pulses = sorted((v, t) for v, t in client.pulses.items() if v > started_ns)
        pulse_messages += len(pulses)
        for change in changes:
            seen = min((t for v, t in pulses if v >= change), default=None)
            if seen is None:
                lost += 1
            else:
                latencies.append((seen - change) / 1e6)
        expected_team = changed_teams.count(client.team_id)
        team_updates = [(v, t) for v, t in client.team_updates.items() if v > started_ns]
        lost += max(0, expected_team - len(team_updates))
        latencies.extend((t - v) / 1e6 for v, t in team_updates)
    lost += max(0, args.changes - len(changes)) * len(clients)  # a change no member saw
    return {
        "latencies": latencies,
        "lost": lost,
        "pulse_messages": pulse_messages,
        "rss_mb_per_1k_clients": (rss_after - rss_before) / len(sessions) * 1000,
        "rss_mb_total": rss_after,
        "redis_connections": redis_after,
        "redis_connections_added": redis_after - redis_before,
        "http_p50_ms": statistics.median(http_ms),
        "http_p95_ms": percentile(http_ms, 95),
    }


def main():
    args = parse_args()
    prepare(database_url=args.database_url, redis_url=args.redis_url)
    from django.conf import settings

    print(f"building a workshop of {args.clients} participants…", flush=True)
    workshop, domain, sessions, leads = build_workshop(args.clients, args.team_size)

    import tempfile

    from support.servers import ServerProcess

    tmp = Path(tempfile.mkdtemp(prefix="ws-fanout-"))
    servers = [
        ServerProcess(mail_dir=tmp, log_dir=tmp, env={"DATABASE_POOL": "1"}).start()
        for _ in range(args.procs)
    ]
    try:
        result = asyncio.run(measure(args, servers, workshop, domain, sessions, leads))
    finally:
        for server in servers:
            server.stop()
    latencies = result.pop("latencies")
    print(
        f"messages measured: {len(latencies)}, lost: {result['lost']}, "
        f"daphne RSS {result['rss_mb_total']:.0f} MB, Redis connections "
        f"{result['redis_connections']} (+{result['redis_connections_added']} with clients), "
        f"HTTP add p50 {result['http_p50_ms']:.0f} ms p95 {result['http_p95_ms']:.0f} ms; "
        f"server logs in {tmp}",
        flush=True,
    )
    summary = {
        "clients": args.clients,
        "changes": args.changes,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies) if latencies else float("nan"), 1),
        "lost": result["lost"],
        "rss_mb_per_1k_clients": round(result["rss_mb_per_1k_clients"], 1),
        "procs": args.procs,
        "redis_connections": result["redis_connections"],
        "pulse_messages": result["pulse_messages"],
        "pulse_window_s": settings.LIVE_PULSE_WINDOW,
        "pulse_frames": settings.LIVE_PULSE_FRAMES,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
