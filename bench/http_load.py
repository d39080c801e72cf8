"""HTTP load benchmark: request latency while N team leads work on their task lists at once.

    .venv/bin/python bench/http_load.py --users 50 --seconds 60 --procs 2

Starts daphne (`--procs` processes) on loopback with PostgreSQL (a fresh database,
`workshop_bench_http`) and Redis (db 13), creates an open workshop and N team leads, each the
lead of a team of their own, then runs N simulated leads concurrently for `--seconds`. Each lead
loops, as a person in a browser would:

    GET  /teams/<id>/              the team page (full page; the CSRF token comes from it)
    POST /teams/<id>/tasks/        add a task (htmx, as the page's form does)
    POST /tasks/<new id>/edit/     edit the task just added (htmx), with changed fields

with a think time between consecutive actions: uniform random in [0.5 x, 1.5 x] seconds for
`--think x` (default 1.0 s), because real leads read and type between actions. So each lead
makes about one request per 1.x seconds and the offered load is ~N / 1.x requests per second;
this is not a maximum-throughput test. Leads start staggered over the first think interval.

Requests are spread over the daphne processes round-robin, request by request, as a load
balancer would; each lead keeps one keep-alive connection per process, as a browser keeps one
to the balancer. The id of the new task is the highest `id="task-<n>"` in the add response (the
response carries the team's task list; only this lead writes to the team).

Every request's latency is measured separately (send to last byte of the body). Errors: a
status outside 2xx/3xx, an exception, no response within `--timeout` seconds, a team page
without a CSRF token, or an add answered without the new task (a form error). The clients
run in this process on the same cores as the servers and the databases, so their own
scheduling is part of the figures.

The write endpoints are rate-limited per user (WRITE_RATE_LIMIT, 100 per 15 minutes in
production; a lead here makes ~40 writes a minute). The servers get WRITE_RATE_LIMIT=10000/15m
and AI_RATE_LIMIT=10000/h so the benchmark measures the app, not the limiter; the limiter's
per-request cost (one Redis increment) is still paid. DATABASE_POOL=1 as in production, and
LIVE_BOARD_DEBOUNCE at its production value (ServerProcess sets 0.2 s for the browser tests).

`--sockets`: as in the real workshop, every lead also has its team page's WebSocket open
(`/ws/workshops/<id>/`, session cookie, Origin = the server's URL; lead i's socket on process
i mod procs, as a load balancer pins a WebSocket), and one instructor has the board open (a
socket without `?team=`, on the first process). They connect, and receive their snapshot,
before the measured run; then they only read. Every message after the snapshot is counted by
the region it carries (team task list, pulse, board) with its delay: receipt time minus the
region's `data-version` (when the server began rendering it, after the commit). Each add and
edit also expects its title in a push to the lead's own socket; `missing` counts those that
never arrived (checked a few seconds after the run). Socket errors: a refused or dropped socket.

The daphne processes' CPU time during the run (user + system, from /proc) is reported in all
and per request: a figure that other work on the machine disturbs much less than latency.

Progress lines first; the last line is one JSON object:
{"users":N,"seconds":S,"requests":..,"p50_ms":..,"p95_ms":..,"p99_ms":..,"errors":..,
 "procs":..,"think_s":..,"board_debounce_s":..,"rps":..,"max_ms":..,
 "endpoints":{"team_get"|"task_add"|"task_edit": {requests, p50/p95/p99, errors}},"retries":..,
 "server_cpu_s":..,"server_cpu_ms_per_request":..,
 "sockets": null, or with --sockets {"open":..,"errors":..,"expected":..,"missing":..,
   "pushes": {"team"|"pulse"|"board": {"count":..,"p50_ms":..,"p95_ms":..,"max_ms":..}}}}
"""

