"""Long text: a counter in the page, a Korean error over the limit, and nothing cut."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workshops import priorities
from workshops.models import Pick, Task, Workshop

TOO_LONG = "가" * 3000
ERROR = "2,000자까지 적을 수 있습니다(지금 3,000자). 1,000자를 줄여 주세요."


def task_form(domain, **overrides):
    return {
        "title": "주간 실적 보고",
        "domain": str(domain.pk),
        "description": "엑셀로 정리",
        "frequency": "weekly",
        "occurrences_per_period": "1",
        "minutes_per_occurrence": "60",
        **overrides,
    }


def test_the_description_has_a_counter_and_no_maxlength_that_cuts_pasted_text(
    client_as, lead, team
):
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    textarea = body[body.index('<textarea name="description"') :].split(">", 1)[0]
    assert 'data-max-chars="2000"' in textarea
    assert "maxlength" not in textarea


def test_a_description_over_the_limit_is_refused_in_korean_and_kept(client_as, lead, team, domain):
    response = client_as(lead).post(
        reverse("workshops:task_create", args=[team.pk]), task_form(domain, description=TOO_LONG)
    )
    body = response.content.decode()
    assert ERROR in body
    assert TOO_LONG in body  # every character typed comes back
    assert not Task.objects.exists()


def test_an_edit_over_the_limit_is_refused_not_cut(client_as, lead, task, domain):
    client_as(lead).post(
        reverse("workshops:task_edit", args=[task.pk]),
        task_form(domain, description=TOO_LONG, version=str(task.version)),
    )
    task.refresh_from_db()
    assert task.description == "CRM 실적을 엑셀로 정리"


def test_line_breaks_count_once_as_the_counter_counts_them(client_as, lead, team, domain):
    # 1,000 lines: 1,999 characters on the counter, 2,998 as the browser sends them (CRLF).
    description = "\r\n".join(["가"] * 1000)
    client_as(lead).post(
        reverse("workshops:task_create", args=[team.pk]), task_form(domain, description=description)
    )
    assert Task.objects.get().description == description  # stored as sent


def test_a_too_long_cell_is_a_reason_in_the_import_preview_not_a_cut(client_as, lead, team):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["업무 영역", "업무명", "설명", "빈도", "횟수", "1회 소요(분)"],
            ["영업", "긴 업무", TOO_LONG, "매주", "1", "60"],
        ]
    )
    upload = SimpleUploadedFile("tasks.csv", buffer.getvalue().encode("utf-8-sig"))
    response = client_as(lead).post(
        reverse("workshops:task_import", args=[team.pk]), {"file": upload}
    )
    row = response.context["preview"].rows[0]
    assert row.errors == [f"설명: {ERROR}"]
    assert not response.context["preview"].ok


def test_a_plan_step_over_the_limit_is_refused_and_kept(client_as, lead, task):
    task.team.workshop.phase = Workshop.Phase.PRIORITISE  # picks are made in this phase
    task.team.workshop.save(update_fields=["phase"])
    chosen = priorities.pick_confirm(task=task, actor=lead)
    step = "나" * 250
    response = client_as(lead).post(
        reverse("workshops:plan", args=[chosen.pk]), {"first_step": step, "expected_hours": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "200자까지 적을 수 있습니다(지금 250자). 50자를 줄여 주세요." in body
    assert f'value="{step}"' in body
    assert Pick.objects.get(pk=chosen.pk).first_step == ""


def test_the_board_notice_counts_instead_of_cutting(client_as, instructor, workshop):
    body = client_as(instructor).get(workshop.get_absolute_url()).content.decode()
    notice = body[body.index('<input type="text" name="notice"') :].split(">", 1)[0]
    assert "data-max-chars" in notice and "maxlength" not in notice
