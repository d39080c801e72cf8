"""The privacy policy page (개인정보 처리방침): public, generated from settings."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts import privacy


@pytest.fixture
def privacy_settings(settings):
    settings.PRIVACY_OPERATOR_NAME = "주식회사 교육랩"
    settings.PRIVACY_CONTACT_EMAIL = "privacy@edulab.example"
    settings.PRIVACY_RETENTION_DAYS = 90
    settings.AUDIT_RETENTION_DAYS = 400
    settings.BACKUP_RETENTION_DAYS = 14
    settings.HOSTING_REGION_LABEL = "Railway 도쿄 리전"
    settings.ANTHROPIC_API_KEY = "sk-test"
    return settings


def test_it_needs_no_sign_in(client, db):
    response = client.get("/privacy/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "shown",
    [
        "주식회사 교육랩",
        "privacy@edulab.example",
        "워크샵 종료 후 90일",
        "400일",
        "14일",
        "Railway 도쿄 리전",
        "Anthropic, PBC",
        "미국",
    ],
)
def test_it_states_the_configured_facts(client, db, privacy_settings, shown):
    assert shown in client.get("/privacy/").content.decode()


@pytest.mark.parametrize(
    "heading",
    [
        "처리 목적",
        "처리하는 개인정보 항목",
        "보유·이용 기간",
        "파기 절차와 방법",
        "개인정보의 국외 이전",
        "정보주체의 권리와 행사 방법",
        "안전성 확보 조치",
        "개인정보 보호책임자",
        "시행일",
    ],
)
def test_it_has_every_item_the_law_asks_for(client, db, heading):
    assert heading in client.get("/privacy/").content.decode()


def test_the_effective_date_is_the_notice_version(client, db):
    body = client.get("/privacy/").content.decode()
    assert "2026년 12월 7일" in body
    assert privacy.NOTICE_VERSION == "2026-12-07"


def test_without_ai_analysis_no_transfer_to_anthropic_is_stated(client, db, settings):
    settings.ANTHROPIC_API_KEY = ""
    assert "Anthropic, PBC" not in client.get("/privacy/").content.decode()


def test_the_footer_links_to_it(client, db):
    assert f'href="{reverse("privacy")}"' in client.get("/help/").content.decode()


def test_the_defaults_are_those_documented(settings):
    from workshop_site import settings as configured

    assert configured.PRIVACY_RETENTION_DAYS == 180
    assert configured.AUDIT_RETENTION_DAYS == 365
    assert configured.BACKUP_RETENTION_DAYS == 30
    assert configured.PRIVACY_OPERATOR_NAME == "워크샵 운영자"
    assert configured.HOSTING_REGION_LABEL == "Railway 싱가포르 리전 (asia-southeast1)"


def test_a_backup_retention_over_30_days_stops_the_process(monkeypatch):
    import importlib

    from workshop_site import settings as configured

    monkeypatch.setenv("BACKUP_RETENTION_DAYS", "60")
    try:
        with pytest.raises(ImproperlyConfigured, match="BACKUP_RETENTION_DAYS"):
            importlib.reload(configured)
    finally:
        monkeypatch.delenv("BACKUP_RETENTION_DAYS")
        importlib.reload(configured)
