"""The authorization matrix: every endpoint × every actor × GET and POST, from the URLconf.

The URL patterns are walked at collection time; each of ours must have a row in
`authz_expectations.ENDPOINTS` (a new endpoint without one fails here). Each cell requests
the endpoint as one actor and checks the outcome class, then checks the body for markers of
data that actor may not see: another workshop's (always), another team's (for a team's own
people), this team's (for the other team). The WebSocket routes get the same treatment.

The two workshops are built once for the whole class of HTTP cells, inside a transaction that
each cell's own transaction nests in (a savepoint), so a POST's side effects are undone before
the next cell. Views that hop threads cannot see that uncommitted data; they (the readiness
check, the WebSocket consumer) run on committed data in transactional tests below.
"""

import asyncio
import io
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import INSTRUCTOR_GROUP, User
from ai import requests as ai_requests
from ai.models import AnalysisRun, RunStatus, WorkerHeartbeat
from board.routing import websocket_urlpatterns
from conftest import make_user, task_data
from support import sockets
from support.servers import session_cookie_for
from tests import authz_expectations as expect
from workshops import services
from workshops.models import Invitation, Participant, Workshop

# --- Markers: distinctive strings planted in each group's data ---------------------------------

MARKERS = {
    # This workshop, as its people (and anyone holding its code) see it.
    "workshop.title": "우리워크샵표식-제목",
    "workshop.description": "우리워크샵표식-설명",
    "workshop.instructor": "우리워크샵표식-강사이름",
    # This team: `lead`, `member`, one task.
    "our_team.team": "우리팀표식-팀명",
    "our_team.lead": "우리팀표식-팀장이름",
    "our_team.member": "우리팀표식-팀원이름",
    "our_team.task_title": "우리팀표식-업무명",
    "our_team.task_description": "우리팀표식-업무설명",
    # The team's invitation link: its lead hands it out; nobody else is shown it.
    "our_team_lead.invitation": "invite-marker-our-team-0a1b2c",
    # The other team of this workshop: `other_team_member` and its lead.
    "other_team.team": "옆팀표식-팀명",
    "other_team.lead": "옆팀표식-팀장이름",
    "other_team.member": "옆팀표식-팀원이름",
    "other_team.task_title": "옆팀표식-업무명",
    "other_team.task_description": "옆팀표식-업무설명",
    # Another workshop: `other_workshop_instructor` runs it, `other_workshop_participant` leads
    # a team in it.
    "foreign.title": "유출표식-워크샵명",
    "foreign.description": "유출표식-워크샵설명",
    "foreign.domain": "유출표식-영역",
    "foreign.instructor": "유출표식-강사이름",
    "foreign.team": "유출표식-팀명",
    "foreign.lead": "유출표식-팀장이름",
    "foreign.member": "유출표식-팀원이름",
    "foreign.task_title": "유출표식-업무명",
    "foreign.task_description": "유출표식-업무설명",
    "foreign.invitation": "invite-marker-foreign-3d4e5f",
}

# Which groups of markers each actor may see anywhere in the app. Instructors see every team of
# their workshop; a team's people see their own team and the workshop's headline (the rest of
# the workshop reaches them only as counts); staff are in no workshop.
VISIBLE_GROUPS = {
    "anonymous": set(),
    "other_workshop_participant": {"foreign"},
    "other_team_member": {"workshop", "other_team"},
    "member": {"workshop", "our_team"},
    "lead": {"workshop", "our_team", "our_team_lead"},
    "other_workshop_instructor": {"foreign"},
    "instructor": {"workshop", "our_team", "other_team"},
    "staff": set(),
}


def forbidden_markers(actor: str, reveals=frozenset(), granted=frozenset()) -> dict[str, str]:
    visible = VISIBLE_GROUPS[actor] | granted
    return {
        name: text
        for name, text in MARKERS.items()
        if name.split(".")[0] not in visible and name not in reveals
    }


# --- The cast and their two workshops -----------------------------------------------------------


