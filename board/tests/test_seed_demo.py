from django.core.management import call_command

from workshops.models import Task, Team, Workshop


def test_seed_demo_builds_a_workshop_with_three_teams(db):
    call_command("seed_demo", verbosity=0)
    workshop = Workshop.objects.get()
    assert workshop.is_open
    assert workshop.domains.count() == 4
    assert Team.objects.count() == 3
    assert 20 <= Task.objects.count() <= 30


def test_seed_demo_is_idempotent(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path  # the operator's password file goes to var/ under it
    call_command("seed_demo", "--operator", verbosity=0)
    counts = (Workshop.objects.count(), Team.objects.count(), Task.objects.count())
    call_command("seed_demo", "--operator", verbosity=0)
    assert (Workshop.objects.count(), Team.objects.count(), Task.objects.count()) == counts


def test_seed_demo_makes_the_instructor_able_to_create_workshops(db):
    from accounts.models import User

    call_command("seed_demo", verbosity=0)
    assert User.objects.get(email="instructor@example.com").can_create_workshops


def test_seed_demo_shows_the_room_in_the_priorities_phase_with_votes_picks_and_plans(db):
    from ai.models import Source, TaskAnalysis
    from workshops.models import Pick, Vote

    call_command("seed_demo", verbosity=0)
    workshop = Workshop.objects.get()
    assert workshop.phase == Workshop.Phase.PRIORITISE
    assert workshop.notice.startswith("우선순위 정하기")
    sales, finance, hr = (Team.objects.get(name=name) for name in ("영업1팀", "재무팀", "인사팀"))
    # Two teams analysed by the offline estimator (so labelled), one left for the newcomer.
    for team in (sales, finance):
        sources = set(TaskAnalysis.objects.filter(task__team=team).values_list("source", flat=True))
        assert sources == {Source.RULES}
        assert TaskAnalysis.objects.filter(task__team=team).count() == team.tasks.count()
    assert not TaskAnalysis.objects.filter(task__team=hr).exists()
    assert Vote.objects.filter(task__team=sales).count() == 6
    picks = {pick.task.title: pick for pick in Pick.objects.select_related("task", "owner")}
    assert set(picks) == {"주간 영업 실적 보고서 작성", "견적서 작성", "법인카드 사용 내역 대사"}
    report = picks["주간 영업 실적 보고서 작성"]
    assert report.owner.email == "sales.member@example.com"
    assert report.first_step and report.target_date and report.method
    assert report.expected_hours > 0  # from the analysis
    # Work several teams share: the weekly reports, as one company-wide candidate.
    from board import common_work

    groups = common_work.common_work(workshop)
    assert [sorted(member.team for member in group.members) for group in groups] == [
        ["영업1팀", "인사팀", "재무팀"]
    ]
    assert {member.title for member in groups[0].members} == {
        "주간 영업 실적 보고서 작성",
        "주간 업무 보고서 작성",
        "주간 업무 실적 보고",
    }
    # Idempotent: a second run adds no vote, pick or analysis.
    counts = (Vote.objects.count(), Pick.objects.count(), TaskAnalysis.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Vote.objects.count(), Pick.objects.count(), TaskAnalysis.objects.count()) == counts
