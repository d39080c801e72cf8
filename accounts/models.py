from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

INSTRUCTOR_GROUP = "강사"
# The group's name before it was Korean; migrate renames it (accounts.apps).
LEGACY_INSTRUCTOR_GROUP = "instructor"
# Membership of the instructor group is what this permission grants; superusers have it too.
CREATE_WORKSHOP_PERMISSION = "workshops.add_workshop"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# A quick-join participant has no confirmed e-mail yet: the address stored is a unique one under
# the reserved `.invalid` domain (RFC 2606), which no mail can reach and nobody can sign in with.
GUEST_EMAIL_DOMAIN = "guest.invalid"


class User(AbstractBaseUser, PermissionsMixin):
    """A person, identified by e-mail. Participants have no password; operators do. A quick-join
    participant is bound to the browser that joined (its session) until an e-mail is confirmed."""

    email = models.EmailField("이메일", unique=True)
    name = models.CharField("표시 이름", max_length=50, blank=True)
    # A work e-mail typed at a quick join, not confirmed: the first link mailed to it confirms it.
    pending_email = models.EmailField("확인 전 이메일", blank=True)
    # Rotated whenever a re-entry link is used or a new one is made: each link works once.
    reentry_nonce = models.CharField(max_length=32, blank=True, editable=False)
    is_staff = models.BooleanField(
        "운영자", default=False, help_text="관리자 화면(admin)에 들어올 수 있습니다."
    )
    is_active = models.BooleanField("활성", default=True)
    date_joined = models.DateTimeField("가입일", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "사용자"
        verbose_name_plural = "사용자"
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def display_name(self) -> str:
        return self.name or ("참가자" if self.is_guest else self.email.split("@")[0])

    @property
    def is_guest(self) -> bool:
        """Joined quickly, with no confirmed e-mail: signs in only through its browser or a
        re-entry link."""
        return self.email.endswith("@" + GUEST_EMAIL_DOMAIN)

    @property
    def can_create_workshops(self) -> bool:
        return self.is_active and self.has_perm(CREATE_WORKSHOP_PERMISSION)


class AuditEntry(models.Model):
    """Who did what, when: sign-ins, joins, task changes, AI runs, overrides, exports,
    budget changes. Written by the services and views that do those things; read in the admin."""

    at = models.DateTimeField("시각", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="누가",
    )
    action = models.CharField("무엇을", max_length=40, db_index=True)
    target_type = models.CharField("대상", max_length=40, blank=True)
    target_id = models.CharField("대상 ID", max_length=40, blank=True)
    workshop = models.ForeignKey(
        "workshops.Workshop",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="워크샵",
    )
    summary = models.CharField("내용", max_length=300, blank=True)
    detail = models.JSONField("자세히", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("요청 ID", max_length=64, blank=True)

    class Meta:
        verbose_name = "감사 기록"
        verbose_name_plural = "감사 기록"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class PrivacyConsent(models.Model):
    """A person's agreement to one version of the personal-data notice (accounts.privacy).

    Asked once per version, when joining a workshop; a new version of the notice asks again."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="privacy_consents",
        verbose_name="사용자",
    )
    version = models.CharField("고지 버전", max_length=20)
    agreed_at = models.DateTimeField("동의 시각", default=timezone.now)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("요청 ID", max_length=64, blank=True)

    class Meta:
        verbose_name = "개인정보 동의"
        verbose_name_plural = "개인정보 동의"
        ordering = ["-agreed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_consent_per_version")
        ]

    def __str__(self):
        return f"{self.user} · {self.version}"