@dataclass
class World:
    actors: dict[str, User | None]
    workshop: object
    team: object
    other_team: object
    domain: object
    task: object
    other_task: object
    invitation: object
    run: object
    foreign_workshop: object
    foreign_team: object
    # Signed-in sessions made once per actor (see `world`); without one, a test logs in.
    sessions: dict[str, str] = field(default_factory=dict)

    def target(self, kind: str | None) -> dict:
        """The URL arguments naming this workshop's object of `kind`."""
        return {
            None: {},
            "workshop": {"pk": self.workshop.pk},
            "team": {"pk": self.team.pk},
            "task": {"pk": self.task.pk},
            "invitation": {"pk": self.invitation.pk},
            "run": {"pk": self.run.pk},
            "join_code": {"code": self.workshop.join_code},
            "invite_token": {"token": self.invitation.token},
        }[kind]


def _instructor(email: str, name: str) -> User:
    user = make_user(email, name)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    return user


def _member_of(team, email: str, name: str) -> User:
    user = make_user(email, name)
    Participant.objects.create(
        user=user, workshop=team.workshop, role=Participant.Role.MEMBER, team=team
    )
    return user


def _rated_task(team, actor, domain, prefix: str):
    task = services.task_create(
        team=team,
        actor=actor,
        data=task_data(
            domain,
            title=MARKERS[f"{prefix}.task_title"],
            description=MARKERS[f"{prefix}.task_description"],
        ),
    )
    # A rating puts the task on the board's and the summary's candidate lists too.
    ai_requests.analysis_override(task=task, actor=actor, rating="HIGH", note="사람이 판단")
    return task


def _invitation(team, lead, token: str):
    invitation = services.invitation_create(team=team, actor=lead)
    Invitation.objects.filter(pk=invitation.pk).update(token=token)  # a marker, to look for
    invitation.token = token
    return invitation


def build_world() -> World:
    instructor = _instructor("instructor@example.com", MARKERS["workshop.instructor"])
    workshop = services.workshop_create(
        creator=instructor,
        title=MARKERS["workshop.title"],
        description=MARKERS["workshop.description"],
        date=date(2026, 3, 10),
        domain_names=["영업", "인사", "재무", "총무"],
    )
    workshop = services.workshop_open(workshop=workshop)
    domain = workshop.domains.get(name="영업")

    lead = make_user("lead@example.com", MARKERS["our_team.lead"])
    team = services.team_create(
        workshop=workshop,
        lead=lead,
        team_name=MARKERS["our_team.team"],
        display_name=MARKERS["our_team.lead"],
    )
    member = _member_of(team, "member@example.com", MARKERS["our_team.member"])
    task = _rated_task(team, lead, domain, "our_team")

    other_lead = make_user("other.lead@example.com", MARKERS["other_team.lead"])
    other_team = services.team_create(
        workshop=workshop,
        lead=other_lead,
        team_name=MARKERS["other_team.team"],
        display_name=MARKERS["other_team.lead"],
    )
    other_team_member = _member_of(
        other_team, "other.member@example.com", MARKERS["other_team.member"]
    )
    other_task = _rated_task(other_team, other_lead, domain, "other_team")

    invitation = _invitation(team, lead, MARKERS["our_team_lead.invitation"])
    run = AnalysisRun.objects.create(
        team=team,
        workshop=workshop,
        requested_by=lead,
        status=RunStatus.FAILED,
        task_ids=[task.pk],
        total_tasks=1,
        failed_tasks=1,
        failed_task_ids=[task.pk],
        finished_at=timezone.now(),
    )

    other_instructor = _instructor("other.instructor@example.com", MARKERS["foreign.instructor"])
    foreign = services.workshop_create(
        creator=other_instructor,
        title=MARKERS["foreign.title"],
        description=MARKERS["foreign.description"],
        date=date(2026, 4, 1),
        domain_names=[MARKERS["foreign.domain"]],
    )
    foreign = services.workshop_open(workshop=foreign)
    foreign_lead = make_user("foreign.lead@example.com", MARKERS["foreign.lead"])
    foreign_team = services.team_create(
        workshop=foreign,
        lead=foreign_lead,
        team_name=MARKERS["foreign.team"],
        display_name=MARKERS["foreign.lead"],
    )
    _member_of(foreign_team, "foreign.member@example.com", MARKERS["foreign.member"])
    _rated_task(foreign_team, foreign_lead, foreign.domains.get(), "foreign")
    _invitation(foreign_team, foreign_lead, MARKERS["foreign.invitation"])

    staff = User.objects.create_superuser(email="staff@example.com", name="운영자")

    return World(
        actors={
            "anonymous": None,
            "other_workshop_participant": foreign_lead,
            "other_team_member": other_team_member,
            "member": member,
            "lead": lead,
            "other_workshop_instructor": other_instructor,
            "instructor": instructor,
            "staff": staff,
        },
        workshop=workshop,
        team=team,
        other_team=other_team,
        domain=domain,
        task=task,
        other_task=other_task,
        invitation=invitation,
        run=run,
        foreign_workshop=foreign,
        foreign_team=foreign_team,
    )


