from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshop_site.figures import format_won


class Mode(models.TextChoices):
    QUICK = "quick", _("빠른 분석")
    DEEP = "deep", _("심층 분석")


class Rating(models.TextChoices):
    HIGH = "HIGH", _("높음")
    MEDIUM = "MEDIUM", _("보통")
    LOW = "LOW", _("낮음")
    NEEDS_INFO = "NEEDS_INFO", _("정보 부족")


class Method(models.TextChoices):
    RPA = "RPA", _("RPA(반복 입력 자동화)")
    SPREADSHEET = "SPREADSHEET", _("스프레드시트 자동화")
    GENAI_DRAFT = "GENAI_DRAFT", _("생성형 AI 초안 작성")
    WORKFLOW = "WORKFLOW", _("워크플로·전자결재")
    INTEGRATION = "INTEGRATION", _("시스템 연동(API)")
    OCR = "OCR", _("OCR(문서 인식)")
    CHATBOT = "CHATBOT", _("챗봇·FAQ")
    BI = "BI", _("BI 대시보드")
    EXISTING_FEATURE = "EXISTING", _("기존 시스템 기능 활용")
    MANUAL = "MANUAL", _("수작업 유지")


class Ease(models.TextChoices):
    EASY = "EASY", _("쉬움")
    MEDIUM = "MEDIUM", _("보통")
    HARD = "HARD", _("어려움")


class Source(models.TextChoices):
    """Where a rating came from. These labels are the only spelling: cards, reports, exports
    and the help page all show them."""

    AI = "ai", _("AI 분석")
    CACHE = "cache", _("AI 분석 · 저장된 결과")
    RULES = "rules", _("규칙 기반 추정 (AI 아님)")
    PERSON = "person", _("사람이 정한 평가")


PER_MTOK = Decimal("1000000")

# Effort levels from least to most, and the thinking types that turn thinking off, lowest first
# (https://platform.claude.com/docs/en/build-with-claude/effort,
# https://platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting).
EFFORTS = ["low", "medium", "high", "xhigh", "max"]
THINKING_OFF = ("disabled", "between_tools")
THINKING_TYPES = ("adaptive", "between_tools", "disabled", "enabled")


def _effort_rank(effort: str) -> int:
    return EFFORTS.index(effort) if effort in EFFORTS else len(EFFORTS)


