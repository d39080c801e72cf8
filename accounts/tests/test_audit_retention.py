"""Audit entries are kept AUDIT_RETENTION_DAYS (at least a year), then deleted."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEntry
from workshop_site.env import env_int


def _entry(age: timedelta) -> AuditEntry:
    return AuditEntry.objects.create(action="sign_in", at=timezone.now() - age)


def test_an_entry_a_year_old_is_kept(db):
    now = timezone.now()
    entry = AuditEntry.objects.create(action="sign_in", at=now - timedelta(days=365))
    audit.purge_expired(now=now)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_entry_older_than_a_year_is_deleted(db):
    now = timezone.now()
    entry = AuditEntry.objects.create(action="sign_in", at=now - timedelta(days=365, seconds=1))
    assert audit.purge_expired(now=now) == 1
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_longer_retention_keeps_older_entries(db, settings):
    settings.AUDIT_RETENTION_DAYS = 730
    entry = _entry(timedelta(days=400))
    audit.purge_expired()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_retention_shorter_than_a_year_is_refused(monkeypatch):
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "90")
    with pytest.raises(ImproperlyConfigured, match="at least 365"):
        env_int("AUDIT_RETENTION_DAYS", 365, minimum=365)
