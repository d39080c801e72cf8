"""Reports, the summary, exports and imports: the numbers, the files, the access."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ai import requests as ai_requests
from ai import runner
from ai.models import TaskAnalysis, saved_hours
from board.reports import workshop_summary
from conftest import make_user, task_data
from workshop_site.spreadsheets import MAX_COLUMN_WIDTH, display_width
from workshops import services
from workshops.models import Task


@pytest.fixture
def analysed(settings, team, lead, other_team, other_lead, domain, workshop):
    """Two teams with rated tasks (rule-based: no network), one person's override."""
    settings.ANTHROPIC_API_KEY = ""
    hr = workshop.domains.get(name="인사")
    for team_, actor in ((team, lead), (other_team, other_lead)):
        services.task_create(
            team=team_,
            actor=actor,
            data=task_data(
                domain, title="실적 집계", description="엑셀로 실적을 집계하고 보고서를 만든다"
            ),
        )
        services.task_create(
            team=team_,
            actor=actor,
            data=task_data(
                hr, title="면접 진행", description="지원자와 면접을 보고 평가 면담을 한다"
            ),
        )
        run, _ = ai_requests.analysis_request(team=team_, actor=actor)
        runner.run_execute(run.pk)
    task = team.tasks.get(title="면접 진행")
    ai_requests.analysis_override(task=task, actor=lead, rating="MEDIUM", note="일정만 자동화")
    return workshop


def direct_totals(workshop):
    """Hours saved, computed straight from the rows, for comparison."""
    total = Decimal("0")
    for task in Task.objects.filter(team__workshop=workshop):
        latest = TaskAnalysis.objects.filter(task=task).order_by("-id").first()
        if latest:
            total += saved_hours(latest.automatable_share, task.hours_per_month)
    return total


# --- Team report ------------------------------------------------------------------------------


def test_the_team_report_ranks_tasks_by_hours_saved(client_as, lead, team, analysed):
    response = client_as(lead).get(reverse("workshops:team_report", args=[team.pk]))
    rows = response.context["report"].rows
    assert [row.hours_saved for row in rows] == sorted((r.hours_saved for r in rows), reverse=True)
    body = response.content.decode()
    assert "규칙 기반 추정 (AI 아님)" in body and "사람이 정한 평가" in body
    assert "절감 시간 = 지금 드는 월 시간 × 자동화 비율" in body


def test_the_report_is_for_the_team_and_instructors(
    client_as, member, instructor, other_lead, outsider, team, analysed
):
    url = reverse("workshops:team_report", args=[team.pk])
    assert client_as(member).get(url).status_code == 200
    assert client_as(instructor).get(url).status_code == 200
    assert client_as(other_lead).get(url).status_code == 404
    assert client_as(outsider).get(url).status_code == 404


# --- Summary ----------------------------------------------------------------------------------


def test_summary_numbers_equal_a_direct_computation(analysed):
    summary = workshop_summary(analysed)
    assert summary.saved_hours == direct_totals(analysed)
    assert sum(t.saved for t in summary.teams) == summary.saved_hours
    assert sum(d.saved for d in summary.domains) == summary.saved_hours
    assert sum(summary.ratings.values()) == Task.objects.filter(team__workshop=analysed).count()


def test_the_summary_draws_its_charts_as_svg(client_as, instructor, analysed):
    response = client_as(instructor).get(reverse("workshops:workshop_summary", args=[analysed.pk]))
    body = response.content.decode()
    assert body.count("<svg") >= 4
    assert "자동화 후보 상위 10" in body
    assert f'id="workshop-{analysed.pk}-summary"' in body


def test_the_projector_view_is_the_same_summary_full_screen(client_as, instructor, analysed):
    response = client_as(instructor).get(
        reverse("workshops:workshop_summary", args=[analysed.pk]), {"view": "projector"}
    )
    assert 'class="projector"' in response.content.decode()


def test_the_summary_is_for_instructors(client_as, lead, outsider, analysed):
    url = reverse("workshops:workshop_summary", args=[analysed.pk])
    assert client_as(lead).get(url).status_code == 403
    assert client_as(outsider).get(url).status_code == 404


# --- Exports ----------------------------------------------------------------------------------


