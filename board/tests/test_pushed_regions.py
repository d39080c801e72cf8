"""What a socket receives fits the page that opened it (issue 15, live-pushed forms).

Each page with a live socket is loaded as its viewer would load it; its socket is opened at the
page's own `ws-connect` address; the workshop then changes in every way that pushes (a task, an
analysis, a new team, someone coming online, the close). Every region received must exist on
that page (else htmx logs `oobErrorNoTarget` and drops it), and every `<form method="post">` in
a pushed region must go through with the token the page's script gives it (static/js/app.js:
the page's own token, as a header for htmx and as the form field otherwise) — a push is
rendered without a request, so it carries none itself.
"""

from html.parser import HTMLParser

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from ai import requests as ai_requests
from ai import runner
from board import render
from conftest import make_user, task_data
from support import sockets
from workshops import services

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_state"),
]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
CSRF_FAILED = "보안 확인 정보가 만료되었습니다"


class Markup(HTMLParser):
    """The ids of the top-level elements (what the WebSocket extension swaps by id), every id,
    the forms with their fields, the socket's address and the page's token."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.roots: list[str | None] = []
        self.ids: set[str] = set()
        self.forms: list[dict] = []
        self.ws_connect = self.token = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0:
            self.roots.append(attrs.get("id"))
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("ws-connect"):
            self.ws_connect = attrs["ws-connect"]
        if tag == "meta" and attrs.get("name") == "csrf-token":
            self.token = attrs.get("content")
        if tag == "form":
            self.forms.append({**attrs, "fields": {}})
        elif tag in ("input", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        if tag not in VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.depth -= 1


def posted_forms(markup: Markup) -> list[dict]:
    return [form for form in markup.forms if (form.get("method") or "").lower() == "post"]


@pytest.fixture
def analysed_team(settings, team, lead, domain):
    """A team with a rated task (rule-based, no network): its card has the factor chips' and
    the deep analysis' forms, the panel its button."""
    settings.ANTHROPIC_API_KEY = ""
    services.task_create(
        team=team,
        actor=lead,
        data=task_data(
            domain, title="실적 집계", description="엑셀로 실적을 집계해 보고서를 만든다"
        ),
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    return team


def pages(team, workshop, lead, instructor):
    """Every page that opens a socket, with its viewer: one per `render.Page`, and the team
    page for both of its audiences (editable for the team, read-only for an instructor)."""
    summary = reverse("workshops:workshop_summary", args=[workshop.pk])
    by_page = {
        render.Page.TEAM: [("lead", lead, team.get_absolute_url())],
        render.Page.BOARD: [("board", instructor, workshop.get_absolute_url())],
        render.Page.SUMMARY: [
            ("summary", instructor, summary),
            ("projector", instructor, f"{summary}?view=projector"),
        ],
    }
    by_page[render.Page.TEAM].append(
        ("instructor on the team", instructor, team.get_absolute_url())
    )
    assert set(by_page) == {
        value for name, value in vars(render.Page).items() if not name.startswith("_")
    }
    return [page for listed in by_page.values() for page in listed]


def load(user, url) -> tuple[Client, Markup]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return client, Markup(response.content.decode())


def submit(client: Client, form: dict, token: str | None):
    """Post a form as the page's script sends it: the page's token in the X-CSRFToken header
    for htmx (hx-headers on <body>), in the csrfmiddlewaretoken field for a plain form."""
    data = dict(form["fields"])
    headers = {}
    if form.get("hx-post"):
        headers = {"HTTP_HX_REQUEST": "true"}
        if token:
            headers["HTTP_X_CSRFTOKEN"] = token
    elif token and not data.get("csrfmiddlewaretoken"):
        data["csrfmiddlewaretoken"] = token
    return client.post(form.get("hx-post") or form["action"], data, **headers)


async def change_everything(workshop, team, lead, domain):
    """Every kind of change that pushes, short of closing."""
    await database_sync_to_async(services.task_create)(
        team=team, actor=lead, data=task_data(domain, title="새로 추가한 업무")
    )

    def analyse():
        run, _ = ai_requests.analysis_request(team=team, actor=lead)
        runner.run_execute(run.pk)

    await database_sync_to_async(analyse)()
    newcomer = await database_sync_to_async(make_user)("newcomer@example.com")
    await database_sync_to_async(services.team_create)(
        workshop=workshop, lead=newcomer, team_name="새 팀", display_name="새 팀장"
    )
    other, _, _ = await sockets.open_socket(f"/ws/workshops/{workshop.pk}/", newcomer)
    await sockets.drain(other, 0.3, 3.0)
    await other.disconnect()


async def test_every_pushed_region_has_its_place_on_the_page_and_its_forms_go_through(
    workshop, instructor, lead, domain, analysed_team
):
    team = analysed_team
    opened = []
    for name, user, url in pages(team, workshop, lead, instructor):
        client, page = await database_sync_to_async(load)(user, url)
        assert page.ws_connect and page.token, name
        socket, connected, _ = await sockets.open_socket(page.ws_connect, user)
        assert connected, name
        opened.append((name, client, page, socket, [await sockets.drain(socket, 0.3, 3.0)]))

    await change_everything(workshop, team, lead, domain)
    for *_, socket, received in opened:
        received.append(await sockets.drain(socket, 0.5, 3.0))

    forms_seen = 0
    for name, client, page, _socket, received in opened:
        pushed = Markup("".join(received))
        missing = [root for root in pushed.roots if root not in page.ids]
        assert pushed.roots and not missing, f"{name}: pushed regions not on the page: {missing}"
        for form in posted_forms(pushed):
            forms_seen += 1
            refused = await database_sync_to_async(submit)(client, form, None)
            assert CSRF_FAILED in refused.content.decode(), f"{name}: {form} needs no token?"
            response = await database_sync_to_async(submit)(client, form, page.token)
            assert CSRF_FAILED not in response.content.decode(), f"{name}: {form}"
            assert response.status_code < 500, f"{name}: {form}"
    # The board's economy button, the panel's, the cards' (factor chips, deep analysis).
    assert forms_seen >= 4, forms_seen
    print(f"pushed forms submitted: {forms_seen}")

    await database_sync_to_async(services.workshop_close)(workshop=workshop)
    for name, _client, page, socket, _received in opened:
        closing = Markup(await sockets.drain(socket, 0.5, 3.0))
        missing = [root for root in closing.roots if root not in page.ids]
        assert f"workshop-{workshop.pk}-status" in closing.roots, name
        assert not missing, f"{name}: pushed regions not on the page: {missing}"
        await socket.disconnect()


async def test_the_economy_form_pushed_to_the_board_carries_no_token_of_its_own(
    workshop, instructor
):
    """Why the page's script must fill it: a push is rendered once for every board open."""
    socket, _, _ = await sockets.open_socket(f"/ws/workshops/{workshop.pk}/", instructor)
    board = Markup(await sockets.drain(socket, 0.3, 3.0))
    await socket.disconnect()
    economy = [f for f in posted_forms(board) if f["action"].endswith("/economy/")]
    assert economy and all("csrfmiddlewaretoken" not in form["fields"] for form in economy)
