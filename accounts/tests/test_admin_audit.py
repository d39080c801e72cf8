"""Operators opening personal data in the admin leave an audit entry."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, User


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops@example.com", "a-long-password-1")


@pytest.fixture
def admin_as_operator(client, operator):
    client.force_login(operator)
    return client


def test_opening_a_change_list_writes_one_entry(admin_as_operator, operator, participant_url):
    before = AuditEntry.objects.filter(action="admin.list").count()
    response = admin_as_operator.get(reverse("admin:workshops_participant_changelist"), {"q": "박"})
    assert response.status_code == 200
    entries = AuditEntry.objects.filter(action="admin.list")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.actor == operator
    assert entry.detail == {"model": "workshops.Participant", "query": "q=%EB%B0%95"}


def test_opening_a_change_page_writes_one_entry(admin_as_operator, operator, participant_url):
    url, participant = participant_url
    assert admin_as_operator.get(url).status_code == 200
    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.actor, entry.detail["object_id"]) == (operator, str(participant.pk))


def test_a_read_only_page_is_recorded_as_a_view(admin_as_operator, operator):
    opened = AuditEntry.objects.create(action="sign_in", ip="198.51.100.1")
    url = reverse("admin:accounts_auditentry_change", args=[opened.pk])
    assert admin_as_operator.get(url).status_code == 200
    entry = AuditEntry.objects.get(action="admin.view")
    assert (entry.actor, entry.detail["model"]) == (operator, "accounts.AuditEntry")


@pytest.mark.parametrize(
    "model",
    [
        "accounts_user",
        "accounts_auditentry",
        "accounts_privacyconsent",
        "workshops_participant",
        "workshops_team",
        "workshops_task",
        "workshops_invitation",
        "ai_taskanalysis",
    ],
)
def test_every_model_with_personal_data_is_audited(admin_as_operator, model):
    admin_as_operator.get(reverse(f"admin:{model}_changelist"))
    assert AuditEntry.objects.filter(action="admin.list").exists()


def test_a_list_of_data_that_names_nobody_is_not_audited(admin_as_operator):
    admin_as_operator.get(reverse("admin:workshops_domain_changelist"))
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_a_failing_audit_log_never_breaks_the_page(admin_as_operator, monkeypatch):
    from accounts.models import AuditEntry as Model

    def broken(*args, **kwargs):
        raise RuntimeError("database full")

    monkeypatch.setattr(Model.objects, "create", broken)
    assert admin_as_operator.get(reverse("admin:accounts_user_changelist")).status_code == 200


@pytest.fixture
def participant_url(member):
    from workshops.models import Participant

    participant = Participant.objects.get(user=member)
    return reverse("admin:workshops_participant_change", args=[participant.pk]), participant