class AIModel(models.Model):
    """A model and its prices; operators edit these in the admin when prices change."""

    model_id = models.CharField(_("모델 ID"), max_length=100, unique=True)
    label = models.CharField(_("이름"), max_length=100)
    input_usd_per_mtok = models.DecimalField(_("입력 $/백만 토큰"), max_digits=10, decimal_places=4)
    output_usd_per_mtok = models.DecimalField(
        _("출력 $/백만 토큰"), max_digits=10, decimal_places=4
    )
    cache_write_usd_per_mtok = models.DecimalField(
        _("캐시 쓰기 $/백만 토큰"), max_digits=10, decimal_places=4
    )
    cache_read_usd_per_mtok = models.DecimalField(
        _("캐시 읽기 $/백만 토큰"), max_digits=10, decimal_places=4
    )
    batch_discount = models.DecimalField(
        _("배치 할인율"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("Message Batches API 가격 = 정가 × (1 - 할인율)"),
    )
    # What the model accepts, from its docs page and the Models API (refreshed when an operator
    # saves the row with an API key present). The request builder asks these, never the id.
    min_cacheable_tokens = models.PositiveIntegerField(
        _("프롬프트 캐시 최소 토큰"),
        default=512,
        help_text=_("이보다 짧은 프롬프트는 캐시 표시가 있어도 캐시되지 않습니다(오류는 없음)."),
    )
    max_output_tokens = models.PositiveIntegerField(
        _("최대 출력 토큰"), default=128_000, help_text=_("max_tokens가 이 값을 넘으면 거절됩니다.")
    )
    thinking_types = models.JSONField(
        _("받는 thinking 종류"),
        default=list,
        blank=True,
        help_text=_('예: ["adaptive", "disabled"]. 비어 있으면 thinking을 보내지 않습니다.'),
    )
    thinking_off_max_effort = models.CharField(
        _("thinking을 끌 수 있는 최고 effort"),
        max_length=10,
        blank=True,
        help_text=_(
            "예: high. 이보다 높은 effort에서 thinking을 끄면 거절됩니다. 비우면 제한 없음."
        ),
    )
    effort_levels = models.JSONField(
        _("받는 effort"),
        default=list,
        blank=True,
        help_text=_('예: ["low", "medium", "high"]. 비어 있으면 effort를 보내지 않습니다.'),
    )
    structured_outputs = models.BooleanField(_("JSON 스키마 출력 지원"), default=True)
    batches = models.BooleanField(_("Message Batches 지원"), default=True)
    capabilities_checked_at = models.DateTimeField(
        _("Models API로 확인한 시각"), null=True, blank=True
    )
    effort = models.CharField(
        _("effort"),
        max_length=10,
        default="low",
        blank=True,
        help_text=_("모델이 받지 않는 값이면 모델이 받는 가장 낮은 effort를 보냅니다."),
    )

    class Meta:
        verbose_name = _("AI 모델")
        verbose_name_plural = _("AI 모델")
        ordering = ["model_id"]

    def __str__(self):
        return f"{self.label} ({self.model_id})"

    def request_effort(self) -> str | None:
        """The configured effort if the model takes it, else its lowest; None without effort."""
        if not self.effort_levels:
            return None
        if self.effort in self.effort_levels:
            return self.effort
        return min(self.effort_levels, key=_effort_rank)

    def request_thinking(self, effort: str | None) -> dict | None:
        """The lowest thinking setting the model accepts at `effort` (None: send nothing)."""
        off_allowed = (
            effort is None
            or not self.thinking_off_max_effort
            or _effort_rank(effort) <= _effort_rank(self.thinking_off_max_effort)
        )
        for kind in THINKING_OFF:
            if kind in self.thinking_types and off_allowed:
                return {"type": kind}
        if "adaptive" in self.thinking_types:
            return {"type": "adaptive"}
        return None

    def request_problems(self, params: dict, *, batch: bool = False) -> list[str]:
        """Why the API would refuse `params` for this model, by the capabilities on record."""
        problems = []
        thinking = (params.get("thinking") or {}).get("type")
        effort = (params.get("output_config") or {}).get("effort")
        if thinking and thinking not in self.thinking_types:
            problems.append(f"thinking {thinking!r} is not one of {self.thinking_types}")
        if (
            thinking in THINKING_OFF
            and effort
            and self.thinking_off_max_effort
            and _effort_rank(effort) > _effort_rank(self.thinking_off_max_effort)
        ):
            problems.append(f"thinking off is refused at effort {effort!r}")
        if effort and effort not in self.effort_levels:
            problems.append(f"effort {effort!r} is not one of {self.effort_levels}")
        if params.get("max_tokens", 0) > self.max_output_tokens:
            problems.append(f"max_tokens {params['max_tokens']} > {self.max_output_tokens}")
        if (params.get("output_config") or {}).get("format") and not self.structured_outputs:
            problems.append("the model has no structured outputs")
        if batch and not self.batches:
            problems.append("the model is not offered on the Message Batches API")
        return problems

    def cost_usd(
        self,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_write_tokens: int = 0,
        cache_read_tokens: int = 0,
        batch: bool = False,
    ) -> Decimal:
        cost = (
            Decimal(input_tokens) * self.input_usd_per_mtok
            + Decimal(output_tokens) * self.output_usd_per_mtok
            + Decimal(cache_write_tokens) * self.cache_write_usd_per_mtok
            + Decimal(cache_read_tokens) * self.cache_read_usd_per_mtok
        ) / PER_MTOK
        if batch:
            cost *= 1 - self.batch_discount
        return cost.quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)


