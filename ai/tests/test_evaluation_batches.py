"""`evaluate_ai --provider anthropic`: the labelled set through one Message Batch of the fake
API, scored, counted and paid for at batch prices."""

import json
import math
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ai.models import (
    AIModel,
    AnalysisMode,
    BudgetSettings,
    Mode,
    Refusal,
    Reservation,
    TaskAnalysis,
    UsageRecord,
    month_start,
)
from ai.prompts import FIELDS
from ai.providers.anthropic import max_tokens_for
from support.fake_anthropic import tasks_in

HEADER = "업무 영역,업무명,설명,빈도,횟수,1회 소요(분),기대 평가,기대 비율,근거\n"
ROWS = [
    "영업,실적 집계,ERP 실적을 엑셀로 내려받아 담당자별로 피벗 정리한다,매일,1,30,높음,60-80,x",
    "영업,견적서 작성,가격표의 단가를 견적서 양식에 옮겨 적고 PDF로 보낸다,매주,3,20,높음,60-80,x",
    "인사,면접 진행,최종 후보자를 대상으로 임원과 함께 면접을 진행한다,매월,4,60,낮음,0-10,x",
    "총무,명함 입력,전시회 명함 정보를 CRM에 한 건씩 입력한다,비정기,1,120,보통,30-50,x",
    "총무,총무 지원,팀 지원,매주,1,30,정보 부족,0-0,x",
]
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@pytest.fixture
def labelled_file(tmp_path):
    file = tmp_path / "set.csv"
    file.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return file


@pytest.fixture
def batches(fake_anthropic, settings):
    settings.AI_BATCH_SIZE = 2  # five tasks: three requests
    return fake_anthropic


