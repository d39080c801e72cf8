"""Page cost must not grow with the workshop: a fixed number of queries per page."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from board import render
from conftest import make_user, task_data
from workshops import services


def sql_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_tasks(team, actor, domains, count):
    for i in range(count):
        services.task_create(
            team=team, actor=actor, data=task_data(domains[i % len(domains)], title=f"업무 {i}")
        )


def test_the_team_page_costs_the_same_with_1_or_30_tasks(client_as, lead, member, team):
    client = client_as(lead)
    services.invitation_create(team=team, actor=lead)
    domains = list(team.workshop.domains.all())
    queries_for(client, team.get_absolute_url())  # what is kept whatever the tasks (the form)
    add_tasks(team, member, domains, 1)  # each add: the task list is read again
    with_one = queries_for(client, team.get_absolute_url())
    add_tasks(team, lead, domains, 29)
    services.invitation_create(team=team, actor=lead)
    assert queries_for(client, team.get_absolute_url()) == with_one


@override_settings(DEBUG=False)  # the page cache on, as in production
def test_a_team_page_after_no_change_reads_no_task(client_as, lead, member, team):
    client = client_as(lead)
    add_tasks(team, member, list(team.workshop.domains.all()), 5)
    first = sql_for(client, team.get_absolute_url())
    again = sql_for(client, team.get_absolute_url())
    reads = (f'"workshops_task"."team_id" = {team.pk}', '"ai_taskanalysis"', '"workshops_vote"')
    assert any(read in sql for sql in first for read in reads)  # the first load read them
    assert not [sql for sql in again if any(read in sql for read in reads)]
    # Who is asking, their team, its invitations, its analysis runs; and the workshop's counts,
    # which are kept only in a cache all processes share (Redis: the PostgreSQL pass).
    assert len(again) <= (4 if render._shared_cache() else 5)


def test_the_workshop_page_costs_the_same_with_1_or_10_teams(
    client_as, instructor, workshop, django_capture_on_commit_callbacks
):
    client = client_as(instructor)
    domains = list(workshop.domains.all())

    def add_team(i):
        lead = make_user(f"lead{i}@example.com")
        with django_capture_on_commit_callbacks(execute=True):  # the live sink: a new board
            team = services.team_create(
                workshop=workshop, lead=lead, team_name=f"팀 {i}", display_name=f"팀장 {i}"
            )
            add_tasks(team, lead, domains, 3)

    add_team(0)
    with_one = queries_for(client, workshop.get_absolute_url())
    for i in range(1, 10):
        add_team(i)
    assert queries_for(client, workshop.get_absolute_url()) == with_one


def test_home_costs_the_same_with_1_or_5_workshops(client_as, instructor, workshop):
    from datetime import date

    client = client_as(instructor)
    with_one = queries_for(client, "/")
    for i in range(4):
        services.workshop_create(
            creator=instructor,
            title=f"W{i}",
            description="",
            date=date(2026, 6, 1),
            domain_names=["가"],
        )
    assert queries_for(client, "/") == with_one


# --- Writes: the answer shares the live event's read ---------------------------------------------


def add_task_queries(client, team, domain, title) -> list[str]:
    data = {**task_data(domain, title=title), "domain": domain.pk}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/teams/{team.pk}/tasks/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and title in response.content.decode()
    return [query["sql"] for query in captured]


def reads_of_the_teams_tasks(queries, team) -> int:
    return sum(1 for sql in queries if f'WHERE "workshops_task"."team_id" = {team.pk}' in sql)


@pytest.fixture
def team_page_open(team, lead):
    from workshops.live import presence

    presence.reset()
    connection_id = presence.connection_id(instructor=False, team_id=team.pk)
    presence.connect(team.workshop_id, lead.pk, connection_id)
    yield
    presence.reset()


@pytest.mark.django_db(transaction=True)  # the live event runs at the commit, in the request
def test_adding_a_task_reads_the_teams_tasks_once_with_its_page_open(
    client_as, lead, team, domain, team_page_open
):
    queries = add_task_queries(client_as(lead), team, domain, "새 업무")
    assert reads_of_the_teams_tasks(queries, team) == 1


@pytest.mark.django_db(transaction=True)
def test_adding_a_task_reads_the_teams_tasks_once_with_no_page_open(client_as, lead, team, domain):
    queries = add_task_queries(client_as(lead), team, domain, "새 업무")
    assert reads_of_the_teams_tasks(queries, team) == 1


@pytest.mark.django_db(transaction=True)
def test_adding_a_task_costs_the_same_with_1_or_30_tasks(
    client_as, lead, member, team, domain, team_page_open
):
    client = client_as(lead)
    add_task_queries(client, team, domain, "첫째")  # what is kept whatever the tasks (the form)
    add_tasks(team, member, list(team.workshop.domains.all()), 1)
    with_one = len(add_task_queries(client, team, domain, "둘째"))
    add_tasks(team, member, list(team.workshop.domains.all()), 28)
    assert len(add_task_queries(client, team, domain, "서른째")) == with_one


@pytest.mark.django_db(transaction=True)
def test_with_no_page_open_a_write_reads_nothing_for_its_live_event(client_as, lead, team, domain):
    queries = add_task_queries(client_as(lead), team, domain, "새 업무")
    after_commit = queries[queries.index("COMMIT") + 1 :]
    # The answer's task list reads the tasks; nobody could receive a push, so nothing reads the
    # team again for one.
    assert reads_of_the_teams_tasks(after_commit, team) == 1
    assert [sql for sql in after_commit if 'FROM "workshops_team"' in sql] == []


@pytest.mark.django_db(transaction=True)
def test_adding_a_task_looks_its_domain_up_once(client_as, lead, team, domain):
    queries = add_task_queries(client_as(lead), team, domain, "새 업무")
    before_commit = queries[: queries.index("COMMIT")]
    assert sum(1 for sql in before_commit if 'FROM "workshops_domain"' in sql) == 1


# --- The access check: one query for a lead or member on their own team ------------------------


def test_a_lead_on_their_own_team_is_checked_in_one_query(lead, team):
    from workshops.access import get_team_for_user

    with CaptureQueriesContext(connection) as captured:
        access = get_team_for_user(lead, team.pk, write=True)
    assert len(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        shown = (access.team.workshop.title, access.team.name, access.participant.team_id)
    assert len(captured) == 0
    assert shown == (team.workshop.title, team.name, team.pk)
    assert access.can_edit_tasks


def test_the_people_a_team_page_names_are_read_together_only_when_rendered(lead, member, team):
    """The access check reads no person: most loads take their regions from the cache. A
    region that names the lead and who changed a task last reads both in one query."""
    from board.render import load_people
    from workshops.access import get_team_for_user

    team.last_activity_by = member
    team.save(update_fields=["last_activity_by"])
    access = get_team_for_user(lead, team.pk)
    with CaptureQueriesContext(connection) as captured:
        load_people(access.team)
        names = (access.team.lead.name, access.team.last_activity_by.name)
    assert len(captured) == 1
    assert names == (lead.name, member.name)
    with CaptureQueriesContext(connection) as captured:
        load_people(access.team)  # read already
    assert len(captured) == 0


def test_an_instructor_on_a_team_is_checked_in_two_queries(instructor, team):
    from workshops.access import get_team_for_user

    with CaptureQueriesContext(connection) as captured:
        access = get_team_for_user(instructor, team.pk)
    assert len(captured) == 2
    assert access.team == team and access.team.workshop == team.workshop
    assert not access.can_edit_tasks
