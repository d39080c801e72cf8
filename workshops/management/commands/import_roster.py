"""Register a course's participants from a CSV roster and put them into teams.

Columns: 이메일, 이름, 팀, and optionally 역할 (팀장 / 팀원). In each team the row marked 팀장
leads, or else the first row. With --invite, everyone (leads too) is e-mailed a personal link
that signs them in and opens their team page with one tap: single use, valid 14 days, voided by
a newer link or the admin's "개인 링크 취소" (workshops.services.personal_link_send).
"""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.services import user_get_or_create_by_email
from workshops import services
from workshops.management.commands.close_workshop import find_workshop
from workshops.models import NAME_MAX_LENGTH, Participant

REQUIRED = ["이메일", "이름", "팀"]


class Command(BaseCommand):
    help = "Register participants from a CSV roster (이메일,이름,팀[,역할]) into teams."

    def add_arguments(self, parser):
        parser.add_argument("workshop", help="the workshop's id or join code")
        parser.add_argument("roster", help="CSV file, UTF-8 or CP949")
        parser.add_argument(
            "--invite", action="store_true", help="e-mail everyone a personal sign-in link"
        )

    def handle(self, *args, workshop, roster, invite, **options):
        target = find_workshop(workshop)
        if target.is_closed:
            raise CommandError("the workshop is closed")
        rows = read_roster(Path(roster))
        teams: dict[str, list[dict]] = {}
        for row in rows:
            teams.setdefault(row["팀"], []).append(row)
        invited = 0
        with transaction.atomic():
            if not target.is_open:
                services.workshop_open(workshop=target)
            for team_name, people in teams.items():
                lead_row = next((p for p in people if p.get("역할") == "팀장"), people[0])
                lead = user_get_or_create_by_email(email=lead_row["이메일"])
                team = target.teams.filter(name__iexact=team_name).first()
                if team is None:
                    team = services.team_create(
                        workshop=target,
                        lead=lead,
                        team_name=team_name,
                        display_name=lead_row["이름"],
                    )
                for person in people:
                    user = user_get_or_create_by_email(email=person["이메일"])
                    if not user.name:
                        user.name = person["이름"]
                        user.save(update_fields=["name"])
                    seat = Participant.objects.filter(workshop=target, user=user).first()
                    if seat is None:
                        seat = Participant.objects.create(
                            user=user, workshop=target, role=Participant.Role.MEMBER, team=team
                        )
                    if invite and seat.team_id == team.pk:
                        transaction.on_commit(
                            lambda seat=seat: services.personal_link_send(participant=seat)
                        )
                        invited += 1
        people = sum(len(p) for p in teams.values())
        self.stdout.write(
            self.style.SUCCESS(f"{target.title}: {people}명, 팀 {len(teams)}개 등록")
            + (f", 초대 메일 {invited}통" if invite else "")
        )


def read_roster(path: Path) -> list[dict]:
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CommandError("the roster must be UTF-8 or CP949 text")
    reader = csv.DictReader(text.splitlines())
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise CommandError(f"the first line must name the columns {REQUIRED}; missing {missing}")
    rows, problems = [], []
    for number, row in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        try:
            validate_email(row["이메일"])
        except ValidationError:
            problems.append(f"line {number}: not an e-mail address: {row['이메일']!r}")
        if not row["이름"] or not row["팀"]:
            problems.append(f"line {number}: 이름 and 팀 are required")
        if len(row["팀"]) > NAME_MAX_LENGTH or len(row["이름"]) > NAME_MAX_LENGTH:
            problems.append(f"line {number}: names are at most {NAME_MAX_LENGTH} characters")
        if row.get("역할") not in (None, "", "팀장", "팀원"):
            problems.append(f"line {number}: 역할 must be 팀장 or 팀원")
        rows.append(row)
    if problems:
        raise CommandError("nothing imported:\n" + "\n".join(problems))
    if not rows:
        raise CommandError("the roster has no rows")
    return rows
