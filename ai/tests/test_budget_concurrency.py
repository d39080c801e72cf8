"""50 analyses at once against a budget that fits about 10 worst cases: never overspent."""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from ai import budget, runner
from ai import requests as ai_requests
from ai.models import (
    AnalysisMode,
    AnalysisRun,
    BudgetSettings,
    OnCap,
    Reservation,
    RunStatus,
    Source,
    TaskAnalysis,
    UsageRecord,
)
from ai.tests.conftest import make_tasks
from conftest import make_user
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 50


def test_concurrent_analyses_never_spend_past_the_budget(fake_anthropic, workshop, domain):
    # One quick call for one task reserves its worst case; size the budget for three at once.
    # A call settles far below its worst case (the system prompt is read from the cache), so
    # about ten calls fit before the budget refuses.
    quick = AnalysisMode.objects.select_related("model").get(mode="quick")
    haiku = quick.model
    teams = []
    for i in range(CLIENTS):
        lead = make_user(f"racer{i}@example.com")
        team = workshop_services.team_create(
            workshop=workshop, lead=lead, team_name=f"경주 {i}", display_name=f"팀장 {i}"
        )
        make_tasks(team, lead, domain, 1, prefix=f"경주 업무 {i}")
        teams.append((team, lead))
    from ai.inputs import TaskInput
    from ai.providers.anthropic import request_params

    sample = [TaskInput.from_task(team.tasks.get(), key="t1") for team, _lead in teams[:1]]
    worst = budget.worst_case_usd(
        haiku,
        request_params(
            sample,
            mode="quick",
            model=haiku,
            per_task_tokens=quick.max_output_tokens_per_task,
        ),
    )
    rules = BudgetSettings.load()
    rules.monthly_budget_krw = int(worst * 3 * rules.krw_per_usd) + 1
    rules.per_user_monthly_cap_krw = 0
    rules.per_workshop_monthly_cap_krw = 0
    rules.on_cap = OnCap.FALLBACK
    rules.save()
    budget_usd = rules.monthly_budget_usd

    runs = [ai_requests.analysis_request(team=team, actor=lead)[0] for team, lead in teams]
    start = threading.Barrier(CLIENTS)
    errors = []

    def analyse(run_id):
        try:
            start.wait()
            runner.run_execute(run_id)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=analyse, args=(run.pk,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert errors == []
    spent = sum(UsageRecord.objects.values_list("cost_usd", flat=True), Decimal("0"))
    ai_answers = TaskAnalysis.objects.filter(source=Source.AI).count()
    rule_answers = TaskAnalysis.objects.filter(source=Source.RULES).count()
    assert spent <= budget_usd
    # The test means something: had all 50 gone through, they would have overspent.
    assert 0 < ai_answers < CLIENTS
    assert CLIENTS * (spent / ai_answers) > budget_usd
    assert ai_answers + rule_answers == CLIENTS  # every refused run fell back, labelled
    assert len(fake_anthropic.message_requests) == ai_answers
    assert not Reservation.objects.filter(status=Reservation.Status.ACTIVE).exists()
    statuses = set(
        AnalysisRun.objects.filter(pk__in=[r.pk for r in runs]).values_list("status", flat=True)
    )
    assert statuses == {RunStatus.SUCCEEDED}


def _reserve_at_once(barrier, results):
    connections.close_all()  # a forked child must not share the parent's connection
    barrier.wait()
    try:
        budget.reserve(amount_usd=Decimal("1"), user_id=None, workshop_id=None)
        results.put(True)
    except budget.BudgetRefused:
        results.put(False)
    finally:
        connections.close_all()


def test_reservations_from_50_processes_at_once_never_exceed_the_budget(db):
    """Processes, not threads, so that the reservations truly overlap; without the row lock
    this grants more than ten (seen: 13 on PostgreSQL)."""
    import multiprocessing

    rules = BudgetSettings.load()
    rules.monthly_budget_krw = int(10 * rules.krw_per_usd)  # exactly $10
    rules.per_user_monthly_cap_krw = rules.per_workshop_monthly_cap_krw = 0
    rules.save()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(CLIENTS), context.Queue()
    processes = [
        context.Process(target=_reserve_at_once, args=(barrier, results)) for _ in range(CLIENTS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    granted = sum(1 for _ in range(CLIENTS) if results.get(timeout=10))
    held = sum(Reservation.objects.values_list("amount_usd", flat=True), Decimal("0"))
    assert granted == 10
    assert held == Decimal("10")
