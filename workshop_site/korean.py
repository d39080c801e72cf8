"""Korean particles (조사) chosen by the word they follow, and the team label.

A particle such as 은/는 depends on whether the last syllable of the word *as read aloud* ends
in a consonant (받침): 영업팀은, 인사는. Names, team names and e-mail addresses come from people,
so the choice is made at render time: ``josa("영업1팀", "은/는") == "영업1팀은"``, in templates
``{{ team.name|josa:"은/는" }}``.

How the last sound is found (the rule, for the cases that are not Hangul):

- A Hangul syllable: its 받침, exactly. For 으로/로 a ㄹ 받침 takes 로 (서울로, 영업팀으로).
- A trailing parenthesis is skipped, as 국립국어원 advises (컴퓨터(PC)를), and so are trailing
  spaces, quotes and punctuation.
- Digits are read as Sino-Korean numbers: the last non-zero digit, or the unit its trailing
  zeros make. 1 일, 3 삼, 6 육, 7 칠, 8 팔, 0 영 end in a consonant (1, 7, 8 in ㄹ); 2 이,
  4 사, 5 오, 9 구 in a vowel; 10 십, 100 백, 1000 천, 10000 만 in a consonant.
- Latin letters. An all-capital word is read letter by letter (HR 에이치알, IT 아이티): only
  L 엘, M 엠, N 엔, R 알 end in a consonant (L and R in ㄹ). Any other word is read as English:
  an ending in m, n, ng, me, ne (kim 김, admin 어드민, team 팀, home 홈) is a consonant, l
  (excel 엑셀) is ㄹ, and a vowel or a consonant English words end in with 으 (s 스, d 드,
  x 스, f 프, sh 시, r 어 …) is a vowel. The endings Korean reads either way (t: 챗 / 시트,
  k: 북 / 데스크, p: 앱 / 헬프, le: 파일 / 애플 …) are not guessed.
- Anything else (an unknown ending, an empty word) gets the written both-ways form the
  newspapers use: 은(는), 이(가), 을(를), 과(와), (으)로.
"""

from __future__ import annotations

import re

# Each particle: (after a consonant, after a vowel). For 으로/로, ㄹ goes with the vowel form.
PARTICLES: dict[str, tuple[str, str]] = {
    "은": ("은", "는"),
    "이": ("이", "가"),
    "을": ("을", "를"),
    "과": ("과", "와"),
    "으로": ("으로", "로"),
    "이나": ("이나", "나"),
    "이랑": ("이랑", "랑"),
    "아": ("아", "야"),
    "이에요": ("이에요", "예요"),
}
_BY_FORM = {form: key for key, pair in PARTICLES.items() for form in pair}

# What the sound at the end of a word is: a consonant, ㄹ (a consonant that takes 로), a vowel,
# or unknown (both-ways form).
CONSONANT, RIEUL, VOWEL, UNKNOWN = "consonant", "rieul", "vowel", "unknown"

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL_FINAL = 8  # ㄹ among the 28 final-consonant slots (0 = none)

# Sino-Korean digits: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_SOUND = {
    "0": CONSONANT,
    "1": RIEUL,
    "2": VOWEL,
    "3": CONSONANT,
    "4": VOWEL,
    "5": VOWEL,
    "6": CONSONANT,
    "7": RIEUL,
    "8": RIEUL,
    "9": VOWEL,
}
# Trailing zeros → the unit read last: 십 백 천 만 (then 십만 … 억 조 repeat the pattern).
_UNIT_SOUND = {1: CONSONANT, 2: CONSONANT, 3: CONSONANT}
_MYRIAD_SOUND = {1: CONSONANT, 2: CONSONANT, 3: VOWEL}  # 만, 억, 조

_LETTER_NAME_SOUND = {"L": RIEUL, "M": CONSONANT, "N": CONSONANT, "R": RIEUL}

_WORD_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ng", CONSONANT),
    ("me", CONSONANT),
    ("ne", CONSONANT),
    ("le", UNKNOWN),
    ("m", CONSONANT),
    ("n", CONSONANT),
    ("l", RIEUL),
    *((vowel, VOWEL) for vowel in "aeiouy"),
    *((letter, VOWEL) for letter in "sxzfvdhrw"),
)

_SKIPPED_TAIL = re.compile(r"(?:\s*\([^()]*\))+$|[\s\"'’”»)\].,!?~]+$")
_LATIN_WORD = re.compile(r"[A-Za-z]+$")


def final_sound(word: str) -> str:
    """How ``word`` ends when read aloud: CONSONANT, RIEUL, VOWEL or UNKNOWN."""
    text = str(word)
    while True:
        trimmed = _SKIPPED_TAIL.sub("", text)
        if trimmed == text:
            break
        text = trimmed
    if not text:
        return UNKNOWN
    last = text[-1]
    code = ord(last)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        final = (code - _HANGUL_FIRST) % 28
        if final == 0:
            return VOWEL
        return RIEUL if final == _RIEUL_FINAL else CONSONANT
    if last.isdigit() and last.isascii():
        return _number_sound(re.search(r"[0-9]+$", text).group())  # type: ignore[union-attr]
    latin = _LATIN_WORD.search(text)
    if latin:
        return _latin_sound(latin.group())
    return UNKNOWN


def _number_sound(digits: str) -> str:
    stripped = digits.rstrip("0")
    if not stripped:
        return CONSONANT  # 영
    zeros = len(digits) - len(stripped)
    if zeros == 0:
        return _DIGIT_SOUND[stripped[-1]]
    if zeros % 4:
        return _UNIT_SOUND[zeros % 4]
    return _MYRIAD_SOUND.get(zeros // 4, UNKNOWN)


def _latin_sound(letters: str) -> str:
    if letters.isupper() or len(letters) == 1:
        # An acronym or a single letter is read by letter names (B팀 비, HR 에이치알).
        return _LETTER_NAME_SOUND.get(letters[-1].upper(), VOWEL)
    lower = letters.lower()
    for ending, sound in _WORD_ENDINGS:
        if lower.endswith(ending):
            return sound
    return UNKNOWN


def particle_for(word: str, particle: str) -> str:
    """The form of ``particle`` that follows ``word``: ``particle_for("서울", "으로/로") == "로"``.

    ``particle`` is either form, or both as ``"은/는"``; an unknown particle is a programming
    error (ValueError), so a typo in a template fails its test rather than printing nonsense."""
    first = particle.split("/")[0].strip()
    key = _BY_FORM.get(first)
    if key is None:
        raise ValueError(f"unknown particle: {particle!r}")
    after_consonant, after_vowel = PARTICLES[key]
    sound = final_sound(word)
    if sound == CONSONANT:
        return after_consonant
    if sound == VOWEL:
        return after_vowel
    if sound == RIEUL:
        return after_vowel if key == "으로" else after_consonant
    if key == "으로":
        return "(으)로"
    return f"{after_consonant}({after_vowel})"


def josa(word: object, particle: str) -> str:
    """``word`` followed by the right form of ``particle``: ``josa("영업1팀", "은/는")`` →
    ``"영업1팀은"``."""
    text = str(word)
    return text + particle_for(text, particle)


def team_label(name: object) -> str:
    """A team's name as a noun phrase that ends in 팀: 영업 → "영업 팀", 영업1팀 → "영업1팀"
    (never "영업1팀 팀")."""
    text = str(name).strip()
    return text if text.endswith("팀") else f"{text} 팀"
