from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from workshops import services
from workshops.models import Invitation, Participant

CONSENT = {"privacy_consent": "on"}  # the personal-data box a first join asks for


def accept_url(invitation):
    return reverse("workshops:accept_invitation", args=[invitation.token])


def create_url(team):
    return reverse("workshops:invitation_create", args=[team.pk])


def test_the_lead_creates_an_invitation_link(client_as, lead, team):
    client_as(lead).post(create_url(team))
    invitation = team.invitations.get()
    assert invitation.created_by == lead
    assert invitation.expires_at > timezone.now() + timedelta(days=6)


def test_the_lead_sees_the_full_link_with_a_copy_button(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert f"http://testserver/invite/{invitation.token}/" in body
    assert "data-copy" in body


def test_htmx_invitation_create_returns_the_panel(client_as, lead, team):
    response = client_as(lead).post(create_url(team), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<details id="invitations"')
    assert team.invitations.get().token in body


def test_a_member_cannot_create_invitations(client_as, member, team):
    assert client_as(member).post(create_url(team)).status_code == 403
    assert not team.invitations.exists()


def test_another_team_cannot_create_invitations(client_as, other_lead, other_team, team):
    assert client_as(other_lead).post(create_url(team)).status_code == 404


def test_the_instructor_cannot_create_invitations(client_as, instructor, team):
    assert client_as(instructor).post(create_url(team)).status_code == 403


def test_a_member_opening_the_link_joins_that_team(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)
    newcomer = make_user("new.member@example.com", "")
    response = client_as(newcomer).post(
        accept_url(invitation), {"display_name": "새 팀원", **CONSENT}
    )
    assert response["Location"] == team.get_absolute_url()
    participant = Participant.objects.get(user=newcomer)
    assert (participant.team, participant.role) == (team, Participant.Role.MEMBER)
    invitation.refresh_from_db()
    assert invitation.use_count == 1


def test_an_expired_invitation_is_refused(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    newcomer = make_user("late@example.com")
    response = client_as(newcomer).post(accept_url(invitation), {"display_name": "늦은", **CONSENT})
    assert response.status_code == 403
    assert "만료된 초대 링크" in response.content.decode()
    assert not Participant.objects.filter(user=newcomer).exists()


def test_a_revoked_invitation_is_refused(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)
    client_as(lead).post(reverse("workshops:invitation_revoke", args=[invitation.pk]))
    newcomer = make_user("revoked@example.com")
    response = client_as(newcomer).get(accept_url(invitation))
    assert response.status_code == 403
    assert "취소된 초대 링크" in response.content.decode()


def test_an_invitation_to_a_closed_workshop_is_refused(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)
    services.workshop_close(workshop=team.workshop)
    newcomer = make_user("closed@example.com")
    response = client_as(newcomer).get(accept_url(invitation))
    assert response.status_code == 403
    assert "종료된 워크샵" in response.content.decode()


def test_an_existing_member_following_the_link_lands_on_the_team(client_as, lead, member, team):
    invitation = services.invitation_create(team=team, actor=lead)
    response = client_as(member).get(accept_url(invitation))
    assert response["Location"] == team.get_absolute_url()
    assert Participant.objects.filter(user=member).count() == 1


def test_another_teams_lead_cannot_switch_teams_by_link(
    client_as, lead, team, other_lead, other_team
):
    invitation = services.invitation_create(team=team, actor=lead)
    response = client_as(other_lead).post(accept_url(invitation), {"display_name": "x", **CONSENT})
    assert response.status_code == 403
    assert "이미 이 워크샵에" in response.content.decode()
    assert Participant.objects.get(user=other_lead).team == other_team


def test_an_unknown_token_is_not_found(client_as, outsider, team):
    assert client_as(outsider).get("/invite/not-a-real-token/").status_code == 404


def test_a_member_cannot_revoke_invitations(client_as, lead, member, team):
    invitation = services.invitation_create(team=team, actor=lead)
    url = reverse("workshops:invitation_revoke", args=[invitation.pk])
    assert client_as(member).post(url).status_code == 403
    invitation.refresh_from_db()
    assert not invitation.is_revoked


def test_an_outsider_cannot_revoke_invitations(client_as, lead, team, outsider):
    invitation = services.invitation_create(team=team, actor=lead)
    url = reverse("workshops:invitation_revoke", args=[invitation.pk])
    assert client_as(outsider).post(url).status_code == 404


def test_the_invitation_names_a_team_ending_in_team_once(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)  # the team is 영업1팀
    body = client_as(make_user("new.member@example.com")).get(accept_url(invitation))
    assert "영업1팀에 초대받았습니다" in body.content.decode()


def test_joining_by_invitation_says_which_team_without_doubling_team(client_as, lead, team):
    invitation = services.invitation_create(team=team, actor=lead)
    response = client_as(make_user("new.member@example.com")).post(
        accept_url(invitation), {"display_name": "새 팀원", **CONSENT}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert "영업1팀에 들어왔습니다." in shown
