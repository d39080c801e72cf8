from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def analysis_changed(sender, instance, **kwargs):
    """An analysis saved or deleted (also in the admin): its team's cached page is out of date
    (workshops.revisions)."""
    from workshops import revisions

    revisions.bump_team_of_task(instance.task_id)


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "AI 분석"

    def ready(self):
        # Here, not at the top: these import models, which exist once the registry is ready.
        from ai import checks  # noqa: F401 - registers the system check
        from ai.budget import record_rate_limit_refusal
        from ai.defaults import ensure_default_models
        from ai.health import heartbeat_check
        from workshop_site import health
        from workshop_site.ratelimits import request_refused

        post_migrate.connect(ensure_default_models, sender=self, dispatch_uid="ai_defaults")
        request_refused.connect(record_rate_limit_refusal, dispatch_uid="ai_rate_limit_refusals")
        health.READY_CHECKS["worker"] = heartbeat_check
        from ai.models import TaskAnalysis

        for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(analysis_changed, sender=TaskAnalysis, dispatch_uid=f"revision-{name}")
