"""The operators' side: the spend dashboard (spend, and where the month's ratings came from),
the ledger and per-workshop exports, the deprecated-model check."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ai import budget
from ai.checks import configured_models_are_current
from ai.models import (
    AIModel,
    AnalysisMode,
    BudgetSettings,
    Refusal,
    Source,
    TaskAnalysis,
    UsageRecord,
    month_start,
)
from ai.providers.base import Usage
from conftest import make_user, task_data
from workshops import services


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


def _budget_form(**thresholds):
    return {
        "monthly_budget_krw": 500000,
        "krw_per_usd": "1300",
        "alert_thresholds_0": "",
        "alert_thresholds_1": "",
        "per_user_monthly_cap_krw": 0,
        "per_workshop_monthly_cap_krw": 0,
        "on_cap": "fallback",
        "reservation_minutes": 15,
        **thresholds,
    }


def _budget_url():
    return reverse("admin:ai_budgetsettings_change", args=[BudgetSettings.load().pk])


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea") and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs


def _inputs(html):
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def test_alert_thresholds_are_two_number_boxes_not_json(db, client):
    page = staff_client(client).get(_budget_url()).content.decode()
    inputs = _inputs(page)
    assert "alert_thresholds" not in inputs  # no JSON box
    first, second = inputs["alert_thresholds_0"], inputs["alert_thresholds_1"]
    assert (first["type"], first["value"], second["type"], second["value"]) == (
        "number",
        "60",
        "number",
        "80",
    )
    assert first["aria-label"] == "첫 번째 알림 기준(%)"
    assert "JSON" not in page


@pytest.mark.parametrize(
    ("first", "second"), [("60", "150"), ("0", "80"), ("육십", "80"), ("60.5", "")]
)
def test_bad_alert_thresholds_are_refused_in_korean_and_kept_in_the_boxes(
    db, client, first, second
):
    response = staff_client(client).post(
        _budget_url(), _budget_form(alert_thresholds_0=first, alert_thresholds_1=second)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "알림 기준은 1에서 99 사이의 정수로 적어 주세요." in page
    assert "올바른 JSON" not in page
    inputs = _inputs(page)
    assert (
        inputs["alert_thresholds_0"].get("value", ""),
        inputs["alert_thresholds_1"].get("value", ""),
    ) == (first, second)
    assert BudgetSettings.load().alert_thresholds == [60, 80]


def test_the_same_threshold_twice_is_refused(db, client):
    response = staff_client(client).post(
        _budget_url(), _budget_form(alert_thresholds_0="70", alert_thresholds_1="70")
    )
    assert "두 알림 기준이 같습니다" in response.content.decode()
    assert BudgetSettings.load().alert_thresholds == [60, 80]


@pytest.mark.parametrize(
    ("first", "second", "stored"),
    [("90", "50", [50, 90]), ("", "75", [75]), ("", "", [])],
)
def test_thresholds_are_stored_as_the_sorted_list_the_alerts_read(
    db, client, first, second, stored
):
    response = staff_client(client).post(
        _budget_url(), _budget_form(alert_thresholds_0=first, alert_thresholds_1=second)
    )
    assert response.status_code == 302
    rules = BudgetSettings.load()
    assert rules.alert_thresholds == stored
    assert rules.thresholds() == stored


def test_more_than_two_stored_thresholds_are_named_before_they_are_replaced(db, client):
    rules = BudgetSettings.load()
    rules.alert_thresholds = [50, 70, 90]
    rules.save()
    page = staff_client(client).get(_budget_url()).content.decode()
    assert "지금 저장된 기준은 50%, 70%, 90%입니다" in page
    inputs = _inputs(page)
    assert (inputs["alert_thresholds_0"]["value"], inputs["alert_thresholds_1"]["value"]) == (
        "50",
        "70",
    )


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


# --- Where the month's ratings came from ---------------------------------------------------------


class _Tables(HTMLParser):
    """Each table's rows (header, body and footer) as lists of cell texts, by the table's id."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or "", [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(body: str, table_id: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(body)
    return parser.tables[table_id]


def analyse(task, source, *, count=1):
    for _ in range(count):
        TaskAnalysis.objects.create(
            task=task,
            mode="quick",
            source=source,
            rating="HIGH",
            method="RPA",
            suggestion="x",
            automatable_share=60,
            task_hours=task.hours_per_month,
        )