import argparse
import asyncio
import contextlib
import http.client
import itertools
import json
import os
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
TASK_ID = re.compile(r'id="task-(\d+)"')
PUSHED_REGIONS = {  # kind -> the region's root element with its render time
    "team": re.compile(r'id="team-\d+-tasks"[^>]*data-version="(\d+)"'),
    "pulse": re.compile(r'id="workshop-\d+-pulse"[^>]*data-version="(\d+)"'),
    "board": re.compile(r'id="workshop-\d+-board"[^>]*data-version="(\d+)"'),
}
ENDPOINTS = ("team_get", "task_add", "task_edit")
SERVER_ENV = {
    "DATABASE_POOL": "1",
    "WRITE_RATE_LIMIT": "10000/15m",
    "AI_RATE_LIMIT": "10000/h",
}  # plus LIVE_BOARD_DEBOUNCE at its production value, see main()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent team leads")
    parser.add_argument("--seconds", type=float, default=60, help="measured duration")
    parser.add_argument("--procs", type=int, default=2, help="daphne processes")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time (s), uniform in [0.5x, 1.5x]"
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout (s)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/workshop_bench_http"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", type=int, default=None, help="random seed for think times")
    parser.add_argument(
        "--sockets",
        action="store_true",
        help="each lead keeps its team page's WebSocket open, and an instructor the board's",
    )
    return parser.parse_args()


# --- Setup -----------------------------------------------------------------------------------


def build_leads(users: int):
    """An open workshop and `users` leads, each of a team of their own.

    Returns (workshop id, domain ids, [(team id, lead's cookie)], instructor's cookie)."""
    from datetime import date

    from accounts.models import User
    from support.servers import session_cookie_for
    from workshops import services

    instructor = User.objects.create_user(email="http-instructor@example.com", name="강사")
    workshop = services.workshop_create(
        creator=instructor,
        title="HTTP 부하 워크샵",
        description="",
        date=date.today(),
        domain_names=["영업", "인사", "재무", "총무"],
    )
    services.workshop_open(workshop=workshop)
    domain_ids = list(workshop.domains.order_by("pk").values_list("pk", flat=True))
    people = User.objects.bulk_create(
        User(email=f"lead{i}@example.com", name=f"팀장{i}", password="!")  # noqa: S106
        for i in range(users)
    )
    leads = []
    for index, user in enumerate(people):
        team = services.team_create(
            workshop=workshop,
            lead=user,
            team_name=f"팀 {index + 1:03d}",
            display_name=user.name,
        )
        leads.append((team.pk, session_cookie_for(user)))
    return workshop.pk, domain_ids, leads, session_cookie_for(instructor)


# --- Measurement -----------------------------------------------------------------------------


