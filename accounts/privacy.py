"""The personal-data notice (개인정보 수집·이용 및 국외 이전) and the consent to it.

The notice's wording lives in templates/accounts/_privacy_notice.html and the privacy page;
its facts (who, how long, where) come from settings through `notice()`. A change to what the
notice says about collection, purposes or transfers is a new NOTICE_VERSION: everyone is then
asked again the next time they join a workshop.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from accounts import audit
from accounts.models import PrivacyConsent, User
from workshop_site.client_ip import client_ip
from workshop_site.observability import current_request_id

NOTICE_VERSION = "2026-12-07"


@dataclass(frozen=True)
class Notice:
    """What the notice and the privacy page state, from settings."""

    version: str
    operator_name: str
    contact_email: str
    retention_days: int
    audit_retention_days: int
    backup_retention_days: int
    hosting_region: str
    ai_transfer: bool  # task descriptions go to Anthropic only when AI analysis is on

    @property
    def effective_date(self) -> date:
        """시행일: the notice version is the date it took effect."""
        return date.fromisoformat(self.version)


def notice() -> Notice:
    return Notice(
        version=NOTICE_VERSION,
        operator_name=settings.PRIVACY_OPERATOR_NAME,
        contact_email=settings.PRIVACY_CONTACT_EMAIL,
        retention_days=settings.PRIVACY_RETENTION_DAYS,
        audit_retention_days=settings.AUDIT_RETENTION_DAYS,
        backup_retention_days=settings.BACKUP_RETENTION_DAYS,
        hosting_region=settings.HOSTING_REGION_LABEL,
        ai_transfer=bool(settings.ANTHROPIC_API_KEY),
    )


def needs_consent(user) -> bool:
    """Whether `user` has yet to agree to the current version of the notice."""
    if not user.is_authenticated:
        return True
    return not PrivacyConsent.objects.filter(user=user, version=NOTICE_VERSION).exists()


@dataclass(frozen=True)
class ConsentGiven:
    """A ticked consent box, as the request carried it: recorded with the join it came with."""

    ip: str | None
    request_id: str
    version: str

    @classmethod
    def from_request(cls, request) -> "ConsentGiven":
        return cls(
            ip=client_ip(request) or None,
            request_id=current_request_id(default=""),
            version=NOTICE_VERSION,
        )


def consent_record(*, user: User, consent: ConsentGiven, workshop=None) -> PrivacyConsent:
    """Store `user`'s consent (once per version) and write it to the audit log.

    Called inside the joining service's transaction: no join without its consent, and no
    consent recorded for a join that failed."""
    # get_or_create: the same person's other tab may have agreed a moment ago.
    record, created = PrivacyConsent.objects.get_or_create(
        user=user,
        version=consent.version,
        defaults={
            "agreed_at": timezone.now(),
            "ip": consent.ip,
            "request_id": consent.request_id[:64],
        },
    )
    if not created:
        return record
    audit.record(
        "privacy.consent",
        actor=user,
        target=record,
        workshop=workshop,
        summary=f"version {consent.version}",
        detail={"version": consent.version},
    )
    return record