# --- POST payloads: plausible valid input, so the outcome is the authorization's -----------------


def _import_file(world: World) -> SimpleUploadedFile:
    content = (
        "\ufeff업무 영역,업무명,설명,빈도,횟수,1회 소요(분)\n영업,가져온 업무,설명,매주,1,30\n"
    )
    return SimpleUploadedFile("tasks.csv", content.encode(), content_type="text/csv")


PAYLOADS = {
    "workshops:join_workshop": lambda w: {
        "team_name": "새로 만든 팀",
        "display_name": "새 팀장",
        "privacy_consent": "on",
    },
    "workshops:accept_invitation": lambda w: {"display_name": "새 팀원", "privacy_consent": "on"},
    "workshops:workshop_create": lambda w: {
        "title": "새 워크샵",
        "date": "2026-05-01",
        "description": "",
        "domains": "영업\n인사",
    },
    "workshops:workshop_edit": lambda w: {
        "title": MARKERS["workshop.title"],
        "date": "2026-03-10",
        "description": MARKERS["workshop.description"],
        "domains": "영업\n인사\n재무\n총무",
    },
    "workshops:workshop_status": lambda w: {"action": "close"},
    "workshops:team_edit": lambda w: {"name": "새 팀 이름"},
    "workshops:task_create": lambda w: {
        "domain": w.domain.pk,
        "title": "새 업무",
        "description": "새 업무 설명",
        "frequency": "weekly",
        "occurrences_per_period": 1,
        "minutes_per_occurrence": 30,
    },
    "workshops:task_edit": lambda w: {
        "domain": w.domain.pk,
        "title": "고친 업무",
        "description": "고친 설명",
        "frequency": "daily",
        "occurrences_per_period": 2,
        "minutes_per_occurrence": 15,
        "version": w.task.version,
    },
    "workshops:task_import": lambda w: {"file": _import_file(w)},
    "ai:override": lambda w: {"rating": "LOW", "note": "사람이 다시 판단"},
    "profile": lambda w: {"name": "새 이름"},
}


# --- Walking the URLconf ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name" for namespaced patterns
    route: str  # the pattern's text, prefixes included
    tree: str  # "ours", "admin" or "allauth"


def _tree_of(resolver: URLResolver) -> str:
    if resolver.namespace == "admin":
        return "admin"
    urlconf = resolver.urlconf_name
    module = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", "")
    return "allauth" if module.startswith("allauth") else "ours"


