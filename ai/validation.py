"""Checks an answer item before anything is stored: a wrong shape is a missing answer."""

import unicodedata

from ai import rubric
from ai.models import Ease, Method, Mode, Rating
from ai.prompts import FIELDS

SUGGESTION_MAX = 300
REASON_MAX = 80  # the prompt asks for 25 (quick) or 40 (deep); the hard cap is 80
LIST_ITEM_MAX = 120
LIST_MAX = 8


class InvalidAnswer(ValueError):
    pass


def printable(text: str, limit: int) -> str:
    """`text` without control characters or lone surrogates, at most `limit` characters.

    Whatever the model (or a proxy in between) sends, what we store must be storable: a NUL
    is refused by PostgreSQL, a lone surrogate by any UTF-8 encoder.
    """
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))
    return kept[:limit]


def _text(value: object, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer("expected text")
    text = printable(" ".join(value.split()), limit)
    if required and not text:
        raise InvalidAnswer("empty text")
    return text


def _list(value: object) -> list[str]:
    if not isinstance(value, list) or not value:
        raise InvalidAnswer("expected a non-empty list")
    return [_text(item, LIST_ITEM_MAX) for item in value[:LIST_MAX]]


def clean_result(answer_item: dict, mode: str) -> dict:
    """The fields we store, from one item of the model's answer; raises InvalidAnswer."""
    if not isinstance(answer_item, dict):
        raise InvalidAnswer("expected an object")
    # The answer uses short property names (prompts.FIELDS); read them by their long ones.
    item = {name: answer_item.get(short) for name, short in FIELDS.items()}
    rating = item.get("rating")
    method = item.get("method")
    if rating not in Rating.values:
        raise InvalidAnswer(f"unknown rating {rating!r}")
    if method not in Method.values:
        raise InvalidAnswer(f"unknown method {method!r}")
    share = item.get("share")
    if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
        raise InvalidAnswer(f"share out of range: {share!r}")
    if rating == Rating.NEEDS_INFO:
        share = 0
    # Cross-field rules of the rubric: an answer that breaks them is asked again once.
    if not rubric.share_fits(rating, share):
        raise InvalidAnswer(f"share {share} outside the {rating} band {rubric.BANDS[rating]}")
    if method == Method.MANUAL and rating == Rating.HIGH:
        raise InvalidAnswer("MANUAL with HIGH")
    factors = rubric.clean_factors(item.get("factors"))
    if factors is None:
        raise InvalidAnswer(f"factors not in the rubric: {item.get('factors')!r}")
    ease = item.get("ease")
    if ease not in Ease.values:
        raise InvalidAnswer(f"unknown ease {ease!r}")
    suggestion = _text(item.get("suggestion"), SUGGESTION_MAX)
    # A NEEDS_INFO answer's suggestion is the question to ask back (ai.prompts): stored as
    # what is missing, the one thing its card shows.
    asked = rating == Rating.NEEDS_INFO
    result = {
        "rating": rating,
        "method": method,
        "reason": _text(item.get("reason"), REASON_MAX),
        "factors": factors,
        "suggestion": "" if asked else suggestion,
        # Steps of 5, as the prompt asks: a 63 is read as the 65 it stands for.
        "automatable_share": min(rubric.round_share(share), rubric.BANDS[rating][1]),
        "ease": ease,
        "missing_info": suggestion if asked else "",
    }
    if mode == Mode.DEEP:
        result.update(
            steps=_list(item.get("steps")),
            tools=_list(item.get("tools")),
            prerequisites=_list(item.get("prerequisites")),
        )
    return result
