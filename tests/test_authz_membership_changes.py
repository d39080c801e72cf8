"""Access follows membership as it changes: removed, moved to another team, workshop closed
(issue 19, "keep it closed"). The authorization matrix checks fixed roles; this checks the
same pages after a person's place changes under them. Sockets: workshops/tests/test_live_socket
and test_live_processes."""

import pytest
from django.urls import reverse

from conftest import task_data
from workshops import services
from workshops.models import Participant

pytestmark = pytest.mark.django_db

TEAM_PAGES = [
    ("workshops:team_detail", None),
    ("workshops:team_report", None),
    ("workshops:team_export", "csv"),
    ("ai:progress", None),
]
TASK_PAGES = ["workshops:task_detail", "workshops:task_edit", "ai:history"]


def team_urls(team) -> list[str]:
    return [reverse(name, args=[team.pk, *([fmt] if fmt else [])]) for name, fmt in TEAM_PAGES]


def task_urls(task) -> list[str]:
    return [reverse(name, args=[task.pk]) for name in TASK_PAGES]


def statuses(client, urls) -> set[int]:
    return {client.get(url).status_code for url in urls}


def test_a_removed_member_gets_404_on_every_team_and_task_page(client_as, member, team, task):
    client = client_as(member)
    assert statuses(client, team_urls(team) + task_urls(task)) == {200}
    Participant.objects.filter(user=member).delete()
    assert statuses(client, team_urls(team) + task_urls(task)) == {404}
    response = client.post(reverse("workshops:task_create", args=[team.pk]), {})
    assert response.status_code == 404


def test_a_member_moved_to_another_team_loses_the_old_one_and_gains_the_new(
    client_as, member, team, task, other_team, other_lead, domain
):
    other_task = services.task_create(team=other_team, actor=other_lead, data=task_data(domain))
    client = client_as(member)
    Participant.objects.filter(user=member).update(team=other_team)
    assert statuses(client, team_urls(team) + task_urls(task)) == {404}
    assert statuses(client, team_urls(other_team) + task_urls(other_task)) == {200}


def test_a_closed_workshop_leaves_pages_readable_and_refuses_every_write(
    client_as, member, team, task, domain
):
    services.workshop_close(workshop=team.workshop)
    client = client_as(member)
    assert statuses(client, [reverse("workshops:team_detail", args=[team.pk])]) == {200}
    writes = [
        (reverse("workshops:task_create", args=[team.pk]), task_data(domain)),
        (reverse("workshops:task_edit", args=[task.pk]), task_data(domain, title="바꿈")),
        (reverse("workshops:task_delete", args=[task.pk]), {}),
        (reverse("ai:request", args=[team.pk]), {}),
    ]
    assert {client.post(url, data).status_code for url, data in writes} == {403}
    task.refresh_from_db()
    assert task.title != "바꿈"
