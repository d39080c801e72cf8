"""Rules of the AI path that a planted bug once slipped past (issue 19, part 3): each test here
fails when its rule is broken."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from ai import budget
from ai.inputs import TaskInput
from ai.models import AIModel, Mode
from ai.providers.anthropic import request_params
from ai.tests.test_api_contract import tasks
from ai.tokens import estimate_tokens
from ai.validation import InvalidAnswer, clean_result

TASK = TaskInput(
    task_id=1,
    key="t1",
    domain="영업",
    title="주간 보고",
    description="CRM 실적을 엑셀로 정리",
    frequency="weekly",
    occurrences=1,
    minutes=60,
    hours=Decimal("4.33"),
)
KEY = {"prompt_version": "v1", "mode": Mode.QUICK, "model_id": "claude-haiku-5-5"}


@pytest.mark.parametrize(
    "change",
    [{"prompt_version": "v2"}, {"mode": Mode.DEEP}, {"model_id": "claude-sonnet-5-5"}],
    ids=["prompt_version", "mode", "model"],
)
def test_the_ai_cache_key_changes_with_prompt_version_mode_and_model(change):
    assert TASK.cache_key(**{**KEY, **change}) != TASK.cache_key(**KEY)


def quick_item(**changes) -> dict:
    return {
        "g": "‘엑셀로 정리’",
        "f": {"i": "S", "w": "R", "x": "F", "k": []},
        "r": "HIGH",
        "p": 70,
        "m": "RPA",
        "s": "봇에 맡기세요",
        "e": "MEDIUM",
        **changes,
    }


def test_a_share_above_100_is_invalid():
    with pytest.raises(InvalidAnswer):
        clean_result(quick_item(p=101), Mode.QUICK)


def test_a_share_of_100_is_invalid_review_stays_with_people():
    with pytest.raises(InvalidAnswer, match="band"):
        clean_result(quick_item(p=100), Mode.QUICK)


def test_the_top_of_the_high_band_is_valid():
    assert clean_result(quick_item(p=90), Mode.QUICK)["automatable_share"] == 90


@pytest.mark.parametrize("empty", ["st", "tl", "pr"])
def test_a_deep_answer_with_an_empty_list_is_invalid(empty):
    item = quick_item(st=["정리"], tl=["엑셀"], pr=["권한"], e="EASY")
    item[empty] = []
    with pytest.raises(InvalidAnswer):
        clean_result(item, Mode.DEEP)


@pytest.mark.django_db
def test_the_worst_case_prices_the_prompt_at_the_dearer_of_input_and_cache_write():
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    params = request_params(tasks(3), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    prompt = json.dumps(
        [params.get("system"), params.get("messages"), params.get("output_config")],
        ensure_ascii=False,
    )
    dearer = max(haiku.input_usd_per_mtok, haiku.cache_write_usd_per_mtok)
    expected = (
        Decimal(estimate_tokens(prompt)) * dearer
        + Decimal(params["max_tokens"]) * haiku.output_usd_per_mtok
    ) / Decimal(1_000_000)
    assert budget.worst_case_usd(haiku, params) == expected.quantize(Decimal("0.00000001"))


def test_the_ai_rate_limit_is_20_an_hour_unless_configured(settings, monkeypatch):
    monkeypatch.delenv("AI_RATE_LIMIT", raising=False)
    assert settings.AI_RATE_LIMIT == "20/h"  # the seed plan's limit, the default here


@pytest.mark.django_db
def test_deep_analysis_is_limited_by_the_ai_limit_not_the_write_limit(
    client_as, lead, task, settings
):
    settings.AI_RATE_LIMIT = "1/h"
    settings.WRITE_RATE_LIMIT = "1000/h"
    client = client_as(lead)
    url = reverse("ai:deep", args=[task.pk])
    first, second = client.post(url), client.post(url)
    assert first.status_code != 429
    assert second.status_code == 429