class AnalysisMode(models.Model):
    """Which model serves a mode, and how much it may write per task."""

    mode = models.CharField(_("방식"), max_length=10, choices=Mode.choices, unique=True)
    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, verbose_name=_("모델"))
    max_output_tokens_per_task = models.PositiveIntegerField(
        _("업무당 최대 출력 토큰"),
        help_text=_("max_tokens = 이 값 × 업무 수 + 여유분. 출력 토큰이 비용의 대부분입니다."),
    )

    class Meta:
        verbose_name = _("분석 방식")
        verbose_name_plural = _("분석 방식")
        ordering = ["mode"]

    def __str__(self):
        return f"{self.get_mode_display()} → {self.model.model_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("대기 중")
    RUNNING = "running", _("분석 중")
    SUCCEEDED = "succeeded", _("완료")
    PARTIAL = "partial", _("일부 실패")
    FAILED = "failed", _("실패")


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class AnalysisRunQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def stale(self, now=None):
        """Runs whose worker stopped reporting: it died, or its machine did."""
        now = now or timezone.now()
        cutoff = now - timedelta(seconds=settings.AI_RUN_STALE_SECONDS)
        return self.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)


class AnalysisRun(models.Model):
    """One press of "AI 분석" (or "심층 분석"): the tasks it covers and how it went."""

    team = models.ForeignKey(
        "workshops.Team", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mode = models.CharField(_("방식"), max_length=10, choices=Mode.choices, default=Mode.QUICK)
    status = models.CharField(
        _("상태"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    provider = models.CharField(_("제공자"), max_length=20, blank=True)
    task_ids = models.JSONField(_("업무"), default=list)
    total_tasks = models.PositiveIntegerField(_("전체"), default=0)
    done_tasks = models.PositiveIntegerField(_("완료"), default=0)
    failed_tasks = models.PositiveIntegerField(_("실패"), default=0)
    cached_tasks = models.PositiveIntegerField(_("저장된 결과 사용"), default=0)
    failed_task_ids = models.JSONField(_("실패한 업무"), default=list, blank=True)
    message = models.CharField(_("안내"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("시도"), default=0)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("마지막 신호"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)

    objects = AnalysisRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("분석 실행")
        verbose_name_plural = _("분석 실행")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A second press while a run is active must not start a second run.
            models.UniqueConstraint(
                fields=["team", "mode"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_team_and_mode",
            ),
        ]

    def __str__(self):
        return f"{self.team} {self.get_mode_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def finished_count(self) -> int:
        return self.done_tasks + self.failed_tasks

    def beat(self) -> bool:
        """Report progress; False if the run is no longer this worker's (it was taken over)."""
        return bool(
            AnalysisRun.objects.filter(
                pk=self.pk, status=RunStatus.RUNNING, attempts=self.attempts
            ).update(heartbeat_at=timezone.now())
        )

    def claim(self) -> bool:
        """Take a queued run for this worker; False if another worker has it."""
        now = timezone.now()
        claimed = AnalysisRun.objects.filter(pk=self.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=models.F("attempts") + 1,
        )
        if claimed:
            self.refresh_from_db()
        return bool(claimed)


def saved_hours(share: int, hours) -> Decimal:
    """Hours a month saved: the automatable share of the task's hours, computed by us."""
    return (Decimal(share) * Decimal(hours) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class TaskAnalysis(models.Model):
    """One judgement of one task. Each run adds a row; the newest one is shown."""

    task = models.ForeignKey("workshops.Task", on_delete=models.CASCADE, related_name="analyses")
    run = models.ForeignKey(
        AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="analyses"
    )
    mode = models.CharField(_("방식"), max_length=10, choices=Mode.choices)
    source = models.CharField(_("출처"), max_length=10, choices=Source.choices)
    model_id = models.CharField(_("모델"), max_length=100, blank=True)
    prompt_version = models.CharField(_("프롬프트 버전"), max_length=20, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    rating = models.CharField(_("자동화 가능성"), max_length=12, choices=Rating.choices)
    method = models.CharField(_("방법"), max_length=20, choices=Method.choices)
    suggestion = models.CharField(_("제안"), max_length=300, blank=True)
    missing_info = models.CharField(_("더 필요한 정보"), max_length=300, blank=True)
    automatable_share = models.PositiveSmallIntegerField(_("자동화 비율(%)"), default=0)
    task_hours = models.DecimalField(
        _("분석 당시 월 시간"), max_digits=9, decimal_places=2, default=0
    )
    hours_saved = models.DecimalField(_("월 절감 시간"), max_digits=9, decimal_places=2, default=0)
    steps = models.JSONField(_("단계"), default=list, blank=True)
    tools = models.JSONField(_("도구"), default=list, blank=True)
    prerequisites = models.JSONField(_("사전 조건"), default=list, blank=True)
    ease = models.CharField(_("도입 난이도"), max_length=10, choices=Ease.choices, blank=True)
    # Prompt v2 and the estimator: the input's own words that decided (근거), and the rubric's
    # factors ({"input", "work", "exceptions", "risks"}, see ai.rubric). Empty on older rows.
    reason = models.CharField(_("근거"), max_length=120, blank=True)
    factors = models.JSONField(_("요인"), default=dict, blank=True)
    note = models.CharField(_("메모"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("분석 시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("업무 분석")
        verbose_name_plural = _("업무 분석")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["task", "-id"])]

    def __str__(self):
        return f"{self.task} · {self.get_rating_display()}"

    def save(self, *args, **kwargs):
        # Hours saved at the time of the analysis (kept for the history); pages show the
        # share applied to the task's hours as they are now (board.reads.TaskCard.hours_saved).
        self.hours_saved = saved_hours(self.automatable_share, self.task_hours)
        super().save(*args, **kwargs)

    @property
    def is_person(self) -> bool:
        return self.source == Source.PERSON

    @property
    def is_deep(self) -> bool:
        return self.mode == Mode.DEEP


# --- Spend: ledger, budget, reservations, alerts ----------------------------------------------


def month_start(moment=None):
    """The first day of the month (in the site's time zone) that `moment` falls in."""
    local = timezone.localtime(moment or timezone.now())
    return local.date().replace(day=1)


class OnCap(models.TextChoices):
    FALLBACK = "fallback", _("규칙 기반 추정으로 대신 (표시함)")
    REFUSE = "refuse", _("분석을 거절")


class BudgetSettings(models.Model):
    """The one row of budget rules, edited by operators in the admin."""

    monthly_budget_krw = models.PositiveIntegerField(_("월 예산(원)"), default=500_000)
    krw_per_usd = models.DecimalField(
        _("환율(원/달러)"), max_digits=8, decimal_places=2, default=Decimal("1300")
    )
    alert_thresholds = models.JSONField(
        _("알림 기준(%)"),
        default=list,
        blank=True,
        help_text=_("예: [60, 80]. 월 예산의 이 비율을 넘으면 Slack과 메일로 한 번씩 알립니다."),
    )
    per_user_monthly_cap_krw = models.PositiveIntegerField(
        _("사용자별 월 한도(원)"), default=30_000, help_text=_("0이면 한도 없음")
    )
    per_workshop_monthly_cap_krw = models.PositiveIntegerField(
        _("워크샵별 월 한도(원)"), default=200_000, help_text=_("0이면 한도 없음")
    )
    on_cap = models.CharField(
        _("한도에 닿으면"), max_length=10, choices=OnCap.choices, default=OnCap.FALLBACK
    )
    reservation_minutes = models.PositiveIntegerField(
        _("예약 만료(분)"),
        default=15,
        help_text=_("작업자가 죽어 정산되지 않은 예약은 이 시간이 지나면 예산에서 빠집니다."),
    )

    class Meta:
        verbose_name = _("AI 예산 설정")
        verbose_name_plural = _("AI 예산 설정")

    def __str__(self):
        return _("월 %(krw)s원") % {"krw": format_won(self.monthly_budget_krw)}

    @classmethod
    def load(cls) -> "BudgetSettings":
        row, _created = cls.objects.get_or_create(pk=1, defaults={"alert_thresholds": [60, 80]})
        return row

    def usd(self, krw: int) -> Decimal:
        return (Decimal(krw) / self.krw_per_usd).quantize(Decimal("0.000001"))

    @property
    def monthly_budget_usd(self) -> Decimal:
        return self.usd(self.monthly_budget_krw)

    def thresholds(self) -> list[int]:
        values = sorted({int(v) for v in self.alert_thresholds or [] if 0 < int(v) < 100})
        return values

    def clean(self):
        from django.core.exceptions import ValidationError

        thresholds = self.alert_thresholds or []
        if not isinstance(thresholds, list) or not all(
            isinstance(v, int) and 0 < v < 100 for v in thresholds
        ):
            raise ValidationError(
                {"alert_thresholds": _("1~99 사이의 정수 목록으로 적어 주세요. 예: [60, 80]")}
            )
        if self.krw_per_usd is not None and self.krw_per_usd <= 0:
            raise ValidationError({"krw_per_usd": _("0보다 커야 합니다.")})


class UsageRecord(models.Model):
    """One line of the ledger: an API call, or the tasks a run answered from the cache."""

    class Kind(models.TextChoices):
        CALL = "call", _("API 호출")
        BATCH = "batch", _("배치 요청")
        CACHE = "cache", _("캐시 재사용")

    created_at = models.DateTimeField(_("시각"), auto_now_add=True, db_index=True)
    month = models.DateField(_("월"), db_index=True)
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    ok = models.BooleanField(_("성공"), default=True)
    # The request was sent but no answer came back (timeout, dropped connection): the API may
    # have billed it, so the line carries the worst case instead of $0.
    uncertain = models.BooleanField(_("결과 불명"), default=False)
    model_id = models.CharField(_("모델"), max_length=100, blank=True)
    mode = models.CharField(_("방식"), max_length=10, choices=Mode.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "workshops.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(
        AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="usage"
    )
    # The names as they were when the line was written: a renamed team does not rewrite its
    # past spend (and the ledger keeps meaning something after the team is gone).
    team_name = models.CharField(_("팀 이름(당시)"), max_length=200, blank=True)
    workshop_title = models.CharField(_("워크샵 이름(당시)"), max_length=200, blank=True)
    input_tokens = models.PositiveIntegerField(_("입력 토큰"), default=0)
    output_tokens = models.PositiveIntegerField(_("출력 토큰"), default=0)
    cache_write_tokens = models.PositiveIntegerField(_("캐시 쓰기 토큰"), default=0)
    cache_read_tokens = models.PositiveIntegerField(_("캐시 읽기 토큰"), default=0)
    cost_usd = models.DecimalField(_("비용($)"), max_digits=14, decimal_places=8, default=0)
    latency_ms = models.PositiveIntegerField(_("응답 시간(ms)"), default=0)
    tasks = models.PositiveIntegerField(_("업무 수"), default=0)
    cached_tasks = models.PositiveIntegerField(_("캐시로 답한 업무"), default=0)
    saved_usd = models.DecimalField(
        _("캐시로 아낀 비용($)"), max_digits=14, decimal_places=8, default=0
    )
    request_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("사용 기록")
        verbose_name_plural = _("사용 기록")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["month", "user"]),
            models.Index(fields=["month", "workshop"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.model_id} ${self.cost_usd}"


class Reservation(models.Model):
    """Worst-case cost held against the budget while a call is in flight."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("진행 중")
        SETTLED = "settled", _("정산됨")
        RELEASED = "released", _("반환됨")

    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    month = models.DateField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount_usd = models.DecimalField(max_digits=14, decimal_places=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("예산 예약")
        verbose_name_plural = _("예산 예약")
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self):
        return f"${self.amount_usd} ({self.get_status_display()})"


class Refusal(models.Model):
    """A request turned away: over a budget cap, or over a rate limit."""

    class Kind(models.TextChoices):
        BUDGET_MONTH = "budget_month", _("월 예산 초과")
        BUDGET_USER = "budget_user", _("사용자 한도 초과")
        BUDGET_WORKSHOP = "budget_workshop", _("워크샵 한도 초과")
        RATE_LIMIT = "rate_limit", _("요청 횟수 제한")

    created_at = models.DateTimeField(auto_now_add=True)
    month = models.DateField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("거절된 요청")
        verbose_name_plural = _("거절된 요청")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class BudgetAlert(models.Model):
    """One alert per threshold per month (100 = the budget itself is spent)."""

    month = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    spent_usd = models.DecimalField(max_digits=14, decimal_places=6, default=0)

    class Meta:
        verbose_name = _("예산 알림")
        verbose_name_plural = _("예산 알림")
        constraints = [
            models.UniqueConstraint(fields=["month", "threshold"], name="one_alert_per_threshold")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.threshold}%"


class EconomyBatch(models.Model):
    """An instructor's "절약 모드" analysis of a whole workshop through the Message Batches API.

    Half price, but it takes minutes to hours: submitted by the worker, polled by the worker,
    applied when the API says it has ended.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("제출 대기")
        SUBMITTED = "submitted", _("처리 중")
        APPLIED = "applied", _("완료")
        FAILED = "failed", _("실패")

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="economy_batches"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    api_batch_id = models.CharField(max_length=100, blank=True)
    # Part of every custom_id we send, so that our requests are recognised among an account's
    # batches (another deployment on the same key numbers its batches from 1 too).
    request_token = models.CharField(max_length=16, blank=True)
    # custom_id -> {task key: [task id, input hash at submit time]}: how to read results back,
    # and whether the answer is still about the task as it is now.
    requests_map = models.JSONField(default=dict, blank=True)
    # Set before batches.create is sent: from then on a batch may exist on the API even if the
    # call never answered, so it is looked for before anything is sent again.
    submit_started_at = models.DateTimeField(null=True, blank=True)
    submit_attempts = models.PositiveSmallIntegerField(default=0)
    reconciled = models.BooleanField(
        _("목록에서 찾음"),
        default=False,
        help_text=_("제출 응답을 받지 못해 API의 배치 목록에서 찾아 이어 받은 배치"),
    )
    task_ids = models.JSONField(default=list)
    total_tasks = models.PositiveIntegerField(default=0)
    done_tasks = models.PositiveIntegerField(default=0)
    failed_task_ids = models.JSONField(default=list, blank=True)
    reservation = models.ForeignKey(
        Reservation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    polls = models.PositiveIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("절약 모드 배치")
        verbose_name_plural = _("절약 모드 배치")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop"],
                condition=Q(status__in=["queued", "submitted"]),
                name="one_active_economy_batch_per_workshop",
            )
        ]

    def __str__(self):
        return f"{self.workshop} 절약 모드 #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SUBMITTED)


class WorkerHeartbeat(models.Model):
    """The last sign of life of each background worker (see `manage.py worker`)."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("작업자 신호")
        verbose_name_plural = _("작업자 신호")
        ordering = ["-beat_at"]

    def __str__(self):
        return f"{self.worker_id} @ {self.beat_at:%H:%M:%S}"


class DailyChore(models.Model):
    """When a once-a-day chore of the workers last ran: the row is claimed under a lock, so
    of several workers exactly one runs it (see ai.worker.claim_daily)."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("일일 작업")
        verbose_name_plural = _("일일 작업")

    def __str__(self):
        return f"{self.name} @ {self.last_run_at:%Y-%m-%d %H:%M}" if self.last_run_at else self.name