def _walk(patterns, prefix="", namespace=None, tree=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                inner,
                tree or _tree_of(pattern),
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Route(name=name, route=prefix + str(pattern.pattern), tree=tree or "ours")


ROUTES = list(_walk(get_resolver().url_patterns))
OUR_ROUTES = [route for route in ROUTES if route.tree == "ours"]


def _label(name: str, fmt: str) -> str:
    short = name.removeprefix("workshops:")
    return f"{short}.{fmt}" if fmt else short


def _url(name: str, world: World, fmt: str = "") -> str:
    kwargs = dict(world.target(expect.ENDPOINTS[name].target))
    if fmt:
        kwargs["fmt"] = fmt
    return reverse(name, kwargs=kwargs or None)


@dataclass(frozen=True)
class Cell:
    state: str  # "open" or "closed": the workshop's status when the request is made
    name: str
    fmt: str
    actor: str
    method: str

    @property
    def expected(self) -> str:
        return expect.expected_outcome(self.state, self.name, self.method, self.actor)

    @property
    def endpoint(self) -> expect.Endpoint:
        return expect.ENDPOINTS[self.name]


def _cells(state: str, *, outside_transaction: bool = False, only=None) -> list:
    cells = []
    for route in OUR_ROUTES:
        endpoint = expect.ENDPOINTS.get(route.name)
        if endpoint is None:
            # Still a cell, so that the run names the endpoint that escaped the table.
            missing = Cell(state, route.name or route.route, "", "", "")
            cells.append(pytest.param(missing, id=f"{route.name or route.route}-missing"))
            continue
        if endpoint.outside_transaction != outside_transaction:
            continue
        for fmt in endpoint.formats or ("",):
            for actor in expect.ACTORS:
                for method in expect.METHODS:
                    cell = Cell(state, route.name, fmt, actor, method)
                    if only and not only(cell):
                        continue
                    bug = expect.KNOWN_BUGS.get((state, route.name, fmt, actor, method))
                    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
                    cells.append(
                        pytest.param(
                            cell, id=f"{_label(route.name, fmt)}-{actor}-{method}", marks=marks
                        )
                    )
    return cells


ALLOWED = {expect.OK, expect.REDIRECT}


def _allowed_when_open(cell: Cell) -> bool:
    return expect.expected_outcome("open", cell.name, cell.method, cell.actor) in ALLOWED


HTTP_CELLS = _cells("open")
# Closing a workshop only takes away: the closed pass re-checks every cell the open one allows.
HTTP_CELLS_CLOSED = _cells("closed", only=_allowed_when_open)
# The HTMX variant of every cell that gets through (an HTMX request may get a fragment where a
# plain one gets a redirect, so only "still allowed" is checked there, and the fragment's text).
HTTP_CELLS_HTMX = _cells("open", only=_allowed_when_open)
HTTP_CELLS_COMMITTED = [
    pytest.param(route.name, id=_label(route.name, ""))
    for route in OUR_ROUTES
    if route.name in expect.ENDPOINTS and expect.ENDPOINTS[route.name].outside_transaction
]


def _admin_paths() -> list[tuple[str, str]]:
    """(label, URL name) of the admin pages checked: see authz_expectations.ADMIN_RULE."""
    paths = [("admin-index", "admin:index")]
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    paths += [(f"admin-app-{label}", f"admin:app_list:{label}") for label in app_labels]
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_changelist"
        paths.append((f"admin-{opts.app_label}.{opts.model_name}", name))
    # Views our ModelAdmins add that take no arguments (dashboards, downloads).
    stock = re.compile(r"_(changelist|add|history|delete|change)$")
    site_views = {
        f"admin:{name}"
        for name in (
            "index",
            "login",
            "logout",
            "password_change",
            "password_change_done",
            "autocomplete",
            "jsi18n",
        )
    }
    for route in ROUTES:
        if (
            route.tree == "admin"
            and route.name
            and "<" not in route.route
            and "(?P" not in route.route
            and not stock.search(route.name)
            and route.name not in site_views
        ):
            paths.append((f"admin-{route.name.removeprefix('admin:')}", route.name))
    return paths


def _admin_url(name: str) -> str:
    if name.startswith("admin:app_list:"):
        return reverse("admin:app_list", kwargs={"app_label": name.rsplit(":", 1)[1]})
    return reverse(name)


def _allauth_paths() -> list[tuple[str, str]]:
    """(label, path) of allauth's routes that take no argument: see ALLAUTH_RULE."""
    return [
        (route.name or route.route.strip("/").replace("/", "."), "/" + route.route)
        for route in ROUTES
        if route.tree == "allauth" and "<" not in route.route and "(?P" not in route.route
    ]


ADMIN_PATHS = _admin_paths()
ALLAUTH_PATHS = _allauth_paths()
ADMIN_CELLS = [
    pytest.param(name, actor, method, id=f"{label}-{actor}-{method}")
    for label, name in ADMIN_PATHS
    for actor in expect.ACTORS
    for method in expect.METHODS
]
ALLAUTH_CELLS = [
    pytest.param(label, path, actor, method, id=f"{label}-{actor}-{method}")
    for label, path in ALLAUTH_PATHS
    for actor in expect.ACTORS
    for method in expect.METHODS
]


# --- Checking one response ----------------------------------------------------------------------


def outcome_of(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return expect.OK
    if 300 <= status < 400:
        path = urlsplit(response["Location"]).path
        if path == resolve_url(settings.LOGIN_URL):
            return expect.LOGIN
        if path == reverse("admin:login"):
            return expect.ADMIN_LOGIN
        return expect.REDIRECT
    return {
        401: expect.UNAUTHORIZED,
        403: expect.FORBIDDEN,
        404: expect.NOT_FOUND,
        405: expect.NOT_ALLOWED,
    }.get(status, f"status {status}")


def describe(response) -> str:
    where = response.get("Location")
    return f"{response.status_code}" + (f" → {where}" if where else "")


def body_text(response) -> str:
    """What a person could read in the response: the text, or every cell of a workbook."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # XLSX (a zip)
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        parts = list(book.sheetnames)
        for sheet in book.worksheets:
            for values in sheet.iter_rows(values_only=True):
                parts.extend(str(value) for value in values if value is not None)
        return "\n".join(parts)
    return content.decode(response.charset or "utf-8", errors="replace")


def leaked(text: str, actor: str, reveals=frozenset(), granted=frozenset()) -> list[str]:
    return [
        f"{name} ({marker})"
        for name, marker in forbidden_markers(actor, reveals, granted).items()
        if marker in text
    ]


def request_as(client, world: World, actor: str, method: str, url: str, payload=None, **extra):
    user = world.actors[actor]
    if actor in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor]
    elif user is not None:
        client.force_login(user)
    if method == "GET":
        return client.get(url, **extra)
    return client.post(url, data=payload or {}, **extra)


def check_cell(
    client, world: World, cell: Cell, *, htmx: bool = False, follow_redirect=True
) -> None:
    url = _url(cell.name, world, cell.fmt)
    payload = PAYLOADS.get(cell.name, lambda w: {})(world) if cell.method == "POST" else None
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = request_as(client, world, cell.actor, cell.method, url, payload, **extra)
    observed = outcome_of(response)
    what = f"{cell.method} {url}{' (htmx)' if htmx else ''} as {cell.actor}"
    if cell.state == "closed":
        what += ", workshop closed"
    if htmx:
        assert observed in ALLOWED, (
            f"{what}: expected {cell.expected} or a fragment, got {observed} ({describe(response)})"
        )
    else:
        assert observed == cell.expected, (
            f"{what}: expected {cell.expected}, got {observed} ({describe(response)})"
        )
    if observed == expect.LOGIN:
        query = parse_qs(urlsplit(response["Location"]).query)
        assert query.get("next") == [url], f"{what}: the login redirect loses the way back"
    reveals = cell.endpoint.reveals
    found = leaked(body_text(response), cell.actor, reveals)
    assert not found, f"{what} ({describe(response)}) shows what {cell.actor} may not see: {found}"
    if observed == expect.REDIRECT and follow_redirect:
        # Where the redirect leads must be a page for this actor, with nothing of others'.
        granted = cell.endpoint.grants if cell.method == "POST" else frozenset()
        location = response["Location"]
        landing = client.get(location)
        assert landing.status_code < 400, (
            f"{what} leads to {location}, which answers {landing.status_code}"
        )
        found = leaked(body_text(landing), cell.actor, reveals, granted)
        assert not found, f"{what} leads to {location}, which shows: {found}"


# --- Counting what the matrix covers ------------------------------------------------------------


def _coverage_lines() -> list[str]:
    paths = sum(
        len(expect.ENDPOINTS[r.name].formats or ("",))
        for r in OUR_ROUTES
        if r.name in expect.ENDPOINTS
    )
    actors, methods = len(expect.ACTORS), len(expect.METHODS)
    cells = paths * actors * methods
    return [
        f"our endpoints: {len(OUR_ROUTES)} URL patterns = {paths} paths × {actors} actors × "
        f"{methods} methods = {cells} cells; the {len(HTTP_CELLS_CLOSED)} allowed ones again "
        f"with the workshop closed and again over HTMX",
        f"admin: {len(ADMIN_PATHS)} paths × {actors} × {methods} = {len(ADMIN_CELLS)} cells",
        f"allauth: {len(ALLAUTH_PATHS)} paths × {actors} × {methods} = {len(ALLAUTH_CELLS)} cells",
        f"websocket: {len(websocket_urlpatterns)} route(s) × {actors} actors = "
        f"{len(websocket_urlpatterns) * actors} cells (each with 4 ?team= probes)",
    ]


class _CoverageReport:
    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_sep("-", "authorization matrix")
        for line in _coverage_lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _report_coverage(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("authz-matrix-coverage"):
        manager.register(_CoverageReport(), "authz-matrix-coverage")


# --- The table itself ---------------------------------------------------------------------------


def test_every_endpoint_of_ours_has_an_authorization_expectation():
    missing = sorted({r.name or r.route for r in OUR_ROUTES} - set(expect.ENDPOINTS))
    assert not missing, "new endpoint(s) without an authorization expectation: " + ", ".join(
        f"{name!r}" for name in missing
    )


def test_every_expectation_names_an_endpoint_that_exists():
    names = {r.name for r in OUR_ROUTES}
    stale = sorted((set(expect.ENDPOINTS) | set(expect.CLOSED_CHANGES)) - names)
    assert not stale, f"expectations for endpoints that no longer exist: {stale}"


def test_the_walk_finds_every_tree_of_the_urlconf():
    # If the walk went wrong (say, missed an include), the table could not catch new endpoints.
    names = {r.name for r in OUR_ROUTES}
    assert {"workshops:home", "ai:request", "profile", "health_live"} <= names
    assert not any(r.route.startswith(("admin/", "accounts/3rdparty")) for r in OUR_ROUTES)
    assert any(r.tree == "admin" for r in ROUTES)
    assert any(r.tree == "allauth" for r in ROUTES)


def test_every_registered_admin_model_has_its_changelist_checked():
    checked = {name for _label, name in ADMIN_PATHS}
    for model in admin.site._registry:
        opts = model._meta
        assert f"admin:{opts.app_label}_{opts.model_name}_changelist" in checked


def test_the_matrix_is_as_large_as_the_urlconf(record_property):
    for line in _coverage_lines():
        record_property("coverage", line)
    paths = sum(len(expect.ENDPOINTS[name].formats or ("",)) for name in expect.ENDPOINTS)
    per_path = len(expect.ACTORS) * len(expect.METHODS)
    assert len(HTTP_CELLS) + len(HTTP_CELLS_COMMITTED) * per_path == paths * per_path
    assert len(HTTP_CELLS_CLOSED) == len(HTTP_CELLS_HTMX) > 0


# --- HTTP: every cell, on data built once -------------------------------------------------------


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    """The two workshops, built once for the class inside a transaction that is rolled back
    at the end; each test's own transaction is a savepoint inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            # Made once: a login per cell would be most of a cell's writes.
            built.sessions = {
                actor: session_cookie_for(user)
                for actor, user in built.actors.items()
                if user is not None
            }
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _require_row(cell: Cell) -> None:
    assert cell.name in expect.ENDPOINTS, (
        f"new endpoint {cell.name!r} has no authorization expectation: add a row to "
        "tests/authz_expectations.py"
    )


@pytest.mark.django_db
class TestHttpMatrix:
    @pytest.mark.parametrize("cell", HTTP_CELLS)
    def test_http(self, cell, world, client):
        _require_row(cell)
        check_cell(client, world, cell)

    @pytest.mark.parametrize("cell", HTTP_CELLS_CLOSED)
    def test_http_closed_workshop(self, cell, world, client):
        _require_row(cell)
        # A fresh copy: the shared one keeps describing the open workshop for the next cells.
        services.workshop_close(workshop=Workshop.objects.get(pk=world.workshop.pk))
        check_cell(client, world, cell, follow_redirect=False)

    @pytest.mark.parametrize("cell", HTTP_CELLS_HTMX)
    def test_http_htmx(self, cell, world, client):
        check_cell(client, world, cell, htmx=True, follow_redirect=False)

    @pytest.mark.parametrize("name, actor, method", ADMIN_CELLS)
    def test_admin(self, name, actor, method, world, client):
        url = _admin_url(name)
        response = request_as(client, world, actor, method, url)
        observed = outcome_of(response)
        expected = expect.ADMIN[method][actor]
        if actor == "staff":
            expected = expect.ADMIN_STAFF_EXCEPTIONS.get(name, expected)
        assert observed == expected, (
            f"{method} {url} as {actor}: expected {expected}, got {observed} ({describe(response)})"
        )
        if observed == expect.ADMIN_LOGIN:
            query = parse_qs(urlsplit(response["Location"]).query)
            assert query.get("next") == [url], f"{method} {url} as {actor}: no way back"
        if observed == expect.REDIRECT:
            assert response["Location"].startswith("/admin/"), f"{url} leads out of the admin"
        if actor != "staff":
            found = leaked(body_text(response), actor)
            assert not found, f"{method} {url} as {actor} shows: {found}"

    @pytest.mark.parametrize("label, path, actor, method", ALLAUTH_CELLS)
    def test_allauth(self, label, path, actor, method, world, client):
        response = request_as(client, world, actor, method, path)
        observed = outcome_of(response)
        what = f"{method} {path} as {actor}"
        assert response.status_code < 500, f"{what}: {describe(response)}"
        rows = expect.ALLAUTH.get(label)
        if rows is None and path.startswith("/accounts/social/"):
            rows = expect.ALLAUTH_LEGACY_REDIRECT
        if rows is not None:
            expected = rows[method][actor]
            assert observed == expected, (
                f"{what}: expected {expected}, got {observed} ({describe(response)})"
            )
        found = leaked(body_text(response), actor)
        assert not found, f"{what} shows: {found}"

    def test_a_task_cannot_be_filed_under_another_workshops_domain(self, world, client):
        foreign_domain = world.foreign_workshop.domains.get()
        payload = PAYLOADS["workshops:task_create"](world) | {"domain": foreign_domain.pk}
        client.force_login(world.actors["lead"])
        response = client.post(_url("workshops:task_create", world), payload)
        assert response.status_code == 200  # the form again, with the error
        assert not foreign_domain.tasks.filter(team=world.team).exists()

    def test_a_task_cannot_be_moved_to_another_workshops_domain(self, world, client):
        foreign_domain = world.foreign_workshop.domains.get()
        payload = PAYLOADS["workshops:task_edit"](world) | {"domain": foreign_domain.pk}
        client.force_login(world.actors["member"])
        response = client.post(_url("workshops:task_edit", world), payload)
        assert response.status_code == 200
        assert not foreign_domain.tasks.filter(team=world.team).exists()


# --- HTTP: views that must see committed data ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", HTTP_CELLS_COMMITTED)
def test_http_committed(name, client):
    """The readiness check hops threads, so it runs on committed data: one test per endpoint
    (a transactional test empties the database afterwards, which is slow), every cell inside."""
    world = build_world()
    WorkerHeartbeat.objects.create(worker_id="authz-matrix", beat_at=timezone.now())
    failures = []
    for actor in expect.ACTORS:
        for method in expect.METHODS:
            client.logout()
            try:
                check_cell(client, world, Cell("open", name, "", actor, method))
            except AssertionError as error:
                failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)


# --- WebSocket ----------------------------------------------------------------------------------


def _ws_path(route, world: World) -> str:
    kind = expect.WS_ENDPOINTS[route.name]["target"]
    value = {"workshop": world.workshop.pk}[kind]
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(value), str(route.pattern))


