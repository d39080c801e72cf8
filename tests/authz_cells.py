"""The authorization matrix's cells, walked from the URLconf at collection time (our
endpoints, the admin's, allauth's), the check of one response, and the count of what the
matrix covers. Used by test_authz_matrix.py and test_authz_matrix_sockets.py.
"""

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from board.routing import websocket_urlpatterns
from tests import authz_expectations as expect
from tests.authz_world import PAYLOADS, World, leaked

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


def endpoint_url(name: str, world: World, fmt: str = "") -> str:
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


def admin_url(name: str) -> str:
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
    url = endpoint_url(cell.name, world, cell.fmt)
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


def coverage_lines() -> list[str]:
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
        for line in coverage_lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def report_coverage(request):
    """Autouse in each matrix module that imports it: the summary of what the matrix covers
    is printed once, at the end of the run."""
    manager = request.config.pluginmanager
    if not manager.has_plugin("authz-matrix-coverage"):
        manager.register(_CoverageReport(), "authz-matrix-coverage")
