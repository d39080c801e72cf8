"""Hostile input on importing a task list: text, numbers, frequencies and domains in the cells,
and files that cannot be read (CSV or XLSX, broken on purpose). The catalogue and its checks are
in tests/hostile.py; the properties are described in tests/test_hostile_input.py.
"""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.hostile import (
    HOSTILE_NUMBERS,
    TASK_TEXT_LIMITS,
    any_text,
    as_django_reads,
    assert_korean_error,
    assert_shown,
    body_of,
    count,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    hostile_text_examples,
    kept_text,
    number_input,
    outcome,
    rolled_back,
    text_input,
)
from workshops import imports

# --- Importing a task list ----------------------------------------------------------------------


def csv_upload(rows, name="tasks.csv"):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows([imports.COLUMNS, *rows])
    return upload(buffer.getvalue().encode("utf-8", "surrogatepass"), name)


def upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def post_file(client, url: str, content: bytes, filename: str):
    """A multipart upload written out by hand, so the file name can be anything a client sends
    (empty, a path, quotes, non-ASCII)."""
    boundary = "hostile-input-boundary"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode("utf-8", "surrogatepass")
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def import_url(team):
    return reverse("workshops:task_import", args=[team.pk])


@examples(15)
@given(field=st.sampled_from(["title", "description"]), value=text_input)
@hostile_text_examples(field=["title"])  # the description gets the catalogue on the forms
def test_imported_text_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, team, domain, field, value
):
    client = client_as(lead)
    cells = {"title": "가져온 업무", "description": "가져온 설명", field: value}
    row = [domain.name, cells["title"], cells["description"], "매주", "1", "60"]
    expected = kept_text(value, max_length=TASK_TEXT_LIMITS[field], required=field == "title")
    if value != as_django_reads(value):
        expected = None  # not UTF-8: the file as a whole cannot be read
    with rolled_back():
        count("workshops:task_import", value)
        response = client.post(import_url(team), {"file": csv_upload([row])})
        assert response.status_code == 200
        if not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert not team.tasks.exists()
            return
        count("workshops:task_import_confirm", value)
        confirmed = client.post(reverse("workshops:task_import_confirm", args=[team.pk]))
        assert confirmed.status_code == 302
        assert getattr(team.tasks.get(), field) == expected
        page = body_of(client.get(team.get_absolute_url()))
        assert_shown(page, expected, multiline=field == "description")


def number_cell_examples(test):
    for number in HOSTILE_NUMBERS:
        test = example(frequency="매주", minutes=number, domain_name="영업")(test)
    for frequency in ["hourly", "", "매시간", "<script>alert(1)</script>", "매주\x00"]:
        test = example(frequency=frequency, minutes="60", domain_name="영업")(test)
    for name in ["없는 영역", "", "영업\x00", "'; DROP TABLE workshops_domain; --"]:
        test = example(frequency="매주", minutes="60", domain_name=name)(test)
    return test


@examples(15)
@given(
    frequency=st.one_of(st.sampled_from(["매일", "매주", "매월", "비정기", "weekly"]), any_text),
    minutes=number_input,
    domain_name=st.one_of(st.sampled_from(["영업", "인사"]), any_text),
)
@number_cell_examples
def test_imported_numbers_frequencies_and_domains_are_checked_row_by_row(
    client_as, lead, team, frequency, minutes, domain_name
):
    client = client_as(lead)
    row = [domain_name, "가져온 업무", "설명", frequency, "1", minutes]
    with rolled_back():
        count("workshops:task_import", frequency, minutes, domain_name)
        response = client.post(import_url(team), {"file": csv_upload([row])})
        assert response.status_code == 200
        assert not team.tasks.exists()  # nothing is saved before the confirmation
        if "저장</button>" not in body_of(response):
            assert_korean_error(response, typed=[frequency, minutes, domain_name])


