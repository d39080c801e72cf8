"""Tasks carry a version: a stale edit is told, with both versions, and nothing is lost."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from conftest import task_data
from workshops import services
from workshops.models import Task
from workshops.tests.test_tasks import FORM, form_for


def edit(client, task, version, **fields):
    url = reverse("workshops:task_edit", args=[task.pk])
    return client.post(url, {**form_for(task.domain), "version": version, **fields})


def test_the_edit_form_carries_the_version(client_as, lead, task):
    response = client_as(lead).get(reverse("workshops:task_edit", args=[task.pk]))
    assert 'name="version" value="1"' in response.content.decode()


def test_every_edit_raises_the_version(client_as, lead, task):
    edit(client_as(lead), task, 1, title="첫 수정")
    edit(client_as(lead), task, 2, title="둘째 수정")
    task.refresh_from_db()
    assert (task.title, task.version) == ("둘째 수정", 3)


def test_a_stale_edit_shows_both_versions_and_changes_nothing(client_as, lead, member, task):
    edit(client_as(member), task, 1, title="팀원이 고친 제목", minutes_per_occurrence="30")
    response = edit(client_as(lead), task, 1, title="팀장이 고친 제목", description="내 설명")
    body = response.content.decode()
    assert response.status_code == 200
    assert "다른 사람이 먼저 이 업무를 수정했습니다" in body
    assert member.display_name in body
    conflict = response.context["conflict"]
    rows = {row["label"]: (row["mine"], row["theirs"]) for row in conflict["rows"]}
    assert rows["업무명"] == ("팀장이 고친 제목", "팀원이 고친 제목")
    assert rows["1회 소요(분)"] == (FORM["minutes_per_occurrence"], "30")
    assert rows["설명"] == ("내 설명", FORM["description"])
    # The lead's input is still in the form, now based on the stored version.
    assert 'value="팀장이 고친 제목"' in body
    assert 'name="version" value="2"' in body
    task.refresh_from_db()
    assert (task.title, task.version) == ("팀원이 고친 제목", 2)


def test_saving_again_after_a_conflict_replaces_on_purpose(client_as, lead, member, task):
    edit(client_as(member), task, 1, title="팀원이 고친 제목")
    edit(client_as(lead), task, 1, title="팀장이 고친 제목")
    edit(client_as(lead), task, 2, title="팀장이 고친 제목")
    task.refresh_from_db()
    assert (task.title, task.updated_by, task.version) == ("팀장이 고친 제목", lead, 3)


def test_a_conflict_over_htmx_stays_in_the_form(client_as, lead, member, task):
    edit(client_as(member), task, 1, title="팀원이 고친 제목")
    url = reverse("workshops:task_edit", args=[task.pk])
    response = client_as(lead).post(
        url,
        {**form_for(task.domain), "version": 1, "title": "팀장"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "HX-Retarget" not in response
    assert body.lstrip().startswith(f'<form id="task-{task.pk}"')
    assert "지금 저장된 값" in body


def test_the_same_change_twice_is_not_a_conflict(client_as, lead, member, task):
    edit(client_as(member), task, 1, title="같은 제목")
    response = edit(client_as(lead), task, 1, title="같은 제목")
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.version) == ("같은 제목", 2)


def test_an_edit_without_a_version_is_refused_in_korean(client_as, lead, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    data = form_for(task.domain, title="버전 없음")
    del data["version"]
    response = client_as(lead).post(url, data)
    assert "페이지를 새로 고친 뒤 다시 저장해 주세요" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "주간 보고서 작성"


def test_the_service_refuses_a_stale_base_version(team, lead, member, domain, task):
    stale = Task.objects.get(pk=task.pk)
    services.task_update(task=task, actor=member, data=task_data(domain, title="먼저"))
    with pytest.raises(services.EditConflict) as caught:
        services.task_update(task=stale, actor=lead, data=task_data(domain, title="나중"))
    assert caught.value.current.title == "먼저"
    assert Task.objects.get(pk=task.pk).title == "먼저"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_saving_at_once_lose_nothing(team, lead, member, domain):
    """Two real connections race the same version: one saves, the other gets the conflict."""
    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(who, title):
        try:
            copy = Task.objects.get(pk=task.pk)
            barrier.wait(timeout=10)
            services.task_update(task=copy, actor=who, data=task_data(domain, title=title))
            outcomes[title] = "saved"
        except services.EditConflict as error:
            outcomes[title] = f"conflict with {error.current.title}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(lead, "팀장 제목")),
        threading.Thread(target=save, args=(member, "팀원 제목")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    stored = Task.objects.get(pk=task.pk)
    assert stored.version == 2
    loser = "팀원 제목" if stored.title == "팀장 제목" else "팀장 제목"
    assert outcomes == {stored.title: "saved", loser: f"conflict with {stored.title}"}
