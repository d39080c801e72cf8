"""Retention: a workshop past PRIVACY_RETENTION_DAYS loses its people's data, keeps its figures."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEntry, User
from ai import requests as ai_requests
from ai import retention
from ai.models import (
    AnalysisRun,
    EconomyBatch,
    Refusal,
    Reservation,
    TaskAnalysis,
    UsageRecord,
)
from conftest import make_user, task_data
from workshops import services
from workshops.models import Invitation, Participant, Task, Team, Workshop


def _closed_days_ago(workshop: Workshop, days: float) -> Workshop:
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=days))
    workshop.refresh_from_db()
    return workshop


@pytest.fixture
def full_workshop(workshop, team, lead, member, other_team, task, domain):
    """The cast's workshop with something of every kind in it."""
    services.task_create(team=other_team, actor=other_team.lead, data=task_data(domain))
    services.invitation_create(team=team, actor=lead)
    run, _created = ai_requests.analysis_request(team=team, actor=lead)
    TaskAnalysis.objects.create(
        task=task,
        run=run,
        mode="quick",
        source="rules",
        rating="HIGH",
        method="RPA",
        automatable_share=50,
        task_hours=task.hours_per_month,
    )
    EconomyBatch.objects.create(
        workshop=workshop, requested_by=workshop.created_by, status="applied"
    )
    month = date.today().replace(day=1)
    UsageRecord.objects.create(
        month=month,
        user=lead,
        team=team,
        workshop=workshop,
        run=run,
        team_name=team.name,
        workshop_title=workshop.title,
        cost_usd=Decimal("0.12345678"),
    )
    Reservation.objects.create(
        month=month,
        user=lead,
        workshop=workshop,
        amount_usd=Decimal("0.5"),
        expires_at=timezone.now(),
        status="settled",
    )
    Refusal.objects.create(month=month, kind="rate_limit", user=lead, workshop=workshop)
    audit.record(
        "export", actor=lead, workshop=workshop, summary="박팀장 영업1팀", detail={"who": "박팀장"}
    )
    AuditEntry.objects.filter(workshop=workshop).update(ip="203.0.113.7")
    return _closed_days_ago(workshop, 181)


def test_a_workshop_past_its_retention_period_loses_teams_people_and_tasks(full_workshop):
    assert retention.purge_due() == [full_workshop.pk]
    assert not Team.objects.filter(workshop=full_workshop).exists()
    assert (
        not Participant.objects.filter(workshop=full_workshop).exclude(role="instructor").exists()
    )
    assert not Task.objects.filter(team__workshop=full_workshop).exists()
    assert not TaskAnalysis.objects.exists()
    assert not AnalysisRun.objects.filter(workshop=full_workshop).exists()
    assert not Invitation.objects.exists()
    assert not EconomyBatch.objects.filter(workshop=full_workshop).exists()


def test_the_purged_workshop_row_stays_with_its_figures(full_workshop):
    retention.purge_due()
    full_workshop.refresh_from_db()
    assert full_workshop.purged_at is not None
    assert full_workshop.purged_summary == {
        "teams": 2,
        "participants": 3,
        "tasks": 2,
        "monthly_hours": "8.66",
        "automatable_hours": "2.17",
        "ratings": {"HIGH": 1},
        "ai_cost_usd": "0.1235",
    }


def test_the_ledger_keeps_costs_without_names(full_workshop):
    retention.purge_due()
    line = UsageRecord.objects.get()
    assert (line.user, line.team, line.team_name, line.workshop_title) == (
        None,
        None,
        retention.PURGED_LABEL,
        retention.PURGED_LABEL,
    )
    assert line.cost_usd == Decimal("0.12345678")
    assert Reservation.objects.get().user is None
    assert Refusal.objects.get().user is None


def test_the_audit_log_keeps_what_and_when_but_not_words_or_addresses(full_workshop):
    retention.purge_due()
    entries = AuditEntry.objects.filter(workshop=full_workshop).exclude(action="workshop.purged")
    assert entries.filter(action="export").exists()
    assert set(entries.values_list("summary", "ip")) == {("", None)}
    assert all(entry.detail == {} for entry in entries)