def malformed_xlsx() -> dict[str, bytes]:
    good = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(imports.COLUMNS)
    workbook.save(good)
    parts = zipfile.ZipFile(io.BytesIO(good.getvalue()))

    def rebuilt(replace: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name in parts.namelist():
                archive.writestr(name, replace.get(name, parts.read(name)))
        return out.getvalue()

    return {
        "truncated": good.getvalue()[:400],
        "not_a_zip": b"PK\x03\x04" + b"\x00" * 64,
        "empty_zip": b"PK\x05\x06" + b"\x00" * 18,
        "sheet_not_xml": rebuilt({"xl/worksheets/sheet1.xml": b"<<<not xml"}),
        "workbook_without_sheets": rebuilt({"xl/workbook.xml": b"<x/>"}),
        "styles_not_xml": rebuilt({"xl/styles.xml": b"<<<"}),
    }


# Malformed spreadsheets that once crashed the import inside openpyxl (XML and missing parts).
BROKEN_XLSX = {"sheet_not_xml", "workbook_without_sheets", "styles_not_xml"}


def file_examples(test):
    cases = [
        (b"", "tasks.csv"),
        (b"\xff\xfe\x00\x00garbage", "tasks.csv"),
        ("업무 영역,업무명\n영업,제목\n".encode("cp949"), "tasks.csv"),
        (b"\x00" * 100, "tasks.csv"),
        (b"a," * 5000, "tasks.csv"),
        (b'"' + b"x" * 200_000 + b'"', "tasks.csv"),  # one field past csv's own limit
        (b"x" * (600 * 1024), "tasks.csv"),  # past IMPORT_MAX_BYTES
        ("\n".join(["영업,제목,설명,매주,1,60"] * 10).encode(), "tasks.csv"),  # no header
        (b"<script>alert(1)</script>", "tasks.html"),
        (b"%PDF-1.4", "tasks.pdf"),
        (b"plain", ""),  # a browser's "no file chosen"
        (b"plain", "tasks.csv\x00.xlsx"),
        (b"plain", '"; name="other'),
        ("업무 영역\n".encode(), "업무 목록 👩\u200d👩\u200d👧.csv"),
        (b"plain", "x" * 500 + ".csv"),
    ]
    cases += [(content, "tasks.xlsx") for content in malformed_xlsx().values()]
    for content, name in cases:
        test = example(content=content, name=name)(test)
    return test


@examples(20)
@given(
    content=st.binary(max_size=2000),
    name=st.one_of(
        st.sampled_from(["tasks.csv", "tasks.xlsx", "tasks.CSV", "tasks", "../../etc/passwd.csv"]),
        st.text(st.characters(exclude_characters='"\r\n'), max_size=30),
    ),
)
@file_examples
def test_unreadable_files_are_refused_in_korean_and_save_nothing(
    client_as, lead, team, content, name
):
    client = client_as(lead)
    with rolled_back():
        count("workshops:task_import", content.decode("latin-1"))
        response = post_file(client, import_url(team), content, name)
        assert response.status_code == 200
        assert not team.tasks.exists()
        if "저장</button>" not in body_of(response):
            assert_korean_error(response)


def test_an_import_of_more_rows_than_allowed_is_refused_in_korean(client_as, lead, team, domain):
    rows = [[domain.name, f"업무 {i}", "", "매주", "1", "60"] for i in range(imports.MAX_ROWS + 1)]
    count("workshops:task_import")
    response = client_as(lead).post(import_url(team), {"file": csv_upload(rows)})
    assert_korean_error(response)
    assert not team.tasks.exists()


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


@pytest.mark.parametrize("kind", sorted(BROKEN_XLSX))
def test_a_malformed_spreadsheet_is_refused_in_korean(client_as, lead, team, kind):
    client = client_as(lead)
    client.raise_request_exception = False
    response = client.post(import_url(team), {"file": upload(malformed_xlsx()[kind], "tasks.xlsx")})
    assert response.status_code == 200
    assert_korean_error(response)
