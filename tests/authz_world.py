"""The authorization matrix's cast and their two workshops, with distinctive markers planted
in each group's data, and the POST payloads the matrix sends. Used by test_authz_matrix.py and
test_authz_matrix_sockets.py.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import INSTRUCTOR_GROUP, User
from ai import requests as ai_requests
from ai.models import AnalysisRun, RunStatus
from board.models import WorkshopExport
from conftest import make_user, task_data
from workshops import follow_up, services
from workshops.models import FollowUp, Invitation, Participant, Pick

# --- Markers: distinctive strings planted in each group's data ---------------------------------

MARKERS = {
    # This workshop, as its people (and anyone holding its code) see it.
    "workshop.title": "우리워크샵표식-제목",
    "workshop.description": "우리워크샵표식-설명",
    "workshop.instructor": "우리워크샵표식-강사이름",
    # This team: `lead`, `member`, one task.
    "our_team.team": "우리팀표식-팀명",
    "our_team.lead": "우리팀표식-팀장이름",
    "our_team.member": "우리팀표식-팀원이름",
    "our_team.task_title": "우리팀표식-업무명",
    "our_team.task_description": "우리팀표식-업무설명",
    # The team's invitation link: its lead hands it out; nobody else is shown it.
    "our_team_lead.invitation": "invite-marker-our-team-0a1b2c",
    # The other team of this workshop: `other_team_member` and its lead.
    "other_team.team": "옆팀표식-팀명",
    "other_team.lead": "옆팀표식-팀장이름",
    "other_team.member": "옆팀표식-팀원이름",
    "other_team.task_title": "옆팀표식-업무명",
    "other_team.task_description": "옆팀표식-업무설명",
    # Another workshop: `other_workshop_instructor` runs it, `other_workshop_participant` leads
    # a team in it.
    "foreign.title": "유출표식-워크샵명",
    "foreign.description": "유출표식-워크샵설명",
    "foreign.domain": "유출표식-영역",
    "foreign.instructor": "유출표식-강사이름",
    "foreign.team": "유출표식-팀명",
    "foreign.lead": "유출표식-팀장이름",
    "foreign.member": "유출표식-팀원이름",
    "foreign.task_title": "유출표식-업무명",
    "foreign.task_description": "유출표식-업무설명",
    "foreign.invitation": "invite-marker-foreign-3d4e5f",
}

# Which groups of markers each actor may see anywhere in the app. Instructors see every team of
# their workshop; a team's people see their own team and the workshop's headline (the rest of
# the workshop reaches them only as counts); staff are in no workshop.
VISIBLE_GROUPS = {
    "anonymous": set(),
    "other_workshop_participant": {"foreign"},
    "other_team_member": {"workshop", "other_team"},
    "member": {"workshop", "our_team"},
    "lead": {"workshop", "our_team", "our_team_lead"},
    "other_workshop_instructor": {"foreign"},
    "instructor": {"workshop", "our_team", "other_team"},
    "staff": set(),
}


def forbidden_markers(actor: str, reveals=frozenset(), granted=frozenset()) -> dict[str, str]:
    visible = VISIBLE_GROUPS[actor] | granted
    return {
        name: text
        for name, text in MARKERS.items()
        if name.split(".")[0] not in visible and name not in reveals
    }


def leaked(text: str, actor: str, reveals=frozenset(), granted=frozenset()) -> list[str]:
    return [
        f"{name} ({marker})"
        for name, marker in forbidden_markers(actor, reveals, granted).items()
        if marker in text
    ]


# The follow-up link of our team (the token is the whole credential).
FOLLOW_UP_TOKEN = "follow-up-our-team-0123456789abcdefghijklmnop"

# --- The cast and their two workshops -----------------------------------------------------------


@dataclass
class World:
    actors: dict[str, User | None]
    workshop: object
    team: object
    other_team: object
    domain: object
    task: object
    other_task: object
    invitation: object
    run: object
    foreign_workshop: object
    foreign_team: object
    # Signed-in sessions made once per actor (see the `world` fixture in test_authz_matrix.py);
    # without one, a test logs in.
    sessions: dict[str, str] = field(default_factory=dict)

    def _pick(self) -> int:
        """Our team's pick of its task (made when first asked for)."""
        chosen, _created = Pick.objects.get_or_create(task=self.task, defaults={"team": self.team})
        return chosen.pk

    def _follow_up_token(self) -> str:
        """The link of our team's follow-up mail (sent when first asked for)."""
        self._pick()
        now = timezone.now()
        FollowUp.objects.get_or_create(
            team=self.team,
            defaults={
                "token_hash": follow_up.token_hash(FOLLOW_UP_TOKEN),
                "sent_to": self.team.lead.email,
                "sent_at": now,
                "expires_at": now + timedelta(days=30),
            },
        )
        return FOLLOW_UP_TOKEN

    def _member_seat(self) -> int:
        """Our team's member's place in this workshop (the instructor may remove it)."""
        seat = Participant.objects.filter(team=self.team, role=Participant.Role.MEMBER).first()
        return seat.pk if seat else 0

    def _export(self) -> int:
        """A built export of this workshop, asked for by its instructor."""
        export, _created = WorkshopExport.objects.get_or_create(
            workshop=self.workshop,
            defaults={
                "requested_by": self.actors["instructor"],
                "fmt": "csv",
                "status": WorkshopExport.Status.DONE,
                "content": b"\xef\xbb\xbf",
                "file_name": "workshop.csv",
            },
        )
        return export.pk

    def target(self, kind: str | None) -> dict:
        """The URL arguments naming this workshop's object of `kind`."""
        return {
            None: {},
            "workshop": {"pk": self.workshop.pk},
            "team": {"pk": self.team.pk},
            "task": {"pk": self.task.pk},
            "invitation": {"pk": self.invitation.pk},
            "run": {"pk": self.run.pk},
            "join_code": {"code": self.workshop.join_code},
            "participant": {"pk": self.workshop.pk, "participant_pk": self._member_seat()},
            "invite_token": {"token": self.invitation.token},
            "link_token": {"token": "not-a-real-link"},
            "pick": {"pk": self._pick()},
            "follow_up_token": {"token": self._follow_up_token()},
            "export": {"pk": self.workshop.pk, "export_pk": self._export()},
        }[kind]


