"""The audit log: one call per action, from the service or view that performed it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEntry
from workshop_site.client_ip import client_ip
from workshop_site.observability import current_request_id

logger = logging.getLogger(__name__)


def record(
    action: str,
    *,
    actor=None,
    target=None,
    workshop=None,
    summary: str = "",
    detail: dict | None = None,
    request=None,
) -> None:
    """Write who did `action` to what. A failure to log never breaks the action itself."""
    request_id = current_request_id(default="")
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's work intact
            AuditEntry.objects.create(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=action,
                target_type=type(target).__name__ if target is not None else "",
                target_id=str(getattr(target, "pk", "") or ""),
                workshop=workshop,
                summary=summary[:300],
                detail=detail or {},
                ip=(client_ip(request) or None) if request is not None else None,
                request_id=request_id,
            )
    except Exception:
        logger.exception("audit: could not record %s", action)


def purge_expired(*, now=None) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS (at least a year: the minimum for access
    records); the number deleted. Run by the worker's daily chore."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _by_model = AuditEntry.objects.filter(at__lt=cutoff).delete()
    if deleted:
        logger.info("audit: deleted %d entries older than %s", deleted, cutoff.date())
    return deleted