class Stats:
    """Every request's outcome, shared by the lead threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, float, bool]] = []  # (endpoint, start, ms, ok)
        self.error_kinds: dict[str, int] = {}
        self.retries = 0

    def record(self, endpoint: str, started: float, ms: float, error: str | None) -> None:
        with self.lock:
            self.samples.append((endpoint, started, ms, error is None))
            if error is not None:
                self.error_kinds[error] = self.error_kinds.get(error, 0) + 1


class RequestFailed(Exception):
    pass


class Lead(threading.Thread):
    """One simulated team lead in a browser: page, add, edit, with think time between."""

    def __init__(
        self, index, team_id, cookie, domain_ids, servers, picker, stats, args, stop, sockets=None
    ):
        super().__init__(name=f"lead-{index}", daemon=True)
        self.sockets = sockets  # LiveSockets with --sockets: expects each write in a push
        self.index = index
        self.team_id = team_id
        self.cookies = {"sessionid": cookie}
        self.domain_ids = domain_ids
        self.servers = servers  # [(host, port)]
        self.picker = picker
        self.stats = stats
        self.args = args
        self.stop = stop
        self.random = random.Random(None if args.seed is None else args.seed + index)
        self.connections: dict[int, http.client.HTTPConnection] = {}
        self.csrf_token = ""
        self.loops = 0

    # -- HTTP --

    def _connection(self, server: int) -> http.client.HTTPConnection:
        conn = self.connections.get(server)
        if conn is None:
            host, port = self.servers[server]
            conn = http.client.HTTPConnection(host, port, timeout=self.args.timeout)
            self.connections[server] = conn
        return conn

    def _drop(self, server: int) -> None:
        conn = self.connections.pop(server, None)
        if conn is not None:
            conn.close()

    def request(
        self, endpoint: str, method: str, path: str, *, form=None, htmx=False, expect=None
    ) -> str:
        """Send one request to the next process; record its latency; return the body.

        `expect(body)` may name what is missing from a 2xx/3xx answer: that is an error too.
        """
        server = next(self.picker) % len(self.servers)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Encoding": "identity",
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        error = None
        text = ""
        try:
            for attempt in (1, 2):
                reused = server in self.connections
                conn = self._connection(server)
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # A keep-alive connection the server closed while idle: a browser retries
                    # on a fresh connection, and so do we (once), timing from the first try.
                    self._drop(server)
                    if attempt == 2 or not reused:
                        raise
                    with self.stats.lock:
                        self.stats.retries += 1
            for header in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self._drop(server)
            text = data.decode("utf-8", "replace")
            if not 200 <= response.status < 400:
                error = f"{endpoint} HTTP {response.status}"
            elif expect is not None and (missing := expect(text)):
                error = f"{endpoint} {missing}"
        except TimeoutError:
            self._drop(server)
            error = f"{endpoint} timeout"
        except Exception as exc:  # every failure is an error sample
            self._drop(server)
            error = f"{endpoint} {type(exc).__name__}"
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.stats.record(endpoint, started, elapsed_ms, error)
        if error:
            raise RequestFailed(error)
        return text

    # -- Behaviour --

    def think(self) -> bool:
        """Pause like a person; False when the run is over."""
        pause = self.random.uniform(0.5 * self.args.think, 1.5 * self.args.think)
        return not self.stop.wait(pause)

    def run(self) -> None:
        # Stagger the start so the leads do not arrive in lockstep.
        if self.stop.wait(self.random.uniform(0, 1.5 * self.args.think)):
            return
        while not self.stop.is_set():
            with contextlib.suppress(RequestFailed):  # recorded; carry on, as a user reloads
                self.one_loop()
            if not self.think():
                break
        for server in list(self.connections):
            self._drop(server)

    def expect_push(self, title: str) -> None:
        if self.sockets:
            self.sockets.expect(self.index, title)

    def one_loop(self) -> None:
        self.loops += 1
        n = self.loops
        page = self.request(
            "team_get",
            "GET",
            f"/teams/{self.team_id}/",
            expect=lambda body: (
                None if CSRF_INPUT.search(body) and "csrftoken" in self.cookies else "no CSRF token"
            ),
        )
        self.csrf_token = CSRF_INPUT.search(page).group(1)
        if not self.think():
            return
        domain = self.domain_ids[(self.index + n) % len(self.domain_ids)]
        title = f"팀장{self.index} 업무 {n:03d}"
        # Expected before the request: the push may well arrive before the response.
        self.expect_push(title)
        added = self.request(
            "task_add",
            "POST",
            f"/teams/{self.team_id}/tasks/",
            form={
                "csrfmiddlewaretoken": self.csrf_token,
                "title": title,
                "domain": domain,
                "description": "고객 문의 메일을 확인하고 담당자에게 배정한 뒤 "
                "처리 결과를 엑셀에 기록",
                "frequency": "weekly",
                "occurrences_per_period": 1 + n % 5,
                "minutes_per_occurrence": 30,
            },
            htmx=True,
            # A 200 that shows the form again with errors added nothing: count it as an error.
            expect=lambda body: (
                None if "data-added" in body and TASK_ID.search(body) else "no task added"
            ),
        )
        task_id = max(int(i) for i in TASK_ID.findall(added))
        if not self.think():
            return
        self.expect_push(f"{title} (수정)")
        self.request(
            "task_edit",
            "POST",
            f"/tasks/{task_id}/edit/",
            form={
                "csrfmiddlewaretoken": self.csrf_token,
                "title": f"{title} (수정)",
                "domain": self.domain_ids[(self.index + n + 1) % len(self.domain_ids)],
                "description": "고객 문의 메일을 확인하고 담당자에게 배정한 뒤 처리 결과를 "
                "엑셀과 CRM에 기록하고 주간 보고에 요약",
                "frequency": "weekly",
                "occurrences_per_period": 2 + n % 5,
                "minutes_per_occurrence": 45,
                "version": 1,  # the task was just added; only this lead edits it
            },
            htmx=True,
            # A 200 that shows the form again (a refused or conflicting edit) saved nothing.
            expect=lambda body: "edit not saved" if "task-edit" in body else None,
        )


class LiveSockets:
    """The WebSockets of the open pages (`--sockets`): one per lead on its team page, and the
    instructor's on the board. They run on one asyncio loop in a thread of their own."""

    def __init__(self, args, servers, workshop_id, leads, instructor_cookie):
        self.args = args
        self.servers = servers  # [(host, port)]
        self.workshop_id = workshop_id
        # (name, cookie, server index); the instructor's board socket last.
        self.pages = [
            (f"lead-{i}", cookie, i % len(servers)) for i, (_t, cookie) in enumerate(leads)
        ]
        self.pages.append(("instructor", instructor_cookie, 0))
        self.lock = threading.Lock()
        self.delays: dict[str, list[float]] = {kind: [] for kind in PUSHED_REGIONS}
        self.messages = 0
        self.errors: dict[str, int] = {}
        self.open = 0
        self.expected: dict[int, list[str]] = {}  # lead index -> titles not yet pushed to it
        self.expected_count = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sockets", daemon=True)
        self.closing: asyncio.Event | None = None

    def start(self) -> None:
        self.thread.start()
        if not self.ready.wait(120):
            raise RuntimeError("the sockets did not all connect within 120 s")
        if self.open != len(self.pages):
            raise RuntimeError(f"only {self.open} of {len(self.pages)} sockets connected")

    def stop(self) -> None:
        if self.loop is not None and self.closing is not None:
            self.loop.call_soon_threadsafe(self.closing.set)
        self.thread.join(30)

    def expect(self, lead_index: int, title: str) -> None:
        with self.lock:
            self.expected.setdefault(lead_index, []).append(title)
            self.expected_count += 1

    def missing(self) -> int:
        with self.lock:
            return sum(len(titles) for titles in self.expected.values())

    def _error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        import websockets

        self.loop = asyncio.get_running_loop()
        self.closing = asyncio.Event()
        gate = asyncio.Semaphore(10)  # connect (and render snapshots) ten at a time
        connected = 0

        async def page(name: str, cookie: str, server: int) -> None:
            nonlocal connected
            host, port = self.servers[server]
            url = f"ws://{host}:{port}/ws/workshops/{self.workshop_id}/"
            lead_index = int(name.split("-")[1]) if name.startswith("lead-") else None
            try:
                async with gate:
                    socket = await websockets.connect(
                        url,
                        additional_headers={
                            "Cookie": f"sessionid={cookie}",
                            "Origin": f"http://{host}:{port}",
                        },
                        max_size=2**24,
                        open_timeout=60,
                    )
                    await asyncio.wait_for(socket.recv(), 60)  # the snapshot
            except Exception as exc:
                self._error(f"connect {type(exc).__name__}")
                socket = None
            connected += 1
            if socket is not None:
                with self.lock:
                    self.open += 1
            if connected == len(self.pages):
                self.ready.set()
            if socket is None:
                return
            reader = asyncio.ensure_future(self._read(socket, lead_index))
            closing = asyncio.ensure_future(self.closing.wait())
            await asyncio.wait([reader, closing], return_when=asyncio.FIRST_COMPLETED)
            if reader.done() and not self.closing.is_set():
                self._error("dropped")
            reader.cancel()
            closing.cancel()
            await socket.close()

        await asyncio.gather(*(page(*p) for p in self.pages))

    async def _read(self, socket, lead_index: int | None) -> None:
        async for message in socket:
            received = time.time_ns()
            with self.lock:
                self.messages += 1
                for kind, region in PUSHED_REGIONS.items():
                    found = region.search(message)
                    if found:
                        self.delays[kind].append((received - int(found.group(1))) / 1e6)
                if lead_index is not None and (titles := self.expected.get(lead_index)):
                    self.expected[lead_index] = [t for t in titles if t not in message]

    def summary(self) -> dict:
        with self.lock:
            pushes = {
                kind: {
                    "count": len(delays),
                    "p50_ms": round(percentile(delays, 50), 1),
                    "p95_ms": round(percentile(delays, 95), 1),
                    "max_ms": round(max(delays, default=float("nan")), 1),
                }
                for kind, delays in self.delays.items()
            }
            return {
                "open": self.open,
                "errors": sum(self.errors.values()),
                "error_kinds": dict(self.errors),
                "messages": self.messages,
                "expected": self.expected_count,
                "missing": sum(len(titles) for titles in self.expected.values()),
                "pushes": pushes,
            }


