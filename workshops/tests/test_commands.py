"""The instructor's management commands: happy paths and the errors they explain."""

import csv
import io
import urllib.parse

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from workshops.models import Participant, Team, Workshop


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- create_workshop --------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_workshop_prints_the_code_and_link(settings):
    settings.SITE_URL = "https://workshop.example.com"
    out = run(
        "create_workshop",
        "--title",
        "4월 워크샵",
        "--date",
        "2026-04-01",
        "--domains",
        "영업, 인사,재무",
        "--instructor",
        "teacher@example.com",
        "--open",
    )
    workshop = Workshop.objects.get()
    assert f"참여 코드: {workshop.join_code}" in out
    assert f"https://workshop.example.com/join/{workshop.join_code}/" in out
    assert list(workshop.domains.values_list("name", flat=True)) == ["영업", "인사", "재무"]
    assert workshop.is_open
    assert User.objects.get(email="teacher@example.com").can_create_workshops


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "April 1st"], "--date must look like"),
        (["--domains", " , "], "--domains needs"),
        (["--domains", "영업,영업"], "--domains needs"),
        (["--instructor", "not-an-email"], "not an e-mail"),
        (["--title", " "], "--title must be"),
    ],
)
def test_create_workshop_explains_bad_arguments(args, message):
    base = {
        "--title": "T",
        "--date": "2026-04-01",
        "--domains": "영업",
        "--instructor": "t@example.com",
    }
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("create_workshop", *flat)
    assert not Workshop.objects.exists()


# --- import_roster ----------------------------------------------------------------------------


def roster(tmp_path, rows, encoding="utf-8-sig"):
    path = tmp_path / "roster.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_import_roster_registers_people_into_teams(
    tmp_path, workshop, django_capture_on_commit_callbacks
):
    path = roster(
        tmp_path,
        [
            ["이메일", "이름", "팀", "역할"],
            ["kim@example.com", "김팀원", "영업팀", "팀원"],
            ["lee@example.com", "이팀장", "영업팀", "팀장"],
            ["park@example.com", "박팀장", "인사팀", ""],
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = run("import_roster", str(workshop.pk), str(path), "--invite")
    assert "3명, 팀 2개 등록" in out
    sales = Team.objects.get(name="영업팀")
    assert sales.lead.email == "lee@example.com"
    assert Participant.objects.get(user__email="kim@example.com").team == sales
    assert Team.objects.get(name="인사팀").lead.email == "park@example.com"
    # Everyone gets a personal link, leads too: one tap signs them in at their team's page.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kim@example.com",
        "lee@example.com",
        "park@example.com",
    ]
    kim = next(m for m in mail.outbox if m.to == ["kim@example.com"])
    assert "팀: 영업팀 · 역할: 팀원" in kim.body
    link = next(line for line in kim.body.splitlines() if "/accounts/reenter/" in line)
    path = urllib.parse.urlsplit(link).path
    phone = Client()
    assert phone.get(path).status_code == 200  # asks first: a mail preview spends nothing
    assert phone.post(path)["Location"] == sales.get_absolute_url()
    assert get_user(phone).email == "kim@example.com"
    assert Client().post(path).status_code == 403  # single use


def test_personal_links_are_sent_and_revoked_from_the_admin(client_as, team, member, lead):
    staff = User.objects.create_superuser(email="ops@example.com")
    admin = client_as(staff)
    seats = Participant.objects.filter(team=team).values_list("pk", flat=True)
    url = reverse("admin:workshops_participant_changelist")
    admin.post(url, {"action": "send_personal_links", "_selected_action": list(seats)})
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, member.email])
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reenter/" in line)
    admin.post(url, {"action": "revoke_personal_links", "_selected_action": list(seats)})
    refused = Client().post(urllib.parse.urlsplit(link).path)
    assert refused.status_code == 403 and "이미 쓴 링크" in refused.content.decode()


def test_import_roster_reads_excel_korean_cp949(tmp_path, workshop):
    path = roster(
        tmp_path,
        [["이메일", "이름", "팀"], ["a@example.com", "가나다", "기획팀"]],
        encoding="cp949",
    )
    run("import_roster", workshop.join_code, str(path))
    assert User.objects.get(email="a@example.com").name == "가나다"


def test_import_roster_with_bad_rows_imports_nothing(tmp_path, workshop):
    path = roster(
        tmp_path, [["이메일", "이름", "팀"], ["good@example.com", "좋음", "팀"], ["nope", "", "팀"]]
    )
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_roster", str(workshop.pk), str(path))
    assert not Team.objects.exists()


def test_import_roster_needs_the_columns(tmp_path, workshop):
    path = roster(tmp_path, [["email", "name"], ["a@example.com", "A"]])
    with pytest.raises(CommandError, match="missing"):
        call_command("import_roster", str(workshop.pk), str(path))


def test_import_roster_refuses_an_unknown_workshop(tmp_path, db):
    path = roster(tmp_path, [["이메일", "이름", "팀"], ["a@example.com", "A", "T"]])
    with pytest.raises(CommandError, match="no workshop"):
        call_command("import_roster", "999", str(path))


# --- export_results, close_workshop -----------------------------------------------------------


def test_export_results_writes_xlsx_and_csv(tmp_path, task):
    workshop = task.team.workshop
    run("export_results", str(workshop.pk), str(tmp_path / "r.xlsx"))
    book = load_workbook(tmp_path / "r.xlsx")
    assert book["업무"]["C2"].value == task.title
    run("export_results", workshop.join_code, str(tmp_path / "r.csv"))
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_results_refuses_other_formats(tmp_path, workshop):
    with pytest.raises(CommandError, match=r"\.xlsx or \.csv"):
        call_command("export_results", str(workshop.pk), str(tmp_path / "r.pdf"))


def test_close_workshop_closes_by_code(workshop):
    out = run("close_workshop", workshop.join_code.lower())
    workshop.refresh_from_db()
    assert workshop.is_closed
    assert "종료했습니다" in out
    assert "이미 종료된" in run("close_workshop", str(workshop.pk))


def test_close_workshop_refuses_an_unknown_code(db):
    with pytest.raises(CommandError, match="no workshop"):
        call_command("close_workshop", "ZZZZZZ")
