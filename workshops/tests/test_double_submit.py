"""A form posted twice adds one task (security finding 8 of issue 19): a double tap on a phone,
or a retry of a post that went through, is answered like the first."""

import re

import pytest

from workshops.models import Task
from workshops.tests.test_tasks import add_url, form_for

pytestmark = pytest.mark.django_db


def shown_key(client, team) -> str:
    page = client.get(team.get_absolute_url()).content.decode()
    return re.search(r'name="submit_key" value="([0-9a-f]{32})"', page).group(1)


def test_the_same_form_posted_twice_adds_one_task(client_as, lead, team, domain):
    client = client_as(lead)
    data = form_for(domain, submit_key=shown_key(client, team))
    first = client.post(add_url(team), data)
    second = client.post(add_url(team), data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Task.objects.count() == 1


def test_the_same_form_posted_twice_by_htmx_answers_with_the_list_both_times(
    client_as, lead, team, domain
):
    client = client_as(lead)
    data = form_for(domain, submit_key=shown_key(client, team))
    for _ in range(2):
        response = client.post(add_url(team), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "주간 실적 보고" in response.content.decode()
    assert Task.objects.count() == 1


def test_each_form_shown_gets_its_own_key(client_as, lead, team, domain):
    client = client_as(lead)
    client.post(add_url(team), form_for(domain, submit_key=shown_key(client, team)))
    client.post(add_url(team), form_for(domain, submit_key=shown_key(client, team)))
    assert Task.objects.count() == 2  # the same title twice, on purpose


def test_a_refused_form_keeps_its_key_and_counts_when_corrected(client_as, lead, team, domain):
    client = client_as(lead)
    key = shown_key(client, team)
    refused = client.post(add_url(team), form_for(domain, title="", submit_key=key))
    assert f'value="{key}"' in refused.content.decode()
    client.post(add_url(team), form_for(domain, submit_key=key))
    assert Task.objects.count() == 1
