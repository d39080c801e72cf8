import secrets
import unicodedata
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.savings import DEFAULT_HOURLY_COST, HOURLY_COST_MAX, HOURLY_COST_MIN

# No 0/O, 1/I/L: a code read aloud or copied from a projector must not be ambiguous.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6

TITLE_MAX_LENGTH = 200
# The follow-up mail after the course (issue 18): days after closing, within the retention
# period (PRIVACY_RETENTION_DAYS, 180 by default) so that the plans still exist.
FOLLOW_UP_DAYS_DEFAULT = 30
FOLLOW_UP_DAYS_MAX = 90
DESCRIPTION_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 50
NOTICE_MAX_LENGTH = 120  # one line on a phone
TIMER_MAX_MINUTES = 180  # a phase's countdown
TARGET_TASKS_MAX = 50  # 팀별 목표 업무 수
STALL_MINUTES_MAX = 120  # 멈춘 팀 기준(분)
MINUTES_MAX = 1440
OCCURRENCES_MAX = 100


def generate_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


# The Latin key under each jamo of the standard Korean 2-set (두벌식) keyboard: a code typed
# with the keyboard in 한글 mode ("UHTQSK" → "ㅕㅗㅅㅂ나") is read as the keys that were pressed.
# Compound jamo are the keys typed one after the other (ㅘ = ㅗ + ㅏ = H K).
_JAMO_KEYS = {
    **dict(zip("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ", "RRSEEFAQQTTDWWCZXVG", strict=True)),
    **dict(zip("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ", "KOIOJPUPHYNBML", strict=True)),
    "ㅘ": "HK", "ㅙ": "HO", "ㅚ": "HL", "ㅝ": "NJ", "ㅞ": "NP", "ㅟ": "NL", "ㅢ": "ML",
    "ㄳ": "RT", "ㄵ": "SW", "ㄶ": "SG", "ㄺ": "FR", "ㄻ": "FA", "ㄼ": "FQ", "ㄽ": "FT",
    "ㄾ": "FX", "ㄿ": "FV", "ㅀ": "FG", "ㅄ": "QT",
}  # fmt: skip
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]


def _keys_of(ch: str) -> str:
    """The Latin keys that typed `ch` in 한글 mode (a syllable is its jamo in order)."""
    if "가" <= ch <= "힣":
        index = ord(ch) - ord("가")
        initial, rest = divmod(index, 21 * 28)
        vowel, final = divmod(rest, 28)
        jamo = _INITIALS[initial] + _VOWELS[vowel] + _FINALS[final]
        return "".join(_JAMO_KEYS[j] for j in jamo)
    return _JAMO_KEYS.get(ch, ch)


def normalise_join_code(raw: str) -> str:
    """What a person typed, as a code: case, spaces and dashes do not matter, full-width
    letters count as letters, a code typed in 한글 mode counts as the keys pressed, and a
    pasted join link (…/join/ABC234/) counts as its code."""
    # Jamo first (NFKC would turn compatibility jamo into conjoining ones), then full-width
    # Ａ１ → A1.
    raw = unicodedata.normalize("NFKC", "".join(_keys_of(ch) for ch in raw))
    if "/JOIN/" in raw.upper():
        raw = raw[raw.upper().index("/JOIN/") + len("/JOIN/") :].split("/", 1)[0]
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())[:16]


