from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
