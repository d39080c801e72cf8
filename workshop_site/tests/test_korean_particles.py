"""Particles chosen by the last syllable (workshop_site.korean), in Python and in templates."""

import pytest
from django.template import Context, Template

from workshop_site.korean import josa, particle_for, team_label


@pytest.mark.parametrize(
    ("word", "particle", "expected"),
    [
        ("영업1팀", "은/는", "영업1팀은"),
        ("인사", "은/는", "인사는"),
        ("영업팀", "이/가", "영업팀이"),
        ("재무", "이/가", "재무가"),
        ("보고서", "을/를", "보고서를"),
        ("정산", "을/를", "정산을"),
        ("팀장", "과/와", "팀장과"),
        ("강사", "과/와", "강사와"),
        ("서울", "으로/로", "서울로"),  # ㄹ takes 로
        ("영업팀", "으로/로", "영업팀으로"),
        ("김강사", "으로/로", "김강사로"),
        ("김강사 님", "으로/로", "김강사 님으로"),
    ],
)
def test_a_hangul_word_takes_the_particle_its_last_syllable_asks_for(word, particle, expected):
    assert josa(word, particle) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("1", "1은"),  # 일
        ("2", "2는"),  # 이
        ("3", "3은"),  # 삼
        ("4", "4는"),  # 사
        ("6", "6은"),  # 육
        ("9", "9는"),  # 구
        ("10", "10은"),  # 십
        ("100", "100은"),  # 백
        ("2000", "2000은"),  # 이천
        ("0", "0은"),  # 영
        ("팀 12", "팀 12는"),  # 십이
    ],
)
def test_digits_are_read_as_korean_numbers(word, expected):
    assert josa(word, "은/는") == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("1", "1로"),  # 일: ㄹ
        ("7", "7로"),  # 칠
        ("3", "3으로"),  # 삼
        ("2", "2로"),  # 이
        ("HR", "HR로"),  # 에이치알: ㄹ
        ("CRM", "CRM으로"),  # 씨알엠
        ("IT", "IT로"),  # 아이티
        ("kim.gangsa", "kim.gangsa로"),  # 강사
        ("kim@example.com", "kim@example.com으로"),  # 컴
        ("excel", "excel로"),  # 엑셀: ㄹ
    ],
)
def test_latin_and_digits_take_ro_after_a_vowel_or_rieul(word, expected):
    assert josa(word, "으로/로") == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("B", "B가"),  # 비
        ("M", "M이"),  # 엠
        ("admin", "admin이"),  # 어드민
        ("sales", "sales가"),  # 세일즈
        ("team", "team이"),  # 팀
        ("home", "home이"),  # 홈
    ],
)
def test_latin_letters_are_read_by_common_pronunciation(word, expected):
    assert josa(word, "이/가") == expected


@pytest.mark.parametrize(
    ("word", "particle", "expected"),
    [
        ("chat", "은/는", "chat은(는)"),  # 챗 or 채트: not guessed
        ("desk", "이/가", "desk이(가)"),
        ("app", "으로/로", "app(으)로"),
        ("", "을/를", "을(를)"),
        ("★", "과/와", "★과(와)"),
    ],
)
def test_an_ending_read_either_way_gets_the_both_ways_form(word, particle, expected):
    assert josa(word, particle) == expected


def test_a_trailing_parenthesis_and_quotes_are_skipped():
    assert josa("컴퓨터(PC)", "을/를") == "컴퓨터(PC)를"
    assert josa("‘마법’", "이/가") == "‘마법’이"


def test_either_form_names_the_particle():
    assert particle_for("인사", "는") == "는"
    assert particle_for("영업팀", "는") == "은"
    assert particle_for("서울", "로") == "로"


def test_an_unknown_particle_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown particle"):
        josa("영업", "에서/서")


def test_a_team_name_ending_in_team_is_not_doubled():
    assert team_label("영업1팀") == "영업1팀"
    assert team_label("영업") == "영업 팀"


def test_the_template_filter_adds_the_particle_and_escapes_once():
    rendered = Template('{{ name|josa:"은/는" }} · {{ team|team_label }}에').render(
        Context({"name": "R&D", "team": "영업1팀"})
    )
    assert rendered == "R&amp;D는 · 영업1팀에"


def test_the_particle_filter_gives_the_particle_alone():
    rendered = Template('<b>{{ email }}</b>{{ email|particle:"으로/로" }}').render(
        Context({"email": "lee@example.co"})
    )
    assert rendered == "<b>lee@example.co</b>로"
