"""Checks an answer item before anything is stored: a wrong shape is a missing answer."""

import unicodedata

from ai.models import Ease, Method, Mode, Rating
from ai.prompts import FIELDS

SUGGESTION_MAX = 300
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


def _text(value, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer("expected text")
    value = printable(" ".join(value.split()), limit)
    if required and not value:
        raise InvalidAnswer("empty text")
    return value


def _list(value) -> list[str]:
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
    result = {
        "rating": rating,
        "method": method,
        "suggestion": _text(item.get("suggestion"), SUGGESTION_MAX),
        "automatable_share": 0 if rating == Rating.NEEDS_INFO else share,
        "missing_info": _text(item.get("missing"), SUGGESTION_MAX, required=False),
    }
    if rating == Rating.NEEDS_INFO and not result["missing_info"]:
        raise InvalidAnswer("NEEDS_INFO without saying what is missing")
    if mode == Mode.DEEP:
        ease = item.get("ease")
        if ease not in Ease.values:
            raise InvalidAnswer(f"unknown ease {ease!r}")
        result.update(
            steps=_list(item.get("steps")),
            tools=_list(item.get("tools")),
            prerequisites=_list(item.get("prerequisites")),
            ease=ease,
        )
    return result