@pytest.fixture
def rated_month(instructor, workshop, team, lead, domain):
    """This month: the first workshop has AI (2 + 1 from the cache), rule-based (3) and a
    person's (1) ratings and AI spend; a second workshop ran on rules alone (2) and spent
    nothing. A rating from last month counts in neither."""
    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    analyse(task, Source.AI, count=2)
    analyse(task, Source.CACHE)
    analyse(task, Source.RULES, count=3)
    analyse(task, Source.PERSON)
    spend_some(lead, workshop)
    second = services.workshop_open(
        workshop=services.workshop_create(
            creator=instructor,
            title="4월 신임 팀장 워크샵",
            description="",
            date=date(2026, 4, 7),
            domain_names=["인사"],
        )
    )
    second_lead = make_user("lead2@example.com", "한팀장")
    second_team = services.team_create(
        workshop=second, lead=second_lead, team_name="인사팀", display_name="한팀장"
    )
    other = services.task_create(
        team=second_team,
        actor=second_lead,
        data=task_data(second.domains.get(), title="채용 공고 게시"),
    )
    analyse(other, Source.RULES, count=2)
    analyse(other, Source.AI)
    last_month = month_start() - timedelta(days=3)
    TaskAnalysis.objects.filter(task=other, source=Source.AI).update(
        created_at=timezone.make_aware(datetime(last_month.year, last_month.month, 15))
    )
    return workshop, second


def test_the_dashboard_counts_each_workshops_ratings_by_source(client, rated_month):
    first, second = rated_month
    body = staff_client(client).get(reverse("admin:ai_spend")).content.decode()
    header, *rows, total = table(body, "by-source")
    assert header == [
        "워크샵",
        "비용($)",
        Source.AI.label,
        Source.RULES.label,  # "규칙 기반 추정 (AI 아님)"
        Source.PERSON.label,
    ]
    assert "규칙 기반 추정 (AI 아님)" in header
    by_title = {row[0]: row[1:] for row in rows}
    # AI counts the cache's answers too; the spend is the workshop's calls ($0.011).
    assert by_title[first.title] == ["0.0110", "3", "3", "1"]
    # Rules alone: listed though it spent nothing; last month's AI rating is not counted.
    assert by_title[second.title] == ["0.0000", "0", "2", "0"]
    assert list(by_title) == [first.title, second.title]  # the biggest spender first
    assert total == ["합계", "0.0110", "3", "5", "1"]
    assert f"‘{Source.AI.label}’에는 ‘{Source.CACHE.label}’도 들어 있습니다" in body


def test_the_workshops_csv_has_the_source_columns(client, rated_month):
    first, second = rated_month
    response = staff_client(client).get(reverse("admin:ai_spend_workshops_csv"))
    assert response["Content-Disposition"].startswith('attachment; filename="ai-spend-workshops-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    assert header == [
        "workshop_title",
        "cost_usd",
        Source.AI.label,
        Source.RULES.label,
        Source.PERSON.label,
    ]
    by_title = {row[0]: row[2:] for row in rows}
    assert by_title[first.title] == ["3", "3", "1"]
    assert by_title[second.title] == ["0", "2", "0"]
    assert by_title["합계"] == ["3", "5", "1"]
    assert Decimal(rows[0][1]) == Decimal("0.011")


def test_usage_report_says_how_many_ratings_were_not_ai(rated_month, capsys):
    call_command("usage_report")
    out = capsys.readouterr().out
    assert (
        f"분석 출처: {Source.AI.label} 3 · {Source.RULES.label} 5 · {Source.PERSON.label} 1" in out
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_source_table_fits_a_phone(asgi_server, signed_in_context, rated_month):
    operator = make_user("ops@example.com")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    page = signed_in_context(
        asgi_server, operator, viewport={"width": 390, "height": 844}, is_mobile=True
    ).new_page()
    page.goto(f"{asgi_server.url}{reverse('admin:ai_spend')}")
    assert str(Source.RULES.label) in page.locator("#by-source").inner_text()
    # Five columns, the source labels wrapping inside their headers: no sideways scroll.
    box = page.locator("#by-source").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
