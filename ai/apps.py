from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "AI 분석"

    def ready(self):
        from ai import checks  # noqa: F401 - registers the system check
        from ai.defaults import ensure_default_models

        post_migrate.connect(ensure_default_models, sender=self, dispatch_uid="ai_defaults")
