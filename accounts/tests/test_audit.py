"""The audit log: each action that matters leaves one entry saying who did what, to what."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from accounts.models import AuditEntry
from ai import requests as ai_requests
from ai.models import BudgetSettings
from conftest import make_user, task_data
from workshops import services


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_signing_in_is_recorded_with_address_and_request_id(db, client):
    from accounts.tests.test_login import CONFIRM, code_from_mail, request_code

    request_code(client, "lead@example.com")
    client.post(CONFIRM, {"code": code_from_mail()}, HTTP_X_REQUEST_ID="req-signin-0001")
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.actor.email == "lead@example.com"
    assert entry.ip == "127.0.0.1"
    assert entry.request_id == "req-signin-0001"


def test_joining_and_task_changes_are_recorded(db, workshop, domain):
    AuditEntry.objects.all().delete()  # the fixtures' own actions
    lead = make_user("newlead@example.com")
    team = services.team_create(
        workshop=workshop, lead=lead, team_name="재무팀", display_name="김재무"
    )
    task = services.task_create(team=team, actor=lead, data=task_data(domain, title="결산"))
    task_id = task.pk
    services.task_update(task=task, actor=lead, data=task_data(domain, title="월 결산"))
    services.task_delete(task=task, actor=lead)
    assert actions() == ["join_as_lead", "task_created", "task_updated", "task_deleted"]
    created = AuditEntry.objects.get(action="task_created")
    assert created.actor == lead
    assert created.workshop == workshop
    assert created.target_type == "Task" and created.target_id == str(task_id)
    assert "결산" in created.summary


def test_opening_and_closing_a_workshop_names_the_instructor(db, workshop, instructor):
    AuditEntry.objects.all().delete()
    services.workshop_close(workshop=workshop, actor=instructor)
    services.workshop_open(workshop=workshop, actor=instructor)
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == ["workshop_closed", "workshop_opened"]
    assert all(e.actor == instructor for e in entries)


def test_ai_requests_and_overrides_are_recorded(db, team, lead, task):
    AuditEntry.objects.all().delete()
    ai_requests.analysis_request(team=team, actor=lead)
    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="매크로로 충분")
    assert actions() == ["ai_run_requested", "ai_override"]
    override = AuditEntry.objects.get(action="ai_override")
    assert override.detail["rating"] == "HIGH"
    assert override.detail["note"] == "매크로로 충분"


def test_exports_are_recorded(db, client_as, instructor, workshop, team, lead):
    client_as(instructor).get(reverse("workshops:workshop_export", args=[workshop.pk, "csv"]))
    client_as(lead).get(reverse("workshops:team_export", args=[team.pk, "xlsx"]))
    exports = AuditEntry.objects.filter(action="export").order_by("id")
    assert [(e.actor, e.summary) for e in exports] == [
        (instructor, "workshop csv"),
        (lead, "team xlsx"),
    ]


def test_budget_changes_record_before_and_after(db, client):
    operator = make_user("ops@example.com")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    rules = BudgetSettings.load()
    data = {
        "monthly_budget_krw": 300000,
        "krw_per_usd": str(rules.krw_per_usd),
        "alert_thresholds_0": "50",
        "alert_thresholds_1": "95",
        "per_user_monthly_cap_krw": 0,
        "per_workshop_monthly_cap_krw": 0,
        "on_cap": rules.on_cap,
        "reservation_minutes": rules.reservation_minutes,
    }
    response = client.post(reverse("admin:ai_budgetsettings_change", args=[rules.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="budget_settings_changed")
    assert entry.actor == operator
    assert entry.detail["monthly_budget_krw"] == {"from": "500000", "to": "300000"}
    assert entry.detail["alert_thresholds"] == {"from": "[60, 80]", "to": "[50, 95]"}


def test_the_audit_log_is_read_only_in_the_admin(db, client):
    operator = make_user("ops@example.com")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    entry = AuditEntry.objects.create(action="export", summary="workshop csv")
    listing = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert "workshop csv" in listing.content.decode()
    url = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_failing_audit_write_does_not_undo_the_action(db, team, lead, domain, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    before = AuditEntry.objects.count()
    monkeypatch.setattr(AuditEntry.objects, "create", broken)
    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    task.refresh_from_db()
    assert task.title == "주간 보고서 작성"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("header", ["", "bad id with spaces", "x" * 80])
def test_unsafe_request_ids_are_replaced(db, client, header):
    response = client.get("/health/", HTTP_X_REQUEST_ID=header)
    assert response["X-Request-ID"] != header
    assert len(response["X-Request-ID"]) == 32
