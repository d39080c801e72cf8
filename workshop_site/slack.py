"""Messages to the operators' Slack channel (an incoming webhook, SLACK_WEBHOOK_URL).

Infrastructure with no feature of its own: budget alerts (ai) and live-connection alerts
(workshops) both send through it. A failing webhook never breaks the caller: it is logged.
"""

import json
import logging
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)


def send_slack(text: str) -> bool:
    """Post `text`; whether Slack took it (False when no webhook is set)."""
    url = settings.SLACK_WEBHOOK_URL
    if not url:
        return False
    request = urllib.request.Request(  # noqa: S310 - the operator configures the URL
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        # The operator configures the URL; settings allow only http(s) schemes.
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # nosec B310
            return 200 <= response.status < 300
    except Exception:
        logger.exception("Slack webhook failed")
        return False
