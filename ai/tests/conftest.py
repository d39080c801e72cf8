import pytest

from conftest import task_data
from support.fake_anthropic import FakeAnthropic
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
