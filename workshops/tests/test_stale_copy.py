"""Copy that says what is true now and what to do next."""

from datetime import date

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from conftest import make_user
from workshop_site.korean import particle_for
from workshops import services


def board(client, workshop) -> str:
    return client.get(reverse("workshops:workshop_detail", args=[workshop.pk])).content.decode()


@pytest.fixture
def draft(instructor):
    return services.workshop_create(
        creator=instructor,
        title="4월 워크샵",
        description="",
        date=date(2026, 4, 1),
        domain_names=["영업"],
    )


def test_an_empty_draft_board_asks_to_open_joining(client_as, instructor, draft):
    assert "‘참여 열기’를 누른 뒤 참여 코드를 알려 주세요" in board(client_as(instructor), draft)


def test_an_empty_open_board_gives_the_code_instead_of_asking_to_open(
    client_as, instructor, workshop
):
    body = board(client_as(instructor), workshop)
    assert "참여를 열고" not in body
    code = workshop.join_code
    assert f"참여 코드 <strong>{code}</strong>{particle_for(code, '을/를')} 알려 주거나" in body


def test_an_empty_closed_board_says_it_closed(client_as, instructor, workshop):
    services.workshop_close(workshop=workshop)
    body = board(client_as(instructor), workshop)
    assert "참여한 팀 없이 종료된 워크샵입니다" in body
    assert "참여 코드를 알려 주세요" not in body


def test_the_invitation_revoke_button_says_what_it_cancels(client_as, lead, team):
    services.invitation_create(team=team, actor=lead)
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert ">초대 취소</button>" in body


@pytest.mark.django_db
def test_a_new_participant_home_says_how_to_join(client_as):
    body = client_as(make_user("new.person@example.com")).get("/").content.decode()
    assert "아직 참여한 워크샵이 없습니다" in body
    assert "참여 코드 6자리" in body


@pytest.mark.django_db
def test_a_guest_with_no_workshop_left_is_told_how_to_join_again(client_as):
    guest = accounts_services.guest_create(name="이팀장")
    body = client_as(guest).get("/").content.decode()
    assert "아직 참여한 워크샵이 없습니다" in body


def test_a_lead_home_lists_the_workshop_without_the_first_steps(client_as, lead, team):
    body = client_as(lead).get("/").content.decode()
    assert "아직 참여한 워크샵이 없습니다" not in body
    assert "다른 워크샵에 참여" in body