def evaluate(file, *args) -> dict:
    out = StringIO()
    call_command(
        "evaluate_ai",
        "--file",
        str(file),
        "--json",
        "--poll-seconds",
        "0.05",
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return json.loads(out.getvalue().strip().splitlines()[-1])


def batch_posts(fake) -> list[dict]:
    return [
        r for r in fake.requests if r["method"] == "POST" and r["path"] == "/v1/messages/batches"
    ]


def answered_lines(fake) -> list[dict]:
    """The fake's result lines for the one batch it was sent, as it served them."""
    (batch,) = fake.batches.values()
    return [json.loads(line) for line in batch["results"].splitlines()]


def fake_ratings(fake) -> dict[str, str]:
    """Each task's title → the rating the fake answered for it, read from what it sent back."""
    (post,) = batch_posts(fake)
    sent = {request["custom_id"]: request["params"] for request in post["body"]["requests"]}
    ratings = {}
    for line in answered_lines(fake):
        message = line["result"]["message"]
        if message["stop_reason"] == "refusal":
            continue
        results = json.loads(message["content"][0]["text"])["results"]
        for task in tasks_in(sent[line["custom_id"]]):
            ratings[task["업무"]] = results[task["id"]][FIELDS["rating"]]
    return ratings


def half_list_price(model: AIModel, line: UsageRecord) -> Decimal:
    list_price = (
        line.input_tokens * model.input_usd_per_mtok
        + line.output_tokens * model.output_usd_per_mtok
        + line.cache_write_tokens * model.cache_write_usd_per_mtok
        + line.cache_read_tokens * model.cache_read_usd_per_mtok
    ) / Decimal(1_000_000)
    return (list_price / 2).quantize(Decimal("0.00000001"))


def test_the_ai_rates_the_labelled_set_in_one_batch_at_half_price(db, batches, labelled_file):
    figures = evaluate(labelled_file, "--provider", "anthropic")

    quick = AnalysisMode.objects.select_related("model").get(mode=Mode.QUICK)
    (post,) = batch_posts(batches)  # one batch for the whole set
    assert not batches.message_requests  # nothing asked at full price
    requests = post["body"]["requests"]
    assert figures["requests"] == len(requests) == math.ceil(len(ROWS) / 2) == 3
    assert all(CUSTOM_ID.match(request["custom_id"]) for request in requests)
    sizes = [len(tasks_in(request["params"])) for request in requests]
    assert sizes == [2, 2, 1]
    for request, size in zip(requests, sizes, strict=True):
        # The product's parameters: the quick mode's model and its output allowance per task.
        assert request["params"]["model"] == quick.model.model_id
        assert request["params"]["max_tokens"] == max_tokens_for(
            size, quick.max_output_tokens_per_task
        )

    ratings = fake_ratings(batches)
    expected = {row.split(",")[1]: row.split(",")[6] for row in ROWS}
    words = {"HIGH": "높음", "MEDIUM": "보통", "LOW": "낮음", "NEEDS_INFO": "정보 부족"}
    assert len(ratings) == figures["n"] == len(ROWS)
    assert figures["exact"] == sum(words[ratings[title]] == expected[title] for title in expected)
    assert figures["unanswered"] == figures["refused"] == figures["errored"] == 0
    assert figures["provider"] == "anthropic" and figures["model"] == quick.model.model_id

    # One ledger line per request, at half the list price of the tokens the fake reported.
    lines = list(UsageRecord.objects.filter(kind=UsageRecord.Kind.BATCH).order_by("id"))
    assert len(lines) == 3
    usages = [line["result"]["message"]["usage"] for line in answered_lines(batches)]
    assert [line.input_tokens for line in lines] == [usage["input_tokens"] for usage in usages]
    assert [line.output_tokens for line in lines] == [usage["output_tokens"] for usage in usages]
    assert [line.cost_usd for line in lines] == [
        half_list_price(quick.model, each) for each in lines
    ]
    assert figures["usd"] > 0
    assert Decimal(str(figures["usd"])) == sum(line.cost_usd for line in lines)
    assert sum(line.tasks for line in lines) == len(ROWS)
    # The worst case was held while the batch ran and is settled now; nothing was stored.
    assert Reservation.objects.get().status == Reservation.Status.SETTLED
    assert not TaskAnalysis.objects.exists()

    rules = evaluate(labelled_file, "--provider", "rules")
    assert list(rules) == list(figures)  # both lines have the same keys, in the same order
    assert (rules["requests"], rules["refused"], rules["usd"]) == (0, 0, 0)


def test_a_refused_request_counts_its_tasks_as_refused_and_unanswered(db, batches, labelled_file):
    batches.script("refusal")  # the first request of the batch: the first two tasks
    figures = evaluate(labelled_file, "--provider", "anthropic")
    assert figures["refused"] == 2
    assert figures["unanswered"] == 2
    assert figures["errored"] == 0
    assert len(fake_ratings(batches)) == len(ROWS) - 2
    # A refusal is billed for its input like any answer: three ledger lines.
    assert UsageRecord.objects.filter(kind=UsageRecord.Kind.BATCH).count() == 3


def test_requests_the_api_errors_are_counted_and_cost_nothing(db, batches, labelled_file):
    # 70,000 tokens a task: a request of two asks for more than the model can write, and the
    # batch answers it with an errored line; the one-task request is within the limit.
    AnalysisMode.objects.filter(mode=Mode.QUICK).update(max_output_tokens_per_task=70_000)
    figures = evaluate(labelled_file, "--provider", "anthropic")
    assert figures["requests"] == 3
    assert figures["errored"] == 4
    assert figures["unanswered"] == 4
    assert UsageRecord.objects.filter(kind=UsageRecord.Kind.BATCH).count() == 1
    assert Decimal(str(figures["usd"])) == UsageRecord.objects.get().cost_usd


def test_a_budget_that_cannot_cover_the_worst_case_refuses_and_sends_nothing(
    db, batches, labelled_file
):
    rules = BudgetSettings.load()
    rules.monthly_budget_krw = 1_000
    rules.save()
    # Spent all but $0.0001: less than the batch's worst case, though more than nothing.
    UsageRecord.objects.create(
        month=month_start(), cost_usd=rules.usd(rules.monthly_budget_krw) - Decimal("0.0001")
    )
    with pytest.raises(CommandError, match="예산으로는 이 평가의 최악의 비용"):
        evaluate(labelled_file, "--provider", "anthropic")
    assert not batch_posts(batches)
    assert not batches.requests  # nothing at all reached the API
    assert UsageRecord.objects.count() == 1
    assert not Reservation.objects.exists()
    assert Refusal.objects.get().kind == Refusal.Kind.BUDGET_MONTH


def test_a_batch_that_does_not_end_in_time_keeps_its_worst_case_held(db, batches, labelled_file):
    batches.batch_seconds = 30
    with pytest.raises(CommandError, match="초 안에 끝나지 않았습니다"):
        evaluate(labelled_file, "--provider", "anthropic", "--wait-seconds", "0.2")
    assert len(batch_posts(batches)) == 1
    # It may still run and be billed: the hold stays until it expires.
    held = Reservation.objects.get()
    assert held.status == Reservation.Status.ACTIVE and held.amount_usd > 0
    assert not UsageRecord.objects.exists()
