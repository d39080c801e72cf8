"""One way to write hours, shares and won (workshop_site.figures)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from workshop_site.figures import format_hours, format_percent, format_won


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("6.50"), "6.5"),
        (Decimal("4.00"), "4"),
        (Decimal("6.25"), "6.3"),  # half rounds up
        (Decimal("6.95"), "7"),
        (Decimal("1234.56"), "1,234.6"),
        (Decimal("12000"), "12,000"),
        (Decimal("0"), "0"),
        (Decimal("0.02"), "<0.1"),  # a real task is never shown as 0 hours
        (2.1666, "2.2"),
        ("8.66", "8.7"),
        (None, ""),
    ],
)
def test_hours_have_at_most_one_decimal_and_no_trailing_zero(value, shown):
    assert format_hours(value) == shown


def test_shares_are_whole_percentages():
    assert (format_percent(65), format_percent(33.3), format_percent(66.5)) == ("65", "33", "67")


def test_won_is_whole_and_grouped_by_thousands():
    assert (format_won(500000), format_won(Decimal("1234.5"))) == ("500,000", "1,235")


def test_the_template_filters_use_the_same_rules():
    rendered = Template(
        "{{ a|hours }}시간/월 · {{ b|hours }}시간/월 · {{ c|percent }}% · {{ d|won }}원"
    )
    context = Context({"a": Decimal("6.50"), "b": Decimal("4"), "c": 40, "d": 500000})
    assert rendered.render(context) == "6.5시간/월 · 4시간/월 · 40% · 500,000원"
