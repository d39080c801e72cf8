"""Economy mode: a workshop's pending tasks through the Message Batches API, at batch prices."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from ai.models import AIModel, EconomyBatch, Reservation, Source, TaskAnalysis, UsageRecord
from ai.tests.conftest import make_tasks
from ai.tests.test_analysis_jobs import work_off_queue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def economy(fake_anthropic, settings):
    settings.AI_BATCH_POLL_SECONDS = 0
    fake_anthropic.batch_seconds = 0.3
    return fake_anthropic


def test_the_instructor_analyses_every_pending_task_at_batch_prices(
    economy, client_as, instructor, team, lead, other_team, other_lead, domain
):
    make_tasks(team, lead, domain, 25)
    make_tasks(other_team, other_lead, domain, 3, prefix="재무")
    response = client_as(instructor).post(reverse("ai:economy", args=[team.workshop_id]))
    assert response.status_code == 302
    batch = EconomyBatch.objects.get()
    assert batch.total_tasks == 28

    # Submit, then poll (the fake keeps it "in_progress" for 0.3 s) until it ends, then apply.
    work_off_queue()

    batch.refresh_from_db()
    assert batch.api_batch_id.startswith("msgbatch_")
    assert batch.polls >= 2  # it was asked again while still processing
    assert batch.status == EconomyBatch.Status.APPLIED
    assert batch.done_tasks == 28
    assert TaskAnalysis.objects.filter(source=Source.AI).count() == 28
    created = [r for r in economy.requests if r["path"] == "/v1/messages/batches"]
    assert len(created[0]["body"]["requests"]) == 2  # 28 tasks in chunks of 20
    lines = UsageRecord.objects.filter(kind=UsageRecord.Kind.BATCH)
    assert lines.count() == 2
    line = lines.first()
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    full_price = haiku.cost_usd(
        input_tokens=line.input_tokens,
        output_tokens=line.output_tokens,
        cache_write_tokens=line.cache_write_tokens,
        cache_read_tokens=line.cache_read_tokens,
    )
    assert line.cost_usd == (full_price * Decimal("0.5")).quantize(Decimal("0.00000001"))
    assert not Reservation.objects.filter(status=Reservation.Status.ACTIVE).exists()


def test_tasks_answered_from_the_cache_are_in_the_ledger_with_what_they_saved(
    economy, client_as, instructor, team, lead, other_team, other_lead, domain
):
    make_tasks(team, lead, domain, 3)
    make_tasks(other_team, other_lead, domain, 3)  # the same tasks: cache hits
    client = client_as(instructor)
    client.post(reverse("ai:economy", args=[team.workshop_id]))
    work_off_queue()
    TaskAnalysis.objects.filter(task__team=other_team).delete()  # pending again
    client.post(reverse("ai:economy", args=[team.workshop_id]))
    work_off_queue()
    assert TaskAnalysis.objects.filter(task__team=other_team, source=Source.CACHE).count() == 3
    line = UsageRecord.objects.get(kind=UsageRecord.Kind.CACHE)
    assert line.cached_tasks == 3 and line.saved_usd > 0
    assert line.workshop_id == team.workshop_id


def test_the_board_shows_the_batch_status(economy, client_as, instructor, team, lead, domain):
    make_tasks(team, lead, domain, 2)
    client = client_as(instructor)
    client.post(reverse("ai:economy", args=[team.workshop_id]))
    body = client.get(team.workshop.get_absolute_url()).content.decode()
    assert "제출 대기" in body


def test_a_second_economy_request_while_one_runs_is_refused(
    economy, client_as, instructor, team, lead, domain
):
    make_tasks(team, lead, domain, 2)
    client = client_as(instructor)
    client.post(reverse("ai:economy", args=[team.workshop_id]))
    response = client.post(reverse("ai:economy", args=[team.workshop_id]), follow=True)
    assert "이미 진행 중" in response.content.decode()
    assert EconomyBatch.objects.count() == 1


def test_leads_cannot_start_economy_mode(economy, client_as, lead, team, domain):
    make_tasks(team, lead, domain, 1)
    assert client_as(lead).post(reverse("ai:economy", args=[team.workshop_id])).status_code == 403


def test_other_instructors_cannot_start_economy_mode(economy, client_as, other_instructor, team):
    url = reverse("ai:economy", args=[team.workshop_id])
    assert client_as(other_instructor).post(url).status_code == 404


def test_a_batch_the_budget_cannot_hold_fails_with_a_reason(
    economy, instructor, team, lead, domain
):
    from ai import budget
    from ai import economy as economy_service
    from ai.models import BudgetSettings
    from ai.providers.base import Usage

    rules = BudgetSettings.load()
    rules.monthly_budget_krw = 13  # $0.01, spent below
    rules.save()
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    budget.record(budget.CallContext(model=haiku), Usage(output_tokens=20_000))
    make_tasks(team, lead, domain, 5)
    batch = economy_service.economy_request(workshop=team.workshop, actor=instructor)
    work_off_queue()
    batch.refresh_from_db()
    assert batch.status == EconomyBatch.Status.FAILED
    assert "예산" in batch.message
    assert not [r for r in economy.requests if r["path"] == "/v1/messages/batches"]


def test_usage_report_prints_the_month(economy, team, lead, domain, capsys):
    from ai import requests as ai_requests
    from ai import runner

    make_tasks(team, lead, domain, 3)
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    call_command("usage_report")
    out = capsys.readouterr().out
    assert "AI 사용 보고서" in out
    assert "API 호출: 1" in out
    assert lead.email in out


def test_usage_report_refuses_a_bad_month(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-11"):
        call_command("usage_report", "--month", "November")


def test_usage_report_posts_to_slack(economy, slack):
    call_command("usage_report", "--slack")
    assert "AI 사용 보고서" in slack.messages[0]["text"]
