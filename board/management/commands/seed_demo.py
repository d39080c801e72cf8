import json
import secrets
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import INSTRUCTOR_GROUP, User
from accounts.services import user_get_or_create_by_email
from ai.providers.rules import RuleProvider
from ai.requests import analysis_request
from ai.runner import run_execute
from ai.selectors import tasks_needing_analysis
from board.priority_views import pick_defaults
from workshops import common_work, facilitation, priorities, services
from workshops.models import (
    CommonWorkChoice,
    Domain,
    Participant,
    Pick,
    Task,
    Team,
    Vote,
    Workshop,
)

DEMO_FILE = Path(settings.BASE_DIR) / "workshops" / "demo" / "demo_workshop.json"


class Command(BaseCommand):
    help = (
        "Load a demo workshop: an instructor, 4 domains, 3 teams with realistic tasks, two of "
        "them analysed by the rule-based estimator, in the 우선순위 phase with votes, picks and "
        "plans. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--operator",
            action="store_true",
            help="Also create an operator (admin@example.com) whose password is kept in var/.",
        )

    def handle(self, *args, operator=False, **options):
        data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        with transaction.atomic():
            workshop = self._workshop(data)
            teams = [(self._team(workshop, spec), spec) for spec in data["teams"]]
        for team, spec in teams:
            if spec.get("analyse"):
                self._analyse(team)
        with transaction.atomic():
            self._room(workshop, data)
            for team, spec in teams:
                self._priorities(team, spec)
        self.stdout.write(self.style.SUCCESS(f"데모 워크샵 준비됨: {workshop.title}"))
        self.stdout.write(f"  참여 코드: {workshop.join_code}")
        self.stdout.write(f"  강사: {data['instructor']['email']}")
        leads = ", ".join(team["lead"]["email"] for team in data["teams"])
        self.stdout.write(f"  팀장: {leads}")
        if operator:
            email, password = self._operator()
            self.stdout.write(f"  운영자(/admin/): {email} / 비밀번호 {password}")

    def _user(self, person: dict) -> User:
        user = user_get_or_create_by_email(email=person["email"])
        if user.name != person["name"]:
            user.name = person["name"]
            user.save(update_fields=["name"])
        return user

    def _workshop(self, data: dict) -> Workshop:
        spec = data["workshop"]
        instructor = self._user(data["instructor"])
        instructor.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
        workshop = Workshop.objects.filter(title=spec["title"], created_by=instructor).first()
        if workshop is None:
            workshop = services.workshop_create(
                creator=instructor,
                title=spec["title"],
                description=spec["description"],
                date=date.today(),
                domain_names=spec["domains"],
            )
            code_free = not Workshop.objects.filter(
                join_code=spec["join_code"], status=Workshop.Status.OPEN
            ).exists()
            if code_free:
                workshop.join_code = spec["join_code"]
                workshop.save(update_fields=["join_code"])
        if not workshop.is_open:
            services.workshop_open(workshop=workshop)
        return workshop

    def _team(self, workshop: Workshop, spec: dict) -> Team:
        lead = self._user(spec["lead"])
        team = workshop.teams.filter(name=spec["name"]).first()
        if team is None:
            team = services.team_create(
                workshop=workshop, lead=lead, team_name=spec["name"], display_name=lead.name
            )
        for member_spec in spec["members"]:
            member = self._user(member_spec)
            Participant.objects.get_or_create(
                workshop=workshop,
                user=member,
                defaults={"role": Participant.Role.MEMBER, "team": team},
            )
        domains = {d.name: d for d in Domain.objects.filter(workshop=workshop)}
        existing = set(team.tasks.values_list("title", flat=True))
        for task in spec["tasks"]:
            if task["title"] in existing:
                continue
            services.task_create(
                team=team,
                actor=lead,
                data={
                    "domain": domains[task["domain"]],
                    "title": task["title"],
                    "description": task["description"],
                    "frequency": task["frequency"],
                    "occurrences_per_period": task["occurrences"],
                    "minutes_per_occurrence": task["minutes"],
                },
            )
        return team

    def _analyse(self, team: Team) -> None:
        """What 'AI 분석' gives without an API key: the rule-based estimate (labelled so)."""
        if not tasks_needing_analysis(team):
            return
        run, _created = analysis_request(team=team, actor=team.lead)
        run_execute(run.pk, provider=RuleProvider())

    def _room(self, workshop: Workshop, data: dict) -> None:
        room = data.get("room") or {}
        instructor = workshop.created_by
        if room.get("phase") and workshop.phase != room["phase"]:
            facilitation.phase_set(workshop=workshop, phase=room["phase"], actor=instructor)
        if room.get("notice") and workshop.notice != room["notice"]:
            facilitation.notice_set(workshop=workshop, text=room["notice"], actor=instructor)
        # The instructor's corrections of the common work: tasks the words put in a group
        # although they are other work (the summary lets them take a task out).
        for title in room.get("split_from_common_work", []):
            task = Task.objects.get(team__workshop=workshop, title=title)
            if not CommonWorkChoice.objects.filter(task=task, apart=True).exists():
                common_work.common_work_split(task=task, actor=instructor)

    def _priorities(self, team: Team, spec: dict) -> None:
        tasks = {task.title: task for task in team.tasks.all()}
        for email, titles in spec.get("votes", {}).items():
            voter = User.objects.get(email=email)
            for title in titles:
                if not Vote.objects.filter(task=tasks[title], user=voter).exists():
                    priorities.vote_toggle(task=tasks[title], user=voter)
        for plan in spec.get("picks", []):
            task = tasks[plan["title"]]
            if Pick.objects.filter(task=task).exists():
                continue
            method, hours = pick_defaults(task)
            chosen = priorities.pick_confirm(
                task=task, actor=team.lead, method=method, expected_hours=hours
            )
            priorities.plan_update(
                pick=chosen,
                actor=team.lead,
                owner=User.objects.get(email=plan["owner"]),
                first_step=plan["first_step"],
                target_date=date.today() + timedelta(days=plan["in_days"]),
                method=method,
                expected_hours=hours,
            )

    def _operator(self) -> tuple[str, str]:
        email = "admin@example.com"
        password_file = Path(settings.BASE_DIR) / "var" / "demo_admin_password"
        if not password_file.exists():
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        user = User.objects.filter(email=email).first() or User.objects.create_superuser(
            email=email, password=password, name="운영자"
        )
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        return email, password
