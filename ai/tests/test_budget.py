"""The ledger's arithmetic, the hard budget, caps, alerts and the fallback."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from ai import budget, runner
from ai import requests as ai_requests
from ai.models import (
    AIModel,
    BudgetAlert,
    BudgetSettings,
    OnCap,
    Refusal,
    Reservation,
    RunStatus,
    Source,
    TaskAnalysis,
    UsageRecord,
    month_start,
)
from ai.providers.base import Usage
from ai.tests.conftest import make_tasks


@pytest.fixture
def haiku(db):
    return AIModel.objects.get(model_id="claude-haiku-5-5")


def run_for(team, actor, **kwargs):
    run, _ = ai_requests.analysis_request(team=team, actor=actor, **kwargs)
    runner.run_execute(run.pk)
    run.refresh_from_db()
    return run


# --- Arithmetic -------------------------------------------------------------------------------


def test_cost_adds_input_output_and_cache_tokens_at_their_prices(haiku):
    # (1,000 × 0.10 + 2,000 × 0.50 + 500 × 0.125 + 4,000 × 0.01) / 1,000,000
    cost = haiku.cost_usd(
        input_tokens=1000, output_tokens=2000, cache_write_tokens=500, cache_read_tokens=4000
    )
    assert cost == Decimal("0.00120250")


def test_batch_calls_cost_half(haiku):
    cost = haiku.cost_usd(input_tokens=1000, output_tokens=2000, batch=True)
    assert cost == Decimal("0.00055000")  # (100 + 1,000) / 1e6 × 0.5


def test_the_worst_case_counts_every_output_token(haiku):
    params = {
        "system": [],
        "messages": [{"role": "user", "content": "가" * 150}],
        "max_tokens": 1000,
    }
    worst = budget.worst_case_usd(haiku, params)
    # ≥ 1,000 output tokens at $0.50/M, plus the input at the dearer cache-write price
    assert worst >= Decimal("0.0005")
    assert budget.worst_case_usd(haiku, params, batch=True) == (worst / 2).quantize(
        Decimal("0.00000001")
    )


# --- The ledger -------------------------------------------------------------------------------


def test_every_api_call_lands_in_the_ledger_with_its_usage(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 25)
    run = run_for(team, lead)
    lines = UsageRecord.objects.filter(kind=UsageRecord.Kind.CALL).order_by("id")
    assert lines.count() == 2
    sent = [r["usage"] for r in fake_anthropic.message_requests]
    assert sorted(line.input_tokens for line in lines) == sorted(u["input_tokens"] for u in sent)
    assert sorted(line.output_tokens for line in lines) == sorted(u["output_tokens"] for u in sent)
    line = lines.first()
    assert (line.user, line.team, line.workshop, line.run) == (lead, team, team.workshop, run)
    assert line.model_id == "claude-haiku-5-5"
    assert line.cost_usd == AIModel.objects.get(model_id="claude-haiku-5-5").cost_usd(
        input_tokens=line.input_tokens,
        output_tokens=line.output_tokens,
        cache_write_tokens=line.cache_write_tokens,
        cache_read_tokens=line.cache_read_tokens,
    )
    assert sum(line.tasks for line in lines) == 25
    assert not Reservation.objects.filter(status=Reservation.Status.ACTIVE).exists()


def test_a_failed_call_is_recorded_and_its_reservation_freed(fake_anthropic, team, lead, domain):
    make_tasks(team, lead, domain, 2)
    fake_anthropic.script("500", "500", "500")
    run_for(team, lead)
    line = UsageRecord.objects.get()
    assert (line.ok, line.cost_usd) == (False, Decimal("0"))
    assert not Reservation.objects.filter(status=Reservation.Status.ACTIVE).exists()


def test_cache_hits_are_recorded_with_the_cost_they_saved(fake_anthropic, team, lead, domain):
    tasks = make_tasks(team, lead, domain, 4)
    run_for(team, lead)
    run_for(team, lead, tasks=tasks)
    line = UsageRecord.objects.get(kind=UsageRecord.Kind.CACHE)
    call = UsageRecord.objects.get(kind=UsageRecord.Kind.CALL)
    assert line.cached_tasks == 4
    assert line.saved_usd == (call.cost_usd / call.tasks * 4).quantize(Decimal("0.00000001"))


# --- Caps and refusals ------------------------------------------------------------------------


def set_rules(**fields):
    rules = BudgetSettings.load()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def test_a_call_that_would_pass_the_monthly_budget_is_refused(db, lead):
    set_rules(monthly_budget_krw=13)  # $0.01 at 1,300 KRW/USD
    budget.reserve(amount_usd=Decimal("0.006"), user_id=lead.pk, workshop_id=None)
    with pytest.raises(budget.BudgetRefused) as refused:
        budget.reserve(amount_usd=Decimal("0.006"), user_id=lead.pk, workshop_id=None)
    assert refused.value.kind == Refusal.Kind.BUDGET_MONTH
    assert "이번 달 AI 예산을 모두 써서" in refused.value.message
    assert Refusal.objects.get().kind == Refusal.Kind.BUDGET_MONTH


def test_the_per_user_cap_refuses_only_that_user(db, lead, other_lead):
    set_rules(per_user_monthly_cap_krw=13)
    budget.reserve(amount_usd=Decimal("0.008"), user_id=lead.pk, workshop_id=None)
    with pytest.raises(budget.BudgetRefused) as refused:
        budget.reserve(amount_usd=Decimal("0.008"), user_id=lead.pk, workshop_id=None)
    assert refused.value.kind == Refusal.Kind.BUDGET_USER
    budget.reserve(amount_usd=Decimal("0.008"), user_id=other_lead.pk, workshop_id=None)


def test_the_per_workshop_cap_refuses_that_workshop(workshop, lead, other_instructor):
    set_rules(per_workshop_monthly_cap_krw=13)
    budget.reserve(amount_usd=Decimal("0.008"), user_id=None, workshop_id=workshop.pk)
    with pytest.raises(budget.BudgetRefused) as refused:
        budget.reserve(amount_usd=Decimal("0.008"), user_id=None, workshop_id=workshop.pk)
    assert refused.value.kind == Refusal.Kind.BUDGET_WORKSHOP
    other = other_instructor.participations.get().workshop
    budget.reserve(amount_usd=Decimal("0.008"), user_id=None, workshop_id=other.pk)


def test_spent_money_counts_as_well_as_held(db, lead, haiku):
    set_rules(monthly_budget_krw=13)
    context = budget.CallContext(model=haiku, user_id=lead.pk)
    budget.record(context, Usage(input_tokens=10_000, output_tokens=18_000))  # $0.01
    with pytest.raises(budget.BudgetRefused):
        budget.reserve(amount_usd=Decimal("0.0001"), user_id=lead.pk, workshop_id=None)


def test_an_abandoned_reservation_stops_counting_when_it_expires(db, lead):
    set_rules(monthly_budget_krw=13)
    held = budget.reserve(amount_usd=Decimal("0.009"), user_id=lead.pk, workshop_id=None)
    Reservation.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    budget.reserve(amount_usd=Decimal("0.009"), user_id=lead.pk, workshop_id=None)


def use_up_the_user_cap(user, haiku):
    set_rules(per_user_monthly_cap_krw=1)  # about $0.00077
    budget.record(budget.CallContext(model=haiku, user_id=user.pk), Usage(output_tokens=2000))


def test_over_the_cap_the_run_falls_back_to_labelled_rules(
    fake_anthropic, haiku, team, lead, domain
):
    use_up_the_user_cap(lead, haiku)
    set_rules(on_cap=OnCap.FALLBACK)
    make_tasks(team, lead, domain, 3)
    run = run_for(team, lead)
    assert fake_anthropic.message_requests == []
    assert set(TaskAnalysis.objects.values_list("source", flat=True)) == {Source.RULES}
    assert run.status == RunStatus.SUCCEEDED
    assert "규칙 기반 추정으로 답했습니다" in run.message


def test_over_the_cap_the_run_can_refuse_instead(fake_anthropic, haiku, team, lead, domain):
    use_up_the_user_cap(lead, haiku)
    set_rules(on_cap=OnCap.REFUSE)
    make_tasks(team, lead, domain, 3)
    run = run_for(team, lead)
    assert run.status == RunStatus.FAILED
    assert "내 AI 사용 한도" in run.message
    assert not TaskAnalysis.objects.exists()


# --- Alerts -----------------------------------------------------------------------------------


@pytest.fixture
def spend(haiku, django_capture_on_commit_callbacks):
    """spend(n): record a call costing n/1000 dollars (output at $0.50/M) and commit it."""

    def record(usd_thousandths: int):
        with django_capture_on_commit_callbacks(execute=True):
            budget.record(
                budget.CallContext(model=haiku), Usage(output_tokens=usd_thousandths * 2000)
            )

    return record


def test_each_threshold_alerts_once_by_slack_and_mail(db, slack, spend):
    set_rules(monthly_budget_krw=1300, alert_thresholds=[60, 80])  # $1.00
    spend(500)
    assert slack.messages == []
    spend(150)  # 65 %
    spend(10)  # still 66 %: no second alert
    assert len(slack.messages) == 1
    assert "60%" in slack.messages[0]["text"]
    spend(200)  # 86 %
    assert [m["text"] for m in slack.messages][1].count("80%") == 1
    assert len(mail.outbox) == 2
    assert list(BudgetAlert.objects.values_list("threshold", flat=True).order_by("threshold")) == [
        60,
        80,
    ]


def test_reaching_the_budget_alerts_too(db, slack, spend, lead, django_capture_on_commit_callbacks):
    set_rules(monthly_budget_krw=1300, alert_thresholds=[])
    spend(990)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(budget.BudgetRefused),
    ):
        budget.reserve(amount_usd=Decimal("0.05"), user_id=lead.pk, workshop_id=None)
    assert len(slack.messages) == 1
    assert "모두 썼습니다" in slack.messages[0]["text"]


def test_a_failing_webhook_never_breaks_the_caller(db, slack, spend, caplog):
    slack.status = 500
    set_rules(monthly_budget_krw=1300, alert_thresholds=[50])
    spend(600)  # must not raise
    assert BudgetAlert.objects.filter(threshold=50).exists()
    assert "Slack webhook failed" in caplog.text


def test_an_unreachable_webhook_never_breaks_the_caller(db, settings, spend, caplog):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/nowhere"
    set_rules(monthly_budget_krw=1300, alert_thresholds=[50])
    spend(600)
    assert "Slack webhook failed" in caplog.text


def test_alerts_start_again_next_month(db, slack, spend):
    set_rules(monthly_budget_krw=1300, alert_thresholds=[50])
    BudgetAlert.objects.create(month=month_start() - timedelta(days=40), threshold=50)
    spend(600)
    assert len(slack.messages) == 1
