"""Hours saved as won and people (issue 18): the arithmetic, the one won format, and the
workshop form's hourly cost and follow-up days."""

from decimal import Decimal

import pytest
from django.urls import reverse

from workshops.models import Workshop
from workshops.savings import DEFAULT_HOURLY_COST, Savings, format_fte, format_won, savings

# --- Arithmetic and format -------------------------------------------------------------------


def test_hours_a_month_times_the_hourly_cost_is_won_a_month():
    assert Savings(hours=Decimal("13"), hourly_cost=40_000).monthly_won == 520_000


def test_won_a_year_is_twelve_months():
    assert Savings(hours=Decimal("13"), hourly_cost=40_000).yearly_won == 6_240_000


def test_people_are_hours_over_209_working_hours_a_month():
    assert Savings(hours=Decimal("209"), hourly_cost=40_000).fte == Decimal("1.00")


def test_people_are_rounded_to_two_decimals():
    assert Savings(hours=Decimal("14.7"), hourly_cost=40_000).fte == Decimal("0.07")


def test_won_are_rounded_half_up_to_whole_won():
    # 0.01 h × 33,350원 = 333.5원
    assert Savings(hours=Decimal("0.01"), hourly_cost=33_350).monthly_won == 334


def test_won_are_written_with_thousands_separators():
    assert format_won(520_000) == "520,000원"


def test_zero_won_is_written_as_zero():
    assert format_won(0) == "0원"


def test_a_fraction_of_a_won_is_rounded_when_written():
    assert format_won(Decimal("1234.5")) == "1,235원"


def test_people_are_written_with_two_decimals():
    assert format_fte(Decimal("0.0703")) == "0.07명"


def test_no_hours_save_nothing():
    assert savings(None, 40_000).monthly == "0원"


def test_the_template_strings_use_the_one_format():
    saved = Savings(hours=Decimal("13"), hourly_cost=40_000)
    assert (saved.monthly, saved.yearly, saved.people, saved.rate) == (
        "520,000원",
        "6,240,000원",
        "0.06명",
        "40,000원",
    )


# --- The workshop form ------------------------------------------------------------------------


def workshop_form(**overrides) -> dict:
    data = {
        "title": "4월 팀장 워크샵",
        "date": "2026-04-10",
        "description": "",
        "domains": "영업\n인사",
    }
    data.update(overrides)
    return data


def test_a_new_workshop_costs_40000_won_an_hour_by_default(client_as, instructor):
    client_as(instructor).post(reverse("workshops:workshop_create"), workshop_form())
    assert Workshop.objects.get(title="4월 팀장 워크샵").hourly_cost == DEFAULT_HOURLY_COST


def test_a_new_workshop_follows_up_30_days_after_closing_by_default(client_as, instructor):
    client_as(instructor).post(reverse("workshops:workshop_create"), workshop_form())
    assert Workshop.objects.get(title="4월 팀장 워크샵").follow_up_days == 30


def test_the_instructor_sets_the_hourly_cost_as_people_write_it(client_as, instructor):
    data = workshop_form(hourly_cost="55,000원")
    client_as(instructor).post(reverse("workshops:workshop_create"), data)
    assert Workshop.objects.get(title="4월 팀장 워크샵").hourly_cost == 55_000


def test_the_instructor_changes_the_hourly_cost_and_the_days(client_as, instructor, workshop):
    data = workshop_form(hourly_cost="32000", follow_up_days="14")
    client_as(instructor).post(reverse("workshops:workshop_edit", args=[workshop.pk]), data)
    workshop.refresh_from_db()
    assert (workshop.hourly_cost, workshop.follow_up_days) == (32_000, 14)


def test_an_edit_that_does_not_send_the_cost_keeps_it(client_as, instructor, workshop):
    Workshop.objects.filter(pk=workshop.pk).update(hourly_cost=50_000)
    client_as(instructor).post(
        reverse("workshops:workshop_edit", args=[workshop.pk]), workshop_form()
    )
    workshop.refresh_from_db()
    assert workshop.hourly_cost == 50_000


def test_zero_days_means_no_follow_up(client_as, instructor):
    data = workshop_form(follow_up_days="0")
    client_as(instructor).post(reverse("workshops:workshop_create"), data)
    assert Workshop.objects.get(title="4월 팀장 워크샵").follow_up_days == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hourly_cost", "사만 원", "시간당 인건비는 40,000처럼 숫자로 적어 주세요."),
        ("hourly_cost", "500", "시간당 인건비는 1,000원에서 1,000,000원 사이로 적어 주세요."),
        ("hourly_cost", "2,000,000", "시간당 인건비는 1,000원에서 1,000,000원 사이로"),
        ("hourly_cost", "40000.5", "시간당 인건비는 40,000처럼 숫자로 적어 주세요."),
        ("follow_up_days", "91", "날수는 0에서 90 사이로 적어 주세요."),
        ("follow_up_days", "-1", "날수는 0에서 90 사이로 적어 주세요."),
        ("follow_up_days", "한 달", "날수는 30처럼 숫자로 적어 주세요."),
    ],
)
def test_a_bad_value_is_refused_in_korean_and_nothing_is_lost(
    client_as, instructor, field, value, message
):
    data = workshop_form(title="지켜질 제목", **{field: value})
    response = client_as(instructor).post(reverse("workshops:workshop_create"), data)
    body = response.content.decode()
    assert (response.status_code, message in body, "지켜질 제목" in body) == (200, True, True)
    assert not Workshop.objects.filter(title="지켜질 제목").exists()


def test_the_form_says_where_the_default_cost_comes_from(client_as, instructor):
    body = client_as(instructor).get(reverse("workshops:workshop_create")).content.decode()
    assert "6,500만 원" in body and "월 209시간" in body
