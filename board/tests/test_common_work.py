"""Common work across teams: the groups with their hours, the instructor's merges and splits,
the summary's section, the XLSX sheet and the CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ai import requests as ai_requests
from ai import runner
from ai.models import TaskAnalysis, saved_hours
from board import common_work, exports
from conftest import make_user, task_data
from workshops import common_work as corrections
from workshops import services
from workshops.models import CommonWorkChoice, Team


@pytest.fixture
def third_team(workshop):
    lead = make_user("third@example.com", "박생산")
    team_ = services.team_create(
        workshop=workshop, lead=lead, team_name="생산팀", display_name="박생산"
    )
    return team_, lead


@pytest.fixture
def tasks(settings, workshop, team, lead, other_team, other_lead, third_team, domain):
    """Three teams: two weekly sales reports and a monthly one, two receivable chases, and
    one task like no other; every task rated (rule-based: no network)."""
    settings.ANTHROPIC_API_KEY = ""
    third, third_lead = third_team

    def add(team_, actor, title, minutes=60):
        return services.task_create(
            team=team_,
            actor=actor,
            data=task_data(domain, title=title, minutes_per_occurrence=minutes),
        )

    made = {
        "report_a": add(team, lead, "주간 실적 보고서 작성", 90),
        "report_b": add(other_team, other_lead, "매주 영업 성과 정리해서 보고"),
        "report_c": add(third, third_lead, "주간 영업 실적 보고", 30),
        "chase_a": add(team, lead, "미수금 회수 독촉"),
        "chase_b": add(other_team, other_lead, "거래처 미수금 독촉 연락"),
        "alone": add(third, third_lead, "금형 이력 기록"),
    }
    for team_, actor in ((team, lead), (other_team, other_lead), (third, third_lead)):
        run, _created = ai_requests.analysis_request(team=team_, actor=actor)
        runner.run_execute(run.pk)
    return made


def titles(groups):
    return [sorted(member.title for member in group.members) for group in groups]


def test_tasks_of_different_teams_that_are_the_same_work_form_one_group(workshop, tasks):
    groups = common_work.common_work(workshop)
    assert titles(groups) == [
        ["매주 영업 성과 정리해서 보고", "주간 실적 보고서 작성", "주간 영업 실적 보고"],
        ["거래처 미수금 독촉 연락", "미수금 회수 독촉"],
    ]


def test_a_group_sums_the_summarys_own_hours_and_hours_saved(workshop, tasks):
    report = common_work.common_work(workshop)[0]
    members = [tasks["report_a"], tasks["report_b"], tasks["report_c"]]
    expected_saved = sum(
        (
            saved_hours(
                TaskAnalysis.objects.filter(task=task).order_by("-id").first().automatable_share,
                task.hours_per_month,
            )
            for task in members
        ),
        Decimal("0"),
    )
    assert report.team_count == 3
    assert report.hours == sum((task.hours_per_month for task in members), Decimal("0"))
    assert report.saved == expected_saved > 0


def test_two_tasks_of_one_team_alone_are_not_common_work(workshop, team, lead, domain):
    for title in ("주간 실적 보고서 작성", "주간 영업 실적 보고"):
        services.task_create(team=team, actor=lead, data=task_data(domain, title=title))
    assert common_work.common_work(workshop) == []


def test_a_task_split_out_leaves_its_group(workshop, instructor, tasks):
    corrections.common_work_split(task=tasks["report_c"], actor=instructor)
    assert titles(common_work.common_work(workshop))[0] == [
        "매주 영업 성과 정리해서 보고",
        "주간 실적 보고서 작성",
    ]


def test_a_split_that_leaves_one_team_ends_the_group(workshop, instructor, tasks):
    corrections.common_work_split(task=tasks["chase_b"], actor=instructor)
    assert len(common_work.common_work(workshop)) == 1


def test_merged_groups_stay_one_and_say_so(workshop, instructor, tasks):
    groups = common_work.common_work(workshop)
    corrections.common_work_merge(
        workshop=workshop,
        actor=instructor,
        task_ids=[m.task_id for group in groups for m in group.members],
    )
    (merged,) = common_work.common_work(workshop)
    assert len(merged.members) == 5 and merged.merged


def test_a_task_can_join_a_group_its_words_kept_it_out_of(workshop, instructor, tasks):
    corrections.common_work_merge(
        workshop=workshop,
        actor=instructor,
        task_ids=[tasks["alone"].pk, tasks["chase_a"].pk, tasks["chase_b"].pk],
    )
    chase = common_work.group_of(common_work.common_work(workshop), tasks["alone"].pk)
    assert chase is not None and len(chase.members) == 3


def test_merging_into_a_merged_group_keeps_its_key(workshop, instructor, tasks):
    first = corrections.common_work_merge(
        workshop=workshop, actor=instructor, task_ids=[tasks["chase_a"].pk, tasks["alone"].pk]
    )
    second = corrections.common_work_merge(
        workshop=workshop, actor=instructor, task_ids=[tasks["alone"].pk, tasks["report_a"].pk]
    )
    assert first == second
    assert set(
        CommonWorkChoice.objects.filter(group_key=first).values_list("task_id", flat=True)
    ) == {tasks["chase_a"].pk, tasks["alone"].pk, tasks["report_a"].pk}


def test_a_reset_forgets_every_correction(workshop, instructor, tasks):
    corrections.common_work_split(task=tasks["report_c"], actor=instructor)
    assert corrections.common_work_reset(workshop=workshop, actor=instructor) == 1
    assert len(common_work.common_work(workshop)[0].members) == 3


def test_a_task_deleted_after_grouping_drops_out_of_its_group(workshop, lead, tasks):
    common_work.common_work(workshop)  # grouped and cached
    services.task_delete(task=tasks["chase_b"], actor=lead)
    assert len(common_work.common_work(workshop)) == 1


# --- The views ----------------------------------------------------------------------------------


def test_the_summary_shows_the_groups_with_teams_and_hours(client_as, instructor, workshop, tasks):
    body = client_as(instructor).get(reverse("workshops:workshop_summary", args=[workshop.pk]))
    text = body.content.decode()
    group = common_work.common_work(workshop)[0]
    assert "여러 팀의 공통 업무" in text
    assert f"3개 팀 · 월 {group.saved:.1f}시간 절감 가능" in text
    assert "거래처 미수금 독촉 연락" in text


def test_the_summary_says_when_no_work_is_shared(client_as, instructor, workshop, task):
    text = (
        client_as(instructor)
        .get(reverse("workshops:workshop_summary", args=[workshop.pk]))
        .content.decode()
    )
    assert "아직 여러 팀이 함께 하는 업무를 찾지 못했습니다" in text


def test_an_instructor_merges_two_groups_from_the_summary(client_as, instructor, workshop, tasks):
    response = client_as(instructor).post(
        reverse("workshops:common_work_merge", args=[workshop.pk]),
        {"group": tasks["report_b"].pk, "with": tasks["chase_a"].pk},
        follow=True,
    )
    assert "묶음을 합쳤습니다" in response.content.decode()
    assert len(common_work.common_work(workshop)) == 1


def test_merging_a_group_with_itself_is_refused_in_korean(client_as, instructor, workshop, tasks):
    response = client_as(instructor).post(
        reverse("workshops:common_work_merge", args=[workshop.pk]),
        {"group": tasks["report_b"].pk, "with": tasks["report_a"].pk},
        follow=True,
    )
    assert "합칠 두 묶음을 골라 주세요" in response.content.decode()
    assert not CommonWorkChoice.objects.exists()


def test_an_instructor_splits_a_task_out_from_the_summary(client_as, instructor, workshop, tasks):
    response = client_as(instructor).post(
        reverse("workshops:common_work_split", args=[tasks["report_c"].pk])
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#common-work")
    assert CommonWorkChoice.objects.get(task=tasks["report_c"]).apart


def test_over_htmx_a_correction_has_the_browser_reload_the_summary(
    client_as, instructor, workshop, tasks
):
    response = client_as(instructor).post(
        reverse("workshops:common_work_split", args=[tasks["report_c"].pk]),
        headers={"HX-Request": "true"},
    )
    assert response["HX-Refresh"] == "true"


def test_a_lead_may_not_split_their_own_task(client_as, lead, tasks):
    response = client_as(lead).post(
        reverse("workshops:common_work_split", args=[tasks["report_a"].pk])
    )
    assert response.status_code == 403
    assert not CommonWorkChoice.objects.exists()


def test_another_workshops_instructor_does_not_find_the_merge(
    client_as, other_instructor, workshop, tasks
):
    response = client_as(other_instructor).post(
        reverse("workshops:common_work_merge", args=[workshop.pk]),
        {"group": tasks["report_b"].pk, "with": tasks["chase_a"].pk},
    )
    assert response.status_code == 404


def test_an_instructor_undoes_every_correction(client_as, instructor, workshop, tasks):
    corrections.common_work_split(task=tasks["report_c"], actor=instructor)
    client_as(instructor).post(reverse("workshops:common_work_reset", args=[workshop.pk]))
    assert not CommonWorkChoice.objects.exists()


# --- Exports --------------------------------------------------------------------------------------


def test_the_workshop_export_has_a_common_work_sheet(workshop, tasks):
    book = load_workbook(io.BytesIO(exports.workshop_xlsx(workshop)))
    sheet = book["공통 업무"]
    rows = list(sheet.iter_rows(values_only=True))
    group = common_work.common_work(workshop)[0]
    assert list(rows[0]) == common_work.COLUMNS
    assert rows[1][:5] == (group.title, 3, 3, float(group.hours), float(group.saved))
    assert "주간 실적 보고서 작성 (영업1팀)" in rows[1][6]
    assert len(rows) == 3


def test_the_common_work_csv_matches_the_sheet(client_as, instructor, workshop, tasks):
    response = client_as(instructor).get(reverse("workshops:common_work_csv", args=[workshop.pk]))
    content = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == common_work.COLUMNS
    assert [row[0] for row in rows[1:]] == [g.title for g in common_work.common_work(workshop)]
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="workshop-{workshop.pk}-common-work-'
    )


def test_export_results_writes_the_common_work_sheet(tmp_path, workshop, tasks):
    from django.core.management import call_command

    out = tmp_path / "out.xlsx"
    call_command("export_results", str(workshop.pk), str(out))
    assert "공통 업무" in load_workbook(out).sheetnames


def test_every_group_shown_spans_two_teams_or_more(workshop, tasks):
    assert all(g.team_count >= 2 for g in common_work.common_work(workshop))
    assert Team.objects.filter(workshop=workshop).count() == 3


# --- Live pushes ----------------------------------------------------------------------------------


def test_the_pushed_summary_carries_the_common_work(workshop, tasks):
    from board import render

    html = render.summary(workshop)
    assert 'id="common-work"' in html
    assert "3개 팀 · 월" in html


def test_a_push_of_a_large_workshop_shows_the_last_groups_instead_of_grouping(
    monkeypatch, workshop, lead, team, domain, tasks
):
    common_work.common_work(workshop)  # grouped, and kept as the latest
    monkeypatch.setattr(common_work, "LIVE_REGROUP_LIMIT", 3)
    services.task_create(team=team, actor=lead, data=task_data(domain, title="주간 영업 실적 보고"))

    def no_grouping(*args, **kwargs):
        raise AssertionError("a push of a large workshop must not group")

    monkeypatch.setattr(common_work, "_grouped", no_grouping)
    groups = common_work.common_work(workshop, live=True)
    assert len(groups[0].members) == 3  # the new task joins at the next page load


def test_a_group_not_yet_analysed_says_so_rather_than_zero_hours(
    client_as, instructor, workshop, team, lead, other_team, other_lead, domain
):
    for team_, actor, title in (
        (team, lead, "주간 실적 보고서 작성"),
        (other_team, other_lead, "주간 영업 실적 보고"),
    ):
        services.task_create(team=team_, actor=actor, data=task_data(domain, title=title))
    text = (
        client_as(instructor)
        .get(reverse("workshops:workshop_summary", args=[workshop.pk]))
        .content.decode()
    )
    assert "2개 팀 · 절감 시간은 AI 분석 뒤에" in text