WS_CELLS = [
    pytest.param(route, actor, id=f"{route.name}-{actor}")
    for route in websocket_urlpatterns
    for actor in expect.ACTORS
]


async def _open(path: str, user):
    return await sockets.open_socket(path, user)


async def _drain(socket, seconds=0.3) -> str:
    return await sockets.drain(socket, seconds)


# What an accepted plain socket must show, as a check that the snapshot is the viewer's page and
# that pushes reach it at all.
WS_MUST_SHOW = {
    "other_team_member": ["other_team.task_title"],
    "member": ["our_team.task_title"],
    "lead": ["our_team.task_title"],
    "instructor": ["our_team.team", "other_team.team"],
}
WS_MUST_HEAR = {
    "other_team_member": ["other_team.task_title"],
    "member": ["our_team.task_title"],
    "lead": ["our_team.task_title"],
}


def _ws_problems(what: str, html: str, actor: str, world: World) -> list[str]:
    problems = [f"{what} shows {found}" for found in leaked(html, actor)]
    if actor != "instructor":
        # A team's people get their own team's regions only, and no board.
        own = world.other_team if actor == "other_team_member" else world.team
        for team in (world.team, world.other_team, world.foreign_team):
            if team != own and f'id="team-{team.pk}-' in html:
                problems.append(f"{what} has team {team.pk}'s regions")
        if 'id="board-team-' in html:
            problems.append(f"{what} has the instructor's board")
    return problems


