"""Common work: the similarity of two tasks' words and the grouping of a workshop's tasks."""

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from ai import grouping
from ai.grouping import analyse, cluster, similar_pairs, similarity


def alike(a: str, b: str) -> float:
    return similarity(analyse(a), analyse(b))


def test_the_same_work_in_other_words_is_alike():
    assert alike("주간 실적 보고서 작성", "매주 영업 성과 정리해서 보고") >= grouping.THRESHOLD


def test_the_same_word_for_other_work_is_not_alike():
    assert alike("주간 매출 보고", "매출 채권 회수") < grouping.THRESHOLD


def test_the_same_object_with_another_action_is_not_alike():
    assert alike("설비 점검 일지 작성", "설비 고장 수리") < grouping.THRESHOLD


def test_opposite_directions_of_one_flow_are_not_alike_however_they_are_spelt():
    # "거래처 대금 지급" and "거래처 대금 청구" share five of six syllables.
    assert alike("거래처 대금 지급", "거래처 대금 청구") < grouping.THRESHOLD


def test_deciding_is_not_the_same_work_as_doing():
    assert alike("불량률 집계", "불량 원인 분석") < grouping.THRESHOLD


def test_actions_of_one_kind_in_other_words_are_alike():
    # 확인 and 대조 are both checking; 은행 and 통장 are not in the thesaurus as one.
    assert alike("은행 입금 내역 확인", "통장 입금 대조") >= grouping.THRESHOLD


def test_two_reports_on_different_things_are_not_alike():
    assert alike("주간 상담 실적 보고", "주간 매출 보고") < grouping.THRESHOLD


def test_a_bracketed_aside_is_not_what_the_title_does():
    assert analyse("주간 매출 보고 (영업2팀)").head == "보고"


def test_a_thesaurus_word_is_not_cut_before_what_looks_like_a_particle():
    assert analyse("인사 발령 품의").head == "품의"


def test_a_two_word_thesaurus_phrase_stands_for_itself_not_its_parts():
    assert "매출" not in analyse("매출 채권 회수").weights


def test_generic_workplace_words_weigh_little():
    assert analyse("교육 이수 현황 관리").weights["관리"] < 0.5
    assert alike("교육 이수 현황 관리", "재고 현황 관리") < grouping.THRESHOLD


def test_synonyms_read_as_one_concept():
    assert (
        analyse("고객사 미팅 스케줄").weights.keys() == analyse("거래처 방문 일정").weights.keys()
    )


def test_the_analyser_reads_a_report_split_as_a_verb():
    # Kiwi reads "보고" in "정리해서 보고" as 보- + -고; in a task title it is a report.
    assert "보고" in analyse("매주 영업 성과 정리해서 보고").weights


def test_description_words_count_half():
    terms = analyse("월간 보고", "ERP에서 매출을 내려받는다")
    assert terms.weights["매출"] == grouping.DESCRIPTION_WEIGHT


def test_an_identical_title_is_as_alike_as_can_be():
    assert alike("세금계산서 발행", "세금계산서 발행") == pytest.approx(1.0)


def test_unrelated_tasks_are_not_compared_at_all():
    terms = [analyse("급여 계산"), analyse("서버 모니터링"), analyse("급여 명세서 발송")]
    assert list(similar_pairs(terms, threshold=0.01)) == [(0, 2)]


def test_tasks_are_grouped_by_average_linkage():
    titles = [
        "주간 실적 보고서 작성",
        "매주 영업 성과 정리해서 보고",
        "주간 영업 실적 보고",
        "매출 채권 회수",
        "미수금 회수 독촉",
        "서버 백업 확인",
    ]
    terms = [analyse(title) for title in titles]
    assert cluster(len(terms), similar_pairs(terms)) == [[0, 1, 2], [3, 4]]


def close_knit(members: range, score: float = 0.9) -> dict[tuple[int, int], float]:
    return {(i, j): score for i in members for j in members if i < j}


def test_two_groups_whose_strongest_pair_is_one_work_are_joined():
    # Average linkage alone keeps them apart (one pair of nine is alike: 0.7 / 9 < LINKAGE).
    scores = close_knit(range(3)) | close_knit(range(3, 6)) | {(2, 3): 0.7}
    assert cluster(6, scores) == [[0, 1, 2, 3, 4, 5]]


