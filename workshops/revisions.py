"""Revisions: what lets a page be cached without ever showing it stale.

`Team.revision` and `Workshop.revision` (workshops.models.RevisedModel) are counters the
database bumps in the transaction of every change that alters what a cached team page shows.
The presentation app caches a team's rendered regions under the pair of numbers
(`board.render.TeamView`); a page read after no change finds its copy, and a change makes
exactly that team's copies (or, for a workshop-wide change, its teams') unreachable.

Two paths bump, so that no change is missed:

- every live event a service announces (`workshops.events.announce`): a change that open pages
  are told about is a change a cached page must not hide. Team events bump their team; the
  workshop's status, stage and figures bump the workshop.
- saves and deletes of the rows a page shows (tasks, domains, memberships, invitations, the
  team, the workshop, a person's name), as signals (`connect`), and the admin's analysis edits
  (`ai.admin`): the Django admin and the shell change rows without any service. (A row moved
  to another team in the admin bumps only its new team; the old one's copy lives at most
  `PAGE_CACHE_SECONDS`.)

The bump is an UPDATE of one row by its key, in the caller's transaction (once per transaction
and row, however many paths ask): a change that rolls back takes its bump with it, and one that
commits is never seen with the old number (its readers read the number with the row, in one
query). A cached copy is also dropped after
`PAGE_CACHE_SECONDS`, so a path that bypassed both (a raw SQL fix) heals by itself.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from workshops.models import Domain, Invitation, Participant, Task, Team, Workshop


def bump_team(team_id: int | None) -> None:
    if team_id is not None and _first_in_transaction(("team", team_id)):
        Team.objects.filter(pk=team_id).update(revision=F("revision") + 1)


def bump_workshop(workshop_id: int | None) -> None:
    if workshop_id is not None and _first_in_transaction(("workshop", workshop_id)):
        Workshop.objects.filter(pk=workshop_id).update(revision=F("revision") + 1)


def update_team(team_id: int, **fields) -> None:
    """Write `fields` of a team and bump its revision, in one UPDATE (a service's own save of
    its team, which a page shows: not through `save`, whose signal would bump it again)."""
    if _first_in_transaction(("team", team_id)):
        fields["revision"] = F("revision") + 1
    Team.objects.filter(pk=team_id).update(**fields)


class _Bumped:
    """Kept with the transaction's commit hooks, where it does nothing when run: it marks that
    the transaction bumped `key` already. Django drops it with the transaction (commit or
    rollback) and with a savepoint rolled back to, so it is exactly as alive as the bump."""

    def __init__(self, key: tuple[str, int]):
        self.key = key

    def __call__(self) -> None:
        pass


def _first_in_transaction(key: tuple[str, int]) -> bool:
    """Whether this is the first bump of `key` in the current transaction (then it is marked
    as done). One write changes a task, its team's latest activity and announces both, each a
    path that bumps (see above): one number per transaction is all a reader can tell apart,
    since it sees the transaction only once it committed. Outside a transaction, always.
    It reads the connection's `atomic_blocks`, `savepoint_ids` and `run_on_commit`, Django's
    own (5.2, pinned in requirements.txt): workshops/tests/test_revisions.py runs them, with a
    savepoint rolled back."""
    connection = transaction.get_connection()
    blocks = connection.atomic_blocks
    # The outermost block that is ours, not a test's own transaction (which wraps every
    # transaction of the test and never commits): a bump is shared within that block only.
    ours = next((i for i, block in enumerate(blocks) if not block._from_testcase), None)
    if ours is None:
        return True
    # The savepoint the block opened (savepoint_ids lines up with every block but the first):
    # an earlier block's bump that its test transaction still holds is not this one's.
    marker = connection.savepoint_ids[ours - 1] if ours else None
    if ours and marker is None:
        return True  # a block without its own savepoint: nothing tells its hooks apart
    for sids, hook, _robust in connection.run_on_commit:
        if isinstance(hook, _Bumped) and hook.key == key and (marker is None or marker in sids):
            return False
    connection.on_commit(_Bumped(key))
    return True


def bump_teams_of(user_id: int) -> None:
    """Every team of every workshop the person takes part in, and those workshops: their name
    is on those pages (as lead or member, as who changed a task last, as the instructor who
    rated one) and on the instructor's board, which is kept under the workshop's revision."""
    workshops = Participant.objects.filter(user_id=user_id).values("workshop_id")
    Team.objects.filter(workshop_id__in=workshops).update(revision=F("revision") + 1)
    Workshop.objects.filter(pk__in=workshops).update(revision=F("revision") + 1)


def _task_saved(sender, instance: Task, **kwargs) -> None:
    bump_team(instance.team_id)


def bump_team_of_task(task_id: int) -> None:
    """For a row that hangs off a task (an analysis edited in the admin)."""
    team_id = Task.objects.filter(pk=task_id).values_list("team_id", flat=True).first()
    bump_team(team_id)


def _team_saved(sender, instance: Team, created: bool = False, **kwargs) -> None:
    if not created:  # its name, lead, latest activity or help request
        bump_team(instance.pk)


def _participant_saved(sender, instance: Participant | Invitation, **kwargs) -> None:
    bump_team(instance.team_id)


def _workshop_part_saved(sender, instance, **kwargs) -> None:
    bump_workshop(instance.workshop_id)


def _person_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A name (or the e-mail shown when there is none) changed: not a sign-in's last_login."""
    if created or (update_fields is not None and not {"name", "email"} & set(update_fields)):
        return
    bump_teams_of(instance.pk)


def _workshop_saved(sender, instance: Workshop, created: bool = False, **kwargs) -> None:
    if not created:
        bump_workshop(instance.pk)


def bump_for_event(event) -> None:
    """What an announced event changed (`workshops.events.announce` calls it in the change's
    transaction): its team, or for the workshop's status and stage, every team page of it."""
    from workshops import events

    if isinstance(event, events.TaskChanged | events.AnalysisChanged | events.TeamChanged):
        bump_team(event.team_id)
    elif isinstance(event, events.WorkshopStatusChanged | events.FacilitationChanged):
        bump_workshop(event.workshop_id)


def connect() -> None:
    """Called once from `WorkshopsConfig.ready`."""
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(_task_saved, sender=Task, dispatch_uid=f"revisions-task-{name}")
        signal.connect(
            _participant_saved, sender=Participant, dispatch_uid=f"revisions-member-{name}"
        )
        signal.connect(_workshop_part_saved, sender=Domain, dispatch_uid=f"revisions-domain-{name}")
        # The lead's page lists the team's invitations (a revoke is a save).
        signal.connect(
            _participant_saved, sender=Invitation, dispatch_uid=f"revisions-invitation-{name}"
        )
    post_save.connect(_workshop_saved, sender=Workshop, dispatch_uid="revisions-workshop")
    post_save.connect(_team_saved, sender=Team, dispatch_uid="revisions-team")
    post_save.connect(_person_saved, sender=get_user_model(), dispatch_uid="revisions-person")