def _change_every_team(world: World) -> None:
    """A new task in each team of both workshops, each titled with its team's marker."""
    for team, prefix in (
        (world.team, "our_team"),
        (world.other_team, "other_team"),
        (world.foreign_team, "foreign"),
    ):
        services.task_create(
            team=team,
            actor=team.lead,
            data=task_data(
                team.workshop.domains.first(), title=f"{MARKERS[prefix + '.task_title']} 새 업무"
            ),
        )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("live_state")
@pytest.mark.parametrize("route, actor", WS_CELLS)
async def test_websocket(route, actor):
    """Connect as the actor, plainly and asking by query string for each team's regions (only
    an instructor may pick a team, and only one of their own workshop); check the snapshot,
    then change a task in every team of both workshops and check what is pushed."""
    spec = expect.WS_ENDPOINTS.get(route.name)
    assert spec is not None, f"new WebSocket route {route.name!r} has no expectation"
    world = await database_sync_to_async(build_world)()
    path = _ws_path(route, world)
    teams = (world.team, world.other_team, world.foreign_team)
    paths = [path, *(f"{path}?team={team.pk}" for team in teams)]
    user = world.actors[actor]
    expected = spec["outcomes"][actor]
    problems = []
    sockets = {}
    try:
        for each in paths:
            socket, connected, code = await _open(each, user)
            what = f"WebSocket {each} as {actor}"
            if expected == expect.REFUSED:
                await socket.disconnect()
                if (connected, code) != (False, 4403):
                    problems.append(f"{what}: expected refusal 4403, got {(connected, code)}")
            elif not connected:
                problems.append(f"{what}: expected to be accepted, was closed with {code}")
            else:
                sockets[each] = socket
        snapshots = await asyncio.gather(*(_drain(socket) for socket in sockets.values()))
        for each, snapshot in zip(sockets, snapshots, strict=True):
            problems += _ws_problems(f"the snapshot of {each} as {actor}", snapshot, actor, world)
            if each == path:
                for name in WS_MUST_SHOW.get(actor, []):
                    if MARKERS[name] not in snapshot:
                        problems.append(f"the snapshot of {each} as {actor} lacks {name}")
        if sockets:
            await database_sync_to_async(_change_every_team)(world)
            pushes = await asyncio.gather(*(_drain(socket) for socket in sockets.values()))
            for each, pushed in zip(sockets, pushes, strict=True):
                problems += _ws_problems(f"what {each} pushed to {actor}", pushed, actor, world)
                if each == path:
                    for name in WS_MUST_HEAR.get(actor, []):
                        if f"{MARKERS[name]} 새 업무" not in pushed:
                            problems.append(f"{each} as {actor} did not hear {name}'s change")
    finally:
        for socket in sockets.values():
            await socket.disconnect()
        # The consumers' database work ran on asgiref's shared sync thread; its connection
        # would otherwise outlive the test and keep the test database from being dropped.
        await database_sync_to_async(connections.close_all)()
    assert not problems, "\n".join(problems)
