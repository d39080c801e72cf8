"""Our requests, built by our own code and sent through the real SDK, against the strict fake.

The fake refuses what the real API documents as invalid (support/fake_anthropic.py cites the
page for each rule), so "accepted here" means "shaped as the API accepts it".
"""

import anthropic
import pytest
from django.core.checks import run_checks
from django.urls import reverse

from ai import defaults
from ai.inputs import TaskInput
from ai.models import AIModel, AnalysisMode, Mode
from ai.providers.anthropic import AnthropicProvider, client, request_params
from support.fake_anthropic import check_message_params, schema_problem

SEEDED = [row["model_id"] for row in defaults.MODELS]


def tasks(count: int) -> list[TaskInput]:
    return [
        TaskInput(
            task_id=index,
            key=f"t{index}",
            domain="영업",
            title=f"주간 실적 보고 {index}",
            description="CRM에서 실적을 내려받아 엑셀로 정리해 팀장에게 메일로 보낸다",
            frequency="weekly",
            occurrences=1,
            minutes=60,
            hours=4,
        )
        for index in range(1, count + 1)
    ]


def per_task(mode: str) -> int:
    return AnalysisMode.objects.get(mode=mode).max_output_tokens_per_task


@pytest.mark.django_db
@pytest.mark.parametrize("model_id", SEEDED)
@pytest.mark.parametrize("mode", [Mode.QUICK, Mode.DEEP])
def test_every_seeded_model_accepts_our_request_for_each_mode(fake_anthropic, model_id, mode):
    model = AIModel.objects.get(model_id=model_id)
    answer = AnthropicProvider().analyse(
        tasks(20), mode=mode, model=model, per_task_tokens=per_task(mode)
    )
    assert fake_anthropic.refused_requests == []
    assert answer.stop_reason == "end_turn"
    assert set(answer.items) == {f"t{i}" for i in range(1, 21)}


@pytest.mark.django_db
@pytest.mark.parametrize("model_id", SEEDED)
def test_every_seeded_model_accepts_our_economy_batch(fake_anthropic, model_id):
    fake_anthropic.batch_seconds = 0
    model = AIModel.objects.get(model_id=model_id)
    params = request_params(
        tasks(20), mode=Mode.QUICK, model=model, per_task_tokens=per_task("quick")
    )
    api = client()
    created = api.messages.batches.create(requests=[{"custom_id": "wb1-abcd-0", "params": params}])
    lines = list(api.messages.batches.results(created.id))
    assert [line.result.type for line in lines] == ["succeeded"]


@pytest.mark.django_db
def test_deep_analysis_turns_thinking_off_with_between_tools_on_sonnet(fake_anthropic):
    sonnet = AIModel.objects.get(model_id="claude-sonnet-5-5")
    params = request_params(tasks(1), mode=Mode.DEEP, model=sonnet, per_task_tokens=640)
    assert (params["thinking"], params["output_config"]["effort"]) == (
        {"type": "between_tools"},
        "low",
    )


