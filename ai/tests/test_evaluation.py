"""`manage.py evaluate_ai`: the labelled set, the agreement figures, and the offline estimator
measured by them."""

import json

import pytest
from django.core.management import CommandError, call_command

from ai.factors import estimate
from ai.models import Method, Rating
from ai.providers.rules import RuleProvider

HEADER = "업무 영역,업무명,설명,빈도,횟수,1회 소요(분),기대 평가,기대 비율,근거\n"


def run(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("evaluate_ai", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_estimator_meets_its_target_on_the_labelled_set():
    figures = run("--provider", "rules", "--json")
    assert set(figures) >= {
        "n",
        "exact",
        "within_one",
        "two_plus",
        "share_mae",
        "needs_info_precision",
        "needs_info_recall",
    }
    assert figures["n"] >= 120
    assert figures["exact"] / figures["n"] >= 0.80
    assert figures["two_plus"] == 0


def test_agreement_is_counted_per_level(tmp_path):
    plain = "ERP 실적을 엑셀로 내려받아 피벗으로 집계해 메일로 보낸다"
    rows = [
        # A plain digital task labelled 낮음 by a (deliberately wrong) expert: two levels off.
        f"영업,일일 실적 집계,{plain},매일,1,30,낮음,0-10,x",
        # The same labelled 높음, with a range of one value: the rating is exact.
        f"영업,주간 실적 집계,{plain},매주,1,30,높음,60-60,x",
        # Too vague to judge, as the expert says.
        "총무,총무 지원,팀 업무 지원,매주,1,30,정보 부족,0-0,x",
    ]
    file = tmp_path / "set.csv"
    file.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    figures = run("--file", str(file), "--json")
    assert (figures["n"], figures["exact"], figures["two_plus"]) == (3, 2, 1)
    assert figures["within_one"] == 2
    assert figures["needs_info_precision"] == figures["needs_info_recall"] == 1.0
    assert figures["needs_info_mismatch"] == 0
    share = estimate("주간 실적 집계", plain).share
    assert share > 60
    # The mean distance to each expected range, over the tasks the expert could judge.
    assert figures["share_mae"] == ((share - 10) + (share - 60)) / 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("업무명,설명\n가,나\n", "열이 없습니다"),
        (HEADER + "영업,가,설명입니다 설명입니다,매일,1,30,아주 높음,60-80,x\n", "기대 평가"),
        (HEADER + "영업,가,설명입니다 설명입니다,매일,1,30,높음,80,x\n", "기대 비율"),
        (HEADER + "영업,가,설명입니다 설명입니다,가끔,1,30,높음,60-80,x\n", "빈도"),
        (HEADER, "한 줄도 없습니다"),
        # A short row: its last columns are missing, not blank.
        (HEADER + "영업,가,설명입니다 설명입니다,매일\n", "2행: 기대 평가"),
        (HEADER + "\n\n영업,가,설명입니다 설명입니다,매일,x,30,높음,60-80,x\n", "4행: ‘횟수’"),
    ],
)
def test_a_bad_labelled_file_is_refused_with_a_korean_reason(tmp_path, content, message):
    file = tmp_path / "bad.csv"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_ai", "--file", str(file))


def test_the_ai_provider_needs_a_key(settings):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError, match="ANTHROPIC_API_KEY"):
        call_command("evaluate_ai", "--provider", "anthropic")


# --- The estimator's factors ---------------------------------------------------------------------


def test_a_tool_named_only_to_say_it_is_not_used_counts_against_automation():
    without = estimate("현금 출납 기록", "엑셀을 쓰지 않고 종이 장부에 입출금을 적는다")
    with_it = estimate("현금 출납 기록", "엑셀에 입출금 내역을 입력하고 월말에 합계를 집계한다")
    assert without.rating == Rating.LOW and without.method == Method.MANUAL
    assert "엑셀 없이" in without.reason and "종이" in without.reason
    assert with_it.rating == Rating.HIGH


def test_evidence_in_the_title_counts():
    guess = estimate("월간 판매 실적 피벗 집계", "매월 마지막 날 담당자가 정리해서 공유함")
    assert guess.rating == Rating.HIGH
    assert "집계" in guess.reason


def test_an_on_site_walk_that_ends_in_a_system_entry_is_not_high():
    guess = estimate("설비 점검", "매일 설비를 순회하며 점검하고 결과를 시스템에 입력한다")
    assert guess.rating == Rating.LOW
    assert "순회" in guess.reason


