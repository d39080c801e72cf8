"""The projector view and the printed team report, as Chromium renders them (kept as artifacts)."""

from pathlib import Path

import pytest

from ai import requests as ai_requests
from ai import runner
from conftest import task_data
from workshops import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_projector_view_and_printed_report(
    asgi_server,
    signed_in_context,
    settings,
    instructor,
    team,
    lead,
    other_team,
    other_lead,
    workshop,
):
    settings.ANTHROPIC_API_KEY = ""
    domains = list(workshop.domains.all())
    samples = [
        ("주간 실적 보고서", "CRM에서 실적을 내려받아 엑셀로 집계한다"),
        ("고객 문의 답장", "공용 메일함 문의에 안내 메일 초안을 쓴다"),
        ("면접 일정 조율", "면접관과 지원자에게 가능한 시간을 묻고 예약한다"),
        ("법인카드 대사", "카드 내역과 경비 신청을 엑셀에서 맞춰 본다"),
    ]
    for team_, actor in ((team, lead), (other_team, other_lead)):
        for index, (title, description) in enumerate(samples):
            services.task_create(
                team=team_,
                actor=actor,
                data=task_data(domains[index % len(domains)], title=title, description=description),
            )
        run, _ = ai_requests.analysis_request(team=team_, actor=actor)
        runner.run_execute(run.pk)
    ARTIFACTS.mkdir(exist_ok=True)

    projector = signed_in_context(
        asgi_server, instructor, viewport={"width": 1600, "height": 900}
    ).new_page()
    projector.goto(f"{asgi_server.url}/workshops/{workshop.pk}/summary/?view=projector")
    projector.locator(".summary svg").first.wait_for()
    assert projector.locator(".summary rect").count() > 0
    projector.screenshot(path=str(ARTIFACTS / "projector_view.png"), full_page=True)

    report = signed_in_context(asgi_server, lead).new_page()
    report.goto(f"{asgi_server.url}/teams/{team.pk}/report/")
    assert report.locator(".report-table tbody tr").count() == len(samples)
    report.emulate_media(media="print")
    pdf = report.pdf(path=str(ARTIFACTS / "team_report.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert report.locator(".topbar").is_hidden()  # the print stylesheet drops the chrome
