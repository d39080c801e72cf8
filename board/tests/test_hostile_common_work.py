"""Hostile input on merging common-work groups: the two task ids that name the groups. The
catalogue and its checks are in tests/hostile.py; the properties are described in
tests/test_hostile_input.py."""

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import task_data
from tests.hostile import (
    HOSTILE_NUMBERS,
    assert_korean_error,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    number_input,
    outcome,
    post,
    raw_value,
    rolled_back,
    same_site,
    too_big,
)
from workshops import services
from workshops.models import CommonWorkChoice


def two_groups(team, lead, other_team, other_lead, domain) -> list[int]:
    """Two groups of two teams each; the ids of a task in each."""
    made = []
    for title_a, title_b in (
        ("주간 실적 보고서 작성", "주간 영업 실적 보고"),
        ("미수금 회수 독촉", "거래처 미수금 독촉 연락"),
    ):
        made.append(
            services.task_create(team=team, actor=lead, data=task_data(domain, title=title_a)).pk
        )
        services.task_create(
            team=other_team, actor=other_lead, data=task_data(domain, title=title_b)
        )
    return made


@examples(25)
@given(group=st.one_of(number_input, raw_value), other=st.one_of(number_input, raw_value))
@example(group="", other="")
@example(group="1", other="1")
@example(group="9" * 5000, other="-1")
@example(group="<script>alert(1)</script>", other="'; DROP TABLE workshops_task; --")
def test_merging_with_any_ids_never_fails_and_merges_only_two_real_groups(
    client_as, instructor, workshop, team, lead, other_team, other_lead, domain, group, other
):
    with rolled_back():
        ids = two_groups(team, lead, other_team, other_lead, domain)
        client = client_as(instructor)
        response = post(
            client,
            reverse("workshops:common_work_merge", args=[workshop.pk]),
            [("group", group), ("with", other)],
            endpoint="workshops:common_work_merge",
        )
        if too_big(response.sent_body):
            assert_korean_error(response)
            return
        assert response.status_code == 302
        same_site(response)
        merged = CommonWorkChoice.objects.filter(workshop=workshop).exists()
        valid = {str(group), str(other)} == {str(ids[0]), str(ids[1])}
        assert merged == outcome(valid)
        if not valid:
            assert_korean_error(client.get(response["Location"]))


def test_the_catalogue_of_numbers_names_no_group(client_as, instructor, workshop, task):
    client = client_as(instructor)
    for value in HOSTILE_NUMBERS:
        response = post(
            client,
            reverse("workshops:common_work_merge", args=[workshop.pk]),
            [("group", value), ("with", str(task.pk))],
            endpoint="workshops:common_work_merge",
        )
        assert response.status_code in (302, 400, 413)
    assert not CommonWorkChoice.objects.exists()
