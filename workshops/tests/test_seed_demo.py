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
