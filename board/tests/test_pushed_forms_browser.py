"""Forms that arrived over the WebSocket, submitted in Debian's Chromium (issue 15, live-pushed
forms): every `<form method="post">` in every region a page received goes through (no 403 for
a missing CSRF token), and no push misses its target (`htmx:oobErrorNoTarget`) in a session
with live updates on every page that has a socket.

The regions are not listed here: they are whatever the server pushed, read from the socket's
frames (the top-level elements of each frame, which htmx swaps by id)."""

import time

import pytest
from django.urls import reverse

from ai import requests as ai_requests
from ai import runner
from conftest import task_data
from support.servers import ServerProcess
from workshops import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSRF_FAILED = "보안 확인 정보가 만료되었습니다"

# Counts the page's WebSocket messages, so a test can wait for the snapshot to be swapped in.
COUNT_MESSAGES = """
window.__wsMessages = 0;
document.addEventListener("htmx:wsAfterMessage", function () { window.__wsMessages += 1; });
"""

# The ids of the top-level elements of every frame received, and in them every posted form.
PUSHED_FORMS = """
(frames) => {
  const ids = new Set();
  for (const frame of frames) {
    const doc = new DOMParser().parseFromString("<body>" + frame + "</body>", "text/html");
    for (const el of doc.body.children) if (el.id) ids.add(el.id);
  }
  const forms = [];
  for (const id of ids) {
    const region = document.getElementById(id);
    if (!region) continue;
    region.querySelectorAll('form[method="post" i]').forEach((form, k) => {
      forms.push({region: id, nth: k,
                  action: form.getAttribute("hx-post") || form.getAttribute("action")});
    });
  }
  return {ids: [...ids], forms: forms};
}
"""


def wait_for_messages(page, more_than: int, timeout: float = 10.0) -> None:
    """Until the page has swapped in more than `more_than` socket messages. (Polled from here:
    the site's Content Security Policy refuses the string predicates of wait_for_function.)"""
    deadline = time.monotonic() + timeout
    while page.evaluate("window.__wsMessages") <= more_than:
        assert time.monotonic() < deadline, f"{page.url}: no push after {more_than} messages"
        page.wait_for_timeout(50)


def open_live_page(context, url, frames, errors):
    page = context.new_page()
    page.add_init_script(COUNT_MESSAGES)
    page.on("console", lambda m: errors.append(f"{url}: {m.text}") if m.type == "error" else None)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url)
    wait_for_messages(page, 0)  # the snapshot: every region pushed
    return page


@pytest.fixture
def analysed(team, lead, domain):
    """A rated task (rule-based: the server has no AI key), so the card has its forms."""
    services.task_create(
        team=team,
        actor=lead,
        data=task_data(
            domain, title="실적 집계", description="엑셀로 실적을 집계해 보고서를 만든다"
        ),
    )
    run, _ = ai_requests.analysis_request(team=team, actor=lead)
    runner.run_execute(run.pk)
    return team


def test_every_pushed_form_goes_through_and_no_push_misses_its_target(
    server_dirs, signed_in_context, instructor, lead, workshop, analysed
):
    team = analysed
    mail, logs = server_dirs
    server = ServerProcess(mail_dir=mail, log_dir=logs).start()
    summary = reverse("workshops:workshop_summary", args=[workshop.pk])
    pages = {
        "board": (instructor, workshop.get_absolute_url()),
        "summary": (instructor, summary),
        "projector": (instructor, f"{summary}?view=projector"),
        "instructor on the team": (instructor, team.get_absolute_url()),
        "lead": (lead, team.get_absolute_url()),
    }
    errors: list[str] = []
    try:
        opened = {}
        for name, (user, path) in pages.items():
            frames: list[str] = []
            context = signed_in_context(server, user, viewport={"width": 390, "height": 844})
            page = open_live_page(context, f"{server.url}{path}", frames, errors)
            opened[name] = (page, frames)

        # A live session: the lead adds a task; every page hears of it.
        lead_page = opened["lead"][0]
        before = {name: page.evaluate("window.__wsMessages") for name, (page, _) in opened.items()}
        lead_page.locator("#task-add summary").click()  # closed: the team has a task already
        form = lead_page.locator("#task-add-form")
        form.locator("input[name=title]").fill("실시간으로 추가한 업무")
        form.locator("input[name=occurrences_per_period]").fill("2")
        form.locator("input[name=minutes_per_occurrence]").fill("30")
        form.locator("button[type=submit]").click()
        for name, (page, _) in opened.items():
            wait_for_messages(page, before[name])

        submitted = []
        for name, (page, frames) in opened.items():
            found = page.evaluate(PUSHED_FORMS, frames)
            assert found["ids"], name
            for index in range(len(found["forms"])):
                if index:  # a fresh load: its snapshot is a push again
                    page.evaluate("window.__wsMessages = 0")
                    page.reload()
                    wait_for_messages(page, 0)
                    found = page.evaluate(PUSHED_FORMS, frames)
                    if index >= len(found["forms"]):
                        break  # a form that went through changed what the page shows
                where = found["forms"][index]
                # By region and position: a later push may replace the region's elements.
                target = page.locator(f'#{where["region"]} form[method="post" i]').nth(where["nth"])
                # A factor chip's form sits in a <details>: open it, as a tap on the chip does.
                target.evaluate("(f) => { const d = f.closest('details'); if (d) d.open = true; }")
                button = target.locator("button[type=submit], button:not([type])").first
                with page.expect_response(
                    lambda r: r.request.method == "POST" and "/ws/" not in r.url
                ) as answer:
                    if button.count() and button.is_enabled():
                        button.click()
                    else:  # e.g. "분석 중…": the form is still sent as its script would
                        target.evaluate("(form) => form.requestSubmit()")
                response = answer.value
                body = response.text() if response.status != 302 else ""
                assert response.status != 403 and CSRF_FAILED not in body, (
                    f"{name}: {where['action']} answered {response.status}"
                )
                assert response.status < 500, f"{name}: {where['action']}"
                submitted.append((name, where["action"]))
        # The board's economy button, the lead's analysis panel and the card's forms at least.
        assert any("/economy/" in action for _, action in submitted), submitted
        assert any(name == "lead" and "/analysis/" in action for name, action in submitted)

        # The instructor closes the workshop: that goes to every page too.
        board = opened["board"][0]
        others = {n: p for n, (p, _) in opened.items() if n != "board"}
        before = {name: page.evaluate("window.__wsMessages") for name, page in others.items()}
        with board.expect_navigation():
            board.get_by_role("button", name="워크샵 종료").click()
        for name, page in others.items():
            wait_for_messages(page, before[name])
            page.locator(".closed-banner").wait_for(timeout=5000)
        assert not [e for e in errors if "oobErrorNoTarget" in e], errors
        assert not [e for e in errors if "htmx:" in e], errors
    finally:
        server.stop()