def _instructor(email: str, name: str) -> User:
    user = make_user(email, name)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    return user


def _member_of(team, email: str, name: str) -> User:
    user = make_user(email, name)
    Participant.objects.create(
        user=user, workshop=team.workshop, role=Participant.Role.MEMBER, team=team
    )
    return user


def _rated_task(team, actor, domain, prefix: str):
    task = services.task_create(
        team=team,
        actor=actor,
        data=task_data(
            domain,
            title=MARKERS[f"{prefix}.task_title"],
            description=MARKERS[f"{prefix}.task_description"],
        ),
    )
    # A rating puts the task on the board's and the summary's candidate lists too.
    ai_requests.analysis_override(task=task, actor=actor, rating="HIGH", note="사람이 판단")
    return task


def _invitation(team, lead, token: str):
    invitation = services.invitation_create(team=team, actor=lead)
    Invitation.objects.filter(pk=invitation.pk).update(token=token)  # a marker, to look for
    invitation.token = token
    return invitation


def build_world() -> World:
    instructor = _instructor("instructor@example.com", MARKERS["workshop.instructor"])
    workshop = services.workshop_create(
        creator=instructor,
        title=MARKERS["workshop.title"],
        description=MARKERS["workshop.description"],
        date=date(2026, 3, 10),
        domain_names=["영업", "인사", "재무", "총무"],
    )
    workshop = services.workshop_open(workshop=workshop)
    domain = workshop.domains.get(name="영업")

    lead = make_user("lead@example.com", MARKERS["our_team.lead"])
    team = services.team_create(
        workshop=workshop,
        lead=lead,
        team_name=MARKERS["our_team.team"],
        display_name=MARKERS["our_team.lead"],
    )
    member = _member_of(team, "member@example.com", MARKERS["our_team.member"])
    task = _rated_task(team, lead, domain, "our_team")

    other_lead = make_user("other.lead@example.com", MARKERS["other_team.lead"])
    other_team = services.team_create(
        workshop=workshop,
        lead=other_lead,
        team_name=MARKERS["other_team.team"],
        display_name=MARKERS["other_team.lead"],
    )
    other_team_member = _member_of(
        other_team, "other.member@example.com", MARKERS["other_team.member"]
    )
    other_task = _rated_task(other_team, other_lead, domain, "other_team")

    invitation = _invitation(team, lead, MARKERS["our_team_lead.invitation"])
    run = AnalysisRun.objects.create(
        team=team,
        workshop=workshop,
        requested_by=lead,
        status=RunStatus.FAILED,
        task_ids=[task.pk],
        total_tasks=1,
        failed_tasks=1,
        failed_task_ids=[task.pk],
        finished_at=timezone.now(),
    )

    other_instructor = _instructor("other.instructor@example.com", MARKERS["foreign.instructor"])
    foreign = services.workshop_create(
        creator=other_instructor,
        title=MARKERS["foreign.title"],
        description=MARKERS["foreign.description"],
        date=date(2026, 4, 1),
        domain_names=[MARKERS["foreign.domain"]],
    )
    foreign = services.workshop_open(workshop=foreign)
    foreign_lead = make_user("foreign.lead@example.com", MARKERS["foreign.lead"])
    foreign_team = services.team_create(
        workshop=foreign,
        lead=foreign_lead,
        team_name=MARKERS["foreign.team"],
        display_name=MARKERS["foreign.lead"],
    )
    _member_of(foreign_team, "foreign.member@example.com", MARKERS["foreign.member"])
    _rated_task(foreign_team, foreign_lead, foreign.domains.get(), "foreign")
    _invitation(foreign_team, foreign_lead, MARKERS["foreign.invitation"])

    staff = User.objects.create_superuser(email="staff@example.com", name="운영자")

    return World(
        actors={
            "anonymous": None,
            "other_workshop_participant": foreign_lead,
            "other_team_member": other_team_member,
            "member": member,
            "lead": lead,
            "other_workshop_instructor": other_instructor,
            "instructor": instructor,
            "staff": staff,
        },
        workshop=workshop,
        team=team,
        other_team=other_team,
        domain=domain,
        task=task,
        other_task=other_task,
        invitation=invitation,
        run=run,
        foreign_workshop=foreign,
        foreign_team=foreign_team,
    )


