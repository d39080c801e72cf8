"""The models each mode starts with, and their prices (USD per million tokens, Nov 2026).

Ids come from the SDK's model list (anthropic 2.14): the newest Haiku tier for quick analysis,
the newest Sonnet tier for deep. Prices are Anthropic's list prices for prompts under 100k
tokens. They are written once, when missing; operators change them in the admin after that.
"""

from decimal import Decimal

MODELS = [
    {
        "model_id": "claude-haiku-5-5",
        "label": "Claude Haiku 5.5",
        "input_usd_per_mtok": Decimal("0.10"),
        "output_usd_per_mtok": Decimal("0.50"),
        "cache_write_usd_per_mtok": Decimal("0.125"),
        "cache_read_usd_per_mtok": Decimal("0.01"),
        "min_cacheable_tokens": 4096,
    },
    {
        "model_id": "claude-sonnet-5-5",
        "label": "Claude Sonnet 5.5",
        "input_usd_per_mtok": Decimal("2.00"),
        "output_usd_per_mtok": Decimal("10.00"),
        "cache_write_usd_per_mtok": Decimal("2.50"),
        "cache_read_usd_per_mtok": Decimal("0.20"),
        "min_cacheable_tokens": 2048,
    },
]
# mode, model, output tokens allowed per task
MODES = [("quick", "claude-haiku-5-5", 120), ("deep", "claude-sonnet-5-5", 600)]


def ensure_default_models(sender=None, using="default", **kwargs) -> None:
    """Create the default models and modes if they are missing (runs after every migrate)."""
    from ai.models import AIModel, AnalysisMode

    for fields in MODELS:
        AIModel.objects.using(using).get_or_create(model_id=fields["model_id"], defaults=fields)
    for mode, model_id, per_task in MODES:
        if not AnalysisMode.objects.using(using).filter(mode=mode).exists():
            AnalysisMode.objects.using(using).create(
                mode=mode,
                model=AIModel.objects.using(using).get(model_id=model_id),
                max_output_tokens_per_task=per_task,
            )
