import logging

import anthropic
from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone

from accounts.admin_audit import AuditedAccessMixin
from ai.models import AIModel, AnalysisMode, AnalysisRun, TaskAnalysis
from ai.providers.anthropic import model_capabilities
from workshops import revisions

logger = logging.getLogger(__name__)


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = (
        "model_id",
        "label",
        "input_usd_per_mtok",
        "output_usd_per_mtok",
        "cache_write_usd_per_mtok",
        "cache_read_usd_per_mtok",
        "batch_discount",
        "thinking_types",
        "effort",
        "capabilities_checked_at",
    )
    search_fields = ("model_id", "label")
    readonly_fields = ("capabilities_checked_at",)
    fieldsets = (
        (None, {"fields": ("model_id", "label")}),
        (
            "가격 ($/백만 토큰)",
            {
                "fields": (
                    "input_usd_per_mtok",
                    "output_usd_per_mtok",
                    "cache_write_usd_per_mtok",
                    "cache_read_usd_per_mtok",
                    "batch_discount",
                )
            },
        ),
        (
            "요청 모양 (저장할 때 API 키가 있으면 Models API로 다시 확인합니다)",
            {
                "fields": (
                    "effort",
                    "thinking_types",
                    "thinking_off_max_effort",
                    "effort_levels",
                    "max_output_tokens",
                    "min_cacheable_tokens",
                    "structured_outputs",
                    "batches",
                    "capabilities_checked_at",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        """Save, then refresh what the model accepts from the Models API when a key is set.

        The save never waits on the API's answer to succeed: unreachable or refusing, the row
        is kept as the operator wrote it and the page says so.
        """
        if settings.ANTHROPIC_API_KEY:
            try:
                found = model_capabilities(obj.model_id)
            except anthropic.APIError as error:
                logger.warning("Models API for %s: %s", obj.model_id, error)
                self.message_user(
                    request,
                    f"Models API에서 {obj.model_id}의 기능을 확인하지 못해 입력한 값대로 "
                    "저장했습니다.",
                    messages.WARNING,
                )
            else:
                changed = {
                    name: (getattr(obj, name), value)
                    for name, value in found.items()
                    if getattr(obj, name) != value
                }
                for name, (_old, value) in changed.items():
                    setattr(obj, name, value)
                obj.capabilities_checked_at = timezone.now()
                self.message_user(
                    request,
                    "Models API 기준으로 바뀐 값: "
                    + ", ".join(f"{name} {old!r} → {new!r}" for name, (old, new) in changed.items())
                    if changed
                    else "Models API의 값과 같습니다.",
                    messages.INFO,
                )
        super().save_model(request, obj, form, change)


@admin.register(AnalysisMode)
class AnalysisModeAdmin(admin.ModelAdmin):
    list_display = ("mode", "model", "max_output_tokens_per_task")
    list_select_related = ("model",)


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "team",
        "mode",
        "status",
        "provider",
        "total_tasks",
        "done_tasks",
        "failed_tasks",
        "cached_tasks",
        "attempts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "mode", "provider", "workshop")
    search_fields = ("team__name", "requested_by__email")
    list_select_related = ("team",)
    raw_id_fields = ("team", "workshop", "requested_by")
    readonly_fields = ("created_at", "started_at", "heartbeat_at", "finished_at")


@admin.register(TaskAnalysis)
class TaskAnalysisAdmin(AuditedAccessMixin, admin.ModelAdmin):
    list_display = (
        "task",
        "rating",
        "method",
        "automatable_share",
        "hours_saved",
        "source",
        "mode",
        "model_id",
        "created_at",
    )
    list_filter = ("source", "rating", "method", "mode", "model_id")
    search_fields = ("task__title", "suggestion", "note")
    list_select_related = ("task",)
    raw_id_fields = ("task", "run", "created_by")
    readonly_fields = ("hours_saved", "created_at", "input_hash", "prompt_version")

    # An operator's edit changes what the team's page shows: its cached copy is out of date
    # (workshops.revisions). The services bump through their AnalysisChanged instead: a bump
    # per saved row would hold the team's row lock for a whole run or economy batch.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        revisions.bump_team_of_task(obj.task_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        revisions.bump_team_of_task(obj.task_id)

    def delete_queryset(self, request, queryset):
        task_ids = set(queryset.values_list("task_id", flat=True))
        super().delete_queryset(request, queryset)
        for task_id in task_ids:
            revisions.bump_team_of_task(task_id)


# --- Spend --------------------------------------------------------------------------------------

from django.http import HttpResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from accounts import audit  # noqa: E402
from ai import dashboard  # noqa: E402
from ai.forms import BudgetSettingsForm  # noqa: E402
from ai.models import (  # noqa: E402
    BudgetAlert,
    BudgetSettings,
    EconomyBatch,
    Refusal,
    Reservation,
    UsageRecord,
)


@admin.register(BudgetSettings)
class BudgetSettingsAdmin(admin.ModelAdmin):
    form = BudgetSettingsForm
    list_display = (
        "__str__",
        "krw_per_usd",
        "thresholds_display",
        "per_user_monthly_cap_krw",
        "per_workshop_monthly_cap_krw",
        "on_cap",
    )

    def has_add_permission(self, request):
        return not BudgetSettings.objects.exists()

    @admin.display(description=_("알림 기준"))
    def thresholds_display(self, obj):
        return ", ".join(f"{v}%" for v in obj.thresholds()) or _("없음")

    def save_model(self, request, obj, form, change):
        before = {name: form.initial.get(name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        audit.record(
            "budget_settings_changed",
            actor=request.user,
            target=obj,
            request=request,
            summary=", ".join(form.changed_data),
            detail={
                name: {"from": str(before[name]), "to": str(form.cleaned_data.get(name))}
                for name in form.changed_data
            },
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: go straight to it.
        return redirect(reverse("admin:ai_budgetsettings_change", args=[BudgetSettings.load().pk]))


@admin.register(UsageRecord)
class UsageRecordAdmin(AuditedAccessMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "ok",
        "model_id",
        "mode",
        "user",
        "workshop",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "tasks",
        "cached_tasks",
        "latency_ms",
    )
    list_filter = ("month", "kind", "ok", "uncertain", "model_id", "mode")
    search_fields = ("user__email", "workshop__title", "team__name", "request_id")
    list_select_related = ("user", "workshop")
    date_hierarchy = "created_at"
    change_list_template = "admin/ai/usagerecord/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("spend/", self.admin_site.admin_view(self.spend_view), name="ai_spend"),
            path(
                "ledger.csv",
                self.admin_site.admin_view(self.ledger_csv_view),
                name="ai_ledger_csv",
            ),
            path(
                "spend/workshops.csv",
                self.admin_site.admin_view(self.workshops_csv_view),
                name="ai_spend_workshops_csv",
            ),
            *super().get_urls(),
        ]

    def spend_view(self, request):
        month = dashboard.parse_month(request.GET.get("month"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("AI 지출 대시보드"),
            "month": month,
            "report": dashboard.spend_report(month),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ai/spend.html", context)

    def ledger_csv_view(self, request):
        month = dashboard.parse_month(request.GET.get("month"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ai-ledger-{month:%Y-%m}.csv"'
        dashboard.write_ledger_csv(month, response)
        return response

    def workshops_csv_view(self, request):
        month = dashboard.parse_month(request.GET.get("month"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="ai-spend-workshops-{month:%Y-%m}.csv"'
        )
        dashboard.write_workshops_csv(month, response)
        return response


@admin.register(Refusal)
class RefusalAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "user", "workshop", "detail")
    list_filter = ("month", "kind")
    list_select_related = ("user", "workshop")


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "amount_usd", "user", "workshop", "expires_at")
    list_filter = ("month", "status")
    list_select_related = ("user", "workshop")


@admin.register(BudgetAlert)
class BudgetAlertAdmin(admin.ModelAdmin):
    list_display = ("month", "threshold", "spent_usd", "sent_at")


@admin.register(EconomyBatch)
class EconomyBatchAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "workshop",
        "status",
        "total_tasks",
        "done_tasks",
        "polls",
        "submit_attempts",
        "reconciled",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "reconciled")
    list_select_related = ("workshop",)
    readonly_fields = ("api_batch_id", "requests_map", "task_ids", "failed_task_ids")
