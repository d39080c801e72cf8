from django.contrib import admin

from ai.models import AIModel, AnalysisMode, AnalysisRun, TaskAnalysis


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
        "min_cacheable_tokens",
    )
    search_fields = ("model_id", "label")


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
class TaskAnalysisAdmin(admin.ModelAdmin):
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
