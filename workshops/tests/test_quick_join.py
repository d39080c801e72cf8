"""Quick join (issue 15): code or link → name and team → the team page, no mailbox round trip;
the same seat on another device by a single-use link or a confirmed e-mail; the instructor's
join slide and removing someone; codes typed in 한글 mode."""

import time

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import GUEST_EMAIL_DOMAIN, User
from workshop_site.observability import SESSION_SEEN
from workshops import services
from workshops.models import Participant, Team, Workshop, normalise_join_code

CONSENT = {"privacy_consent": "on"}


@pytest.fixture
def client_factory():
    """Another device: a browser of its own, signed in as nobody."""
    return Client


def join_url(workshop) -> str:
    return reverse("workshops:join_workshop", args=[workshop.join_code])


def quick_join(client, workshop, name="이팀장", team="마케팅팀", **extra):
    data = {"display_name": name, "team_name": team, **CONSENT, **extra}
    return client.post(join_url(workshop), data)


# --- The code in any keyboard -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ㅕㅗㅅㅂㄴㅏ", "UHTQSK"),  # each key as its jamo
        ("ㅕㅗㅅㅂ나", "UHTQSK"),  # the IME composed the last two into a syllable
        ("뮻234", "ABC234"),  # ㅁ ㅠ ㅊ composed into one syllable
        ("ㅗㅏㄱ", "HKR"),  # two vowels typed in a row stay two keys
        ("ㅘ", "HK"),  # … or composed into one compound vowel
        ("ㄳ", "RT"),  # a compound final
        ("ＵＨＴＱＳＫ", "UHTQSK"),  # full-width letters
        ("uhtq-sk ", "UHTQSK"),
        ("http://127.0.0.1:8000/join/ㅕㅗㅅㅂ나/", "UHTQSK"),
    ],
)
def test_a_code_typed_in_hangul_mode_or_full_width_is_read_as_the_keys(typed, code):
    assert normalise_join_code(typed) == code


def test_the_code_page_finds_a_workshop_typed_in_hangul_mode(client, workshop):
    workshop.join_code = "UHTQSK"
    workshop.save(update_fields=["join_code"])
    response = client.get(reverse("workshops:join"), {"code": "ㅕㅗㅅㅂ나"})
    assert response["Location"] == join_url(workshop)


# --- Two screens --------------------------------------------------------------------------------


def test_someone_not_signed_in_gets_the_one_screen_form(client, workshop, team):
    response = client.get(join_url(workshop))
    body = response.content.decode()
    assert response.status_code == 200
    for field in ("display_name", "team_name", "work_email", "privacy_consent"):
        assert f'name="{field}"' in body
    assert f'<option value="{team.name}">' in body  # an existing team to pick
    assert "/accounts/login/" not in body.split("<main", 1)[-1].split("</main>")[0]


def test_a_new_team_name_makes_a_team_the_guest_leads_and_signs_in(client, workshop):
    response = quick_join(client, workshop, work_email="Lee@Corp.example")
    team = Team.objects.get(name="마케팅팀")
    assert response["Location"] == team.get_absolute_url()
    user = get_user(client)
    assert user.is_authenticated and user == team.lead
    assert user.is_guest and user.email.endswith("@" + GUEST_EMAIL_DOMAIN)
    assert (user.name, user.pending_email) == ("이팀장", "lee@corp.example")
    assert Participant.objects.get(user=user).role == Participant.Role.LEAD
    # Bound to this browser for the session's whole life, not until the browser closes.
    assert client.session.get_expire_at_browser_close() is False
    # The team page opens at once: the second screen.
    assert client.get(team.get_absolute_url()).status_code == 200


def test_an_existing_team_name_in_any_case_joins_it_as_a_member(client, workshop, team):
    response = quick_join(client, workshop, name="정팀원", team=team.name.upper() + " ")
    assert response["Location"] == team.get_absolute_url()
    participant = Participant.objects.get(user=get_user(client))
    assert (participant.team, participant.role) == (team, Participant.Role.MEMBER)
    assert Team.objects.count() == 1


