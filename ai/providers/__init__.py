"""Who answers an analysis: the Anthropic API, or the offline rule-based estimator."""

from django.conf import settings

from ai.providers.base import Answer, Provider, ProviderError, Usage


def default_provider() -> Provider:
    """Anthropic when an API key is configured, otherwise the rule-based estimate."""
    if settings.ANTHROPIC_API_KEY:
        # Here, not at the top: ai.providers.anthropic imports ai.budget, which imports this
        # package (for Usage), so a top-level import would be a circle.
        from ai.providers.anthropic import AnthropicProvider

        return AnthropicProvider()
    from ai.providers.rules import RuleProvider  # beside its sibling, for symmetry

    return RuleProvider()


__all__ = ["Answer", "Provider", "ProviderError", "Usage", "default_provider"]
