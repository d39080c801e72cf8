"""Priorities and action plans (issue 18, part 2): three dots each, up to three picks per team,
an action plan per pick."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ai.models import TaskAnalysis, saved_hours
from conftest import task_data
from workshops import priorities, services
from workshops.models import PICKS_PER_TEAM, VOTES_PER_PERSON, Pick, Vote, Workshop


@pytest.fixture
def tasks(team, lead, domain):
    # Votes and picks are open in the instructor's '우선순위 정하기' phase (facilitation).
    team.workshop.phase = Workshop.Phase.PRIORITISE
    team.workshop.save(update_fields=["phase"])
    return [
        services.task_create(
            team=team, actor=lead, data=task_data(domain, title=f"업무 {i}", description="x")
        )
        for i in range(5)
    ]


def test_each_person_has_three_dots_and_gets_them_back(lead, tasks):
    for task in tasks[:VOTES_PER_PERSON]:
        voted, _left = priorities.vote_toggle(task=task, user=lead)
        assert voted
    with pytest.raises(services.RuleError, match="3표"):
        priorities.vote_toggle(task=tasks[3], user=lead)
    voted, left = priorities.vote_toggle(task=tasks[0], user=lead)  # take one back
    assert (voted, left) == (False, 1)
    assert priorities.vote_toggle(task=tasks[3], user=lead) == (True, 0)
    assert Vote.objects.filter(user=lead).count() == VOTES_PER_PERSON


@pytest.mark.parametrize(
    "phase", [Workshop.Phase.PREPARE, Workshop.Phase.WRITE, Workshop.Phase.WRAP_UP]
)
def test_dots_are_spent_only_in_the_priorities_phase(lead, tasks, phase):
    workshop = tasks[0].team.workshop
    workshop.phase = phase
    workshop.save(update_fields=["phase"])
    with pytest.raises(services.RuleError, match="우선순위 정하기"):
        priorities.vote_toggle(task=tasks[0], user=lead)
    assert not Vote.objects.exists()


def test_picks_are_confirmed_while_prioritising_or_wrapping_up(lead, tasks):
    workshop = tasks[0].team.workshop
    workshop.phase = Workshop.Phase.ANALYSE
    workshop.save(update_fields=["phase"])
    with pytest.raises(services.RuleError, match="마무리"):
        priorities.pick_confirm(task=tasks[0], actor=lead)
    workshop.phase = Workshop.Phase.WRAP_UP
    workshop.save(update_fields=["phase"])
    assert priorities.pick_confirm(task=tasks[0], actor=lead).task == tasks[0]


def test_the_team_page_says_when_voting_opens(client, lead, tasks):
    workshop = tasks[0].team.workshop
    workshop.phase = Workshop.Phase.WRITE
    workshop.save(update_fields=["phase"])
    client.force_login(lead)
    html = client.get(reverse("workshops:team_priorities", args=[tasks[0].team_id])).content
    html = html.decode()
    assert "data-voting-closed" in html and "'업무 작성' 단계" in html
    assert reverse("workshops:vote", args=[tasks[0].pk]) not in html


def test_before_prioritising_the_region_says_when_without_repeating_the_task_list(
    client, lead, tasks
):
    workshop = tasks[0].team.workshop
    workshop.phase = Workshop.Phase.WRITE
    workshop.save(update_fields=["phase"])
    client.force_login(lead)
    url = reverse("workshops:team_priorities", args=[tasks[0].team_id])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert "'우선순위 정하기' 단계를 열면 팀원마다 3표씩 투표하고" in html
    assert 'class="tally"' not in html and tasks[0].title not in html
    assert not any('"workshops_task"."title"' in q["sql"] for q in queries.captured_queries)


def test_votes_cast_earlier_stay_on_show_when_the_room_goes_back_a_phase(client, lead, tasks):
    priorities.vote_toggle(task=tasks[2], user=lead)
    workshop = tasks[0].team.workshop
    workshop.phase = Workshop.Phase.ANALYSE
    workshop.save(update_fields=["phase"])
    client.force_login(lead)
    url = reverse("workshops:team_priorities", args=[tasks[0].team_id])
    html = client.get(url).content.decode()
    assert 'class="tally"' in html and tasks[2].title in html and "1표" in html
    assert "data-voting-closed" in html and "'AI 분석' 단계" in html


def test_only_the_teams_people_vote(other_lead, tasks, instructor):
    for outsider in (other_lead, instructor):
        with pytest.raises(services.RuleError, match="팀장과 팀원만"):
            priorities.vote_toggle(task=tasks[0], user=outsider)
    assert not Vote.objects.exists()


def test_the_tally_ranks_by_votes_and_marks_the_viewers_own(lead, member, tasks):
    priorities.vote_toggle(task=tasks[2], user=lead)
    priorities.vote_toggle(task=tasks[2], user=member)
    priorities.vote_toggle(task=tasks[4], user=member)
    tally = priorities.tally(tasks[0].team, viewer=lead)
    assert [(row.task.title, row.votes, row.mine) for row in tally.rows[:2]] == [
        ("업무 2", 2, True),
        ("업무 4", 1, False),
    ]
    assert (tally.dots_left, tally.voters) == (VOTES_PER_PERSON - 1, 2)
    # Ties keep the order the tasks were written in; a late joiner starts with all dots.
    assert [row.task.title for row in tally.rows if row.votes == 0] == [
        "업무 0",
        "업무 1",
        "업무 3",
    ]


def test_a_team_confirms_up_to_three_picks_with_the_analysis_prefilled(lead, tasks):
    for task in tasks[:PICKS_PER_TEAM]:
        pick = priorities.pick_confirm(
            task=task, actor=lead, method="RPA", expected_hours=Decimal("4.5")
        )
        assert (pick.method, pick.expected_hours, pick.status) == (
            "RPA",
            Decimal("4.5"),
            "not_started",
        )
    with pytest.raises(services.RuleError, match="3개까지"):
        priorities.pick_confirm(task=tasks[3], actor=lead)
    with pytest.raises(services.RuleError, match="이미 선정한"):
        priorities.pick_confirm(task=tasks[0], actor=lead)
    priorities.pick_remove(pick=Pick.objects.get(task=tasks[0]), actor=lead)
    assert priorities.pick_confirm(task=tasks[3], actor=lead).task == tasks[3]
    assert priorities.tally(tasks[0].team).picks_left == 0


def test_a_plan_takes_an_owner_from_the_team_only(lead, member, other_lead, tasks):
    pick = priorities.pick_confirm(task=tasks[0], actor=lead)
    plan = {
        "first_step": "현재 절차를 적는다",
        "target_date": date(2026, 4, 30),
        "method": "엑셀 매크로",
        "expected_hours": Decimal("6"),
    }
    with pytest.raises(services.RuleError, match="팀장이나 팀원"):
        priorities.plan_update(pick=pick, actor=lead, owner=other_lead, **plan)
    saved = priorities.plan_update(pick=pick, actor=lead, owner=member, **plan)
    saved.refresh_from_db()
    assert (saved.owner, saved.first_step, saved.target_date) == (
        member,
        "현재 절차를 적는다",
        date(2026, 4, 30),
    )


def test_a_deleted_task_takes_its_votes_and_pick_with_it(lead, tasks):
    priorities.vote_toggle(task=tasks[0], user=lead)
    priorities.pick_confirm(task=tasks[0], actor=lead)
    services.task_delete(task=tasks[0], actor=lead)
    assert not Vote.objects.exists() and not Pick.objects.exists()


# --- The team page ------------------------------------------------------------------------------


def vote(client, task, **headers):
    return client.post(reverse("workshops:vote", args=[task.pk]), **headers)


def test_the_team_page_shows_the_tally_and_the_viewers_dots(client_as, lead, member, team, tasks):
    vote(client_as(member), tasks[1])
    response = vote(client_as(lead), tasks[1], HTTP_HX_REQUEST="true")
    region = response.content.decode()
    assert region.lstrip().startswith(f'<section id="team-{team.pk}-priorities"')
    assert "<strong data-dots-left>2</strong>개 남음" in region
    assert "●● " not in region and ">●●<" in region  # two dots on 업무 1
    page = client_as(member).get(team.get_absolute_url()).content.decode()
    assert "<strong data-dots-left>2</strong>개 남음" in page  # the member's own count
    assert "선정</button>" not in page  # only the lead picks


def test_a_fourth_vote_is_refused_in_korean_and_keeps_the_three(client_as, lead, tasks):
    client = client_as(lead)
    for task in tasks[:3]:
        vote(client, task)
    response = vote(client, tasks[3], HTTP_HX_REQUEST="true")
    assert "3표입니다" in json.loads(response.headers["HX-Trigger"])["workshop:toast"]["message"]
    assert Vote.objects.filter(user=lead).count() == 3


def test_the_lead_picks_and_the_plan_starts_from_the_analysis(client_as, lead, member, tasks):
    TaskAnalysis.objects.create(
        task=tasks[0],
        mode="quick",
        source="rules",
        rating="HIGH",
        method="SPREADSHEET",
        automatable_share=80,
    )
    assert client_as(member).post(reverse("workshops:pick", args=[tasks[0].pk])).status_code == 403
    client = client_as(lead)
    client.post(reverse("workshops:pick", args=[tasks[0].pk]))
    chosen = Pick.objects.get(task=tasks[0])
    assert chosen.method == "스프레드시트 자동화"
    assert chosen.expected_hours == saved_hours(80, tasks[0].hours_per_month)
    url = reverse("workshops:plan", args=[chosen.pk])
    bad = client.post(url, {"expected_hours": "많이", "first_step": "절차 적기"})
    assert bad.status_code == 400
    assert "0에서 9999 사이" in bad.content.decode() and 'value="절차 적기"' in bad.content.decode()
    client.post(
        url,
        {
            "owner": member.pk,
            "first_step": "절차 적기",
            "target_date": "2026-04-30",
            "method": "엑셀 매크로",
            "expected_hours": "5.5",
        },
    )
    chosen.refresh_from_db()
    assert (chosen.owner, chosen.expected_hours) == (member, Decimal("5.5"))


# --- Report, summary and exports ----------------------------------------------------------------


def test_plans_show_on_the_report_the_summary_and_in_the_exports(
    client_as, instructor, lead, member, team, tasks, workshop
):
    first = priorities.pick_confirm(task=tasks[0], actor=lead, expected_hours=Decimal("2"))
    second = priorities.pick_confirm(task=tasks[1], actor=lead, expected_hours=Decimal("8"))
    priorities.plan_update(
        pick=first,
        actor=lead,
        owner=member,
        first_step="절차 적기",
        target_date=date(2026, 4, 30),
        method="RPA",
        expected_hours=Decimal("2"),
    )
    priorities.vote_toggle(task=tasks[0], user=member)
    report = client_as(lead).get(reverse("workshops:team_report", args=[team.pk])).content
    assert "절차 적기" in report.decode() and member.display_name in report.decode()
    summary = (
        client_as(instructor)
        .get(reverse("workshops:workshop_summary", args=[workshop.pk]))
        .content.decode()
    )
    section = summary.split("팀이 고른 실행 계획", 1)[1].split("</section>", 1)[0]
    # Most expected hours first.
    assert section.index(second.task.title) < section.index(first.task.title)
    workbook = load_workbook(
        io.BytesIO(
            client_as(instructor)
            .get(reverse("workshops:workshop_export", args=[workshop.pk, "xlsx"]))
            .content
        )
    )
    sheet = workbook["실행 계획"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("팀", "업무", "업무 영역", "담당")
    assert [row[1] for row in rows[1:]] == [second.task.title, first.task.title]
    assert rows[2][3] == member.display_name and rows[2][rows[0].index("받은 표")] == 1
    # The same sheet as CSV.
    import csv

    response = client_as(instructor).get(reverse("workshops:workshop_plans", args=[workshop.pk]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [str(cell) for cell in rows[0]]
    assert [line[1] for line in lines[1:]] == [second.task.title, first.task.title]


def test_the_picks_go_to_automation_hub_as_ideas_with_the_high_level_assessment(
    client_as, instructor, lead, member, tasks
):
    import csv

    from board import uipath

    TaskAnalysis.objects.create(
        task=tasks[0],
        mode="quick",
        source="ai",
        rating="HIGH",
        method="RPA",
        automatable_share=70,
        factors={"input": "SYSTEM", "work": "RULE", "exceptions": "MANY"},
    )
    TaskAnalysis.objects.create(
        task=tasks[1],
        mode="quick",
        source="ai",
        rating="MEDIUM",
        method="SPREADSHEET",
        automatable_share=40,
        factors={"input": "PAPER", "work": "MIXED", "exceptions": "FEW"},
    )
    first = priorities.pick_confirm(
        task=tasks[0], actor=lead, method="RPA", expected_hours=Decimal("12.5")
    )
    priorities.plan_update(
        pick=first,
        actor=lead,
        owner=member,
        first_step="지금 절차를 단계별로 적기",
        target_date=date(2027, 1, 15),
        method="RPA",
        expected_hours=Decimal("12.5"),
    )
    priorities.pick_confirm(task=tasks[1], actor=lead, expected_hours=Decimal("3"))
    priorities.pick_confirm(task=tasks[2], actor=lead)  # not analysed: answers left empty
    response = client_as(instructor).get(
        reverse("workshops:workshop_uipath", args=[tasks[0].team.workshop_id])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["process_name"] for row in rows] == ["업무 0", "업무 1", "업무 2"]
    assert list(rows[0]) == uipath.COLUMNS
    one, two, three = rows
    assert (one["department"], one["submitter"], one["owner"]) == (
        tasks[0].team.name,
        lead.email,
        member.email,
    )
    # SYSTEM input, rule-based, frequent exceptions; PAPER, mixed, few.
    assert [one[k] for k in ("rules", "input_type", "input_quality")] == ["5", "5", "4"]
    assert [two[k] for k in ("rules", "input_type", "input_quality")] == ["4", "1", "2"]
    assert [three[k] for k in uipath.COLUMNS[6:]] == ["", "", "", "", ""]
    assert one["stability"] == one["documentation"] == ""  # not our factors: not guessed
    assert "목표일: 2027-01-15" in one["process_description"]
    assert "월 12.5시간" in one["process_description"]
    assert (
        client_as(lead)
        .get(reverse("workshops:workshop_uipath", args=[tasks[0].team.workshop_id]))
        .status_code
        == 403
    )
