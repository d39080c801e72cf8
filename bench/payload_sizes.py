"""What a 1,000-task team's page is sent, in bytes: its progress poll and its socket's first
snapshot, with and without the copy the page says it shows (`?shown=`, issue 17 item 4).

    .venv/bin/python bench/payload_sizes.py

In process, without a server: Django (DEBUG off, so the page cache is on) against PostgreSQL
(a fresh database, `workshop_bench_payload`) and Redis (db 9). Builds one open workshop with one
team of `--tasks` tasks (1,000; titles and descriptions from bench/data/tasks_1000.json), all
analysed by the rule-based estimator. Then, as the lead, twice — with no analysis running, and
with one queued (the case in which the page polls): loads the team page, takes the `shown` its
socket URL carries (and, with a run, its poll URL: they must agree), and measures

- the progress poll (`ai:progress`, through Django's test client) without `?shown=`, with the
  page's `shown`, and with that `shown` gone stale (one task's title changed since);
- the socket's first snapshot (`board.render.snapshot` for the viewer the consumer builds)
  in the same three ways;
- the team page itself.

Sizes are the bytes of the body (HTTP) or the text frame (UTF-8), uncompressed, as the app and
daphne send them (no gzip middleware; daphne accepts no permessage-deflate). Static URLs are
unhashed (no collectstatic here), a few bytes short of production's. `cards` counts the task
cards in each; a body without the task list where one is due, or with it where it is not, is an
error. Takes about half a minute, mostly building. The last line is JSON:

    {"idle":{"page":..,"poll":{"none":..,"shown":..,"stale":..},"snapshot":{..},"cards":{..}},
     "run":{..},"errors":0,"tasks":1000}
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from support.bench import import_analysed_sample_tasks, prepare  # noqa: E402

TASKS_FILE = BASE_DIR / "bench" / "data" / "tasks_1000.json"
CARD = re.compile(r'<article id="task-\d+" class="card task">')
SOCKET_SHOWN = re.compile(r'ws-connect="[^"]*\?shown=([0-9.]+)')
POLL_SHOWN = re.compile(r'hx-get="[^"]*/analysis/progress/\?shown=([0-9.]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/workshop_bench_payload"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    return parser.parse_args()


def build(tasks: int):
    """One open workshop, one team of `tasks` analysed tasks. Returns (team, lead)."""
    from datetime import date

    from accounts.models import User
    from workshops import services

    samples = json.loads(TASKS_FILE.read_text(encoding="utf-8"))
    instructor = User.objects.create_user(email="payload-instructor@example.com", name="강사")
    workshop = services.workshop_create(
        creator=instructor,
        title="전송량 워크샵",
        description="",
        date=date.today(),
        domain_names=sorted({sample["domain"] for sample in samples}),
    )
    services.workshop_open(workshop=workshop)
    domains = {domain.name: domain for domain in workshop.domains.all()}
    lead = User.objects.create_user(email="payload-lead@example.com", name="팀장")
    team = services.team_create(
        workshop=workshop, lead=lead, team_name="팀 001", display_name=lead.name
    )
    import_analysed_sample_tasks(team, lead, domains, samples, tasks)
    # Nobody runs the queued job; the run is over.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    return team, lead


def change_one_task(team, lead, mark: str) -> None:
    """What makes the page's copy stale: one task's title edited."""
    from workshops import services
    from workshops.services import TASK_FIELDS

    task = team.tasks.order_by("pk").first()
    data = {field: getattr(task, field) for field in TASK_FIELDS}
    data["title"] = f"{task.title} {mark}"
    services.task_update(task=task, actor=lead, data=data)


def measure(team, lead, client, tasks: int, errors: list[str], state: str) -> dict:
    """The page, the poll and the snapshot, as the class above says, for the team as it is."""
    from board import render

    def cards(text: str) -> int:
        return len(CARD.findall(text))

    def expect(name: str, text: str, full: bool) -> None:
        found = cards(text)
        if found != (tasks if full else 0):
            errors.append(f"{state} {name}: {found} task cards, expected {tasks if full else 0}")

    page_url = f"/teams/{team.pk}/"
    poll_url = f"/teams/{team.pk}/analysis/progress/"
    response = client.get(page_url)
    page = response.content.decode()
    if response.status_code != 200:
        errors.append(f"{state} page: status {response.status_code}")
    expect("page", page, True)
    socket_shown = SOCKET_SHOWN.search(page)
    poll_shown = POLL_SHOWN.search(page)
    shown = socket_shown.group(1) if socket_shown else ""
    if not shown:
        errors.append(f"{state} page: no ?shown= on its socket URL")
    if state == "run" and (poll_shown is None or poll_shown.group(1) != shown):
        errors.append(f"{state} page: its poll's ?shown= is not its socket's")
    if state == "idle" and poll_shown is not None:
        errors.append(f"{state} page: polls with no run active")

    viewer = render.viewer_for(lead, team.workshop_id, None, None)
    assert viewer is not None

    def poll(query: dict) -> str:
        response = client.get(poll_url, query)
        if response.status_code != 200:
            errors.append(f"{state} poll {query}: status {response.status_code}")
        return response.content.decode()

    bodies = {
        ("poll", "none"): poll({}),
        ("poll", "shown"): poll({"shown": shown}),
        ("snapshot", "none"): render.snapshot(viewer),
        ("snapshot", "shown"): render.snapshot(viewer, shown),
    }
    change_one_task(team, lead, mark=state)
    bodies[("poll", "stale")] = poll({"shown": shown})
    bodies[("snapshot", "stale")] = render.snapshot(viewer, shown)
    for (kind, case), body in bodies.items():
        expect(f"{kind} {case}", body, full=case != "shown")
    return {
        "page": len(page.encode()),
        "poll": {
            case: len(body.encode()) for (kind, case), body in bodies.items() if kind == "poll"
        },
        "snapshot": {
            case: len(body.encode()) for (kind, case), body in bodies.items() if kind == "snapshot"
        },
        "cards": {f"{kind}_{case}": cards(body) for (kind, case), body in bodies.items()},
    }


def main():
    args = parse_args()
    os.environ["DEBUG"] = "0"  # the page cache is off under DEBUG
    os.environ.pop("PAGE_CACHE_SECONDS", None)
    os.environ["STATIC_MANIFEST"] = "0"  # no collectstatic here, as in the test servers
    prepare(database_url=args.database_url, redis_url=args.redis_url)
    from django.conf import settings
    from django.test import Client

    assert not settings.DEBUG and settings.PAGE_CACHE_SECONDS > 0
    started = time.monotonic()
    print(f"building one team of {args.tasks} analysed tasks…", flush=True)
    team, lead = build(args.tasks)
    print(f"built in {time.monotonic() - started:.0f} s", flush=True)

    from ai.requests import analysis_request

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    errors: list[str] = []
    idle = measure(team, lead, client, args.tasks, errors, "idle")
    # A run of one task, queued: active until a worker takes it, and none runs here.
    analysis_request(team=team, actor=lead, tasks=[team.tasks.order_by("pk").last()])
    run = measure(team, lead, client, args.tasks, errors, "run")
    for error in errors[:10]:
        print("error:", error, flush=True)
    print(
        json.dumps(
            {"idle": idle, "run": run, "errors": len(errors), "tasks": args.tasks},
            separators=(",", ":"),
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
