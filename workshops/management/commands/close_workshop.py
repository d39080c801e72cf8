from django.core.management.base import BaseCommand, CommandError

from workshops import services
from workshops.models import Workshop


class Command(BaseCommand):
    help = "Close a workshop (by id or join code): every page becomes read-only."

    def add_arguments(self, parser):
        parser.add_argument("workshop", help="the workshop's id or join code")

    def handle(self, *args, workshop, **options):
        target = find_workshop(workshop)
        if target.is_closed:
            self.stdout.write(f"이미 종료된 워크샵입니다: {target.title}")
            return
        services.workshop_close(workshop=target)
        self.stdout.write(self.style.SUCCESS(f"워크샵을 종료했습니다: {target.title}"))


def find_workshop(ref: str) -> Workshop:
    """A workshop by id, or by join code (an open one first)."""
    if ref.isdigit():
        workshop = Workshop.objects.filter(pk=int(ref)).first()
    else:
        workshop = Workshop.objects.for_join_code(ref)  # the one the join page would open
    if workshop is None:
        raise CommandError(f"no workshop with id or join code {ref!r}")
    return workshop
