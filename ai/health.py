"""The worker's part of /health/ready/ (registered in ai.apps into workshop_site.health)."""

from django.conf import settings
from django.utils import timezone

from ai.models import WorkerHeartbeat


def heartbeat_check() -> str:
    """The newest worker heartbeat is recent; else an error naming its age."""
    newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if newest is None:
        raise RuntimeError("no worker has ever reported")
    age = (timezone.now() - newest).total_seconds()
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        raise RuntimeError(f"the newest worker heartbeat is {age:.0f} s old")
    return f"{age:.0f} s ago"