def test_two_groups_whose_strongest_pair_is_only_somewhat_alike_stay_apart():
    scores = close_knit(range(3)) | close_knit(range(3, 6)) | {(2, 3): 0.5}
    assert cluster(6, scores) == [[0, 1, 2], [3, 4, 5]]


def test_one_strong_pair_does_not_join_two_large_groups_otherwise_unlike():
    # 0.7 over 25 pairs is an average below RELINK.
    scores = close_knit(range(5)) | close_knit(range(5, 10)) | {(4, 5): 0.7}
    assert cluster(10, scores) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_a_task_kept_apart_joins_no_group():
    terms = [analyse(t) for t in ["주간 실적 보고서 작성", "주간 영업 실적 보고", "매출 채권 회수"]]
    assert cluster(len(terms), similar_pairs(terms), apart=[1]) == []


def test_linked_tasks_end_in_one_group_whatever_their_words():
    terms = [analyse(t) for t in ["주간 실적 보고서 작성", "주간 영업 실적 보고", "매출 채권 회수"]]
    assert cluster(len(terms), similar_pairs(terms), linked=[[1, 2]]) == [[0, 1, 2]]


def test_a_linked_task_stays_in_its_group_though_kept_apart_from_others():
    terms = [analyse(t) for t in ["주간 실적 보고서 작성", "주간 영업 실적 보고", "매출 채권 회수"]]
    groups = cluster(len(terms), similar_pairs(terms), linked=[[1, 2]], apart=[0])
    assert groups == [[1, 2]]


def test_terms_are_kept_in_the_shared_cache_by_text():
    grouping._memo.clear()
    cache.delete(grouping.text_key("통신비 정산", ""))
    grouping.terms_for_texts([("통신비 정산", "")])
    grouping._memo.clear()
    stored = cache.get(grouping.text_key("통신비 정산", ""))
    assert grouping.terms_for_texts([("통신비 정산", "")])[0].weights == stored[0]


