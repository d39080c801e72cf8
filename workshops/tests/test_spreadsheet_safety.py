"""Every file the product writes is safe to open in Excel, and control characters never get in
(security findings 2, 3 and 4 of issue 19)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ai import budget
from ai.models import AIModel
from ai.providers.base import Usage
from conftest import task_data
from workshop_site.spreadsheets import csv_bytes
from workshops import services
from workshops.models import Domain, Task

pytestmark = pytest.mark.django_db


def test_a_task_title_with_control_characters_is_refused_in_korean_and_kept(
    client_as, lead, team, domain
):
    title = "a\x01\x02\x07\x1b[31m보고"
    response = client_as(lead).post(
        reverse("workshops:task_create", args=[team.pk]),
        {**task_data(domain, title=title), "domain": domain.pk},
    )
    assert response.status_code == 200
    assert "제어 문자" in response.content.decode()
    assert response.context["form"].data["title"] == title  # what was typed comes back
    assert not Task.objects.exists()


def test_a_workshop_export_survives_control_characters_already_stored(
    client_as, instructor, team, lead, domain
):
    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    Task.objects.filter(pk=task.pk).update(title="a\x01\x02\x07\x1b[31m보고")  # older data
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[team.workshop_id, "xlsx"])
    )
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["업무"]["C2"].value == "a[31m보고"


def test_a_formula_in_a_csv_export_is_written_as_text(client_as, instructor, team, lead, domain):
    services.task_create(team=team, actor=lead, data=task_data(domain, title="=2+5"))
    response = client_as(instructor).get(
        reverse("workshops:workshop_export", args=[team.workshop_id, "csv"])
    )
    assert ",'=2+5," in response.content.decode("utf-8")


def test_the_import_template_writes_a_formula_like_domain_as_text(client_as, lead, team):
    first = team.workshop.domains.first()
    Domain.objects.filter(pk=first.pk).update(name="=2+5")
    client = client_as(lead)
    csv_text = client.get(
        reverse("workshops:task_import_template", args=[team.pk, "csv"])
    ).content.decode("utf-8")
    xlsx = client.get(reverse("workshops:task_import_template", args=[team.pk, "xlsx"])).content
    cell = load_workbook(io.BytesIO(xlsx))["업무"]["A2"]
    assert "\n'=2+5," in csv_text
    assert (cell.data_type, cell.value) == ("s", "=2+5")


def test_the_ledger_csv_writes_a_formula_like_team_name_as_text_and_keeps_past_names(
    admin_client, team, workshop
):
    team.name = '=HYPERLINK("http://evil.example","x")'
    team.save()
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    context = budget.CallContext(model=haiku, team_id=team.pk, workshop_id=workshop.pk)
    budget.record(context, Usage(input_tokens=10, output_tokens=10))
    team.name = "바뀐 팀 이름"
    team.save()
    text = admin_client.get(reverse("admin:ai_ledger_csv")).content.decode("utf-8")
    assert "'=HYPERLINK" in text
    assert "바뀐 팀 이름" not in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_in_csv(start):
    text = csv_bytes([[f"{start}1+1"]]).decode("utf-8").lstrip("\ufeff").lstrip('"')
    assert text.startswith(f"'{start}")


HOSTILE_TEXT = '=HYPERLINK("http://evil.example","x")\x01\x07\x1b'
FILES = [
    ("workshops:workshop_export", "csv", "instructor"),
    ("workshops:workshop_export", "xlsx", "instructor"),
    ("workshops:team_export", "csv", "lead"),
    ("workshops:team_export", "xlsx", "lead"),
    ("workshops:task_import_template", "csv", "lead"),
    ("workshops:task_import_template", "xlsx", "lead"),
    ("admin:ai_ledger_csv", None, "operator"),
    ("admin:ai_spend_workshops_csv", None, "operator"),
]


def cells(content: bytes, fmt: str) -> list:
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(content))
        return [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    import csv

    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return [value for row in rows for value in row]


@pytest.mark.parametrize(("name", "fmt", "who"), FILES)
def test_every_file_the_product_writes_neutralises_formulas_and_drops_control_characters(
    name, fmt, who, request, client_as, instructor, lead, team, domain
):
    """The hostile-input catalogue for files: a formula with control characters in every text
    a person sets (team, domain, task title and description, workshop title), stored as older
    data would be (past the forms), then every file the product writes."""
    task = services.task_create(team=team, actor=lead, data=task_data(domain))
    Task.objects.filter(pk=task.pk).update(title=HOSTILE_TEXT, description=HOSTILE_TEXT)
    Domain.objects.filter(pk=domain.pk).update(name=HOSTILE_TEXT)
    type(team).objects.filter(pk=team.pk).update(name=HOSTILE_TEXT)
    type(team.workshop).objects.filter(pk=team.workshop_id).update(title=HOSTILE_TEXT)
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    budget.record(
        budget.CallContext(model=haiku, team_id=team.pk, workshop_id=team.workshop_id),
        Usage(input_tokens=1, output_tokens=1),
    )
    if who == "operator":  # admin_client signs the shared test client in: only here
        client = request.getfixturevalue("admin_client")
    else:
        client = client_as(instructor if who == "instructor" else lead)
    owner = team.workshop_id if name.endswith(":workshop_export") else team.pk
    args = [] if who == "operator" else [owner, fmt]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    found = cells(response.content, fmt or "csv")
    if fmt == "xlsx":
        hostile = [c for c in found if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert hostile and all(c.data_type == "s" for c in hostile)
        texts = [c.value for c in hostile]
    else:
        texts = [v for v in found if "HYPERLINK" in v]
        assert texts and all(v.startswith("'=") for v in texts)
    assert not any(ch in text for text in texts for ch in "\x01\x07\x1b")