@pytest.mark.parametrize("path", ["/workshops/{pk}/", "/workshops/{pk}/summary/"])
def test_instructors_still_open_the_purged_workshop_and_see_the_kept_figures(
    full_workshop, client_as, instructor, path
):
    retention.purge_due()
    response = client_as(instructor).get(path.format(pk=full_workshop.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "보유 기간이 지나 참여자와 업무 기록을 파기했습니다" in body
    assert "8.7" in body  # the monthly hours, kept


@pytest.mark.parametrize(
    "path",
    [
        "/workshops/{pk}/edit/",
        "/workshops/{pk}/export.xlsx",
        "/workshops/{pk}/export.csv",
    ],
)
def test_no_page_of_a_purged_workshop_fails(full_workshop, client_as, instructor, path):
    retention.purge_due()
    response = client_as(instructor).get(path.format(pk=full_workshop.pk))
    assert response.status_code < 500


def test_a_purged_workshop_cannot_be_reopened(full_workshop, client_as, instructor):
    retention.purge_due()
    response = client_as(instructor).post(
        f"/workshops/{full_workshop.pk}/status/", {"action": "open"}, follow=True
    )
    full_workshop.refresh_from_db()
    assert full_workshop.is_closed
    assert "다시 열 수 없습니다" in response.content.decode()


def test_the_admin_cannot_reopen_a_purged_workshop_by_its_status(full_workshop, admin_client):
    retention.purge_due()
    page = admin_client.get(f"/admin/workshops/workshop/{full_workshop.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()


def test_former_participants_can_no_longer_reach_its_teams(full_workshop, client_as, lead, team):
    retention.purge_due()
    assert client_as(lead).get(f"/teams/{team.pk}/").status_code == 404


def test_open_and_recently_closed_workshops_are_untouched(
    full_workshop, other_instructor, instructor
):
    open_one = Workshop.objects.get(created_by=other_instructor)
    services.workshop_open(workshop=open_one)
    services.team_create(
        workshop=open_one, lead=make_user("open.lead@example.com"), team_name="A", display_name="a"
    )
    recent = services.workshop_create(
        creator=instructor, title="최근", description="", date=date(2026, 5, 1), domain_names=["가"]
    )
    services.workshop_open(workshop=recent)
    services.team_create(
        workshop=recent, lead=make_user("recent.lead@example.com"), team_name="B", display_name="b"
    )
    _closed_days_ago(recent, 179)

    assert retention.purge_due() == [full_workshop.pk]
    assert Team.objects.filter(workshop__in=[open_one, recent]).count() == 2
    assert not Workshop.objects.filter(pk__in=[open_one.pk, recent.pk], purged_at__isnull=False)


def test_a_second_run_does_nothing(full_workshop):
    retention.purge_due()
    full_workshop.refresh_from_db()
    first = full_workshop.purged_at

    assert retention.purge_due(now=timezone.now() + timedelta(days=3)) == []
    full_workshop.refresh_from_db()
    assert full_workshop.purged_at == first
    assert AuditEntry.objects.filter(action="workshop.purged").count() == 1


def test_purging_an_open_workshop_does_nothing(workshop, team):
    assert retention.workshop_purge(workshop) is False
    assert Team.objects.filter(workshop=workshop).exists()


def test_workshops_due_for_days_are_all_caught_up(full_workshop, instructor):
    older = services.workshop_create(
        creator=instructor, title="예전", description="", date=date(2025, 1, 1), domain_names=["가"]
    )
    _closed_days_ago(older, 400)
    assert sorted(retention.purge_due()) == sorted([full_workshop.pk, older.pk])


def test_the_retention_period_comes_from_settings(full_workshop, settings):
    settings.PRIVACY_RETENTION_DAYS = 365
    assert retention.purge_due() == []


def test_former_participants_idle_for_the_retention_period_lose_their_accounts(
    full_workshop, lead, member, instructor
):
    long_ago = timezone.now() - timedelta(days=200)
    User.objects.filter(pk__in=[lead.pk, member.pk]).update(
        last_login=long_ago, date_joined=long_ago
    )
    User.objects.filter(pk=instructor.pk).update(last_login=long_ago, date_joined=long_ago)
    retention.purge_due()
    assert not User.objects.filter(pk__in=[lead.pk, member.pk]).exists()
    assert User.objects.filter(pk=instructor.pk).exists()  # instructors keep their accounts


def test_recently_active_people_and_operators_keep_their_accounts(full_workshop, lead, member):
    long_ago = timezone.now() - timedelta(days=200)
    User.objects.filter(pk=lead.pk).update(date_joined=long_ago, last_login=timezone.now())
    operator = User.objects.create_superuser("ops@example.com", "pw-long-enough-1")
    User.objects.filter(pk__in=[operator.pk, member.pk]).update(
        date_joined=long_ago, last_login=long_ago
    )
    retention.purge_due()
    assert User.objects.filter(pk=lead.pk).exists()
    assert User.objects.filter(pk=operator.pk).exists()
    assert not User.objects.filter(pk=member.pk).exists()


def test_people_still_in_another_workshop_keep_their_accounts(full_workshop, lead, instructor):
    other = services.workshop_create(
        creator=instructor, title="다음", description="", date=date(2026, 9, 1), domain_names=["가"]
    )
    services.workshop_open(workshop=other)
    services.team_create(workshop=other, lead=lead, team_name="다음 팀", display_name="박팀장")
    long_ago = timezone.now() - timedelta(days=200)
    User.objects.filter(pk=lead.pk).update(date_joined=long_ago, last_login=long_ago)
    retention.purge_due()
    assert User.objects.filter(pk=lead.pk).exists()
