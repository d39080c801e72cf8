"""Consent to the personal-data notice, asked once per person and notice version at joining."""

import pytest
from django.urls import reverse

from accounts import privacy
from accounts.models import AuditEntry, PrivacyConsent
from workshops import services
from workshops.models import Participant, Team

BOX = "privacy_consent"


def join_url(workshop):
    return reverse("workshops:join_workshop", args=[workshop.join_code])


def join(client, workshop, **extra):
    return client.post(
        join_url(workshop), {"display_name": "새 팀장", "team_name": "마케팅팀", **extra}
    )


def test_the_join_form_shows_the_notice_and_the_box(client_as, outsider, workshop):
    body = client_as(outsider).get(join_url(workshop)).content.decode()
    assert "<details" in body
    assert "개인정보 수집·이용 및 국외 이전에 동의합니다 (필수)" in body
    assert 'name="privacy_consent"' in body
    assert reverse("privacy") in body


def test_joining_without_consent_shows_the_form_again_with_a_korean_error(
    client_as, outsider, workshop
):
    response = join(client_as(outsider), workshop)
    body = response.content.decode()
    assert response.status_code == 200
    assert "동의해야 참여할 수 있습니다" in body


def test_joining_without_consent_creates_nothing(client_as, outsider, workshop):
    join(client_as(outsider), workshop)
    assert not Participant.objects.filter(user=outsider).exists()
    assert not Team.objects.filter(name="마케팅팀").exists()
    assert not PrivacyConsent.objects.exists()


def test_joining_without_consent_keeps_what_was_typed(client_as, outsider, workshop):
    body = join(client_as(outsider), workshop).content.decode()
    assert 'value="새 팀장"' in body
    assert 'value="마케팅팀"' in body


def test_joining_with_consent_records_it_with_the_notice_version(client_as, outsider, workshop):
    join(client_as(outsider), workshop, **{BOX: "on"})
    consent = PrivacyConsent.objects.get(user=outsider)
    assert consent.version == privacy.NOTICE_VERSION
    assert consent.ip == "127.0.0.1"


def test_consent_is_written_to_the_audit_log(client_as, outsider, workshop):
    join(client_as(outsider), workshop, **{BOX: "on"})
    entry = AuditEntry.objects.get(action="privacy.consent")
    assert (entry.actor, entry.workshop, entry.detail) == (
        outsider,
        workshop,
        {"version": privacy.NOTICE_VERSION},
    )


def test_someone_who_agreed_is_not_asked_again(client_as, outsider, workshop, instructor):
    PrivacyConsent.objects.create(user=outsider, version=privacy.NOTICE_VERSION)
    client = client_as(outsider)
    assert 'name="privacy_consent"' not in client.get(join_url(workshop)).content.decode()
    response = join(client, workshop)
    assert response.status_code == 302
    assert PrivacyConsent.objects.filter(user=outsider).count() == 1


def test_a_new_notice_version_asks_again(client_as, outsider, workshop, monkeypatch):
    PrivacyConsent.objects.create(user=outsider, version=privacy.NOTICE_VERSION)
    monkeypatch.setattr(privacy, "NOTICE_VERSION", "2099-01-01")
    client = client_as(outsider)
    assert 'name="privacy_consent"' in client.get(join_url(workshop)).content.decode()
    assert join(client, workshop).status_code == 200
    join(client, workshop, **{BOX: "on"})
    assert set(PrivacyConsent.objects.values_list("version", flat=True)) == {
        "2099-01-01",
        "2026-12-07",
    }


def test_a_join_that_fails_records_no_consent(client_as, outsider, team):
    response = client_as(outsider).post(
        join_url(team.workshop), {"display_name": "외부", "team_name": "영업1팀", BOX: "on"}
    )
    assert response.status_code == 200
    assert not PrivacyConsent.objects.filter(user=outsider).exists()


@pytest.fixture
def invitation(team, lead):
    return services.invitation_create(team=team, actor=lead)


def test_the_invitation_form_asks_for_consent_too(client_as, outsider, invitation):
    response = client_as(outsider).post(invitation.get_absolute_url(), {"display_name": "새 팀원"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "동의해야 참여할 수 있습니다" in body
    assert 'value="새 팀원"' in body
    assert not Participant.objects.filter(user=outsider).exists()


def test_accepting_an_invitation_with_consent_records_it(client_as, outsider, invitation):
    response = client_as(outsider).post(
        invitation.get_absolute_url(), {"display_name": "새 팀원", BOX: "on"}
    )
    assert response.status_code == 302
    assert PrivacyConsent.objects.get(user=outsider).version == privacy.NOTICE_VERSION


def test_the_notice_names_anthropic_only_when_ai_analysis_is_on(
    client_as, outsider, workshop, settings
):
    client = client_as(outsider)
    settings.ANTHROPIC_API_KEY = ""
    assert "Anthropic" not in client.get(join_url(workshop)).content.decode()
    settings.ANTHROPIC_API_KEY = "sk-test"
    assert "Anthropic, PBC" in client.get(join_url(workshop)).content.decode()
