"""Importing the same tasks twice: the preview counts them and they are skipped by default."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

HEADER = ["업무 영역", "업무명", "설명", "빈도", "횟수", "1회 소요(분)"]
ROWS = [
    ["영업", "주간 보고", "엑셀 정리", "매주", "1", "60"],
    ["영업", "견적서 작성", "단가 확인", "매월", "3", "30"],
    ["인사", "면접 일정", "메일로 조율", "매일", "2", "15"],
    ["인사", "교육 신청 취합", "", "매월", "1", "120"],
]


def upload(client, team, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    file = SimpleUploadedFile("tasks.csv", buffer.getvalue().encode("utf-8-sig"))
    return client.post(reverse("workshops:task_import", args=[team.pk]), {"file": file})


def confirm(client, team, **data):
    url = reverse("workshops:task_import_confirm", args=[team.pk])
    return client.post(url, data, follow=True)


def test_the_same_file_twice_shows_four_existing_tasks_in_the_preview(client_as, lead, team):
    client = client_as(lead)
    upload(client, team, ROWS)
    confirm(client, team)
    response = upload(client, team, ROWS)
    assert response.context["preview"].duplicate_count == 4
    assert "이미 있는 업무 4개" in response.content.decode()


def test_existing_tasks_are_skipped_by_default(client_as, lead, team):
    client = client_as(lead)
    upload(client, team, ROWS)
    confirm(client, team)
    upload(client, team, [*ROWS, ["총무", "비품 주문", "", "매주", "1", "20"]])
    response = confirm(client, team)
    assert team.tasks.count() == 5
    shown = [str(message) for message in response.context["messages"]]
    assert "업무 1개를 가져왔습니다. 이미 있는 업무 4개는 건너뛰었습니다." in shown


def test_titles_match_without_case_or_spaces(client_as, lead, team, task):
    # The team already has 주간 보고서 작성 (conftest's task).
    response = upload(
        client_as(lead),
        team,
        [
            ["영업", "주간보고서  작성", "", "매주", "1", "60"],
            ["영업", "CRM 정리", "", "매주", "1", "5"],
        ],
    )
    assert [row.duplicate for row in response.context["preview"].rows] == [True, False]


def test_a_title_repeated_inside_one_file_is_counted_once(client_as, lead, team):
    response = upload(client_as(lead), team, [ROWS[0], ROWS[0]])
    assert [row.duplicate for row in response.context["preview"].rows] == [False, True]


def test_the_lead_can_import_the_existing_ones_anyway(client_as, lead, team):
    client = client_as(lead)
    upload(client, team, ROWS)
    confirm(client, team)
    upload(client, team, ROWS)
    confirm(client, team, include_duplicates="on")
    assert team.tasks.count() == 8
