"""Every change that alters what a cached team page shows bumps its revision, in the change's own
transaction (workshops.revisions, issue 17): the page cache is keyed by it, so a change missed
here is a stale page."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory, override_settings

from accounts import services as accounts_services
from ai import requests as ai_requests
from ai.models import TaskAnalysis
from conftest import task_data
from workshops import facilitation, priorities, services
from workshops.models import Domain, Participant, Task, Team, Workshop


def revisions(team) -> tuple[int, int]:
    row = Team.objects.select_related("workshop").get(pk=team.pk)
    return row.revision, row.workshop.revision


def bumps(team, change) -> tuple[bool, bool]:
    """(team bumped, workshop bumped) by `change()`."""
    before = revisions(team)
    change()
    after = revisions(team)
    return after[0] > before[0], after[1] > before[1]


def same_workshop(workshop, **changes):
    values = {
        "workshop": workshop,
        "title": workshop.title,
        "description": workshop.description,
        "date": workshop.date,
        "domain_names": [domain.name for domain in workshop.domains.all()],
    }
    return services.workshop_update(**{**values, **changes})


# --- The team's own changes ----------------------------------------------------------------------


def test_adding_editing_deleting_and_importing_tasks_bump_the_team(team, lead, domain, task):
    assert bumps(team, lambda: services.task_create(team=team, actor=lead, data=task_data(domain)))[
        0
    ]
    edited = task_data(domain, title="고친 제목")
    assert bumps(team, lambda: services.task_update(task=task, actor=lead, data=edited))[0]
    rows = [task_data(domain, title="가져온 업무")]
    assert bumps(team, lambda: services.task_import(team=team, actor=lead, rows=rows))[0]
    assert bumps(team, lambda: services.task_delete(task=task, actor=lead))[0]


def test_an_analysis_bumps_the_team(team, lead, task):
    override = lambda: ai_requests.analysis_override(  # noqa: E731
        task=task, actor=lead, rating="HIGH", note=""
    )
    assert bumps(team, lambda: ai_requests.analysis_request(team=team, actor=lead))[0]
    assert bumps(team, override)[0]


def test_a_member_joining_leaving_or_renamed_bumps_the_team(team, lead, member, workshop):
    from conftest import make_user

    newcomer = make_user("newcomer@example.com")
    join = lambda: services.team_join_as_member(  # noqa: E731
        team=team, user=newcomer, display_name="새 팀원"
    )
    assert bumps(team, join)[0]
    rename = lambda: accounts_services.user_set_name(user=member, name="개명한 팀원")  # noqa: E731
    assert bumps(team, rename)[0]
    participant = Participant.objects.get(user=newcomer, workshop=workshop)
    leave = lambda: services.participant_remove(participant=participant, actor=lead)  # noqa: E731
    assert bumps(team, leave)[0]


def test_a_sign_in_does_not_bump_anything(team, lead):
    from django.contrib.auth.models import update_last_login

    assert bumps(team, lambda: update_last_login(None, lead)) == (False, False)


def test_votes_picks_plans_and_help_bump_the_team(team, lead, task, workshop, instructor):
    facilitation.phase_set(workshop=workshop, phase=Workshop.Phase.PRIORITISE, actor=instructor)
    assert bumps(team, lambda: priorities.vote_toggle(task=task, user=lead))[0]
    pick = priorities.pick_confirm(task=task, actor=lead, expected_hours=Decimal("2"))
    plan = lambda: priorities.plan_update(  # noqa: E731
        pick=pick,
        actor=lead,
        owner=lead,
        first_step="첫 단계",
        target_date=None,
        method="RPA",
        expected_hours=Decimal("3"),
    )
    assert bumps(team, plan)[0]
    assert bumps(team, lambda: priorities.pick_remove(pick=pick, actor=lead))[0]
    assert bumps(team, lambda: facilitation.help_request(team=team, asking=True))[0]


# --- The workshop's, which every team page shows ------------------------------------------------


def test_domains_hourly_cost_status_and_phase_bump_the_workshop(team, workshop, instructor):
    names = [domain.name for domain in workshop.domains.all()]
    add_domain = lambda: same_workshop(workshop, domain_names=[*names, "새 영역"])  # noqa: E731
    assert bumps(team, add_domain)[1]
    assert bumps(team, lambda: same_workshop(workshop, hourly_cost=55_000))[1]
    assert bumps(team, lambda: services.workshop_close(workshop=workshop))[1]
    assert bumps(team, lambda: services.workshop_open(workshop=workshop))[1]
    phase = lambda: facilitation.phase_set(  # noqa: E731
        workshop=workshop, phase=Workshop.Phase.ANALYSE, actor=instructor
    )
    assert bumps(team, phase)[1]


def test_the_admin_and_the_shell_bump_too(team, task, domain, instructor):
    """Operators change rows without any service: the rows' own signals bump."""
    task.title = "운영자가 고친 제목"
    assert bumps(team, task.save)[0]
    domain.name = "운영자가 고친 영역"
    assert bumps(team, domain.save)[1]
    team.help_requested_at = None
    team.name = "운영자가 고친 팀 이름"
    assert bumps(team, team.save)[0]
    model_admin = admin.site._registry[Task]
    request = RequestFactory().post("/")
    request.user = instructor
    assert bumps(team, lambda: model_admin.delete_model(request, task))[0]
    assert Domain.objects.filter(pk=domain.pk).exists()


