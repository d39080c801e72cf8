from decimal import Decimal

import pytest
from django.urls import reverse

from workshops import services
from workshops.models import Task

FORM = {
    "title": "주간 실적 보고",
    "description": "CRM에서 내려받아 엑셀로 정리",
    "frequency": "weekly",
    "occurrences_per_period": "2",
    "minutes_per_occurrence": "90",
    "version": "1",  # read by the edit form (the version it started from); ignored on create
}


def add_url(team):
    return reverse("workshops:task_create", args=[team.pk])


def form_for(domain, **overrides):
    return {**FORM, "domain": str(domain.pk), **overrides}


# --- The team page ----------------------------------------------------------------------------


def test_the_team_page_groups_tasks_by_domain_with_hours(client_as, lead, task):
    response = client_as(lead).get(task.team.get_absolute_url())
    groups = {
        g.domain.name: [c.task.title for c in g.cards] for g in response.context["tasks"].groups
    }
    assert groups == {"영업": ["주간 보고서 작성"], "인사": [], "재무": [], "총무": []}
    assert response.context["tasks"].total_hours == Decimal("4.33")
    assert "1회 × 60분 × 월 4.33주 ÷ 60 = 4.3시간" in response.content.decode()


def test_members_see_their_team_page(client_as, member, team):
    assert client_as(member).get(team.get_absolute_url()).status_code == 200


def test_the_instructor_sees_every_team_page_read_only(client_as, instructor, task):
    response = client_as(instructor).get(task.team.get_absolute_url())
    assert response.status_code == 200
    assert "task_form" not in response.context
    assert reverse("workshops:task_edit", args=[task.pk]) not in response.content.decode()


def test_another_teams_lead_cannot_see_the_team_page(client_as, other_lead, other_team, team):
    assert client_as(other_lead).get(team.get_absolute_url()).status_code == 404


def test_outsiders_cannot_see_the_team_page(client_as, outsider, team):
    assert client_as(outsider).get(team.get_absolute_url()).status_code == 404


def test_another_workshops_instructor_cannot_see_the_team_page(client_as, other_instructor, team):
    assert client_as(other_instructor).get(team.get_absolute_url()).status_code == 404


# --- Adding -----------------------------------------------------------------------------------


def test_a_member_adds_a_task(client_as, member, team, domain):
    response = client_as(member).post(add_url(team), form_for(domain))
    assert response["Location"] == team.get_absolute_url()
    task = Task.objects.get()
    assert (task.created_by, task.hours_per_month) == (member, Decimal("12.99"))