@pytest.mark.django_db
def test_quick_analysis_turns_thinking_off_with_disabled_on_haiku(fake_anthropic):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    params = request_params(tasks(1), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    assert params["thinking"] == {"type": "disabled"}


@pytest.mark.django_db
def test_an_effort_too_high_to_turn_thinking_off_gets_adaptive_thinking(fake_anthropic):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    haiku.effort = "max"
    params = request_params(tasks(1), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    assert params["thinking"] == {"type": "adaptive"}
    AnthropicProvider().analyse(tasks(1), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    assert fake_anthropic.refused_requests == []


@pytest.mark.django_db
def test_an_effort_the_model_does_not_take_becomes_its_lowest(fake_anthropic):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    haiku.effort = "turbo"
    params = request_params(tasks(1), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    assert params["output_config"]["effort"] == "low"


@pytest.mark.django_db
def test_the_system_prompt_is_always_marked_for_caching(fake_anthropic):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    haiku.min_cacheable_tokens = 100_000  # a mark below the minimum is ignored, never an error
    params = request_params(tasks(1), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    assert params["system"][0]["cache_control"] == {"type": "ephemeral"}


@pytest.mark.django_db
def test_the_second_call_reads_the_system_prompt_from_the_cache(fake_anthropic):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    provider = AnthropicProvider()
    first = provider.analyse(tasks(2), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    second = provider.analyse(tasks(3), mode=Mode.QUICK, model=haiku, per_task_tokens=160)
    assert first.usage.cache_write_tokens > 0
    assert second.usage.cache_read_tokens == first.usage.cache_write_tokens


# --- The fake refuses what the API refuses ---------------------------------------------------


def sonnet_params(**changes) -> dict:
    params = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "안녕하세요"}],
    }
    params.update(changes)
    return params


def test_the_fake_refuses_thinking_disabled_on_sonnet_5_5(fake_anthropic):
    api = client()
    with pytest.raises(anthropic.BadRequestError, match="between_tools"):
        api.messages.create(**sonnet_params(thinking={"type": "disabled"}))


def test_the_fake_refuses_between_tools_at_xhigh_effort(fake_anthropic):
    with pytest.raises(anthropic.BadRequestError, match="'xhigh' is not supported when thinking"):
        client().messages.create(
            **sonnet_params(thinking={"type": "between_tools"}, output_config={"effort": "xhigh"})
        )


def test_the_fake_refuses_between_tools_on_haiku_5_5(fake_anthropic):
    with pytest.raises(anthropic.BadRequestError, match=r"thinking\.type\.between_tools"):
        client().messages.create(
            **sonnet_params(model="claude-haiku-5-5", thinking={"type": "between_tools"})
        )


def test_the_fake_refuses_a_thinking_budget(fake_anthropic):
    with pytest.raises(anthropic.BadRequestError, match=r"thinking\.type\.enabled"):
        client().messages.create(
            **sonnet_params(thinking={"type": "enabled", "budget_tokens": 2048})
        )


def test_the_fake_answers_an_unknown_model_with_404(fake_anthropic):
    with pytest.raises(anthropic.NotFoundError, match="model: claude-3-5-haiku-latest"):
        client().messages.create(**sonnet_params(model="claude-3-5-haiku-latest"))


def test_the_fake_refuses_max_tokens_above_the_model_s_limit(fake_anthropic):
    with pytest.raises(anthropic.BadRequestError, match="128000, which is the maximum"):
        client().messages.create(**sonnet_params(max_tokens=128_001))


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, "additionalProperties"),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "maxLength": 40}},
                "additionalProperties": False,
            },
            "'maxLength' is not supported",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "integer", "minimum": 0}},
                "additionalProperties": False,
            },
            "'minimum' is not supported",
        ),
        (
            {"type": "object", "properties": {}, "required": ["a"], "additionalProperties": False},
            "not defined",
        ),
        ({"$ref": "https://example.com/schema.json"}, "external"),
    ],
)
def test_the_fake_refuses_a_schema_structured_outputs_cannot_take(schema, problem):
    assert problem in schema_problem(schema)


def test_the_fake_refuses_a_malformed_output_format_through_the_sdk(fake_anthropic):
    bad = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(anthropic.BadRequestError, match="additionalProperties"):
        client().messages.create(
            **sonnet_params(output_config={"format": {"type": "json_schema", "schema": bad}})
        )


def test_our_schemas_are_valid_structured_outputs_for_every_batch_size():
    for mode in (Mode.QUICK, Mode.DEEP):
        for size in (1, 20):
            from ai.prompts import output_schema

            assert schema_problem(output_schema(mode, [f"t{i}" for i in range(1, size + 1)])) == ""


