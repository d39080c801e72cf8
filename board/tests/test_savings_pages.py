"""Hours saved as won and people on every page that shows hours saved (issue 18): the task card,
the team report, the summary and the exports, each with its formula, at the workshop's hourly
cost."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from ai import requests as ai_requests
from conftest import task_data
from workshops import services
from workshops.models import Pick


def picked(task, expected_hours=Decimal("0")) -> Pick:
    """`task` as one of its team's picks (made directly: when a lead may pick is the priorities'
    own rule, tested with them)."""
    return Pick.objects.create(team=task.team, task=task, expected_hours=expected_hours)


# A daily hour: 21 hours a month; 높음 by a person saves 70 %: 14.7 hours a month.
# At 40,000원 an hour: 588,000원 a month, 7,056,000원 a year, 14.7 ÷ 209 = 0.07 people.
MONTHLY, YEARLY, PEOPLE = "588,000원", "7,056,000원", "0.07명"


@pytest.fixture
def rated(team, lead, domain):
    task = services.task_create(
        team=team,
        actor=lead,
        data=task_data(domain, frequency="daily", minutes_per_occurrence=60),
    )
    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="사람이 판단")
    return task


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@override_settings(DEBUG=False)  # the card cache on, as in production
def test_the_card_shows_won_a_month_a_year_and_people_with_the_formula(client_as, lead, rated):
    body = page(client_as(lead), rated.team.get_absolute_url())
    assert f"월 <strong>{MONTHLY}</strong> · 연 {YEARLY} · {PEOPLE}" in body
    assert "= 월 14.7시간 × 시간당 40,000원" in body and "÷ 209시간" in body


@override_settings(DEBUG=False)
def test_a_new_hourly_cost_shows_on_the_card_at_once(client_as, lead, rated, workshop):
    client = client_as(lead)
    page(client, rated.team.get_absolute_url())  # the card and the task list are now cached
    services.workshop_update(  # as the instructor's edit form changes it
        workshop=workshop,
        title=workshop.title,
        description=workshop.description,
        date=workshop.date,
        domain_names=[domain.name for domain in workshop.domains.all()],
        hourly_cost=50_000,
    )
    body = page(client, rated.team.get_absolute_url())
    assert "월 <strong>735,000원</strong>" in body and "시간당 50,000원" in body


def test_the_team_report_shows_the_won_it_saves_and_how(client_as, lead, rated):
    body = page(client_as(lead), reverse("workshops:team_report", args=[rated.team_id]))
    assert f"월 <strong>{MONTHLY}</strong> · 연 {YEARLY} · {PEOPLE}" in body
    assert "금액 = 절감 시간 × 시간당 인건비 40,000원" in body


def test_the_summary_shows_the_workshops_won(client_as, instructor, rated, workshop):
    body = page(client_as(instructor), reverse("workshops:workshop_summary", args=[workshop.pk]))
    assert f'<span class="stat-value">{MONTHLY}</span>' in body
    assert "= 월 14.7시간 × 시간당 40,000원" in body


def test_a_picks_expected_won_shows_on_the_summary(client_as, instructor, lead, rated, workshop):
    picked(rated, rated.hours_per_month)
    body = page(client_as(instructor), reverse("workshops:workshop_summary", args=[workshop.pk]))
    assert "월 21시간 · 840,000원" in body


def test_the_workshop_csv_has_won_and_people_columns(client_as, instructor, rated, workshop):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[workshop.pk, "csv"])
    )
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = dict(zip(header, row, strict=True))
    assert (values["월 절감액(원)"], values["연 절감액(원)"], values["인원 환산(명)"]) == (
        "588000",
        "7056000",
        "0.07",
    )


def test_the_xlsx_shows_won_as_the_pages_write_them(client_as, instructor, rated, workshop):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[workshop.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content))["업무"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("월 절감액(원)") + 1)
    assert (cell.value, cell.number_format) == (588_000, '#,##0"원"')


def test_the_xlsx_says_how_won_and_people_are_made(client_as, instructor, rated, workshop):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[workshop.pk, "xlsx"])
    )
    basis = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(response.content))["계산 기준"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert (basis["시간당 인건비"], basis["인원 환산"]) == ("40,000원", "월 절감 시간 ÷ 209")


def test_the_team_sheet_has_each_teams_won(client_as, instructor, rated, workshop):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[workshop.pk, "xlsx"])
    )
    rows = list(load_workbook(io.BytesIO(response.content))["팀"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("연 절감액(원)")] == 7_056_000


def test_a_plans_expected_and_actual_won_are_exported(client_as, lead, rated):
    chosen = picked(rated, rated.hours_per_month)
    Pick.objects.filter(pk=chosen.pk).update(actual_hours=10, status=Pick.Status.DONE)
    response = client_as(lead).get(reverse("workshops:team_export", args=[rated.team_id, "xlsx"]))
    rows = list(
        load_workbook(io.BytesIO(response.content))["실행 계획"].iter_rows(values_only=True)
    )
    values = dict(zip(rows[0], rows[1], strict=True))
    assert (values["예상 월 절감액(원)"], values["실제 월 절감액(원)"]) == (840_000, 400_000)


def test_the_team_page_shows_a_picks_expected_won(client_as, lead, rated):
    picked(rated, rated.hours_per_month)
    body = page(client_as(lead), reverse("workshops:team_priorities", args=[rated.team_id]))
    assert "월 21시간 · 840,000원" in body


def test_the_team_page_shows_what_the_lead_reported(client_as, lead, rated):
    chosen = picked(rated, rated.hours_per_month)
    Pick.objects.filter(pk=chosen.pk).update(actual_hours=10, status=Pick.Status.DONE)
    body = page(client_as(lead), reverse("workshops:team_priorities", args=[rated.team_id]))
    assert "완료 · 실제 월 10시간 · 400,000원" in body


def test_the_summary_totals_estimated_and_actual_over_the_teams(
    client_as, instructor, workshop, rated, other_team, other_lead, domain
):
    theirs = services.task_create(team=other_team, actor=other_lead, data=task_data(domain))
    Pick.objects.create(team=rated.team, task=rated, expected_hours=10, actual_hours=4)
    Pick.objects.create(team=other_team, task=theirs, expected_hours=5, actual_hours=2)
    body = page(client_as(instructor), reverse("workshops:workshop_summary", args=[workshop.pk]))
    total = body[body.index('class="total-row"') :]
    # 15 hours expected (600,000원) and 6 reported (240,000원), at 40,000원 an hour
    assert "월 15시간" in total and "600,000원" in total and "240,000원" in total
