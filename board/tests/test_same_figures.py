"""The same figure reads the same on the team page, its report, the summary and the board."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import task_data
from workshops import services


@pytest.fixture
def six_and_a_half_hours(team, lead, domain):
    # Weekly, once, 90 minutes: 90 × 4.33 ÷ 60 = 6.495 → stored as 6.50 hours a month.
    task = services.task_create(
        team=team,
        actor=lead,
        data=task_data(domain, frequency="weekly", minutes_per_occurrence=90),
    )
    assert str(task.hours_per_month) == "6.50"
    return task


def figures_in(body: str) -> set[str]:
    """The hour figures of a page: a number next to 시간 (월 6.5시간, 6.5시간/월,
    <strong>6.5</strong>시간), a big stat, a number cell."""
    text = re.sub(r"<[^>]+>", "", body)
    beside = re.findall(r"([0-9][0-9,.]*)\s*시간", text)
    boxed = re.findall(r'class="(?:stat-value|big|num)"[^>]*>\s*([0-9][0-9,.]*)', body)
    return set(beside + boxed)


def page(client, name, pk):
    response = client.get(reverse(f"workshops:{name}", args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_one_figure_is_written_one_way_on_every_screen(
    client_as, lead, instructor, team, workshop, six_and_a_half_hours
):
    pages = {
        "team page": page(client_as(lead), "team_detail", team.pk),
        "team report": page(client_as(lead), "team_report", team.pk),
        "summary": page(client_as(instructor), "workshop_summary", workshop.pk),
        "board": page(client_as(instructor), "workshop_detail", workshop.pk),
    }
    shown = {where: figures_in(body) for where, body in pages.items()}
    for where, figures in shown.items():
        assert "6.5" in figures, (where, figures)
        assert not figures & {"6.50", "7", "6", "6.495"}, (where, figures)


def test_the_team_page_writes_whole_hours_without_decimals(client_as, lead, team, domain):
    services.task_create(
        team=team,
        actor=lead,
        data=task_data(domain, frequency="monthly", minutes_per_occurrence=240),
    )
    body = page(client_as(lead), "team_detail", team.pk)
    assert "4시간/월" in body
    assert "4.00" not in body and "4.0시간" not in body


def test_the_xlsx_keeps_exact_hours_shown_with_one_decimal(
    client_as, lead, team, six_and_a_half_hours
):
    response = client_as(lead).get(reverse("workshops:team_export", args=[team.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content))["업무"]
    header = [cell.value for cell in sheet[1]]
    hours = sheet.cell(row=2, column=header.index("월 시간") + 1)
    assert (hours.value, hours.number_format) == (6.5, "#,##0.0")