def test_a_workshop_of_3000_tasks_is_grouped_in_under_three_seconds():
    # bench/grouping.py's workshop: 1,000 realistic tasks three times, each copy with another
    # task's description, so that no two texts are the same.
    tasks = json.loads(
        (Path(__file__).resolve().parents[2] / "bench/data/tasks_1000.json").read_text("utf-8")
    )
    texts = [
        (tasks[i % 1000]["title"], tasks[(i * 7 + i // 1000) % 1000]["description"] + str(i))
        for i in range(3000)
    ]
    terms = grouping.terms_for_texts(texts)
    started = time.perf_counter()
    groups = grouping.group(terms)
    assert time.perf_counter() - started < 3
    assert len(groups) >= 20


# --- manage.py evaluate_grouping ---------------------------------------------------------------

HEADER = "영역,업무 A,설명 A,업무 B,설명 B,같은 업무,구분,근거\n"


def run(*args) -> dict:
    out = StringIO()
    call_command("evaluate_grouping", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_labelled_pairs_are_at_least_200_across_8_domains():
    from ai import grouping_evaluation

    pairs = grouping_evaluation.read_pairs(
        grouping_evaluation.DEFAULT_PAIRS.read_text(encoding="utf-8")
    )
    text = grouping_evaluation.DEFAULT_PAIRS.read_text(encoding="utf-8")
    domains = {line.split(",")[0] for line in text.splitlines()[1:]}
    assert len(pairs) >= 200
    assert len(domains - {"공통"}) >= 8
    assert all(pair.reason for pair in pairs)
    assert {pair.split for pair in pairs} == {"tune", "holdout"}


def test_every_fourth_pair_of_the_file_is_held_out():
    from ai import grouping_evaluation

    pairs = grouping_evaluation.read_pairs(
        grouping_evaluation.DEFAULT_PAIRS.read_text(encoding="utf-8")
    )
    # The split is fixed by position, not chosen pair by pair: pairs added later follow it too.
    assert [pair.split for pair in pairs] == [
        "holdout" if number % 4 == 3 else "tune" for number in range(len(pairs))
    ]


def test_the_grouping_keeps_its_measured_figures_on_the_labelled_pairs():
    figures = run("--json")
    assert figures["pairs"] >= 200
    # Measured 2026-12-07 on 436 pairs, g8 (BENCHMARKS.md). The targets (0.85 both) are met on
    # tune only: tune 0.859 / 0.850, holdout 0.843 / 0.683, whole file 0.871 / 0.795. A change
    # that loses ground fails here.
    assert figures["tune"]["grouped"]["precision"] >= 0.85
    assert figures["tune"]["grouped"]["recall"] >= 0.85
    assert figures["precision"] >= 0.87
    assert figures["recall"] >= 0.79
    assert figures["holdout"]["grouped"]["precision"] >= 0.84
    assert figures["holdout"]["grouped"]["recall"] >= 0.68


def test_precision_and_recall_are_counted_over_the_pairs(tmp_path):
    rows = [
        "영업,주간 실적 보고서 작성,,매주 영업 성과 정리해서 보고,,1,tune,같은 보고",
        "영업,주간 매출 보고,,매출 채권 회수,,0,tune,다른 일",
        "생산,설비 점검 일지 작성,,설비 고장 수리,,0,holdout,다른 일",
        "총무,해피콜,,구매 고객 만족도 확인 전화,,1,holdout,같은 전화",
    ]
    file = tmp_path / "pairs.csv"
    file.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    figures = run("--file", str(file), "--json")
    assert (figures["pairs"], figures["same"], figures["different"]) == (4, 2, 2)
    assert (figures["tp"], figures["fp"], figures["fn"]) == (1, 0, 1)
    assert (figures["precision"], figures["recall"]) == (1.0, 0.5)
    assert figures["tune"]["grouped"]["recall"] == 1.0
    assert figures["holdout"]["grouped"]["recall"] == 0.0


def test_the_json_line_is_the_last_line_and_the_summary_is_korean(tmp_path):
    file = tmp_path / "pairs.csv"
    file.write_text(HEADER + "영업,주간 매출 보고,,매출 채권 회수,,0,tune,다른 일\n", "utf-8")
    out = StringIO()
    call_command("evaluate_grouping", "--file", str(file), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "정밀도" in lines[0]
    assert json.loads(lines[-1])["different"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("업무 A,업무 B\n가,나\n", "열이 없습니다"),
        (HEADER, "한 줄도 없습니다"),
        (HEADER + "영업,가,,나,,예,tune,x\n", "2행: ‘같은 업무’"),
        (HEADER + "영업,가,,나,,1,train,x\n", "2행: ‘구분’"),
        (HEADER + "영업,,,나,,1,tune,x\n", "2행: 업무 A와 업무 B"),
    ],
)
def test_a_bad_pair_file_is_refused_with_a_korean_reason(tmp_path, content, message):
    file = tmp_path / "bad.csv"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_grouping", "--file", str(file))


def test_a_missing_pair_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="읽지 못했습니다"):
        call_command("evaluate_grouping", "--file", str(tmp_path / "none.csv"))


def test_the_matrix_scores_equal_the_pairwise_similarity():
    from ai import grouping_evaluation

    pairs = grouping_evaluation.read_pairs(
        grouping_evaluation.DEFAULT_PAIRS.read_text(encoding="utf-8")
    )
    texts = sorted({text for pair in pairs for text in (pair.a, pair.b)})[:150]
    terms = grouping.terms_for_texts(texts)
    found = similar_pairs(terms, threshold=0.2)
    expected = {
        (i, j): similarity(terms[i], terms[j])
        for i in range(len(terms))
        for j in range(i + 1, len(terms))
        if similarity(terms[i], terms[j]) >= 0.2
    }
    assert found.keys() == expected.keys()
    assert all(found[pair] == pytest.approx(expected[pair]) for pair in expected)


def test_tasks_with_the_same_title_are_one_group_whatever_their_descriptions():
    terms = [
        analyse("주간 업무 보고", "ERP에서 매출을 내려받아 정리한다"),
        analyse("주간 업무 보고", "팀원들의 일정을 모아 메일로 보낸다"),
        analyse("설비 고장 수리"),
    ]
    assert grouping.group(terms) == [[0, 1]]