def test_an_operators_analysis_edit_bumps_but_a_runs_answers_bump_once(
    team, lead, task, instructor
):
    """Analyses change the team's page: the admin's edit bumps, and a service bumps once per
    change through its event, not per analysis row (a run or an economy batch saves many in one
    transaction, and a bump per row would hold the team's row lock all that time)."""
    analysis = ai_requests.analysis_override(task=task, actor=lead, rating="HIGH", note="")
    model_admin = admin.site._registry[TaskAnalysis]
    request = RequestFactory().post("/")
    request.user = instructor
    analysis.note = "운영자가 고친 메모"
    assert bumps(team, lambda: model_admin.save_model(request, analysis, None, True))[0]
    before = revisions(team)[0]
    TaskAnalysis.objects.filter(pk=analysis.pk).update(note="대량 수정")  # no service, no bump
    TaskAnalysis.objects.create(task=task, rating="LOW", source=analysis.source)
    assert revisions(team)[0] == before
    assert bumps(team, lambda: model_admin.delete_model(request, analysis))[0]


# --- The counter itself ---------------------------------------------------------------------------


def test_a_save_never_writes_an_older_revision_back(team, workshop):
    stale_team = Team.objects.get(pk=team.pk)
    stale_workshop = Workshop.objects.get(pk=workshop.pk)
    before = revisions(team)
    services.workshop_close(workshop=Workshop.objects.get(pk=workshop.pk))
    facilitation.help_request(team=team, asking=True)
    stale_team.name = "다른 이름"
    stale_team.save()  # a full save of what was read before both bumps
    stale_workshop.title = "다른 제목"
    stale_workshop.save()
    after = revisions(team)
    assert after[0] > before[0] and after[1] > before[1]
    assert Team.objects.get(pk=team.pk).name == "다른 이름"  # the save itself went through


def test_a_copy_of_a_row_is_saved_as_a_new_row(team):
    copy = Team.objects.get(pk=team.pk)
    copy.pk = None
    copy.name = "복사한 팀"
    copy.save()
    assert copy.pk != team.pk and Team.objects.filter(name="복사한 팀").exists()


def test_a_change_that_rolls_back_takes_its_bump_with_it(team, lead, domain):
    before = revisions(team)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.task_create(team=team, actor=lead, data=task_data(domain))
        assert revisions(team)[0] > before[0]  # bumped inside the change's transaction
        raise RuntimeError("rolled back")
    assert revisions(team) == before


def test_a_write_bumps_its_team_once_and_each_write_bumps_again(team, lead, domain):
    """One write reaches the bump by three paths (the task's save, the team's latest activity,
    the announced event): one number per transaction, and a new one for the next write."""
    before = revisions(team)[0]
    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    assert revisions(team)[0] == before + 1
    services.task_update(task=task, actor=lead, data=task_data(domain, title="바뀐 업무명"))
    assert revisions(team)[0] == before + 2


def test_a_bump_rolled_back_to_a_savepoint_is_made_again(team, lead, domain):
    before = revisions(team)[0]
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.task_create(team=team, actor=lead, data=task_data(domain, title="취소"))
            raise RuntimeError("this part rolls back")
        assert revisions(team)[0] == before  # the bump went with its savepoint
        services.task_create(team=team, actor=lead, data=task_data(domain, title="남는 업무"))
        assert revisions(team)[0] == before + 1  # so the next change bumps again
    assert revisions(team)[0] == before + 1


# --- What the cache then shows: never a stale page -----------------------------------------------


@override_settings(DEBUG=False)  # the page cache on, as in production
@pytest.mark.parametrize(
    "change, shown",
    [
        (
            lambda t, lead, d: services.task_update(
                task=t, actor=lead, data=task_data(d, title="바뀐 업무명")
            ),
            "바뀐 업무명",
        ),
        (
            lambda t, lead, d: same_workshop(
                t.team.workshop,
                domain_names=[*t.team.workshop.domains.values_list("name", flat=True), "새 영역"],
            ),
            "새 영역",
        ),
        (
            lambda t, lead, d: accounts_services.user_set_name(user=lead, name="바뀐 이름"),
            "바뀐 이름",
        ),
        (
            lambda t, lead, d: ai_requests.analysis_override(
                task=t, actor=lead, rating="LOW", note="사람이 고친 평가"
            ),
            "사람이 고친 평가",
        ),
    ],
    ids=["task", "domain", "person", "analysis"],
)
def test_a_cached_team_page_shows_each_change_at_once(client_as, lead, task, domain, change, shown):
    client = client_as(lead)
    url = task.team.get_absolute_url()
    assert shown not in client.get(url).content.decode()  # now cached
    assert shown not in client.get(url).content.decode()  # and read from the cache
    change(Task.objects.select_related("team__workshop").get(pk=task.pk), lead, domain)
    assert shown in client.get(url).content.decode()