def test_the_workshop_xlsx_carries_the_right_numbers(client_as, instructor, analysed):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[analysed.pk, "xlsx"])
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["업무", "팀", "업무 영역", "실행 계획", "공통 업무", "계산 기준"]
    tasks = list(book["업무"].iter_rows(values_only=True))
    header, body = tasks[0], tasks[1:]
    assert len(body) == 4
    saved = sum(Decimal(str(row[header.index("월 절감 시간")])) for row in body)
    assert saved == direct_totals(analysed)
    teams = {row[0]: row for row in book["팀"].iter_rows(min_row=2, values_only=True)}
    assert set(teams) == {"영업1팀", "재무팀"}


def test_every_xlsx_sheet_has_fitted_columns_a_filter_and_a_frozen_header(
    client_as, instructor, analysed
):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[analysed.pk, "xlsx"])
    )
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
        for column in sheet.iter_cols():
            letter = column[0].column_letter
            needed = max(display_width(cell.value) for cell in column)
            width = sheet.column_dimensions[letter].width
            assert min(needed, MAX_COLUMN_WIDTH - 2) < width <= MAX_COLUMN_WIDTH, (
                sheet.title,
                column[0].value,
            )
    tasks = book["업무"]
    header = [cell.value for cell in tasks[1]]
    width = {
        name: tasks.column_dimensions[get_column_letter(i + 1)].width
        for i, name in enumerate(header)
    }
    # Sized by content, not by the header: the Korean description is wider than its header,
    # the count column narrower than the description.
    assert width["설명"] >= display_width("엑셀로 실적을 집계하고 보고서를 만든다")
    assert width["횟수"] < width["설명"]


def test_a_formula_looking_title_stays_text_in_excel(client_as, instructor, team, lead, domain):
    services.task_create(
        team=team, actor=lead, data=task_data(domain, title='=HYPERLINK("http://x")')
    )
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[team.workshop_id, "xlsx"])
    )
    cell = load_workbook(io.BytesIO(response.content))["업무"]["C2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x")'


def test_csv_uses_a_bom_and_korean_survives_a_round_trip(client_as, instructor, analysed):
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[analysed.pk, "csv"])
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["팀", "업무 영역", "업무명"]
    assert {row[2] for row in rows[1:]} == {"실적 집계", "면접 진행"}


