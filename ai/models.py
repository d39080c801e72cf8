from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    WORKFLOW = "WORKFLOW", _("워크플로 도구")
    INTEGRATION = "INTEGRATION", _("시스템 연동")
    MANUAL = "MANUAL", _("수작업 유지")


class Ease(models.TextChoices):
    EASY = "EASY", _("쉬움")
    MEDIUM = "MEDIUM", _("보통")
    HARD = "HARD", _("어려움")


class Source(models.TextChoices):
    AI = "ai", _("AI")
    CACHE = "cache", _("AI · 저장된 결과")
    RULES = "rules", _("규칙 기반 추정")
    PERSON = "person", _("사람이 수정")


PER_MTOK = Decimal("1000000")


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
    min_cacheable_tokens = models.PositiveIntegerField(
        _("프롬프트 캐시 최소 토큰"),
        default=4096,
        help_text=_("시스템 프롬프트가 이보다 짧으면 캐시 표시를 보내지 않습니다."),
    )
    disable_thinking = models.BooleanField(
        _("사고(thinking) 끄기"),
        default=True,
        help_text=_("끌 수 없는 모델이면 해제하고 effort를 가장 낮게 두세요."),
    )
    effort = models.CharField(_("effort"), max_length=10, default="low", blank=True)

    class Meta:
        verbose_name = _("AI 모델")
        verbose_name_plural = _("AI 모델")
        ordering = ["model_id"]

    def __str__(self):
        return f"{self.label} ({self.model_id})"

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

    @property
    def percent(self) -> int:
        if not self.total_tasks:
            return 100
        return round(100 * self.finished_count / self.total_tasks)

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

    def beat(self) -> None:
        AnalysisRun.objects.filter(pk=self.pk).update(heartbeat_at=timezone.now())


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
        # Hours saved = automatable share × the task's current hours; computed here, never
        # taken from the model's answer.
        self.hours_saved = (
            Decimal(self.automatable_share) * Decimal(self.task_hours) / 100
        ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        super().save(*args, **kwargs)

    @property
    def is_person(self) -> bool:
        return self.source == Source.PERSON

    @property
    def is_deep(self) -> bool:
        return self.mode == Mode.DEEP
