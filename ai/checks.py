"""A warning when a configured model is deprecated or unknown to the installed SDK."""

import typing

from anthropic._data import DEPRECATED_MODELS
from anthropic.types.model_param import ModelParam
from django.core.checks import Warning, register
from django.db import DatabaseError


def known_model_ids() -> set[str]:
    literal = typing.get_args(ModelParam)[0]
    return set(typing.get_args(literal))


@register()
def configured_models_are_current(app_configs=None, **kwargs):
    from ai.models import AnalysisMode

    try:
        modes = list(AnalysisMode.objects.select_related("model"))
    except DatabaseError:
        return []  # not migrated yet: nothing configured to check
    known = known_model_ids()
    problems = []
    for mode in modes:
        model_id = mode.model.model_id
        if model_id in DEPRECATED_MODELS:
            problems.append(
                Warning(
                    f"The {mode.mode} analysis uses {model_id}, which the Anthropic SDK lists as "
                    f"deprecated (end of life {DEPRECATED_MODELS[model_id]}).",
                    hint="Choose a current model for this mode in the admin (분석 방식).",
                    id="ai.W001",
                )
            )
        elif model_id not in known:
            problems.append(
                Warning(
                    f"The {mode.mode} analysis uses {model_id}, which the installed Anthropic "
                    "SDK does not know: it may be retired or mistyped.",
                    hint="Check the id against the SDK's model list and the admin (AI 모델).",
                    id="ai.W002",
                )
            )
    return problems