class RevisedModel(models.Model):
    """A row whose pages are cached by `revision` (workshops.revisions): a counter the database
    bumps (`revision = revision + 1`) in the transaction of every change that alters what a
    cached page shows. A save never writes it back: a full save of an instance read before a
    bump would otherwise turn the counter back, and a page cached under the older number
    would be shown again."""

    revision = models.PositiveBigIntegerField(_("변경 번호"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        existing = not self._state.adding and self.pk is not None  # not a copy being made
        if existing and kwargs.get("update_fields") is None and not args:
            deferred = self.get_deferred_fields()  # as Django's own save: the loaded fields
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name != "revision"
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)


class WorkshopQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(participants__user=user)

    def instructed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(participants__user=user, participants__role=Participant.Role.INSTRUCTOR)

    def for_join_code(self, code: str) -> "Workshop | None":
        """The workshop behind a join code: an open one wins, then a draft, then the newest
        closed one (closed workshops' codes may be reused)."""
        workshops = list(self.filter(join_code=normalise_join_code(code)))
        rank = {Workshop.Status.OPEN: 0, Workshop.Status.DRAFT: 1, Workshop.Status.CLOSED: 2}
        workshops.sort(key=lambda workshop: (rank.get(workshop.status, 3), -workshop.pk))
        return workshops[0] if workshops else None


class Workshop(RevisedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("준비 중")
        OPEN = "open", _("참여 가능")
        CLOSED = "closed", _("종료")

    class JoinMode(models.TextChoices):
        # Code, link or QR → name and team → the team page: anyone with the code joins, as
        # with Slido or Mentimeter; the instructor closes joining (README, "Joining").
        QUICK = "quick", _("빠른 참여 (코드와 이름만)")
        EMAIL = "email", _("이메일 확인 후 참여")

    class Phase(models.TextChoices):
        # The steps of a workshop as the instructor runs it (issue 18), shown on every page.
        PREPARE = "prepare", _("준비")
        WRITE = "write", _("업무 작성")
        ANALYSE = "analyse", _("AI 분석")
        PRIORITISE = "prioritise", _("우선순위 정하기")
        WRAP_UP = "wrap_up", _("마무리")

    title = models.CharField(_("제목"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("설명"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    date = models.DateField(_("날짜"))
    status = models.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    join_code = models.CharField(_("참여 코드"), max_length=16, db_index=True)
    join_mode = models.CharField(
        _("참여 방식"),
        max_length=10,
        choices=JoinMode.choices,
        default=JoinMode.QUICK,
        help_text=_(
            "빠른 참여: 코드나 QR로 들어와 이름과 팀 이름만 적습니다(메일 확인 없음). "
            "이메일 확인: 먼저 이메일로 받은 코드로 로그인해야 합니다."
        ),
    )
    # Hours saved → 원/월, 원/년 and FTE (workshops.savings).
    hourly_cost = models.PositiveIntegerField(
        _("시간당 인건비(원)"),
        default=DEFAULT_HOURLY_COST,
        validators=[MinValueValidator(HOURLY_COST_MIN), MaxValueValidator(HOURLY_COST_MAX)],
        help_text=_(
            "절감 시간을 금액으로 바꿀 때 씁니다. 기본값 40,000원은 팀장급(과장·차장) 연봉을 "
            "약 6,500만 원으로 보고 4대 보험·퇴직금·복리후생을 더해 1.5배 한 인건비를 "
            "연 2,508시간(월 209시간 × 12)으로 나눈 값(약 38,900원)을 반올림한 가정입니다. "
            "회사 기준이 있으면 바꾸세요."
        ),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("사후 점검 메일 (종료 후 며칠)"),
        default=FOLLOW_UP_DAYS_DEFAULT,
        validators=[MaxValueValidator(FOLLOW_UP_DAYS_MAX)],
        help_text=_(
            "워크샵을 종료하고 이 날수가 지나면 팀장마다 실행 계획의 진행 상황과 실제 절감 "
            "시간을 적는 링크를 메일로 보냅니다. 0이면 보내지 않습니다."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("만든 사람"),
    )
    created_at = models.DateTimeField(_("만든 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)
    opened_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)
    # Set when the retention period ran out and the participants' data was deleted
    # (ai.retention); the figures it showed are kept in `purged_summary`.
    purged_at = models.DateTimeField(_("파기 시각"), null=True, blank=True)
    purged_summary = models.JSONField(_("파기 전 집계"), default=dict, blank=True, editable=False)

    # Facilitation (workshops.facilitation): the step the room is on, its countdown in server
    # time (every screen counts down to the same instant), a one-line notice to every team,
    # the target each team works towards, and the team the projector shows full-screen.
    phase = models.CharField(
        _("진행 단계"), max_length=12, choices=Phase.choices, default=Phase.PREPARE
    )
    phase_ends_at = models.DateTimeField(_("타이머 종료 시각"), null=True, blank=True)
    notice = models.CharField(_("공지"), max_length=NOTICE_MAX_LENGTH, blank=True)
    notice_at = models.DateTimeField(_("공지 시각"), null=True, blank=True)
    target_tasks = models.PositiveSmallIntegerField(
        _("팀별 목표 업무 수"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(TARGET_TASKS_MAX)],
    )
    stall_minutes = models.PositiveSmallIntegerField(
        _("멈춘 팀 표시 기준(분)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(STALL_MINUTES_MAX)],
    )
    spotlight_team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("프로젝터 스포트라이트 팀"),
    )

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        verbose_name = _("워크샵")
        verbose_name_plural = _("워크샵")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["join_code"],
                condition=Q(status="open"),
                name="workshop_join_code_unique_while_open",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workshops:workshop_detail", args=[self.pk])

    def get_live_url(self):
        """The WebSocket path of the workshop (routed by channels, see board.routing)."""
        return f"/ws/workshops/{self.pk}/"

    def get_join_url(self):
        return reverse("workshops:join_workshop", args=[self.join_code])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    def phase_steps(self) -> list[tuple[int, str, str]]:
        """(number, label, "done" | "current" | "todo") for each phase, in order."""
        here = self.Phase.values.index(self.phase)
        return [
            (i + 1, str(label), "done" if i < here else "current" if i == here else "todo")
            for i, label in enumerate(self.Phase.labels)
        ]

    @property
    def follow_up_due_at(self):
        """When the follow-up mail is due: `follow_up_days` after closing (None: not closed, or
        no follow-up wanted)."""
        if not self.is_closed or self.closed_at is None or not self.follow_up_days:
            return None
        return self.closed_at + timedelta(days=self.follow_up_days)

    def open(self):
        self.status = self.Status.OPEN
        self.opened_at = self.opened_at or timezone.now()
        self.closed_at = None
        self.save(update_fields=["status", "opened_at", "closed_at", "join_code", "updated_at"])

    def close(self):
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["status", "closed_at", "updated_at"])


class Domain(models.Model):
    """An area of work (업무 영역) such as 영업 or 인사, ordered within its workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("이름"), max_length=NAME_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("업무 영역")
        verbose_name_plural = _("업무 영역")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                "workshop", Lower("name"), name="domain_name_unique_in_workshop"
            ),
        ]

    def __str__(self):
        return self.name


class ActivityVerb(models.TextChoices):
    CREATED = "created", _("추가했습니다")
    UPDATED = "updated", _("수정했습니다")
    DELETED = "deleted", _("삭제했습니다")


class Team(RevisedModel):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("팀 이름"), max_length=NAME_MAX_LENGTH)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_teams",
        verbose_name=_("팀장"),
    )
    created_at = models.DateTimeField(_("만든 시각"), auto_now_add=True)
    # The team's latest task change, for the team page and the instructor's board.
    last_activity_at = models.DateTimeField(_("최근 활동"), null=True, blank=True)
    last_activity_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_activity_verb = models.CharField(max_length=10, choices=ActivityVerb.choices, blank=True)
    last_activity_title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    # Set when someone of the team presses 도움 요청; cleared by them or by the instructor.
    help_requested_at = models.DateTimeField(_("도움 요청 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("팀")
        verbose_name_plural = _("팀")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("workshop", Lower("name"), name="team_name_unique_in_workshop"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workshops:team_detail", args=[self.pk])

    def record_activity(self, *, actor, verb: str, title: str) -> None:
        from workshops import revisions  # it reads the models

        self.last_activity_at = timezone.now()
        self.last_activity_by = actor
        self.last_activity_verb = verb
        self.last_activity_title = title
        # With the team's revision in the same UPDATE (once per transaction, see revisions).
        revisions.update_team(
            self.pk,
            last_activity_at=self.last_activity_at,
            last_activity_by=actor,
            last_activity_verb=verb,
            last_activity_title=title,
        )


class Participant(models.Model):
    """A user's place in one workshop: instructor (no team), or lead/member of one team."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("강사")
        LEAD = "lead", _("팀장")
        MEMBER = "member", _("팀원")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("역할"), max_length=12, choices=Role.choices)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="participants"
    )
    joined_at = models.DateTimeField(_("참여 시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("참가자")
        verbose_name_plural = _("참가자")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "workshop"], name="one_role_per_workshop"),
            models.CheckConstraint(
                condition=(Q(role="instructor") & Q(team__isnull=True))
                | (Q(role__in=["lead", "member"]) & Q(team__isnull=False)),
                name="team_iff_not_instructor",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_instructor(self) -> bool:
        return self.role == self.Role.INSTRUCTOR

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


def generate_invitation_token() -> str:
    # 32 bytes from the OS CSPRNG: 256 bits, far past guessing.
    return secrets.token_urlsafe(32)


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A link a team lead shares so that members can join that one team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=generate_invitation_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("만든 시각"), auto_now_add=True)
    expires_at = models.DateTimeField(_("만료 시각"), default=default_invitation_expiry)
    revoked_at = models.DateTimeField(_("취소 시각"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("사용 횟수"), default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("초대 링크")
        verbose_name_plural = _("초대 링크")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.team} 초대 ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("workshops:accept_invitation", args=[self.token])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class Frequency(models.TextChoices):
    DAILY = "daily", _("매일")
    WEEKLY = "weekly", _("매주")
    MONTHLY = "monthly", _("매월")
    AD_HOC = "adhoc", _("비정기")


# How many periods make a month. 21 working days, 52 weeks / 12 months rounded to 4.33,
# and ad-hoc work is counted as an average number of times a month.
PERIODS_PER_MONTH = {
    Frequency.DAILY: Decimal("21"),
    Frequency.WEEKLY: Decimal("4.33"),
    Frequency.MONTHLY: Decimal("1"),
    Frequency.AD_HOC: Decimal("1"),
}
# How a count of times reads for each frequency ("주 3회") and what one period is called.
FREQUENCY_UNITS = {
    Frequency.DAILY: _("하루"),
    Frequency.WEEKLY: _("주"),
    Frequency.MONTHLY: _("월"),
    Frequency.AD_HOC: _("월 평균"),
}
PERIOD_NAMES = {
    Frequency.DAILY: _("하루"),
    Frequency.WEEKLY: _("일주일"),
    Frequency.MONTHLY: _("한 달"),
    Frequency.AD_HOC: _("한 달"),
}
PERIOD_UNITS_PER_MONTH = {
    Frequency.DAILY: _("월 21일"),
    Frequency.WEEKLY: _("월 4.33주"),
    Frequency.MONTHLY: _("월 1회분"),
    Frequency.AD_HOC: _("월 1회분"),
}
# Minutes in one period: a task cannot take more time per period than the period has.
MINUTES_PER_PERIOD = {
    Frequency.DAILY: 24 * 60,
    Frequency.WEEKLY: 7 * 24 * 60,
    Frequency.MONTHLY: 31 * 24 * 60,
    Frequency.AD_HOC: 31 * 24 * 60,
}


def monthly_hours(*, frequency: str, minutes: int, occurrences: int) -> Decimal:
    """Current hours a month spent on a task: occurrences × minutes × periods a month ÷ 60."""
    hours = Decimal(minutes) * Decimal(occurrences) * PERIODS_PER_MONTH[frequency] / 60
    return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Task(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tasks")
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("업무 영역")
    )
    title = models.CharField(_("업무명"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("설명"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    frequency = models.CharField(
        _("빈도"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    minutes_per_occurrence = models.PositiveSmallIntegerField(
        _("1회 소요 시간(분)"),
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)],
    )
    occurrences_per_period = models.PositiveSmallIntegerField(
        _("기간당 횟수"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(OCCURRENCES_MAX)],
    )
    hours_per_month = models.DecimalField(
        _("월 소요 시간"), max_digits=9, decimal_places=2, editable=False, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("만든 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)
    # Goes up by one on every edit; an edit based on an older version is a conflict.
    version = models.PositiveIntegerField(_("버전"), default=1, editable=False)

    class Meta:
        verbose_name = _("업무")
        verbose_name_plural = _("업무")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["team", "domain"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The stored figure is derived, so boards can sum it in the database; it is
        # recomputed on every save and never edited directly.
        self.hours_per_month = self.computed_hours()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "hours_per_month"}
        super().save(*args, **kwargs)

    def computed_hours(self) -> Decimal:
        return monthly_hours(
            frequency=self.frequency,
            minutes=self.minutes_per_occurrence,
            occurrences=self.occurrences_per_period,
        )

    @property
    def periods_per_month(self) -> Decimal:
        return PERIODS_PER_MONTH[self.frequency]

    @property
    def frequency_unit(self) -> str:
        return FREQUENCY_UNITS[self.frequency]

    @property
    def periods_per_month_label(self) -> str:
        return PERIOD_UNITS_PER_MONTH[self.frequency]


# --- Priorities and action plans (issue 18) ----------------------------------------------------

VOTES_PER_PERSON = 3  # dots each person of a team spends on its tasks
PICKS_PER_TEAM = 3  # automations a team commits to


class Vote(models.Model):
    """One person's dot on one of their team's tasks (at most VOTES_PER_PERSON per team)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("투표")
        verbose_name_plural = _("투표")
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="one_vote_per_task")]

    def __str__(self):
        return f"{self.user} → {self.task}"


class Pick(models.Model):
    """A task the team's lead confirmed as one of its automations, with its action plan."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("시작 전")
        IN_PROGRESS = "in_progress", _("진행 중")
        DONE = "done", _("완료")
        ON_HOLD = "on_hold", _("보류")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="picks")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="pick")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("선정 시각"), auto_now_add=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("담당자"),
    )
    first_step = models.CharField(_("첫 단계"), max_length=200, blank=True)
    target_date = models.DateField(_("목표일"), null=True, blank=True)
    method = models.CharField(_("도구·방법"), max_length=100, blank=True)
    expected_hours = models.DecimalField(
        _("예상 월 절감 시간"),
        max_digits=9,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("진행 상황"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    actual_hours = models.DecimalField(
        _("실제 월 절감 시간"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("실행 계획")
        verbose_name_plural = _("실행 계획")
        ordering = ["confirmed_at", "id"]

    def __str__(self):
        return f"{self.team} · {self.task}"


class FollowUp(models.Model):
    """The follow-up mail of one team after the course (issue 18), sent once to its lead: a link
    to this team's plans alone (status, actual hours saved), valid until `expires_at`. A row is
    written in the same transaction as its mail is sent (workshops.follow_up): a row is a mail
    sent, and the one-per-team constraint keeps it from going twice."""

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("팀")
    )
    # SHA-256 of the link's token: the link itself is only in the mail.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField(_("받는 사람"))
    sent_at = models.DateTimeField(_("보낸 시각"))
    expires_at = models.DateTimeField(_("링크 만료"))
    updated_at = models.DateTimeField(_("최근 응답"), null=True, blank=True)

    class Meta:
        verbose_name = _("사후 점검")
        verbose_name_plural = _("사후 점검")
        ordering = ["-sent_at", "id"]

    def __str__(self):
        return f"{self.team} · {self.sent_at:%Y-%m-%d}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class CommonWorkChoice(models.Model):
    """An instructor's correction of the common-work grouping (board.common_work) for one task.
    Tasks with the same `group_key` are one group whatever their words say (a merge); a task
    `apart` is in no group (split out). A task without a row is grouped by its words alone."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="common_work_choices"
    )
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="common_work_choice")
    group_key = models.PositiveBigIntegerField(_("묶음 번호"), null=True, blank=True)
    apart = models.BooleanField(_("묶음에서 뺌"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("정한 시각"), auto_now=True)

    class Meta:
        verbose_name = _("공통 업무 조정")
        verbose_name_plural = _("공통 업무 조정")
        constraints = [
            models.CheckConstraint(
                condition=Q(apart=False) | Q(group_key__isnull=True),
                name="common_work_apart_or_merged",
            )
        ]

    def __str__(self):
        return f"{self.task} · {'뺌' if self.apart else self.group_key}"
