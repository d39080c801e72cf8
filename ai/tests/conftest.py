import pytest

from ai.testing.fake_anthropic import FakeAnthropic
from conftest import task_data
from workshops import services


@pytest.fixture(scope="session")
def fake_anthropic_server():
    server = FakeAnthropic().start()
    yield server
    server.stop()


@pytest.fixture
def fake_anthropic(fake_anthropic_server, settings):
    """The real SDK, pointed at our fake API on loopback."""
    fake_anthropic_server.reset()
    settings.ANTHROPIC_API_KEY = "test-key"
    settings.ANTHROPIC_BASE_URL = fake_anthropic_server.url
    settings.AI_MAX_RETRIES = 2
    settings.AI_TIMEOUT_SECONDS = 5
    return fake_anthropic_server


DESCRIPTIONS = [
    "CRM에서 실적을 엑셀로 내려받아 담당자별로 피벗 정리한다",
    "공용 메일함 문의를 읽고 담당자에게 전달하거나 양식으로 답한다",
    "가격표에서 단가를 찾아 견적서 양식에 옮겨 적고 PDF로 보낸다",
    "ERP 미수금 목록을 내려받아 거래처별로 확인하고 메일로 알린다",
    "전시회 명함 정보를 CRM에 한 건씩 입력한다",
]


def make_tasks(team, actor, domain, count, prefix="업무"):
    return [
        services.task_create(
            team=team,
            actor=actor,
            data=task_data(
                domain,
                title=f"{prefix} {i:02d}",
                description=DESCRIPTIONS[i % len(DESCRIPTIONS)] + f" ({i}번)",
            ),
        )
        for i in range(count)
    ]


class SlackListener:
    """A local HTTP listener standing in for a Slack incoming webhook."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        listener = self
        self.messages: list[dict] = []
        self.status = 200

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                import json

                length = int(self.headers.get("content-length") or 0)
                listener.messages.append(json.loads(self.rfile.read(length)))
                self.send_response(listener.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/test"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack(settings):
    listener = SlackListener()
    settings.SLACK_WEBHOOK_URL = listener.url
    settings.ADMINS = [("운영자", "ops@example.com")]
    yield listener
    listener.stop()