def test_htmx_add_returns_a_fresh_form_and_the_task_list_out_of_band(client_as, lead, team, domain):
    response = client_as(lead).post(add_url(team), form_for(domain), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="task-add-form"' in body
    assert f'id="team-{team.pk}-tasks"' in body
    assert 'hx-swap-oob="true"' in body
    assert "주간 실적 보고" in body


def test_htmx_add_with_errors_returns_only_the_form(client_as, lead, team, domain):
    response = client_as(lead).post(
        add_url(team), form_for(domain, title=""), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "필수 항목입니다" in body
    assert f"team-{team.pk}-tasks" not in body
    assert not Task.objects.exists()


def test_the_instructor_cannot_add_tasks(client_as, instructor, team, domain):
    assert client_as(instructor).post(add_url(team), form_for(domain)).status_code == 403
    assert not Task.objects.exists()


def test_another_teams_lead_cannot_add_tasks(client_as, other_lead, other_team, team, domain):
    assert client_as(other_lead).post(add_url(team), form_for(domain)).status_code == 404


def test_outsiders_cannot_add_tasks(client_as, outsider, team, domain):
    assert client_as(outsider).post(add_url(team), form_for(domain)).status_code == 404


def test_nobody_adds_tasks_to_a_closed_workshop(client_as, lead, team, domain):
    services.workshop_close(workshop=team.workshop)
    response = client_as(lead).post(add_url(team), form_for(domain))
    assert response.status_code == 403
    assert "워크샵이 종료되어 저장하지 못했습니다" in response.content.decode()
    assert not Task.objects.exists()


def test_a_domain_from_another_workshop_is_refused(client_as, lead, team, other_instructor):
    foreign = other_instructor.participations.get().workshop.domains.get()
    response = client_as(lead).post(add_url(team), form_for(foreign))
    assert "이 워크샵의 업무 영역을 골라 주세요" in response.content.decode()
    assert not Task.objects.exists()


# --- Validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "   "}, "필수 항목"),
        ({"title": "가" * 201}, "200자까지 적을 수 있습니다(지금 201자)"),
        ({"description": "설" * 2001}, "2,000자까지 적을 수 있습니다(지금 2,001자)"),
        ({"minutes_per_occurrence": "0"}, "1 이상"),
        ({"minutes_per_occurrence": "1441"}, "1440 이하"),
        ({"minutes_per_occurrence": "99999999999999999999999"}, "1440 이하"),
        ({"minutes_per_occurrence": "삼십"}, "정수"),
        ({"occurrences_per_period": "101"}, "100 이하"),
        ({"occurrences_per_period": "-3"}, "1 이상"),
        ({"frequency": "hourly"}, "빈도를 목록에서 골라 주세요"),
        (
            {"frequency": "daily", "occurrences_per_period": "3", "minutes_per_occurrence": "600"},
            "하루 전체보다",
        ),
        ({"title": "널\x00문자"}, "null 문자는 사용할 수 없습니다"),
    ],
)
def test_invalid_task_input_gets_a_korean_message(
    client_as, lead, team, domain, overrides, message
):
    response = client_as(lead).post(add_url(team), form_for(domain, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_an_invalid_form_keeps_every_typed_value(client_as, lead, team, domain):
    response = client_as(lead).post(
        add_url(team), form_for(domain, title="유지될 제목", minutes_per_occurrence="0")
    )
    form = response.context["task_form"]
    assert form["title"].value() == "유지될 제목"
    assert form["description"].value() == FORM["description"]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        "'; DROP TABLE workshops_task; --",
        "👩‍👩‍👧‍👦 가족 업무 🇰🇷",
        "שלום عربى mixed ‮RTL‬",
        "탭\t과 함께",  # tab stays; other control characters are refused (test_spreadsheet_safety)
        "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    ],
)
def test_any_unicode_is_stored_as_typed_and_escaped_on_output(client_as, lead, team, domain, text):
    client = client_as(lead)
    client.post(add_url(team), form_for(domain, title=text, description=text))
    task = Task.objects.get()
    assert task.title == text.strip()
    body = client.get(team.get_absolute_url()).content.decode()
    assert "<script>alert" not in body


def test_surrounding_whitespace_is_trimmed(client_as, lead, team, domain):
    client_as(lead).post(add_url(team), form_for(domain, title="  보고서  "))
    assert Task.objects.get().title == "보고서"


def test_an_oversized_post_gets_a_korean_400(client_as, lead, team, domain):
    response = client_as(lead).post(add_url(team), form_for(domain, description="가" * 600_000))
    assert response.status_code == 400
    assert "너무 크거나" in response.content.decode()


# --- Editing and deleting ---------------------------------------------------------------------


def test_a_member_edits_a_task(client_as, member, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    client_as(member).post(url, form_for(task.domain, title="고친 제목", frequency="monthly"))
    task.refresh_from_db()
    assert (task.title, task.updated_by, task.hours_per_month) == (
        "고친 제목",
        member,
        Decimal("3.00"),
    )


def test_htmx_edit_form_replaces_the_card(client_as, lead, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    response = client_as(lead).get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith(f'<form id="task-{task.pk}"')
    assert "<html" not in body


def test_htmx_edit_success_retargets_the_task_list(client_as, lead, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    response = client_as(lead).post(url, form_for(task.domain), headers={"HX-Request": "true"})
    assert response["HX-Retarget"] == f"#team-{task.team_id}-tasks"
    assert f'id="team-{task.team_id}-tasks"' in response.content.decode()


def test_htmx_edit_errors_stay_in_the_form(client_as, lead, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    response = client_as(lead).post(
        url, form_for(task.domain, title=""), headers={"HX-Request": "true"}
    )
    assert "HX-Retarget" not in response
    assert "필수 항목" in response.content.decode()


def test_cancel_returns_the_task_card(client_as, lead, task):
    response = client_as(lead).get(reverse("workshops:task_detail", args=[task.pk]))
    assert f'id="task-{task.pk}"' in response.content.decode()


def test_the_instructor_cannot_edit_tasks(client_as, instructor, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    assert client_as(instructor).post(url, form_for(task.domain)).status_code == 403


def test_another_team_cannot_edit_tasks(client_as, other_lead, other_team, task):
    url = reverse("workshops:task_edit", args=[task.pk])
    assert client_as(other_lead).get(url).status_code == 404
    assert client_as(other_lead).post(url, form_for(task.domain, title="x")).status_code == 404
    task.refresh_from_db()
    assert task.title == "주간 보고서 작성"


def test_outsiders_cannot_read_a_task(client_as, outsider, task):
    assert (
        client_as(outsider).get(reverse("workshops:task_detail", args=[task.pk])).status_code == 404
    )


def test_a_member_deletes_a_task(client_as, member, task):
    response = client_as(member).post(reverse("workshops:task_delete", args=[task.pk]))
    assert response.status_code == 302
    assert not Task.objects.exists()


def test_delete_without_javascript_asks_first(client_as, member, task):
    response = client_as(member).get(reverse("workshops:task_delete", args=[task.pk]))
    assert "업무를 삭제할까요?" in response.content.decode()
    assert Task.objects.exists()


def test_htmx_delete_returns_the_task_list(client_as, lead, task):
    response = client_as(lead).post(
        reverse("workshops:task_delete", args=[task.pk]), headers={"HX-Request": "true"}
    )
    assert f'id="team-{task.team_id}-tasks"' in response.content.decode()
    assert not Task.objects.exists()


def test_the_instructor_cannot_delete_tasks(client_as, instructor, task):
    assert (
        client_as(instructor).post(reverse("workshops:task_delete", args=[task.pk])).status_code
        == 403
    )
    assert Task.objects.exists()


def test_another_team_cannot_delete_tasks(client_as, other_lead, other_team, task):
    assert (
        client_as(other_lead).post(reverse("workshops:task_delete", args=[task.pk])).status_code
        == 404
    )
    assert Task.objects.exists()


def test_a_missing_task_is_not_found(client_as, lead, team):
    assert client_as(lead).get(reverse("workshops:task_edit", args=[999999])).status_code == 404


# --- Team management --------------------------------------------------------------------------


def test_the_lead_renames_the_team(client_as, lead, team):
    client_as(lead).post(reverse("workshops:team_edit", args=[team.pk]), {"name": "영업 A팀"})
    team.refresh_from_db()
    assert team.name == "영업 A팀"


def test_a_member_cannot_rename_the_team(client_as, member, team):
    response = client_as(member).post(reverse("workshops:team_edit", args=[team.pk]), {"name": "x"})
    assert response.status_code == 403


def test_outsiders_cannot_rename_the_team(client_as, outsider, team):
    response = client_as(outsider).post(
        reverse("workshops:team_edit", args=[team.pk]), {"name": "x"}
    )
    assert response.status_code == 404


def test_renaming_to_a_taken_name_is_refused(client_as, lead, team, other_team):
    response = client_as(lead).post(
        reverse("workshops:team_edit", args=[team.pk]), {"name": "재무팀"}
    )
    assert "같은 이름의 팀이 이미 있습니다" in response.content.decode()


def test_cancelling_an_edit_brings_back_the_full_card(client_as, lead, task, settings):
    from ai import requests as ai_requests

    ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="")
    body = client_as(lead).get(reverse("workshops:task_detail", args=[task.pk])).content.decode()
    assert reverse("workshops:task_edit", args=[task.pk]) in body
    assert "사람이 정한 평가" in body


def test_renaming_to_a_name_differing_only_in_case_is_refused(client_as, lead, team, other_team):
    response = client_as(lead).post(
        reverse("workshops:team_edit", args=[team.pk]), {"name": other_team.name.upper()}
    )
    assert "같은 이름의 팀이 이미 있습니다" in response.content.decode()


def test_a_browser_asking_for_english_still_gets_korean_messages(client_as, lead, team, domain):
    # The pages are Korean only; Django's own messages ("This field is required.") must not
    # follow the browser's language into them.
    client = client_as(lead)
    english = {"Accept-Language": "en-US,en"}
    response = client.post(add_url(team), form_for(domain, title=""), headers=english)
    body = response.content.decode()
    assert "필수 항목입니다" in body
    assert "This field is required" not in body
    page = client.get(team.get_absolute_url(), headers=english).content.decode()
    assert '<html lang="ko">' in page
