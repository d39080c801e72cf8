"""System checks on the configured models: deprecated or unknown ids (warnings), and requests
the API would refuse by the capabilities on record (errors)."""

import typing

from anthropic._data import DEPRECATED_MODELS
from anthropic.types.model_param import ModelParam
from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError

from ai.inputs import TaskInput
from ai.models import AnalysisMode, Mode
from ai.providers.anthropic import request_params


def known_model_ids() -> set[str]:
    literal = typing.get_args(ModelParam)[0]
    return set(typing.get_args(literal))


@register()
def configured_models_are_current(app_configs=None, **kwargs):

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


@register()
def configured_requests_are_accepted(app_configs=None, **kwargs):
    """Build each mode's largest request with our own code and ask the model row whether the
    API would take it: a wrong row fails `manage.py check` (and the deploy), not a workshop."""

    try:
        modes = list(AnalysisMode.objects.select_related("model"))
    except DatabaseError:
        return []
    sample = [
        TaskInput(
            task_id=0,
            key=f"t{index}",
            domain="영업",
            title="업무",
            description="설명",
            frequency="daily",
            occurrences=1,
            minutes=10,
            hours=0,
        )
        for index in range(1, settings.AI_BATCH_SIZE + 1)
    ]
    problems = []
    for mode in modes:
        params = request_params(
            sample,
            mode=mode.mode,
            model=mode.model,
            per_task_tokens=mode.max_output_tokens_per_task,
        )
        # Economy mode sends quick analyses through the Message Batches API.
        reasons = mode.model.request_problems(params, batch=mode.mode == Mode.QUICK)
        for reason in reasons:
            problems.append(
                Error(
                    f"The {mode.mode} analysis would be refused by {mode.model.model_id}: "
                    f"{reason}.",
                    hint="Fix the model row (AI 모델) or the mode (분석 방식) in the admin; "
                    "saving the model row with an API key refreshes it from the Models API.",
                    id="ai.E001",
                )
            )
    return problems
