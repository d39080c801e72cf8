from datetime import date

import pytest
from django.urls import reverse

from workshops.models import Workshop

FORM = {
    "title": "4월 워크샵",
    "date": "2026-04-02",
    "description": "",
    "domains": "영업\n인사\n\n 재무 ",
}


def detail(workshop):
    return reverse("workshops:workshop_detail", args=[workshop.pk])


def test_an_instructor_creates_a_workshop_with_ordered_domains(client_as, instructor):
    response = client_as(instructor).post(reverse("workshops:workshop_create"), FORM)
    workshop = Workshop.objects.get(title="4월 워크샵")
    assert response["Location"] == detail(workshop)
    assert list(workshop.domains.values_list("name", flat=True)) == ["영업", "인사", "재무"]
    assert workshop.status == Workshop.Status.DRAFT
    assert workshop.participants.get().user == instructor


def test_creating_a_workshop_needs_the_instructor_permission(client_as, outsider):
    response = client_as(outsider).post(reverse("workshops:workshop_create"), FORM)
    assert response.status_code == 403
    assert "강사 권한" in response.content.decode()
    assert not Workshop.objects.exists()


def test_an_invalid_workshop_form_keeps_what_was_typed(client_as, instructor):
    data = {**FORM, "title": "", "domains": "영업\n영업", "description": "<b>설명</b>"}
    response = client_as(instructor).post(reverse("workshops:workshop_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "같은 영역이 두 번 있습니다" in body
    assert "&lt;b&gt;설명&lt;/b&gt;" in body
    assert not Workshop.objects.exists()


def test_the_instructor_sees_the_join_code_link_and_qr(client_as, instructor, workshop):
    body = client_as(instructor).get(detail(workshop)).content.decode()
    assert workshop.join_code in body
    assert f"http://testserver/join/{workshop.join_code}/" in body
    assert "<svg" in body


def test_the_workshop_page_lists_teams_with_task_counts(client_as, instructor, task, other_team):
    response = client_as(instructor).get(detail(task.team.workshop))
    teams = {line.team.name: line.task_count for line in response.context["board"].teams}
    assert teams == {"영업1팀": 1, "재무팀": 0}


def test_a_lead_opening_the_workshop_page_lands_on_their_team(client_as, lead, team):
    response = client_as(lead).get(detail(team.workshop))
    assert response["Location"] == team.get_absolute_url()


def test_the_workshop_page_is_hidden_from_outsiders(client_as, outsider, workshop):
    assert client_as(outsider).get(detail(workshop)).status_code == 404


def test_the_workshop_page_is_hidden_from_another_workshops_instructor(
    client_as, other_instructor, workshop
):
    assert client_as(other_instructor).get(detail(workshop)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, workshop):
    response = client.get(detail(workshop))
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_instructor_edits_title_and_domains(client_as, instructor, workshop):
    data = {**FORM, "title": "바뀐 제목", "domains": "인사\n영업\n기획"}
    client_as(instructor).post(reverse("workshops:workshop_edit", args=[workshop.pk]), data)
    workshop.refresh_from_db()
    assert workshop.title == "바뀐 제목"
    assert list(workshop.domains.values_list("name", flat=True)) == ["인사", "영업", "기획"]


def test_a_domain_with_tasks_cannot_be_removed(client_as, instructor, task):
    workshop = task.team.workshop
    data = {**FORM, "domains": "인사"}
    response = client_as(instructor).post(
        reverse("workshops:workshop_edit", args=[workshop.pk]), data
    )
    assert "&#x27;영업&#x27; 영역에 업무가 있어 삭제할 수 없습니다" in response.content.decode()
    assert workshop.domains.filter(name="영업").exists()


def test_a_lead_cannot_edit_the_workshop(client_as, lead, team):
    url = reverse("workshops:workshop_edit", args=[team.workshop.pk])
    assert client_as(lead).post(url, FORM).status_code == 403


def test_an_outsider_cannot_edit_the_workshop(client_as, outsider, workshop):
    url = reverse("workshops:workshop_edit", args=[workshop.pk])
    assert client_as(outsider).post(url, FORM).status_code == 404


def test_the_instructor_closes_and_reopens_joining(client_as, instructor, workshop):
    client = client_as(instructor)
    url = reverse("workshops:workshop_status", args=[workshop.pk])
    client.post(url, {"action": "close"})
    workshop.refresh_from_db()
    assert workshop.is_closed
    client.post(url, {"action": "open"})
    workshop.refresh_from_db()
    assert workshop.is_open


def test_a_lead_cannot_close_the_workshop(client_as, lead, team):
    url = reverse("workshops:workshop_status", args=[team.workshop.pk])
    assert client_as(lead).post(url, {"action": "close"}).status_code == 403


def test_an_outsider_cannot_close_the_workshop(client_as, outsider, workshop):
    url = reverse("workshops:workshop_status", args=[workshop.pk])
    assert client_as(outsider).post(url, {"action": "close"}).status_code == 404


def test_reopening_gets_a_fresh_code_when_another_open_workshop_took_it(instructor, workshop):
    from workshops import services

    services.workshop_close(workshop=workshop)
    taken = services.workshop_create(
        creator=instructor, title="새", description="", date=date(2026, 5, 1), domain_names=["가"]
    )
    taken.join_code = workshop.join_code
    taken.save(update_fields=["join_code"])
    services.workshop_open(workshop=taken)
    services.workshop_open(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.is_open
    assert workshop.join_code != taken.join_code


def test_home_lists_my_workshops_by_role(client_as, instructor, workshop, lead, team):
    body = client_as(instructor).get("/").content.decode()
    assert "내가 진행하는 워크샵" in body and workshop.title in body
    lead_home = client_as(lead).get("/")
    assert [p.team for p in lead_home.context["home"].participating] == [team]


@pytest.mark.django_db
def test_anonymous_home_offers_the_join_form(client):
    assert "참여 코드" in client.get("/").content.decode()