def test_leads_export_their_team_only(client_as, lead, other_lead, team, analysed):
    response = client_as(lead).get(reverse("workshops:team_export", args=[team.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert {row[0] for row in rows} == {team.name}
    assert (
        client_as(other_lead)
        .get(reverse("workshops:team_export", args=[team.pk, "csv"]))
        .status_code
        == 404
    )


def test_only_instructors_export_the_workshop(client_as, lead, team, workshop):
    url = reverse("workshops:workshop_export", args=[workshop.pk, "xlsx"])
    assert client_as(lead).get(url).status_code == 403


def test_unknown_export_formats_are_not_found(client_as, instructor, workshop):
    assert client_as(instructor).get(f"/workshops/{workshop.pk}/export.exe").status_code == 404


# --- Import -----------------------------------------------------------------------------------


def csv_file(rows, name="tasks.csv", encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


HEADER = ["업무 영역", "업무명", "설명", "빈도", "횟수", "1회 소요(분)"]


def test_an_import_shows_a_preview_and_saves_only_on_confirmation(client_as, lead, team):
    client = client_as(lead)
    upload = csv_file(
        [
            HEADER,
            ["영업", "주간 보고", "엑셀 정리", "매주", "1", "60"],
            ["인사", "면접 일정", "메일로 조율", "daily", "2", "15"],
        ]
    )
    response = client.post(reverse("workshops:task_import", args=[team.pk]), {"file": upload})
    assert response.context["preview"].ok
    assert not team.tasks.exists()
    client.post(reverse("workshops:task_import_confirm", args=[team.pk]))
    assert set(team.tasks.values_list("title", flat=True)) == {"주간 보고", "면접 일정"}


def test_a_file_with_any_bad_row_saves_nothing_and_says_why(client_as, lead, team):
    client = client_as(lead)
    upload = csv_file(
        [
            HEADER,
            ["영업", "좋은 줄", "", "매주", "1", "60"],
            ["마법", "없는 영역", "", "매주", "1", "60"],
            ["영업", "", "", "격주", "0", "9999"],
        ]
    )
    response = client.post(reverse("workshops:task_import", args=[team.pk]), {"file": upload})
    preview = response.context["preview"]
    assert preview.error_count == 2
    body = response.content.decode()
    assert "업무 영역 ‘마법’이 이 워크샵에 없습니다" in body
    assert "빈도는 매일, 매주, 매월, 비정기 중 하나로" in body
    assert "1회 소요(분)" in body
    assert "업무 3개 저장" not in body
    response = client.post(reverse("workshops:task_import_confirm", args=[team.pk]), follow=True)
    assert not team.tasks.exists()


def test_excel_korean_csv_in_cp949_imports(client_as, lead, team):
    upload = csv_file(
        [HEADER, ["영업", "견적서 작성", "단가 확인", "매월", "3", "30"]], encoding="cp949"
    )
    response = client_as(lead).post(
        reverse("workshops:task_import", args=[team.pk]), {"file": upload}
    )
    assert response.context["preview"].ok
    assert response.context["preview"].rows[0].values["업무명"] == "견적서 작성"


def test_the_xlsx_template_round_trips(client_as, lead, team):
    client = client_as(lead)
    template = client.get(reverse("workshops:task_import_template", args=[team.pk, "xlsx"])).content
    upload = SimpleUploadedFile("t.xlsx", template)
    response = client.post(reverse("workshops:task_import", args=[team.pk]), {"file": upload})
    assert response.context["preview"].ok
    sheet = load_workbook(io.BytesIO(template)).active
    assert sheet.freeze_panes == "A2"
    description = [cell.value for cell in sheet[2]][2]  # the example row's 설명
    assert sheet.column_dimensions["C"].width >= display_width(description)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.csv", b"", "파일이 비어 있습니다"),
        ("tasks.xlsx", b"PK\x03\x04 not really a zip", "엑셀 파일을 열 수 없습니다"),
        ("tasks.pdf", b"%PDF-1.4", "CSV 또는 XLSX 파일만"),
        ("tasks.csv", "이름,나이\n홍길동,3\n".encode(), "첫 줄에 이 열이 없습니다"),
        ("tasks.csv", b"\xff\xfe\x00\x00garbage\x80\x81", "인코딩"),
        ("tasks.csv", b"a" * (600 * 1024), "파일이 너무 큽니다"),
    ],
)
def test_unreadable_files_get_a_korean_message_not_a_500(
    client_as, lead, team, name, content, message
):
    upload = SimpleUploadedFile(name, content)
    response = client_as(lead).post(
        reverse("workshops:task_import", args=[team.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not team.tasks.exists()


def test_posting_without_a_file_asks_for_one(client_as, lead, team):
    response = client_as(lead).post(reverse("workshops:task_import", args=[team.pk]), {})
    assert "올릴 파일을 골라 주세요" in response.content.decode()


def test_confirming_without_a_preview_is_refused_gently(client_as, lead, team):
    response = client_as(lead).post(
        reverse("workshops:task_import_confirm", args=[team.pk]), follow=True
    )
    assert "파일을 다시 올려 주세요" in response.content.decode()


def test_only_the_lead_imports(client_as, member, outsider, team):
    url = reverse("workshops:task_import", args=[team.pk])
    assert client_as(member).get(url).status_code == 403
    assert client_as(outsider).get(url).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def test_report_and_summary_cost_the_same_with_more_data(
    client_as, instructor, lead, team, domain, workshop, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ANTHROPIC_API_KEY = ""
    client = client_as(instructor)
    urls = [
        reverse("workshops:team_report", args=[team.pk]),
        reverse("workshops:workshop_summary", args=[workshop.pk]),
        reverse("workshops:workshop_export", args=[workshop.pk, "xlsx"]),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    services.task_create(team=team, actor=lead, data=task_data(domain))
    before = counts()
    for i in range(3):
        other = make_user(f"t{i}@example.com")
        extra = services.team_create(
            workshop=workshop, lead=other, team_name=f"팀{i}", display_name="x"
        )
        for j in range(5):
            services.task_create(team=extra, actor=other, data=task_data(domain, title=f"업무 {j}"))
        run, _ = ai_requests.analysis_request(team=extra, actor=other)
        runner.run_execute(run.pk)
    assert counts() == before
