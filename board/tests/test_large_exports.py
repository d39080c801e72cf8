"""A large workshop's export is built on the worker: the "준비 중" page, then the file; and
exports are limited per person."""

import io
import os
import threading
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from ai.providers.rules import RuleProvider
from ai.requests import analysis_request
from ai.runner import run_execute
from board import export_files, exports
from board.models import WorkshopExport
from conftest import task_data
from workshops import services


@pytest.fixture
def large(settings, workshop, team, lead, domain):
    """A workshop past the inline limit (set to one task here), its tasks analysed."""
    settings.EXPORT_INLINE_MAX_TASKS = 1
    for title in ("실적 집계", "=SUM(A1:A9)"):
        services.task_create(team=team, actor=lead, data=task_data(domain, title=title))
    run, _created = analysis_request(team=team, actor=lead)
    run_execute(run.pk, provider=RuleProvider())
    return workshop


def _ask(client, workshop, fmt="xlsx"):
    return client.get(reverse("workshops:workshop_export", args=[workshop.pk, fmt]))


def _build_queued() -> None:
    """What the worker does with the queued builds."""
    for job in DBTaskResult.objects.filter(task_path__endswith="build_workshop_export"):
        export_files.export_build(*job.args_kwargs["args"])


def _sheets(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_a_large_workshops_export_sends_the_instructor_to_a_page_that_waits(
    client_as, instructor, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client_as(instructor), large)
    export = WorkshopExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "workshops:workshop_export_status", args=[large.pk, export.pk]
    )
    page = client_as(instructor).get(response["Location"])
    assert "엑셀 파일을 준비하고 있습니다" in page.content.decode()


def test_the_worker_builds_the_file_the_page_then_links(
    client_as, instructor, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        status_url = _ask(client_as(instructor), large)["Location"]
    _build_queued()
    page = client_as(instructor).get(status_url, headers={"HX-Request": "true"})
    export = WorkshopExport.objects.get()
    download = reverse("workshops:workshop_export_download", args=[large.pk, export.pk])
    assert f'href="{download}"' in page.content.decode()
    response = client_as(instructor).get(download)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert _sheets(response.content) == _sheets(exports.workshop_xlsx(large))


def test_a_large_workshops_csv_is_built_on_the_worker_too(
    client_as, instructor, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client_as(instructor), large, "csv")
    _build_queued()
    export = WorkshopExport.objects.get()
    download = reverse("workshops:workshop_export_download", args=[large.pk, export.pk])
    assert client_as(instructor).get(download).content == exports.workshop_csv(large)


def test_a_second_click_waits_for_the_same_file(client_as, instructor, large):
    first = _ask(client_as(instructor), large)["Location"]
    assert _ask(client_as(instructor), large)["Location"] == first


def test_the_download_before_the_file_is_built_goes_back_to_the_page(client_as, instructor, large):
    status_url = _ask(client_as(instructor), large)["Location"]
    export = WorkshopExport.objects.get()
    download = reverse("workshops:workshop_export_download", args=[large.pk, export.pk])
    assert client_as(instructor).get(download)["Location"] == status_url


def test_another_workshops_instructor_cannot_reach_the_file_through_their_own_workshop(
    client_as, instructor, other_instructor, large
):
    _ask(client_as(instructor), large)
    export = WorkshopExport.objects.get()
    theirs = other_instructor.participations.get().workshop
    url = reverse("workshops:workshop_export_download", args=[theirs.pk, export.pk])
    assert client_as(other_instructor).get(url).status_code == 404


def test_a_file_the_worker_did_not_build_in_time_is_offered_again(
    client_as, instructor, large, settings
):
    status_url = _ask(client_as(instructor), large)["Location"]
    late = timezone.now() - timedelta(seconds=settings.EXPORT_BUILD_TIMEOUT + 1)
    WorkshopExport.objects.update(created_at=late)
    page = client_as(instructor).get(status_url).content.decode()
    assert "다시 만들기" in page


def test_a_build_that_fails_says_so_and_offers_another(
    client_as, instructor, large, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(workshop, progress=None):
        raise RuntimeError("disk full")

    monkeypatch.setitem(export_files.BUILDERS, "xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        status_url = _ask(client_as(instructor), large)["Location"]
    _build_queued()
    assert "파일을 만들지 못했습니다" in client_as(instructor).get(status_url).content.decode()


def test_the_file_is_deleted_when_its_time_is_up(
    instructor, large, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = export_files.export_request(workshop=large, user=instructor, fmt="xlsx")
    job = DBTaskResult.objects.get(task_path__endswith="delete_workshop_export")
    expected = export.created_at + timedelta(minutes=settings.EXPORT_KEEP_MINUTES)
    assert abs(job.run_after - expected) < timedelta(seconds=5)
    export_files.export_delete(*job.args_kwargs["args"])
    assert not WorkshopExport.objects.exists()


def test_a_new_request_sweeps_files_past_their_time(instructor, large, settings):
    old = export_files.export_request(workshop=large, user=instructor, fmt="xlsx")
    past = timezone.now() - timedelta(minutes=settings.EXPORT_KEEP_MINUTES + 1)
    WorkshopExport.objects.filter(pk=old.pk).update(created_at=past)
    export_files.export_request(workshop=large, user=instructor, fmt="csv")
    assert not WorkshopExport.objects.filter(pk=old.pk).exists()


def test_a_small_workshops_export_downloads_at_once(client_as, instructor, large, settings):
    settings.EXPORT_INLINE_MAX_TASKS = 500
    response = _ask(client_as(instructor), large)
    assert response.content.startswith(b"PK")


def test_exports_past_the_limit_get_a_korean_page_saying_when_to_try_again(
    client_as, instructor, large, settings
):
    settings.EXPORT_RATE_LIMIT = "2/m"
    client = client_as(instructor)
    for fmt in ("xlsx", "csv"):
        _ask(client, large, fmt)
    refused = client.get(reverse("workshops:workshop_plans", args=[large.pk]))
    assert refused.status_code == 429
    assert "내려받기 요청이 너무 많습니다" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_a_teams_export_counts_against_the_same_limit(client_as, lead, team, settings):
    settings.EXPORT_RATE_LIMIT = "1/m"
    client = client_as(lead)
    assert client.get(reverse("workshops:team_export", args=[team.pk, "csv"])).status_code == 200
    refused = client.get(reverse("workshops:team_export", args=[team.pk, "xlsx"]))
    assert refused.status_code == 429


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_at_a_lower_cpu_priority_than_its_other_jobs(instructor, large):
    export = export_files.export_request(workshop=large, user=instructor, fmt="csv")
    seen = {}

    def build(workshop, progress=None):
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return exports.workshop_csv(workshop)

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    original = export_files.BUILDERS["csv"]
    export_files.BUILDERS["csv"] = build
    try:
        export_files.export_build(export.pk)
    finally:
        export_files.BUILDERS["csv"] = original
    assert seen["nice"] == min(before + export_files.BUILD_NICENESS, 19)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
    assert WorkshopExport.objects.get().content == exports.workshop_csv(large)