def summarise(samples) -> dict:
    ms = [s[2] for s in samples]
    return {
        "requests": len(samples),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "errors": sum(1 for s in samples if not s[3]),
    }


def warm_up(servers, lead) -> None:
    """One unmeasured page load per process: a production server is not cold."""
    team_id, cookie = lead
    for host, port in servers:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("GET", f"/teams/{team_id}/", headers={"Cookie": f"sessionid={cookie}"})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"warm-up GET on port {port} answered {response.status}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(args, servers, domain_ids, leads, sockets=None) -> tuple[Stats, float]:
    stats = Stats()
    stop = threading.Event()
    picker = itertools.count()  # next() on itertools.count is atomic under the GIL
    addresses = [("127.0.0.1", server.port) for server in servers]
    threads = [
        Lead(i, team_id, cookie, domain_ids, addresses, picker, stats, args, stop, sockets)
        for i, (team_id, cookie) in enumerate(leads)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    deadline = started + args.seconds
    last_report, last_count = started, 0
    while (now := time.perf_counter()) < deadline:
        time.sleep(min(10.0, deadline - now))
        now = time.perf_counter()
        with stats.lock:
            window = stats.samples[last_count:]
            total = len(stats.samples)
            errors = sum(1 for s in stats.samples if not s[3])
        ms = [s[2] for s in window]
        print(
            f"  t={now - started:5.1f}s  requests {total:6d}  errors {errors:4d}  "
            f"last {now - last_report:4.1f}s: {len(window) / (now - last_report):5.1f} req/s, "
            f"p50 {percentile(ms, 50):6.1f} ms, p95 {percentile(ms, 95):6.1f} ms",
            flush=True,
        )
        last_report, last_count = now, total
    stop.set()
    for thread in threads:
        thread.join(args.timeout * 2 + 5)
    elapsed = time.perf_counter() - started
    return stats, elapsed


def main():
    args = parse_args()
    prepare(database_url=args.database_url, redis_url=args.redis_url)
    print(f"creating {args.users} team leads, one team each…", flush=True)
    workshop_id, domain_ids, leads, instructor_cookie = build_leads(args.users)
    from django.db import connections

    connections.close_all()  # the benchmark process does not use the database while measuring

    from django.conf import settings

    from support.servers import ServerProcess

    # ServerProcess shortens the instructor board's debounce to 0.2 s for the browser tests;
    # measure with the value production runs with (this process's settings, default 0.5 s).
    server_env = {**SERVER_ENV, "LIVE_BOARD_DEBOUNCE": str(settings.LIVE_BOARD_DEBOUNCE)}
    tmp = Path(tempfile.mkdtemp(prefix="http-load-"))
    servers = []
    try:
        for _ in range(args.procs):
            servers.append(ServerProcess(mail_dir=tmp, log_dir=tmp, env=server_env).start())
        print(
            "daphne pids "
            + ", ".join(f"{s.process.pid} (port {s.port})" for s in servers)
            + f"; logs in {tmp}",
            flush=True,
        )
        addresses = [("127.0.0.1", s.port) for s in servers]
        warm_up(addresses, leads[0])
        sockets = None
        if args.sockets:
            sockets = LiveSockets(args, addresses, workshop_id, leads, instructor_cookie)
            sockets.start()
            print(f"{sockets.open} WebSockets open (leads' team pages, the board)", flush=True)
        print(
            f"{args.users} leads for {args.seconds:g}s, think {0.5 * args.think:g}–"
            f"{1.5 * args.think:g}s, over {args.procs} process(es)…",
            flush=True,
        )
        cpu_before = sum(cpu_seconds(server.process.pid) for server in servers)
        stats, elapsed = run_load(args, servers, domain_ids, leads, sockets)
        server_cpu = sum(cpu_seconds(server.process.pid) for server in servers) - cpu_before
        if sockets:
            # Pushes of the last writes are on their way: give them a moment, then close.
            deadline = time.monotonic() + 5
            while sockets.missing() and time.monotonic() < deadline:
                time.sleep(0.1)
            sockets.stop()
    finally:
        for server in servers:
            server.stop()

    samples = stats.samples
    overall = summarise(samples)
    endpoints = {name: summarise([s for s in samples if s[0] == name]) for name in ENDPOINTS}
    for name, figures in endpoints.items():
        print(
            f"  {name:9s} n={figures['requests']:5d}  p50 {figures['p50_ms']:6.1f}  "
            f"p95 {figures['p95_ms']:6.1f}  p99 {figures['p99_ms']:6.1f} ms  "
            f"errors {figures['errors']}",
            flush=True,
        )
    if stats.error_kinds:
        print(f"  errors by kind: {stats.error_kinds}", flush=True)
    if stats.retries:
        print(f"  keep-alive retries {stats.retries}", flush=True)
    print(
        f"  daphne CPU {server_cpu:.1f} s in all, "
        f"{1000 * server_cpu / max(1, overall['requests']):.1f} ms per request",
        flush=True,
    )
    summary = {
        "users": args.users,
        "seconds": int(args.seconds) if args.seconds == int(args.seconds) else args.seconds,
        **overall,
        "procs": args.procs,
        "think_s": args.think,
        "board_debounce_s": float(server_env["LIVE_BOARD_DEBOUNCE"]),
        "pulse_window_s": settings.LIVE_PULSE_WINDOW,
        "pulse_frames": settings.LIVE_PULSE_FRAMES,
        "rps": round(overall["requests"] / elapsed, 1),
        "max_ms": round(max((s[2] for s in samples), default=float("nan")), 1),
        "endpoints": endpoints,
        "retries": stats.retries,
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, overall["requests"]), 1),
        "sockets": sockets.summary() if sockets else None,
    }
    if sockets:
        figures = sockets.summary()
        print(
            f"  sockets: {figures['open']} open, {figures['errors']} errors, "
            f"{figures['messages']} messages; writes seen in a push "
            f"{figures['expected'] - figures['missing']}/{figures['expected']}",
            flush=True,
        )
        for kind, push in figures["pushes"].items():
            print(
                f"  push {kind:5s} n={push['count']:6d}  delay p50 {push['p50_ms']:6.1f}  "
                f"p95 {push['p95_ms']:6.1f}  max {push['max_ms']:6.1f} ms",
                flush=True,
            )
    print(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
