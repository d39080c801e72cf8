from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import audit
from board import exports
from workshops.management.commands.close_workshop import find_workshop


class Command(BaseCommand):
    help = "Export a workshop's tasks and analyses to an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("workshop", help="the workshop's id or join code")
        parser.add_argument("output", help="file to write: results.xlsx or results.csv")

    def handle(self, *args, workshop, output, **options):
        target = find_workshop(workshop)
        path = Path(output)
        if path.suffix.lower() == ".xlsx":
            content = exports.workshop_xlsx(target)
        elif path.suffix.lower() == ".csv":
            content = exports.workshop_csv(target)
        else:
            raise CommandError("output must end in .xlsx or .csv")
        if not path.parent.exists():
            raise CommandError(f"folder does not exist: {path.parent}")
        path.write_bytes(content)
        audit.record("export", target=target, workshop=target, summary=f"command {path.name}")
        self.stdout.write(self.style.SUCCESS(f"{target.title}: {path} ({len(content):,} bytes)"))
