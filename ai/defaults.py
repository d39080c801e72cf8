"""The models each mode starts with: prices (USD per million tokens) and what each accepts.

Ids come from the SDK's model list (anthropic 2.14): the newest Haiku tier for quick analysis,
the newest Sonnet tier for deep. Prices are Anthropic's list prices for prompts under 100k
tokens (Sonnet 5.5's cache reads fell to $0.10 on 2026-10-07). Capabilities are from the model
pages, checked 2026-12-06:

- Haiku 5.5 (https://platform.claude.com/docs/en/models/haiku-5-5/whats-new-haiku-5-5
  #adaptive-thinking-and-effort): thinking `adaptive` (default) or `disabled`, the latter only at
  effort high or lower; efforts low..max; 128K output; 512-token caching minimum (overview page,
  "Good to know").
- Sonnet 5.5 (https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5
  #turn-off-up-front-thinking): `disabled` is a 400; the lowest setting is `between_tools`, at
  effort high or lower; otherwise `adaptive`. 128K output; 512-token caching minimum.

Rows are written once, when missing; operators change them in the admin after that, and saving
a row with an API key present refreshes its capabilities from the Models API.
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
        "min_cacheable_tokens": 512,
        "max_output_tokens": 128_000,
        "thinking_types": ["adaptive", "disabled"],
        "thinking_off_max_effort": "high",
        "effort_levels": ["low", "medium", "high", "xhigh", "max"],
    },
    {
        "model_id": "claude-sonnet-5-5",
        "label": "Claude Sonnet 5.5",
        "input_usd_per_mtok": Decimal("2.00"),
        "output_usd_per_mtok": Decimal("10.00"),
        "cache_write_usd_per_mtok": Decimal("2.50"),
        "cache_read_usd_per_mtok": Decimal("0.10"),
        "min_cacheable_tokens": 512,
        "max_output_tokens": 128_000,
        "thinking_types": ["adaptive", "between_tools"],
        "thinking_off_max_effort": "high",
        "effort_levels": ["low", "medium", "high", "xhigh", "max"],
    },
]
# mode, model, output tokens allowed per task: the longest item the prompt allows (a NEEDS_INFO
# item, with its "what is missing" sentence), counted at one token per Hangul syllable, plus room
# (see BENCHMARKS.md, "Answer sizes").
MODES = [("quick", "claude-haiku-5-5", 160), ("deep", "claude-sonnet-5-5", 640)]


def ensure_default_models(sender=None, using="default", **kwargs) -> None:
    """Create the default models and modes if they are missing (runs after every migrate)."""
    # Not at the top: migrations import this module for its tables of values, and must not
    # load the current models.
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
