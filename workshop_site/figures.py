"""One way to write the product's figures: hours, shares and won, on every page, export, chart
and message.

- Hours: at most one decimal, a trailing .0 dropped, thousands separated — 4, 6.5, 1,234.5.
  Half rounds up (6.25 → 6.3, 6.5 stays 6.5), so a figure never reads 7 on one screen and 6.5
  on another. A positive figure too small to show as 0.1 reads "<0.1" rather than a false 0.
- Shares and percentages: whole numbers (65).
- Won: whole won, thousands separated (500,000).

Spreadsheets keep numbers as numbers, exact, so that a sum in Excel matches the app's total;
XLSX shows hours with one decimal (HOURS_NUMBER_FORMAT: Excel has no format that drops a
trailing .0 only when it is zero).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TENTH = Decimal("0.1")
ONE = Decimal("1")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


HOURS_NUMBER_FORMAT = "#,##0.0"


def _rounded_hours(number: Decimal) -> Decimal:
    return number.quantize(TENTH, rounding=ROUND_HALF_UP)


def format_hours(value) -> str:
    """Hours as shown anywhere: "4", "6.5", "1,234.5", "<0.1"; "" for no value."""
    number = _decimal(value)
    if number is None:
        return "" if value in (None, "") else str(value)
    rounded = _rounded_hours(number)
    if rounded == 0 and number > 0:
        return "<0.1"
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded:,.1f}"


def format_percent(value) -> str:
    """A share or percentage as a whole number: 65, 33 (33.3), 67 (66.5)."""
    number = _decimal(value)
    if number is None:
        return "" if value in (None, "") else str(value)
    return f"{int(number.quantize(ONE, rounding=ROUND_HALF_UP)):,}"


def format_won(value) -> str:
    """Won as whole won with thousands separators: 500,000."""
    number = _decimal(value)
    if number is None:
        return "" if value in (None, "") else str(value)
    return f"{int(number.quantize(ONE, rounding=ROUND_HALF_UP)):,}"