def test_the_fake_refuses_an_assistant_prefill():
    with pytest.raises(Exception, match="prefill"):
        check_message_params(
            sonnet_params(
                messages=[
                    {"role": "user", "content": "안녕"},
                    {"role": "assistant", "content": "{"},
                ]
            )
        )


# --- manage.py check, and refreshing a row from the Models API ---------------------------------


@pytest.mark.django_db
def test_the_seeded_configuration_passes_the_request_check():
    errors = [m for m in run_checks() if m.id == "ai.E001"]
    assert errors == []


@pytest.mark.django_db
def test_a_mode_whose_request_the_model_would_refuse_fails_the_check():
    AIModel.objects.filter(model_id="claude-sonnet-5-5").update(max_output_tokens=1000)
    errors = [m for m in run_checks() if m.id == "ai.E001"]
    assert len(errors) == 1 and "max_tokens" in errors[0].msg


@pytest.mark.django_db
def test_a_model_without_structured_outputs_fails_the_check():
    AIModel.objects.filter(model_id="claude-haiku-5-5").update(structured_outputs=False)
    errors = [m for m in run_checks() if m.id == "ai.E001"]
    assert any("structured outputs" in m.msg for m in errors)


def admin_save(client, model: AIModel, **changes):
    url = reverse("admin:ai_aimodel_change", args=[model.pk])
    form = {
        "model_id": model.model_id,
        "label": model.label,
        "input_usd_per_mtok": model.input_usd_per_mtok,
        "output_usd_per_mtok": model.output_usd_per_mtok,
        "cache_write_usd_per_mtok": model.cache_write_usd_per_mtok,
        "cache_read_usd_per_mtok": model.cache_read_usd_per_mtok,
        "batch_discount": model.batch_discount,
        "effort": model.effort,
        "thinking_types": '["disabled"]',
        "thinking_off_max_effort": model.thinking_off_max_effort,
        "effort_levels": '["low"]',
        "max_output_tokens": 4096,
        "min_cacheable_tokens": model.min_cacheable_tokens,
        "structured_outputs": "on",
        "batches": "on",
        **changes,
    }
    return client.post(url, form, follow=True)


@pytest.mark.django_db
def test_saving_a_model_in_the_admin_refreshes_it_from_the_models_api(fake_anthropic, admin_client):
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    response = admin_save(admin_client, haiku)
    haiku.refresh_from_db()
    assert (haiku.thinking_types, haiku.max_output_tokens) == (["adaptive", "disabled"], 128_000)
    assert haiku.effort_levels == ["low", "medium", "high", "xhigh", "max"]
    assert haiku.capabilities_checked_at is not None
    assert "max_output_tokens 4096 → 128000" in response.content.decode()


@pytest.mark.django_db
def test_an_unreachable_models_api_never_blocks_the_save(admin_client, settings):
    settings.ANTHROPIC_API_KEY = "test-key"
    settings.ANTHROPIC_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.AI_MAX_RETRIES = 0
    haiku = AIModel.objects.get(model_id="claude-haiku-5-5")
    response = admin_save(admin_client, haiku, label="하이쿠")
    haiku.refresh_from_db()
    assert haiku.label == "하이쿠"
    assert "확인하지 못해" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "sampling", "accepted"),
    [
        ("claude-haiku-5-5", {"top_p": 0.99}, True),
        ("claude-haiku-5-5", {"top_p": 0.9}, False),
        ("claude-haiku-5-5", {"temperature": 1, "top_p": 0.99}, False),
        ("claude-sonnet-5-5", {"temperature": 1}, True),
        ("claude-sonnet-5-5", {"top_p": 0.99}, False),
        ("claude-sonnet-5-5", {"temperature": 0.2}, False),
    ],
)
def test_the_fake_takes_only_the_sampling_each_model_allows(model, sampling, accepted):
    params = sonnet_params(model=model, **sampling)
    if accepted:
        check_message_params(params)
    else:
        with pytest.raises(Exception, match=r"supported|both"):
            check_message_params(params)
