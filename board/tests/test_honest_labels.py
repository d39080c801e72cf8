"""Wherever hours saved are summed, the page says how much came from an AI, from the offline
estimator (not an AI) and from people: checked on the rendered pages, parsed."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ai import requests as ai_requests
from ai import runner
from ai.models import Source, TaskAnalysis, saved_hours
from conftest import task_data
from workshops import services

RULES = str(Source.RULES.label)  # "규칙 기반 추정 (AI 아님)"


class _ByClass(HTMLParser):
    """The text inside every element with a given class."""

    def __init__(self, wanted: str):
        super().__init__()
        self.wanted, self.depth, self.found, self.current = wanted, 0, [], []

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif self.wanted in classes:
            self.depth, self.current = 1, []

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if not self.depth:
                self.found.append(" ".join("".join(self.current).split()))

    def handle_data(self, data):
        if self.depth:
            self.current.append(data)


def texts_of(html: str, css_class: str) -> list[str]:
    parser = _ByClass(css_class)
    parser.feed(html)
    return parser.found


@pytest.fixture
def rated(settings, team, lead, domain, workshop):
    """Two tasks rated by the offline estimator (no API key), one then set by a person."""
    settings.ANTHROPIC_API_KEY = ""
    for title, description in (
        ("실적 집계", "ERP 실적을 엑셀로 내려받아 피벗으로 집계해 메일로 보낸다"),
        ("견적서 작성", "단가표 엑셀에서 가격을 찾아 견적서 양식에 옮겨 적고 PDF로 보낸다"),
    ):
        services.task_create(
            team=team, actor=lead, data=task_data(domain, title=title, description=description)
        )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    task = team.tasks.get(title="견적서 작성")
    ai_requests.analysis_override(task=task, actor=lead, rating="MEDIUM", note="검토가 남음")
    return workshop


def hours(source: str, workshop) -> Decimal:
    total = Decimal("0")
    for analysis in TaskAnalysis.objects.filter(task__team__workshop=workshop).order_by("id"):
        latest = analysis.task.analyses.order_by("-id").first()
        if latest == analysis and analysis.source == source:
            total += saved_hours(analysis.automatable_share, analysis.task.hours_per_month)
    return total


def test_the_summary_and_the_projector_say_which_hours_are_rule_based(client_as, instructor, rated):
    rules = f"{hours(Source.RULES, rated):.1f}"  # the pages' one number format: 1 decimal
    url = reverse("workshops:workshop_summary", args=[rated.pk])
    for params in ({}, {"view": "projector"}):
        html = client_as(instructor).get(url, params).content.decode()
        (line,) = texts_of(html, "by-source")
        assert line.startswith("AI 분석 0시간 · ")  # nothing came from an AI, and it says so
        assert f"{RULES} {rules}시간" in line
        assert "업무 1개는 규칙 기반 추정 (AI 아님)으로 평가했습니다." in line
        assert str(Source.PERSON.label) in line
        # Each of the top candidates says where its rating came from.
        assert RULES in texts_of(html, "source-rules")[-1]


def test_the_impact_ease_matrix_marks_rule_based_points(client_as, instructor, rated):
    """Every v2 answer carries an ease, the estimator's too: its points are drawn hollow and
    titled as rule-based, and the legend says so."""
    url = reverse("workshops:workshop_summary", args=[rated.pk])
    html = client_as(instructor).get(url).content.decode()
    assert html.count('class="dot dot-rules"') == 1  # 실적 집계; the person's 보통 has no ease
    assert "실적 집계 · " in html and f" · {RULES}</title>" in html
    assert f"속이 빈 점은 {RULES}입니다." in texts_of(html, "matrix-legend")


def test_the_board_the_team_report_and_the_team_page_label_them_too(
    client_as, instructor, lead, team, rated
):
    board = client_as(instructor).get(reverse("workshops:workshop_detail", args=[rated.pk]))
    report = client_as(lead).get(reverse("workshops:team_report", args=[team.pk]))
    team_page = client_as(lead).get(team.get_absolute_url())
    for response in (board, report, team_page):
        (line,) = texts_of(response.content.decode(), "by-source")
        assert RULES in line and line.startswith("AI 분석 0시간")
    # The board's team line marks how many of its ratings are rule-based.
    assert "규칙 기반 1건" in texts_of(board.content.decode(), "source-rules")


def test_without_rule_based_results_no_rule_label_is_shown(client_as, instructor, team, lead):
    task = team.tasks.first() or services.task_create(
        team=team, actor=lead, data=task_data(team.workshop.domains.first())
    )
    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="")
    html = (
        client_as(instructor)
        .get(reverse("workshops:workshop_summary", args=[team.workshop_id]))
        .content.decode()
    )
    (line,) = texts_of(html, "by-source")
    assert RULES not in html and "AI 분석" not in line
    assert str(Source.PERSON.label) in line


def test_the_workshop_export_splits_each_teams_hours_by_source(client_as, instructor, rated):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[rated.pk, "xlsx"])
    )
    import io

    sheet = load_workbook(io.BytesIO(response.content))["팀"]
    header = [cell.value for cell in sheet[1]]
    assert header[-3:] == ["그중 AI 분석", f"그중 {RULES}", f"그중 {Source.PERSON.label}"]
    values = [cell.value for cell in sheet[2]]
    assert Decimal(str(values[-2])) == hours(Source.RULES, rated)
    assert Decimal(str(values[-1])) == hours(Source.PERSON, rated)
    assert values[-3] == 0
