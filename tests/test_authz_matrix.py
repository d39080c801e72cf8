"""The authorization matrix: every endpoint × every actor × GET and POST, from the URLconf.

The URL patterns are walked at collection time; each of ours must have a row in
`authz_expectations.ENDPOINTS` (a new endpoint without one fails here). Each cell requests
the endpoint as one actor and checks the outcome class, then checks the body for markers of
data that actor may not see: another workshop's (always), another team's (for a team's own
people), this team's (for the other team). The WebSocket routes get the same treatment, in
test_authz_matrix_sockets.py.

The two workshops are built once for the whole class of HTTP cells, inside a transaction that
each cell's own transaction nests in (a savepoint), so a POST's side effects are undone before
the next cell. Views that hop threads cannot see that uncommitted data; they (the readiness
check below, the WebSocket consumer) run on committed data in transactional tests.

The cast, their markers and the payloads are in tests/authz_world.py; the URLconf walked into
cells, the check of one response and the coverage count in tests/authz_cells.py.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from ai.models import WorkerHeartbeat
from support.servers import session_cookie_for
from tests import authz_expectations as expect
from tests.authz_cells import (
    ADMIN_CELLS,
    ADMIN_PATHS,
    ALLAUTH_CELLS,
    HTTP_CELLS,
    HTTP_CELLS_CLOSED,
    HTTP_CELLS_COMMITTED,
    HTTP_CELLS_HTMX,
    OUR_ROUTES,
    ROUTES,
    Cell,
    admin_url,
    body_text,
    check_cell,
    coverage_lines,
    describe,
    endpoint_url,
    outcome_of,
    report_coverage,  # noqa: F401  (autouse: the summary)
    request_as,
)
from tests.authz_world import PAYLOADS, build_world, leaked
from workshops import services
from workshops.models import Workshop

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
    for line in coverage_lines():
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
        url = admin_url(name)
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
        response = client.post(endpoint_url("workshops:task_create", world), payload)
        assert response.status_code == 200  # the form again, with the error
        assert not foreign_domain.tasks.filter(team=world.team).exists()

    def test_a_task_cannot_be_moved_to_another_workshops_domain(self, world, client):
        foreign_domain = world.foreign_workshop.domains.get()
        payload = PAYLOADS["workshops:task_edit"](world) | {"domain": foreign_domain.pk}
        client.force_login(world.actors["member"])
        response = client.post(endpoint_url("workshops:task_edit", world), payload)
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