def test_without_consent_nothing_is_created_and_the_typed_text_stays(client, workshop):
    users = User.objects.count()
    response = client.post(join_url(workshop), {"display_name": "최팀장", "team_name": "구매팀"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "동의해야 참여할 수 있습니다" in body
    assert 'value="최팀장"' in body and 'value="구매팀"' in body
    assert User.objects.count() == users and not Team.objects.filter(name="구매팀").exists()


def test_a_bad_work_email_is_a_korean_error_not_a_lost_form(client, workshop):
    response = quick_join(client, workshop, work_email="lee@")
    assert "이메일 주소 형식이 아닙니다" in response.content.decode()
    assert not Team.objects.filter(name="마케팅팀").exists()


def test_the_same_browser_joining_again_is_sent_to_its_team(client, workshop):
    quick_join(client, workshop)
    response = client.get(join_url(workshop))
    assert response["Location"] == Team.objects.get(name="마케팅팀").get_absolute_url()
    assert Participant.objects.filter(workshop=workshop).exclude(role="instructor").count() == 1


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_quick_workshop_not_open_says_so_instead_of_asking_to_sign_in(client, workshop, status):
    Workshop.objects.filter(pk=workshop.pk).update(status=status)
    response = client.get(join_url(workshop))
    assert response.status_code == 403
    assert ("아직 참여가 열리지 않은" if status == "draft" else "종료된 워크샵") in (
        response.content.decode()
    )
    assert quick_join(client, workshop).status_code == 403
    assert not Team.objects.filter(name="마케팅팀").exists()


def test_an_email_workshop_refuses_a_quick_join_even_when_posted(workshop):
    workshop.join_mode = Workshop.JoinMode.EMAIL
    workshop.save(update_fields=["join_mode"])
    with pytest.raises(services.RuleError):
        services.quick_join(workshop=workshop, display_name="a", team_name="b")
    assert not User.objects.filter(email__endswith=GUEST_EMAIL_DOMAIN).exists()


def test_a_guest_is_not_signed_out_for_being_idle(client, workshop, settings):
    quick_join(client, workshop)
    session = client.session
    session[SESSION_SEEN] = time.time() - settings.SESSION_IDLE_SECONDS - 60
    session.save()
    team = Team.objects.get(name="마케팅팀")
    assert client.get(team.get_absolute_url()).status_code == 200


def test_joins_from_one_address_are_limited_by_their_own_room_sized_limit(
    client, workshop, settings
):
    settings.JOIN_RATE_LIMIT = "2/m"
    settings.WRITE_RATE_LIMIT = "1/m"  # not the one that applies: a room shares an address
    assert quick_join(client, workshop, team="가팀").status_code == 302
    client.logout()
    assert quick_join(client, workshop, team="나팀").status_code == 302
    client.logout()
    assert quick_join(client, workshop, team="다팀").status_code == 429


# --- Another device -----------------------------------------------------------------------------


@pytest.fixture
def guest_client(client, workshop):
    quick_join(client, workshop)
    return client


def make_link(client) -> str:
    team = Team.objects.get(name="마케팅팀")
    response = client.post(
        reverse("other_device"), {"action": "link", "next": team.get_absolute_url()}
    )
    body = response.content.decode()
    assert "<svg" in body  # the QR
    return body.split('class="reentry-link" value="', 1)[1].split('"', 1)[0]


def test_a_reentry_link_opens_the_same_seat_on_another_device_once(guest_client, client_factory):
    guest = get_user(guest_client)
    link = make_link(guest_client)
    phone = client_factory()
    asked = phone.get(link)
    assert asked.status_code == 200 and guest.name in asked.content.decode()
    assert not get_user(phone).is_authenticated  # a preview of the link spends nothing
    response = phone.post(link)
    assert response["Location"] == Team.objects.get(name="마케팅팀").get_absolute_url()
    assert get_user(phone) == guest
    again = client_factory().post(link)
    assert again.status_code == 403 and "이미 쓴 링크" in again.content.decode()


def test_a_new_link_voids_the_last_and_an_old_one_expires(
    guest_client, client_factory, monkeypatch
):
    first = make_link(guest_client)
    second = make_link(guest_client)
    assert "이미 쓴 링크" in client_factory().post(first).content.decode()
    later = time.time() + accounts_services.REENTRY_MAX_AGE + 60
    monkeypatch.setattr(accounts_services.time, "time", lambda: later)
    assert "만료" in client_factory().post(second).content.decode()


def test_a_forged_link_is_refused(db, client):
    response = client.post(reverse("reentry", args=["eyJ1Ijo1fQ:forged:sig"]))
    assert response.status_code == 403
    assert "올바르지 않은 링크" in response.content.decode()


def test_confirming_a_work_email_makes_it_the_sign_in_address(guest_client, client_factory):
    guest = get_user(guest_client)
    response = guest_client.post(
        reverse("other_device"), {"action": "email", "email": "Lee@Corp.example"}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["lee@corp.example"]
    link = next(line for line in message.body.splitlines() if "/email/confirm/" in line)
    phone = client_factory()
    assert phone.get(link).status_code == 200
    phone.post(link)
    guest.refresh_from_db()
    assert (guest.email, guest.pending_email, guest.is_guest) == ("lee@corp.example", "", False)
    assert get_user(phone) == guest


def test_an_address_another_account_has_is_not_taken_over(guest_client, client_factory, lead):
    guest = get_user(guest_client)
    token = accounts_services.email_confirmation_token(user=guest, email=lead.email)
    response = client_factory().post(reverse("email_confirm", args=[token]))
    assert response.status_code == 403
    assert "이미 다른 계정이 있습니다" in response.content.decode()
    guest.refresh_from_db()
    assert guest.is_guest


# --- The instructor -----------------------------------------------------------------------------


def test_the_join_slide_shows_the_code_and_who_joined(client_as, instructor, workshop, team):
    url = reverse("workshops:join_slide", args=[workshop.pk])
    page = client_as(instructor).get(url).content.decode()
    assert workshop.join_code in page and "<svg" in page
    assert f"{team.lead.display_name} <span" in page
    update = client_as(instructor).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert update.lstrip().startswith('<section id="join-slide-people"')
    assert "<strong data-joined-count>1</strong>명 참여" in update


def test_the_instructor_removes_a_member_then_a_lead_with_their_team(
    client_as, instructor, workshop, team, member
):
    client = client_as(instructor)
    seat = Participant.objects.get(user=member, workshop=workshop)
    url = reverse("workshops:participant_remove", args=[workshop.pk, seat.pk])
    assert client.post(url).status_code == 302
    assert not Participant.objects.filter(pk=seat.pk).exists()
    lead_seat = Participant.objects.get(user=team.lead, workshop=workshop)
    client.post(reverse("workshops:participant_remove", args=[workshop.pk, lead_seat.pk]))
    assert not Team.objects.filter(pk=team.pk).exists()
    page = client.get(reverse("workshops:participants", args=[workshop.pk])).content.decode()
    assert "아직 참여한 사람이 없습니다" in page


def test_an_instructor_cannot_remove_someone_of_another_workshop(
    client_as, other_instructor, workshop, member
):
    seat = Participant.objects.get(user=member, workshop=workshop)
    url = reverse("workshops:participant_remove", args=[workshop.pk, seat.pk])
    assert client_as(other_instructor).post(url).status_code == 404
    assert Participant.objects.filter(pk=seat.pk).exists()