def test_a_keyword_of_other_work_does_not_decide():
    # "면접" is in the title, but the work is scheduling by mail and text messages.
    scheduling = estimate(
        "면접 일정 조율", "지원자와 면접관의 가능 시간을 메일로 확인해 일정을 잡고 안내 문자를 보냄"
    )
    interview = estimate(
        "임원 면접 진행", "최종 후보자를 대상으로 임원과 함께 면접을 진행하고 평가 의견을 정리한다"
    )
    assert scheduling.rating != Rating.LOW
    assert interview.rating == Rating.LOW


def test_shares_sit_in_their_ratings_band_in_steps_of_five():
    from ai.evaluation import DEFAULT_SET, read_set
    from ai.factors import BANDS

    for labelled in read_set(DEFAULT_SET.read_text(encoding="utf-8")):
        guess = estimate(labelled.task.title, labelled.task.description)
        low, high = BANDS[guess.rating]
        assert low <= guess.share <= high and guess.share % 5 == 0, labelled.task.title


def test_the_rule_provider_answers_in_the_models_format_and_says_why():
    from ai.inputs import TaskInput
    from ai.validation import clean_result

    task = TaskInput(
        1, "t1", "영업", "실적 집계", "ERP 실적을 엑셀로 내려받아 집계한다", "daily", 1, 30, 0
    )
    answer = RuleProvider().analyse([task], mode="quick")
    clean = clean_result(answer.items["t1"], "quick")
    assert clean["rating"] == Rating.HIGH
    assert "집계" in clean["suggestion"]  # the reason quotes the task's own words


def test_asking_back_when_the_expert_could_judge_is_not_within_one(tmp_path):
    rows = [
        "총무,지원,팀 업무 지원,매주,1,30,높음,60-80,x",  # the estimator asks: 정보 부족
        "총무,지원 둘,팀 업무 지원 둘,매주,1,30,보통,30-40,x",
    ]
    file = tmp_path / "set.csv"
    file.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    figures = run("--file", str(file), "--json")
    assert (figures["exact"], figures["within_one"], figures["two_plus"]) == (0, 0, 0)
    assert figures["needs_info_mismatch"] == 2
    assert figures["needs_info_precision"] == 0.0
    assert figures["needs_info_recall"] is None  # the expert expected no 정보 부족
    # Asking back answers a share of 0: 60 and 30 points below the expected ranges.
    assert figures["share_mae"] == 45.0


@pytest.mark.parametrize(
    "description",
    [
        "엑셀을 쓰지 않고 종이 장부에 입출금을 적는다",
        "엑셀을 안 쓰고 종이 장부에 입출금을 적는다",
        "엑셀을 쓰지 못하고 종이 장부에 적는다",
        "시스템 없이 수기로 입출금을 적는다",
    ],
)
def test_every_form_of_negation_counts_against_the_tool(description):
    guess = estimate("현금 출납 기록", description)
    assert guess.rating == Rating.LOW
    assert "없이" in guess.reason


def test_an_on_site_word_under_a_negation_is_not_on_site_work():
    guess = estimate("재고 조회", "창고 방문 없이 WMS에서 조회해 엑셀로 집계한다")
    assert guess.rating == Rating.HIGH
    assert "방문" not in guess.reason


def test_latin_words_match_whole_words_only():
    from ai.factors import read_factors

    factors = read_factors("credit check", "credit feedback review for vendors")
    assert factors.evidence["secure_site"] == [] and factors.evidence["tools"] == []
    assert read_factors("조회", "매일 EDI로 받은 주문을 DB에 넣는다").evidence["tools"] == ["DB"]


def test_an_asked_back_answers_label_is_not_evidence():
    from ai.factors import read_factors

    factors = read_factors("팀 지원", "팀 업무 지원 입력 자료: 엑셀")
    assert "입력" not in factors.evidence["digital"]
    assert factors.evidence["tools"] == ["엑셀"]


def test_without_the_analyser_the_estimate_still_answers(monkeypatch):
    from ai import factors

    monkeypatch.setattr(factors, "_kiwi", lambda: None)
    guess = factors.estimate("실적 집계", "ERP 실적을 엑셀로 내려받아 피벗으로 집계한다")
    assert guess.rating in (Rating.HIGH, Rating.MEDIUM)
    assert "집계" in guess.reason
