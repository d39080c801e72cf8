from django.urls import reverse

from workshops import services
from workshops.models import Participant, Team, Workshop


def join_url(code):
    return reverse("workshops:join_workshop", args=[code])


CONSENT = {"privacy_consent": "on"}  # the personal-data box a first join asks for


def test_a_code_typed_loosely_finds_the_workshop(client_as, outsider, workshop):
    code = workshop.join_code.lower()
    response = client_as(outsider).get(reverse("workshops:join"), {"code": f" {code} "})
    assert response["Location"] == join_url(workshop.join_code)


def test_a_wrong_code_gets_a_clear_message(client_as, outsider, workshop):
    response = client_as(outsider).get(join_url("ZZZZZZ"))
    assert response.status_code == 404
    assert "참여 코드를 찾을 수 없습니다" in response.content.decode()


def test_an_empty_code_asks_for_one(client_as, outsider):
    response = client_as(outsider).get(reverse("workshops:join"), {"code": " - "})
    assert "참여 코드를 입력하세요" in response.content.decode()


def test_joining_creates_a_team_led_by_the_joiner(client_as, outsider, workshop):
    response = client_as(outsider).post(
        join_url(workshop.join_code),
        {"display_name": "새 팀장", "team_name": "마케팅팀", **CONSENT},
    )
    team = Team.objects.get(name="마케팅팀")
    assert response["Location"] == team.get_absolute_url()
    assert team.lead == outsider
    assert Participant.objects.get(user=outsider).role == Participant.Role.LEAD
    outsider.refresh_from_db()
    assert outsider.name == "새 팀장"


def test_a_taken_team_name_points_members_to_an_invitation(client_as, outsider, team):
    response = client_as(outsider).post(
        join_url(team.workshop.join_code),
        {"display_name": "외부", "team_name": "영업1팀 ", **CONSENT},
    )
    assert "초대 링크" in response.content.decode()
    assert not Participant.objects.filter(user=outsider).exists()


def test_a_team_name_in_other_case_is_taken_too(client_as, outsider, workshop):
    services.team_create(workshop=workshop, lead=outsider, team_name="Sales", display_name="x")
    from conftest import make_user

    newcomer = make_user("new@example.com")
    response = client_as(newcomer).post(
        join_url(workshop.join_code), {"display_name": "n", "team_name": "SALES", **CONSENT}
    )
    assert response.status_code == 200
    assert Team.objects.filter(name__iexact="sales").count() == 1


def test_a_repeat_join_leads_back_to_the_team(client_as, lead, team):
    response = client_as(lead).get(join_url(team.workshop.join_code), follow=True)
    assert response.redirect_chain[-1][0] == team.get_absolute_url()
    assert "이미 참여 중인 워크샵입니다" in response.content.decode()


def test_the_instructor_joining_their_own_workshop_lands_on_its_page(
    client_as, instructor, workshop
):
    response = client_as(instructor).get(join_url(workshop.join_code))
    assert response["Location"] == workshop.get_absolute_url()


def test_a_draft_workshop_cannot_be_joined_yet(client_as, outsider, workshop):
    workshop.status = workshop.Status.DRAFT
    workshop.save()
    response = client_as(outsider).post(
        join_url(workshop.join_code), {"display_name": "a", "team_name": "b", **CONSENT}
    )
    assert response.status_code == 403
    assert "아직 참여가 열리지 않은" in response.content.decode()
    assert not Team.objects.exists()


def test_a_closed_workshop_cannot_be_joined(client_as, outsider, workshop):
    services.workshop_close(workshop=workshop)
    response = client_as(outsider).get(join_url(workshop.join_code))
    assert response.status_code == 403
    assert "종료된 워크샵" in response.content.decode()


def test_anonymous_joiners_of_an_email_workshop_sign_in_first_and_come_back(client, workshop):
    workshop.join_mode = Workshop.JoinMode.EMAIL
    workshop.save(update_fields=["join_mode"])
    response = client.get(join_url(workshop.join_code))
    assert response["Location"] == f"/accounts/login/?next=/join/{workshop.join_code}/"


def test_an_invalid_join_form_keeps_what_was_typed(client_as, outsider, workshop):
    response = client_as(outsider).post(
        join_url(workshop.join_code), {"display_name": "😀 이름", "team_name": "x" * 51, **CONSENT}
    )
    body = response.content.decode()
    assert "😀 이름" in body
    assert "50자까지 적을 수 있습니다(지금 51자)" in body
    assert not Team.objects.exists()


def test_a_pasted_join_link_works_as_a_code(client_as, outsider, workshop):
    pasted = f"https://workshop.example.com/join/{workshop.join_code}/"
    response = client_as(outsider).get(reverse("workshops:join"), {"code": pasted})
    assert response["Location"] == join_url(workshop.join_code)


def test_reopening_never_takes_a_drafts_code(instructor, workshop):
    from datetime import date

    services.workshop_close(workshop=workshop)
    draft = services.workshop_create(
        creator=instructor, title="초안", description="", date=date(2026, 6, 1), domain_names=["가"]
    )
    draft.join_code = workshop.join_code
    draft.save(update_fields=["join_code"])
    services.workshop_open(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.join_code != draft.join_code
