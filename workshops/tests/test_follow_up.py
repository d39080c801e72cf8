"""The follow-up after the course (issue 18): the daily job that mails each lead a link to their
team's plans (schedule, catch-up, once per team), and the page behind the link (its scope, its
expiry, bad input)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import GUEST_EMAIL_DOMAIN, User
from ai import worker
from ai.models import DailyChore
from conftest import make_user, task_data
from workshops import follow_up, services
from workshops.models import FollowUp, Pick, Workshop


def picked(task, expected_hours=Decimal("0")) -> Pick:
    """`task` as one of its team's picks (made directly: when a lead may pick is the priorities'
    own rule, tested with them)."""
    return Pick.objects.create(team=task.team, task=task, expected_hours=expected_hours)


LINK = re.compile(r"/follow-up/([A-Za-z0-9_-]+)/")


@pytest.fixture
def plan(team, lead, task):
    return picked(task, Decimal("4"))


def closed_days_ago(workshop, days: float) -> None:
    services.workshop_close(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=days))


def token_of(message) -> str:
    return LINK.search(message.body).group(1)


@pytest.fixture
def sent(workshop, plan):
    """The follow-up of `plan`'s team, sent; its link's token."""
    closed_days_ago(workshop, 31)
    follow_up.send_due()
    (message,) = [m for m in mail.outbox if m.to == [plan.team.lead.email]]
    return token_of(message)


def page_url(token: str) -> str:
    return reverse("workshops:follow_up", args=[token])


# --- The schedule ----------------------------------------------------------------------------


def test_nothing_is_sent_before_the_days_have_passed(workshop, plan):
    closed_days_ago(workshop, 29)
    follow_up.send_due()
    assert mail.outbox == []


def test_the_lead_is_mailed_once_the_days_have_passed(workshop, plan, lead):
    closed_days_ago(workshop, 30.01)
    follow_up.send_due()
    assert [message.to for message in mail.outbox] == [[lead.email]]


def test_the_mail_names_the_plans_and_carries_the_link(workshop, plan):
    closed_days_ago(workshop, 31)
    follow_up.send_due()
    (message,) = mail.outbox
    assert plan.task.title in message.body and LINK.search(message.body)


def test_the_workshops_own_number_of_days_counts(workshop, plan):
    Workshop.objects.filter(pk=workshop.pk).update(follow_up_days=7)
    closed_days_ago(workshop, 8)
    follow_up.send_due()
    assert len(mail.outbox) == 1


def test_zero_days_sends_nothing(workshop, plan):
    Workshop.objects.filter(pk=workshop.pk).update(follow_up_days=0)
    closed_days_ago(workshop, 100)
    follow_up.send_due()
    assert mail.outbox == []


def test_an_open_workshop_gets_no_follow_up(workshop, plan):
    Workshop.objects.filter(pk=workshop.pk).update(closed_at=timezone.now() - timedelta(days=60))
    follow_up.send_due()
    assert mail.outbox == []


def test_a_purged_workshop_gets_no_follow_up(workshop, plan):
    closed_days_ago(workshop, 40)
    Workshop.objects.filter(pk=workshop.pk).update(purged_at=timezone.now())
    follow_up.send_due()
    assert mail.outbox == []


def test_a_team_without_plans_gets_no_mail(workshop, team, task):
    closed_days_ago(workshop, 40)
    follow_up.send_due()
    assert mail.outbox == []


def test_a_lead_without_a_confirmed_address_is_not_mailed(workshop, plan, lead):
    User.objects.filter(pk=lead.pk).update(email=f"abc@{GUEST_EMAIL_DOMAIN}")
    closed_days_ago(workshop, 40)
    report = follow_up.send_due()
    assert (mail.outbox, report.no_address) == ([], [plan.team_id])


def test_a_second_run_sends_nothing_again(workshop, plan):
    closed_days_ago(workshop, 31)
    follow_up.send_due()
    follow_up.send_due(now=timezone.now() + timedelta(days=3))
    assert len(mail.outbox) == 1


def test_each_team_gets_its_own_mail(workshop, plan, their_plan):
    closed_days_ago(workshop, 31)
    follow_up.send_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "other.lead@example.com"]


def test_a_mail_that_fails_records_nothing_and_goes_on_the_next_run(workshop, plan, monkeypatch):
    closed_days_ago(workshop, 31)

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr(follow_up, "send_mail", refuse)
        report = follow_up.send_due()
    assert (report.failed, FollowUp.objects.count()) == ([plan.team_id], 0)
    follow_up.send_due()
    assert (len(mail.outbox), FollowUp.objects.count()) == (1, 1)


def _ran_ago(**delta) -> None:
    DailyChore.objects.update_or_create(
        name=worker.FOLLOW_UP, defaults={"last_run_at": timezone.now() - timedelta(**delta)}
    )


def test_the_daily_job_catches_up_on_days_the_worker_missed(workshop, plan):
    closed_days_ago(workshop, 35)  # due five days ago; the worker was down since
    _ran_ago(days=6)
    assert worker.follow_ups() is True
    assert len(mail.outbox) == 1


def test_the_daily_job_runs_once_a_day(workshop, plan):
    _ran_ago(hours=2)
    closed_days_ago(workshop, 31)
    assert (worker.follow_ups(), mail.outbox) == (False, [])


def test_the_worker_chores_send_the_follow_ups(workshop, plan, monkeypatch):
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # the test's own db
    closed_days_ago(workshop, 31)
    worker.Chores(worker_id="test-worker").once()
    assert len(mail.outbox) == 1


def test_the_command_sends_what_is_due(workshop, plan):
    closed_days_ago(workshop, 31)
    call_command("send_follow_ups")
    assert len(mail.outbox) == 1


def test_the_commands_dry_run_sends_nothing(workshop, plan):
    closed_days_ago(workshop, 31)
    call_command("send_follow_ups", "--dry-run")
    assert (mail.outbox, FollowUp.objects.count()) == ([], 0)


def test_the_link_is_kept_only_as_a_hash(sent):
    record = FollowUp.objects.get()
    assert record.token_hash == follow_up.token_hash(sent) and sent not in record.token_hash


def test_the_link_lasts_30_days(sent):
    record = FollowUp.objects.get()
    assert record.expires_at - record.sent_at == timedelta(days=30)


# --- The page behind the link ---------------------------------------------------------------------


def test_the_link_opens_the_teams_plans(client, sent, plan):
    response = client.get(page_url(sent))
    assert response.status_code == 200 and plan.task.title in response.content.decode()


def test_the_link_signs_nobody_in(client, sent, team):
    client.get(page_url(sent))
    response = client.get(team.get_absolute_url())
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.fixture
def their_plan(other_team, other_lead, domain):
    """A plan of the other team of the same workshop (made before the workshop closes)."""
    other_task = services.task_create(team=other_team, actor=other_lead, data=task_data(domain))
    return picked(other_task)


def form(plan, *, status="in_progress", actual="3.5") -> dict:
    return {"plan": plan.pk, f"status-{plan.pk}": status, f"actual-{plan.pk}": actual}


def test_the_lead_saves_the_status_and_the_actual_hours(client, sent, plan):
    response = client.post(page_url(sent), form(plan, actual="12.5"))
    plan.refresh_from_db()
    assert response.status_code == 302
    assert (plan.status, plan.actual_hours) == (Pick.Status.IN_PROGRESS, Decimal("12.5"))


def test_a_saved_report_is_stamped_on_the_follow_up(client, sent, plan):
    client.post(page_url(sent), form(plan))
    assert FollowUp.objects.get().updated_at is not None


def test_an_empty_actual_means_not_known_yet(client, sent, plan):
    client.post(page_url(sent), form(plan, status="on_hold", actual=""))
    plan.refresh_from_db()
    assert (plan.status, plan.actual_hours) == (Pick.Status.ON_HOLD, None)


def test_another_teams_plan_is_refused(client, their_plan, sent, plan):
    theirs = their_plan
    response = client.post(page_url(sent), form(theirs, status="done", actual="99"))
    theirs.refresh_from_db()
    assert response.status_code == 404 and "이 팀의 실행 계획만" in response.content.decode()
    assert (theirs.status, theirs.actual_hours) == (Pick.Status.NOT_STARTED, None)


def test_another_workshops_plan_is_refused(client, sent, other_instructor):
    foreign = Workshop.objects.get(title="다른 워크샵")
    foreign_lead = make_user("foreign.lead@example.com", "남팀장")
    foreign_team = services.team_create(
        workshop=services.workshop_open(workshop=foreign),
        lead=foreign_lead,
        team_name="기획팀",
        display_name="남팀장",
    )
    foreign_task = services.task_create(
        team=foreign_team, actor=foreign_lead, data=task_data(foreign.domains.get())
    )
    theirs = picked(foreign_task)
    response = client.post(page_url(sent), form(theirs, status="done"))
    theirs.refresh_from_db()
    assert (response.status_code, theirs.status) == (404, Pick.Status.NOT_STARTED)


def test_a_plan_of_the_team_with_one_of_another_is_refused_whole(client, their_plan, sent, plan):
    theirs = their_plan
    data = {**form(plan, status="done"), **form(theirs, status="done")}
    data["plan"] = [plan.pk, theirs.pk]
    client.post(page_url(sent), data)
    plan.refresh_from_db()
    assert plan.status == Pick.Status.NOT_STARTED


def test_an_expired_link_is_refused_in_korean(client, sent, plan):
    FollowUp.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(page_url(sent))
    assert response.status_code == 403 and "만료된 링크입니다" in response.content.decode()


def test_an_expired_link_saves_nothing(client, sent, plan):
    FollowUp.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.post(page_url(sent), form(plan, status="done"))
    plan.refresh_from_db()
    assert plan.status == Pick.Status.NOT_STARTED


def test_an_unknown_link_is_not_found_in_korean(client, sent):
    response = client.get(page_url("x" * 43))
    assert response.status_code == 404 and "찾을 수 없는 링크입니다" in response.content.decode()


@pytest.mark.parametrize(
    ("actual", "message"),
    [
        ("많이", "실제 절감 시간은 0에서 9999 사이의 숫자로 적어 주세요."),
        ("-3", "실제 절감 시간은 0에서 9999 사이의 숫자로 적어 주세요."),
        ("NaN", "실제 절감 시간은 0에서 9999 사이의 숫자로 적어 주세요."),
        ("1e9", "실제 절감 시간은 0에서 9999 사이의 숫자로 적어 주세요."),
    ],
)
def test_bad_hours_are_refused_in_korean_and_kept(client, sent, plan, actual, message):
    response = client.post(page_url(sent), form(plan, status="done", actual=actual))
    body = response.content.decode()
    assert (response.status_code, message in body, f'value="{actual}"' in body) == (
        400,
        True,
        True,
    )
    plan.refresh_from_db()
    assert plan.status == Pick.Status.NOT_STARTED  # nothing saved


def test_a_missing_status_is_refused_in_korean(client, sent, plan):
    response = client.post(page_url(sent), form(plan, status="finished"))
    assert response.status_code == 400 and "진행 상황을 고르세요." in response.content.decode()


@pytest.fixture
def second_plan(plan, lead, domain):
    second_task = services.task_create(
        team=plan.team, actor=lead, data=task_data(domain, title="월간 정산")
    )
    return picked(second_task)


def test_one_bad_plan_saves_none_and_keeps_what_was_typed(client, second_plan, sent, plan):
    second = second_plan
    data = {**form(plan, status="done", actual="7"), **form(second, actual="칠")}
    data["plan"] = [plan.pk, second.pk]
    response = client.post(page_url(sent), data)
    plan.refresh_from_db()
    body = response.content.decode()
    assert plan.status == Pick.Status.NOT_STARTED and 'value="7"' in body and 'value="칠"' in body


def test_the_page_is_not_cached(client, sent):
    assert client.get(page_url(sent))["Cache-Control"] == "no-store"


# --- What instructors and operators see -----------------------------------------------------


def test_operators_see_estimated_against_actual_in_the_admin(client, sent, plan):
    Pick.objects.filter(pk=plan.pk).update(actual_hours=Decimal("2.5"))
    client.force_login(User.objects.create_superuser(email="ops@example.com", name="운영자"))
    response = client.get(reverse("admin:workshops_followup_changelist"))
    body = response.content.decode()
    # 4 hours expected and 2.5 reported, at 40,000원 an hour
    assert response.status_code == 200 and "160,000원" in body and "100,000원" in body


def test_the_instructor_sees_the_reported_hours_on_the_summary(
    client, client_as, instructor, workshop, sent, plan
):
    client.post(page_url(sent), form(plan, status="done", actual="2.5"))
    body = client_as(instructor).get(reverse("workshops:workshop_summary", args=[workshop.pk]))
    text = body.content.decode()
    assert "실행 계획: 예상과 실제" in text and "100,000원" in text and "완료 1" in text


def test_the_team_report_shows_each_plans_status_and_actual(client, client_as, lead, sent, plan):
    client.post(page_url(sent), form(plan, status="done", actual="2.5"))
    body = client_as(lead).get(reverse("workshops:team_report", args=[plan.team_id]))
    assert "월 2.5시간 · 100,000원" in body.content.decode()
