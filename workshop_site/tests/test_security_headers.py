"""Every page carries a CSP with a fresh nonce, and no script runs without it."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def scripts_of(html: str) -> list[dict]:
    parser = Scripts()
    parser.feed(html)
    return parser.scripts


def pages(workshop, team, task):
    return {
        None: ["/", "/join/", "/accounts/login/code/", "/help/", "/no-such-page/", "/admin/login/"],
        "lead": [
            "/",
            team.get_absolute_url(),
            reverse("workshops:team_report", args=[team.pk]),
            reverse("workshops:task_import", args=[team.pk]),
            reverse("workshops:task_edit", args=[task.pk]),
            reverse("ai:override", args=[task.pk]),
            reverse("profile"),
            workshop.get_absolute_url(),  # a redirect
            reverse("workshops:workshop_summary", args=[workshop.pk]),  # 403
        ],
        "instructor": [
            workshop.get_absolute_url(),
            reverse("workshops:workshop_summary", args=[workshop.pk]),
            reverse("workshops:workshop_summary", args=[workshop.pk]) + "?view=projector",
            reverse("workshops:workshop_edit", args=[workshop.pk]),
            reverse("workshops:workshop_create"),
        ],
    }


@pytest.mark.parametrize("who", [None, "lead", "instructor"])
def test_every_page_has_a_nonce_csp_and_no_inline_script_without_it(
    client_as, who, lead, instructor, workshop, team, task
):
    client = client_as({"lead": lead, "instructor": instructor}.get(who))
    checked = 0
    for url in pages(workshop, team, task)[who]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in policy, (url, policy)
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        assert "script-src 'self' 'nonce-" in policy
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            for script in scripts_of(response.content.decode()):
                executable = script.get("type", "text/javascript") in ("text/javascript", "module")
                if not executable:
                    continue  # e.g. JSON data blocks: never run
                if "src" in script:
                    assert script["src"].startswith("/static/"), (url, script)  # 'self' only
                else:
                    assert script.get("nonce") == nonce, (url, script)  # inline: nonce or nothing
            checked += 1
    assert checked >= 3


def test_each_response_gets_a_fresh_nonce(client, db):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second


def test_permissions_and_referrer_policies_are_sent(client, db):
    response = client.get("/")
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
