from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import INSTRUCTOR_GROUP
from accounts.services import user_get_or_create_by_email
from workshops import services


class Command(BaseCommand):
    help = "Create a workshop for an instructor and print its join code and link."

    def add_arguments(self, parser):
        parser.add_argument("--title", required=True)
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--domains", required=True, help="comma-separated, e.g. 영업,인사,재무")
        parser.add_argument("--instructor", required=True, help="the instructor's e-mail")
        parser.add_argument("--description", default="")
        parser.add_argument("--open", action="store_true", help="open joining at once")

    def handle(self, *args, title, date: str, domains, instructor, description, open, **options):
        title = title.strip()
        if not 1 <= len(title) <= 200:
            raise CommandError("--title must be 1 to 200 characters")
        try:
            day = _date(date)
        except ValueError:
            raise CommandError("--date must look like 2026-03-10") from None
        names = [name.strip() for name in domains.split(",") if name.strip()]
        if not names or len({n.casefold() for n in names}) != len(names):
            raise CommandError("--domains needs one or more different names, comma-separated")
        if any(len(name) > 50 for name in names):
            raise CommandError("each domain name must be at most 50 characters")
        try:
            validate_email(instructor)
        except ValidationError:
            raise CommandError(f"--instructor is not an e-mail address: {instructor!r}") from None
        user = user_get_or_create_by_email(email=instructor)
        user.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
        try:
            workshop = services.workshop_create(
                creator=user, title=title, description=description, date=day, domain_names=names
            )
        except services.RuleError as error:
            raise CommandError(error.message) from None
        if open:
            services.workshop_open(workshop=workshop)
        self.stdout.write(
            self.style.SUCCESS(f"워크샵을 만들었습니다: {workshop.title} (#{workshop.pk})")
        )
        self.stdout.write(f"참여 코드: {workshop.join_code}")
        self.stdout.write(f"참여 링크: {settings.SITE_URL}{workshop.get_join_url()}")
        self.stdout.write(f"강사 화면: {settings.SITE_URL}{workshop.get_absolute_url()}")
        self.stdout.write(f"상태: {workshop.get_status_display()}")


def _date(text: str) -> date:
    return date.fromisoformat(text)
