"""A workshop closed while people work: a write already on its way is answered in place, with
what was typed, instead of a 403 page that drops it (issue 15, graceful closing)."""

from io import BytesIO

import pytest
from django.urls import reverse

from workshops import facilitation, priorities, services
from workshops.models import Invitation, Task, Workshop

HTMX = {"HTTP_HX_REQUEST": "true"}
TYPED = {
    "title": "닫히기 직전에 적은 업무",
    "description": "마감 직전까지 적고 있던 설명",
    "frequency": "weekly",
    "occurrences_per_period": "3",
    "minutes_per_occurrence": "40",
    "version": "1",
}
REASON = "워크샵이 종료되어 저장하지 못했습니다"


@pytest.fixture
def closed(workshop):
    services.workshop_close(workshop=workshop)
    return workshop


def typed_for(domain, **overrides):
    return {**TYPED, "domain": str(domain.pk), **overrides}


def test_an_add_sent_as_the_workshop_closed_answers_with_the_form_as_typed(
    client_as, lead, team, domain, closed
):
    response = client_as(lead).post(
        reverse("workshops:task_create", args=[team.pk]), typed_for(domain), **HTMX
    )
    body = response.content.decode()
    assert (response.status_code, response["Answer-In-Place"]) == (403, "true")
    assert body.lstrip().startswith('<form id="task-add-form"')
    assert REASON in body
    assert TYPED["title"] in body and TYPED["description"] in body
    assert not Task.objects.exists()


def test_an_add_without_javascript_shows_the_team_page_with_the_form_as_typed(
    client_as, lead, team, domain, closed
):
    response = client_as(lead).post(
        reverse("workshops:task_create", args=[team.pk]), typed_for(domain)
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert 'id="task-add-form"' in body and REASON in body and TYPED["description"] in body


def test_a_save_sent_as_the_workshop_closed_answers_with_the_edit_form_as_typed(
    client_as, member, task, closed
):
    response = client_as(member).post(
        reverse("workshops:task_edit", args=[task.pk]),
        typed_for(task.domain, version=str(task.version)),
        **HTMX,
    )
    body = response.content.decode()
    assert (response.status_code, response["Answer-In-Place"]) == (403, "true")
    assert body.lstrip().startswith(f'<form id="task-{task.pk}"')
    assert REASON in body and TYPED["title"] in body and TYPED["description"] in body
    task.refresh_from_db()
    assert task.title == "주간 보고서 작성"


def test_opening_the_edit_form_of_a_closed_workshop_is_still_refused(
    client_as, member, task, closed
):
    response = client_as(member).get(reverse("workshops:task_edit", args=[task.pk]), **HTMX)
    assert response.status_code == 403
    assert "Answer-In-Place" not in response


def test_a_new_team_name_sent_as_the_workshop_closed_is_kept_on_the_page(
    client_as, lead, team, closed
):
    response = client_as(lead).post(
        reverse("workshops:team_edit", args=[team.pk]), {"name": "닫힌 뒤의 새 이름"}
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert REASON in body and 'value="닫힌 뒤의 새 이름"' in body
    team.refresh_from_db()
    assert team.name != "닫힌 뒤의 새 이름"


def test_a_member_renaming_a_closed_workshops_team_is_told_only_the_lead_may(
    client_as, member, team, closed
):
    response = client_as(member).post(
        reverse("workshops:team_edit", args=[team.pk]), {"name": "팀원이 바꾼 이름"}
    )
    assert response.status_code == 403
    assert "팀장만 할 수 있는 일입니다" in response.content.decode()


def test_a_new_invitation_asked_as_the_workshop_closed_answers_in_place(
    client_as, lead, team, closed
):
    response = client_as(lead).post(reverse("workshops:invitation_create", args=[team.pk]), **HTMX)
    body = response.content.decode()
    assert (response.status_code, response["Answer-In-Place"]) == (403, "true")
    assert body.lstrip().startswith('<details id="invitations"')
    assert "워크샵이 종료되어 초대 링크를 바꿀 수 없습니다" in body
    assert not Invitation.objects.exists()


def test_revoking_an_invitation_as_the_workshop_closed_answers_in_place_and_keeps_it(
    client_as, lead, team, workshop
):
    invitation = services.invitation_create(team=team, actor=lead)
    services.workshop_close(workshop=workshop)
    response = client_as(lead).post(
        reverse("workshops:invitation_revoke", args=[invitation.pk]), **HTMX
    )
    body = response.content.decode()
    assert (response.status_code, response["Answer-In-Place"]) == (403, "true")
    assert invitation.token in body  # the link is still there, and still works
    assert Invitation.objects.active().filter(pk=invitation.pk).exists()


def test_a_member_asking_for_an_invitation_of_a_closed_workshop_sees_no_links(
    client_as, lead, member, team, closed
):
    services.invitation_create(team=team, actor=lead)
    response = client_as(member).post(
        reverse("workshops:invitation_create", args=[team.pk]), **HTMX
    )
    assert response.status_code == 403
    assert "Answer-In-Place" not in response
    assert "/invite/" not in response.content.decode()


def test_an_upload_sent_as_the_workshop_closed_answers_on_the_import_page(
    client_as, lead, team, closed
):
    upload = BytesIO("업무 영역,업무명\n영업,보고\n".encode())
    upload.name = "tasks.csv"
    response = client_as(lead).post(
        reverse("workshops:task_import", args=[team.pk]), {"file": upload}
    )
    assert response.status_code == 403
    assert "워크샵이 종료되어 가져오지 못했습니다" in response.content.decode()


def test_a_checked_import_saved_as_the_workshop_closed_keeps_its_rows_on_the_page(
    client_as, lead, team, domain, workshop
):
    client = client_as(lead)
    template = client.get(reverse("workshops:task_import_template", args=[team.pk, "csv"]))
    header = template.content.decode("utf-8-sig").splitlines()[0]
    row = f"{domain.name},닫히기 전 올린 업무,설명,매주,1,30"
    upload = BytesIO(f"{header}\n{row}\n".encode())
    upload.name = "tasks.csv"
    checked = client.post(reverse("workshops:task_import", args=[team.pk]), {"file": upload})
    assert "닫히기 전 올린 업무" in checked.content.decode()
    services.workshop_close(workshop=workshop)
    response = client.post(reverse("workshops:task_import_confirm", args=[team.pk]))
    body = response.content.decode()
    assert response.status_code == 403
    assert "워크샵이 종료되어 가져오지 못했습니다" in body and "닫히기 전 올린 업무" in body
    assert not Task.objects.exists()


def test_a_closed_workshops_team_page_says_so_where_the_add_form_was(client_as, lead, team, closed):
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert 'id="task-add" class="notice"' in body
    assert "data-workshop-closed" in body
    assert "워크샵이 종료되었습니다. 이제 읽기만 할 수 있습니다." in body


def test_an_action_plan_sent_as_the_workshop_closed_is_kept_on_the_page(
    client_as, instructor, lead, task, workshop
):
    facilitation.phase_set(workshop=workshop, phase=Workshop.Phase.PRIORITISE, actor=instructor)
    chosen = priorities.pick_confirm(task=task, actor=lead, method="엑셀 매크로", expected_hours=5)
    services.workshop_close(workshop=workshop)
    response = client_as(lead).post(
        reverse("workshops:plan", args=[chosen.pk]),
        {"first_step": "닫히기 직전에 적은 첫 단계", "expected_hours": "5"},
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert REASON in body and 'value="닫히기 직전에 적은 첫 단계"' in body
    chosen.refresh_from_db()
    assert chosen.first_step != "닫히기 직전에 적은 첫 단계"
