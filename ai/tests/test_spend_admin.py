"""The operators' side: the spend dashboard, the ledger export, the deprecated-model check."""

from django.urls import reverse

from ai import budget
from ai.checks import configured_models_are_current
from ai.models import AIModel, AnalysisMode, BudgetSettings, Refusal, UsageRecord, month_start
from ai.providers.base import Usage
from conftest import make_user


def staff_client(client):
    operator = make_user("ops@example.com")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    return client


def spend_some(user=None, workshop=None):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    context = budget.CallContext(
        model=haiku, mode="quick", user_id=user and user.pk, workshop_id=workshop and workshop.pk
    )
    budget.record(context, Usage(input_tokens=10_000, output_tokens=20_000), tasks=20)
    budget.record_cache_hits(context, tasks=5)


def test_the_dashboard_shows_this_months_spend_against_the_budget(client, lead, workshop):
    spend_some(lead, workshop)  # $0.011 = 14 KRW at 1,300
    Refusal.objects.create(month=month_start(), kind=Refusal.Kind.RATE_LIMIT)
    response = staff_client(client).get(reverse("admin:ai_spend"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "14원" in body
    assert "500,000원" in body
    assert "<svg" in body and "<rect" in body
    assert lead.email in body and workshop.title in body
    assert "요청 횟수 제한 1" in body
    report = response.context["report"]
    assert report["cached_tasks"] == 5
    assert round(report["cache_hit_percent"]) == 20  # 5 of 25 answered from the cache


def test_the_dashboard_is_for_staff_only(client, lead):
    client.force_login(lead)
    response = client.get(reverse("admin:ai_spend"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_ledger_exports_as_csv_excel_can_read(client, lead, workshop):
    spend_some(lead, workshop)
    response = staff_client(client).get(reverse("admin:ai_ledger_csv"))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert workshop.title in text  # Korean survives
    assert len(text.strip().splitlines()) == 1 + UsageRecord.objects.count()


def test_budget_settings_open_as_one_row(db, client):
    response = staff_client(client).get(reverse("admin:ai_budgetsettings_changelist"))
    assert response["Location"].endswith(f"/{BudgetSettings.load().pk}/change/")


def test_bad_alert_thresholds_are_refused_in_korean(db, client):
    client = staff_client(client)
    rules = BudgetSettings.load()
    url = reverse("admin:ai_budgetsettings_change", args=[rules.pk])
    data = {
        "monthly_budget_krw": 500000,
        "krw_per_usd": "1300",
        "alert_thresholds": "[60, 150]",
        "per_user_monthly_cap_krw": 0,
        "per_workshop_monthly_cap_krw": 0,
        "on_cap": "fallback",
        "reservation_minutes": 15,
    }
    response = client.post(url, data)
    assert "1~99 사이의 정수 목록" in response.content.decode()


def test_a_deprecated_model_gets_a_system_check_warning(db):
    deep = AnalysisMode.objects.get(mode="deep")
    old = AIModel.objects.create(
        model_id="claude-sonnet-4-5",
        label="old",
        input_usd_per_mtok=3,
        output_usd_per_mtok=15,
        cache_write_usd_per_mtok=3.75,
        cache_read_usd_per_mtok=0.3,
    )
    deep.model = old
    deep.save()
    warnings = configured_models_are_current()
    assert [w.id for w in warnings] == ["ai.W001"]


def test_an_unknown_model_gets_a_system_check_warning(db):
    quick = AnalysisMode.objects.get(mode="quick")
    quick.model.model_id = "claude-haiku-9-typo"
    quick.model.save()
    assert [w.id for w in configured_models_are_current()] == ["ai.W002"]


def test_current_models_pass_the_check(db):
    assert configured_models_are_current() == []
