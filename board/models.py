"""A workshop's export file built on the worker (board.export_files)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.models import Workshop


class WorkshopExport(models.Model):
    """One request for a workshop's XLSX or CSV: queued, built by the worker, downloaded from
    its page for a while (EXPORT_KEEP_MINUTES), then deleted."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기 중")
        RUNNING = "running", _("만드는 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    fmt = models.CharField(_("형식"), max_length=4)  # "xlsx" or "csv"
    status = models.CharField(
        _("상태"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("진행률(%)"), default=0)
    content = models.BinaryField(null=True, editable=False)
    file_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("내보내기 파일")
        verbose_name_plural = _("내보내기 파일")
        indexes = [models.Index(fields=["created_at"], name="workshop_export_created")]

    def __str__(self) -> str:
        return f"{self.workshop_id} {self.fmt} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def expires_at(self):
        return self.created_at + timedelta(minutes=settings.EXPORT_KEEP_MINUTES)

    def is_stuck(self, now=None) -> bool:
        """Not built within EXPORT_BUILD_TIMEOUT: the worker died on it or is far behind, so
        the person is offered a new request rather than a page that waits for ever."""
        now = now or timezone.now()
        pending = self.status in (self.Status.QUEUED, self.Status.RUNNING)
        limit = timedelta(seconds=settings.EXPORT_BUILD_TIMEOUT)
        return self.status == self.Status.FAILED or (pending and now - self.created_at > limit)
