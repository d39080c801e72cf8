"""Two daphne processes sharing Redis: a change made through one reaches sockets on the other."""

import asyncio
import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
import websockets

from workshop_site.testing import ServerProcess, session_cookie_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def post_task(server: ServerProcess, cookie: str, team, domain, title: str) -> int:
    """Add a task the way a browser does: load the team page, then post the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Cookie", f"sessionid={cookie}")]
    page = opener.open(f"{server.url}/teams/{team.pk}/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    csrf_cookie = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "title": title,
            "domain": domain.pk,
            "description": "",
            "frequency": "weekly",
            "occurrences_per_period": 1,
            "minutes_per_occurrence": 30,
        }
    ).encode()
    request = urllib.request.Request(
        f"{server.url}/teams/{team.pk}/tasks/",
        data=body,
        headers={"Cookie": f"sessionid={cookie}; csrftoken={csrf_cookie}"},
    )
    return urllib.request.urlopen(request, timeout=10).status


async def wait_for(socket, text: str, seconds: float = 10) -> str:
    async with asyncio.timeout(seconds):
        while True:
            message = await socket.recv()
            if text in message:
                return message


def test_a_task_added_through_one_process_reaches_a_socket_on_another(
    server_dirs, lead, member, team, domain
):
    mail, logs = server_dirs
    first = ServerProcess(mail_dir=mail, log_dir=logs).start()
    second = ServerProcess(mail_dir=mail, log_dir=logs).start()
    try:
        lead_cookie = session_cookie_for(lead)
        member_cookie = session_cookie_for(member)

        async def scenario():
            async with websockets.connect(
                f"ws://127.0.0.1:{second.port}/ws/workshops/{team.workshop_id}/",
                additional_headers={
                    "Cookie": f"sessionid={member_cookie}",
                    "Origin": second.url,
                },
            ) as socket:
                await wait_for(socket, f'id="team-{team.pk}-tasks"')  # the snapshot
                status = await asyncio.to_thread(
                    post_task, first, lead_cookie, team, domain, "프로세스 건너 온 업무"
                )
                assert status == 200  # after the redirect to the team page
                pushed = await wait_for(socket, "프로세스 건너 온 업무")
                assert f'id="team-{team.pk}-tasks"' in pushed

        asyncio.run(scenario())
    finally:
        first.stop()
        second.stop()


def test_publishing_from_sync_code_reuses_one_connection_pool(redis_url):
    """async_to_sync per event would build a channels-redis pool per call; we must not."""
    import time

    import redis

    from workshops.live import publisher

    client = redis.Redis.from_url(redis_url)
    publisher.send("warm.up", "<p></p>")
    time.sleep(0.3)
    before = client.info("clients")["connected_clients"]
    for i in range(50):
        publisher.send(f"group.{i}", "<p>push</p>")
    time.sleep(0.5)
    after = client.info("clients")["connected_clients"]
    assert after - before <= 1
