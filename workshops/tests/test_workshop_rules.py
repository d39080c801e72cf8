"""Workshop rules a planted bug once slipped past (issue 19, part 3): each test here fails when
its rule is broken."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import task_data
from workshops import services
from workshops.models import Invitation, Task, Workshop
from workshops.services import RuleError

pytestmark = pytest.mark.django_db


def test_a_closed_workshop_offers_no_edit_controls(client_as, lead, team, task):
    services.workshop_close(workshop=team.workshop)
    body = client_as(lead).get(team.get_absolute_url()).content.decode()
    assert 'id="task-add-form"' not in body
    assert ">수정</a>" not in body


def test_a_workshop_without_domains_cannot_be_opened(instructor):
    workshop = services.workshop_create(
        creator=instructor,
        title="빈 워크샵",
        description="",
        date=date(2026, 5, 1),
        domain_names=[],
    )
    with pytest.raises(RuleError):
        services.workshop_open(workshop=workshop)
    workshop.refresh_from_db()
    assert not workshop.is_open


def test_a_task_cannot_be_filed_under_another_workshops_domain(team, lead, other_instructor):
    foreign = Workshop.objects.exclude(pk=team.workshop_id).get().domains.get()
    with pytest.raises(RuleError):
        services.task_create(team=team, actor=lead, data=task_data(foreign))
    assert not Task.objects.exists()


def test_an_expired_invitation_is_not_active(team, lead):
    invitation = services.invitation_create(team=team, actor=lead)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert not Invitation.objects.active().filter(pk=invitation.pk).exists()


def test_a_join_code_finds_the_open_workshop_before_a_closed_one_that_shares_it(
    workshop, instructor
):
    closed = services.workshop_create(
        creator=instructor,
        title="지난 워크샵",
        description="",
        date=date(2025, 3, 1),
        domain_names=["영업"],
    )
    Workshop.objects.filter(pk=closed.pk).update(
        join_code=workshop.join_code, status=Workshop.Status.CLOSED
    )
    assert Workshop.objects.for_join_code(workshop.join_code) == workshop
