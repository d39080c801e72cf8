from decimal import Decimal

import pytest

from workshops.models import (
    JOIN_CODE_ALPHABET,
    Frequency,
    generate_invitation_token,
    generate_join_code,
    monthly_hours,
    normalise_join_code,
)


@pytest.mark.parametrize(
    ("frequency", "occurrences", "minutes", "expected"),
    [
        (Frequency.DAILY, 1, 30, Decimal("10.50")),  # 1 × 30 × 21 / 60
        (Frequency.WEEKLY, 2, 60, Decimal("8.66")),  # 2 × 60 × 4.33 / 60
        (Frequency.MONTHLY, 1, 180, Decimal("3.00")),
        (Frequency.AD_HOC, 3, 20, Decimal("1.00")),
        (Frequency.WEEKLY, 1, 1, Decimal("0.07")),  # 0.0722 rounds half up to 0.07
    ],
)
def test_monthly_hours_follow_the_shown_formula(frequency, occurrences, minutes, expected):
    assert monthly_hours(frequency=frequency, minutes=minutes, occurrences=occurrences) == expected


def test_a_saved_task_stores_its_monthly_hours(task):
    task.minutes_per_occurrence = 30
    task.save(update_fields=["minutes_per_occurrence"])
    task.refresh_from_db()
    assert task.hours_per_month == Decimal("2.17")


def test_join_codes_use_only_unambiguous_characters():
    codes = {generate_join_code() for _ in range(200)}
    assert all(set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    assert not set("01OIL") & set(JOIN_CODE_ALPHABET)


def test_join_codes_are_normalised_from_what_people_type():
    assert normalise_join_code(" wk-shp 2 ") == "WKSHP2"


def test_invitation_tokens_carry_at_least_128_bits():
    # token_urlsafe(32): 32 random bytes, 43 base64url characters.
    token = generate_invitation_token()
    assert len(token) >= 43
    assert generate_invitation_token() != token
