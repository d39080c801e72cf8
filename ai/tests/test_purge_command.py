"""`manage.py purge_workshop <id> [--yes]`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry
from workshops import services
from workshops.models import Team, Workshop


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_workshop", *args, stdout=out)
    return out.getvalue()


def test_it_refuses_an_open_workshop(workshop, team):
    with pytest.raises(CommandError, match="종료되지 않은 워크샵"):
        purge(str(workshop.pk), "--yes")
    assert Team.objects.filter(workshop=workshop).exists()


def test_without_yes_it_only_counts_what_would_go(workshop, team, other_team, member, task):
    services.workshop_close(workshop=workshop)
    out = purge(str(workshop.pk))
    assert "팀 (teams): 2" in out
    assert "참가자 (participants): 3" in out
    assert "업무 (tasks): 1" in out
    assert "--yes" in out
    assert Team.objects.filter(workshop=workshop).count() == 2
    assert Workshop.objects.get(pk=workshop.pk).purged_at is None


def test_with_yes_it_purges_at_once_and_leaves_an_audit_entry(workshop, team, task):
    services.workshop_close(workshop=workshop)  # closed today: long before the period ends
    out = purge(str(workshop.pk), "--yes")
    assert "파기했습니다" in out
    assert not Team.objects.filter(workshop=workshop).exists()
    assert Workshop.objects.get(pk=workshop.pk).purged_at is not None
    entry = AuditEntry.objects.get(action="workshop.purged")
    assert entry.detail["reason"] == "command"
    assert entry.detail["deleted"]["tasks"] == 1


def test_a_purged_workshop_is_not_purged_again(workshop, team):
    services.workshop_close(workshop=workshop)
    purge(str(workshop.pk), "--yes")
    assert "이미 파기한" in purge(str(workshop.pk), "--yes")
    assert AuditEntry.objects.filter(action="workshop.purged").count() == 1


def test_an_unknown_workshop_is_an_error(db):
    with pytest.raises(CommandError):
        purge("999999")
