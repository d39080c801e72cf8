import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import INSTRUCTOR_GROUP, User

CODE_FORM = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


def request_code(client, email, next_url=None):
    url = CODE_FORM + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"email": email})


def code_from_mail() -> str:
    match = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_the_login_address_leads_to_the_code_form_keeping_next(client):
    response = client.get("/accounts/login/?next=/join/ABCDEF/")
    assert response.status_code == 302
    assert response["Location"] == CODE_FORM + "?next=/join/ABCDEF/"


def test_the_code_form_is_korean(client):
    response = client.get(CODE_FORM)
    assert "로그인 코드 받기" in response.content.decode()


@pytest.mark.django_db
def test_requesting_a_code_registers_a_first_time_address(client):
    request_code(client, "New.Person@Example.com")
    assert User.objects.filter(email="new.person@example.com").exists()


@pytest.mark.django_db
def test_requesting_a_code_mails_it_in_korean(client):
    response = request_code(client, "lead@example.com")
    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM)
    assert "로그인 코드" in mail.outbox[-1].subject


@pytest.mark.django_db
def test_the_mailed_code_signs_the_person_in_and_follows_next(client):
    request_code(client, "lead@example.com", next_url="/join/")
    response = client.post(CONFIRM, {"code": code_from_mail(), "next": "/join/"})
    assert response.status_code == 302
    assert response["Location"] == "/join/"
    assert client.get("/").context["user"].email == "lead@example.com"


@pytest.mark.django_db
def test_a_wrong_code_is_refused_in_korean(client):
    request_code(client, "lead@example.com")
    response = client.post(CONFIRM, {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "코드" in str(response.context["form"].errors)


@pytest.mark.django_db
def test_an_address_in_other_case_reaches_the_same_account(client, lead):
    request_code(client, "LEAD@EXAMPLE.COM")
    assert User.objects.filter(email__iexact="lead@example.com").count() == 1
    assert mail.outbox[-1].to == ["lead@example.com"]


@pytest.mark.django_db
def test_a_malformed_address_gets_a_korean_error(client):
    response = request_code(client, "not an address")
    assert response.status_code == 200
    assert "올바른 이메일" in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_the_separate_signup_page_is_closed(client):
    response = client.post("/accounts/signup/", {"email": "x@example.com"})
    assert not User.objects.filter(email="x@example.com").exists()
    assert response.status_code == 200


@pytest.mark.django_db
def test_instructor_group_grants_workshop_creation(db):
    user = User.objects.create_user(email="teacher@example.com")
    assert not user.can_create_workshops
    user.groups.add(Group.objects.get(name=INSTRUCTOR_GROUP))
    user = User.objects.get(pk=user.pk)  # permissions are cached per instance
    assert user.can_create_workshops


def test_profile_saves_the_display_name(client_as, lead):
    client = client_as(lead)
    response = client.post(reverse("profile"), {"name": "  박 팀장님 "})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.name == "박 팀장님"


def test_profile_refuses_an_empty_name(client_as, lead):
    response = client_as(lead).post(reverse("profile"), {"name": "   "})
    assert response.status_code == 200
    assert "필수" in response.content.decode()


@pytest.mark.django_db
def test_profile_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_signing_in_greets_the_person_by_name_with_the_right_particle(client):
    User.objects.create_user(email="kim.gangsa@example.com", name="김강사")
    request_code(client, "kim.gangsa@example.com")
    response = client.post(CONFIRM, {"code": code_from_mail()}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert "김강사 님으로 로그인했습니다." in shown


@pytest.mark.django_db
def test_signing_in_without_a_name_shows_the_address_with_its_particle(client):
    request_code(client, "kim.gangsa@example.com")
    response = client.post(CONFIRM, {"code": code_from_mail()}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert "kim.gangsa@example.com으로 로그인했습니다." in shown


@pytest.mark.django_db
def test_the_code_page_puts_the_right_particle_after_the_address(client):
    request_code(client, "kim.gangsa@example.com")
    body = client.get(CONFIRM).content.decode()
    assert "<strong>kim.gangsa@example.com</strong>으로 코드를 보냈습니다" in body