# --- POST payloads: plausible valid input, so the outcome is the authorization's -----------------


def _import_file(world: World) -> SimpleUploadedFile:
    content = (
        "\ufeff업무 영역,업무명,설명,빈도,횟수,1회 소요(분)\n영업,가져온 업무,설명,매주,1,30\n"
    )
    return SimpleUploadedFile("tasks.csv", content.encode(), content_type="text/csv")


PAYLOADS = {
    "workshops:join_workshop": lambda w: {
        "team_name": "새로 만든 팀",
        "display_name": "새 팀장",
        "privacy_consent": "on",
    },
    "workshops:accept_invitation": lambda w: {"display_name": "새 팀원", "privacy_consent": "on"},
    "workshops:workshop_create": lambda w: {
        "title": "새 워크샵",
        "date": "2026-05-01",
        "description": "",
        "domains": "영업\n인사",
    },
    "workshops:workshop_edit": lambda w: {
        "title": MARKERS["workshop.title"],
        "date": "2026-03-10",
        "description": MARKERS["workshop.description"],
        "domains": "영업\n인사\n재무\n총무",
    },
    "workshops:workshop_status": lambda w: {"action": "close"},
    "workshops:team_edit": lambda w: {"name": "새 팀 이름"},
    "workshops:task_create": lambda w: {
        "domain": w.domain.pk,
        "title": "새 업무",
        "description": "새 업무 설명",
        "frequency": "weekly",
        "occurrences_per_period": 1,
        "minutes_per_occurrence": 30,
    },
    "workshops:task_edit": lambda w: {
        "domain": w.domain.pk,
        "title": "고친 업무",
        "description": "고친 설명",
        "frequency": "daily",
        "occurrences_per_period": 2,
        "minutes_per_occurrence": 15,
        "version": w.task.version,
    },
    "workshops:task_import": lambda w: {"file": _import_file(w)},
    "ai:override": lambda w: {"rating": "LOW", "note": "사람이 다시 판단"},
    "workshops:follow_up": lambda w: {
        "plan": w._pick(),
        f"status-{w._pick()}": "in_progress",
        f"actual-{w._pick()}": "3",
    },
    "profile": lambda w: {"name": "새 이름"},
}
