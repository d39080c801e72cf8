"""Hours saved as money and people (issue 18): a workshop's hourly cost turns hours a month into
won a month, won a year and full-time people (FTE). One place for the arithmetic and one format
for won ("520,000원"), used by every page, the exports and the admin.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workshop_site import figures

# 월 소정근로시간 as Korean payroll counts it: (주 40시간 + 주휴 8시간) × 365 ÷ 7 ÷ 12 ≈ 209.
HOURS_PER_FTE = Decimal("209")
MONTHS_PER_YEAR = 12
# A team lead's fully loaded cost an hour (the workshop form's help text says how it is made):
# a 과장·차장급 salary of about 65 million won a year, × 1.5 for 4대 보험, 퇴직금 and 복리후생,
# over 2,508 hours a year (209 × 12) ≈ 38,900원, rounded to 40,000원.
DEFAULT_HOURLY_COST = 40_000
HOURLY_COST_MIN = 1_000
HOURLY_COST_MAX = 1_000_000


def format_won(amount: int | Decimal) -> str:
    """Whole won with thousands separators: 520000 → "520,000원" (workshop_site.figures)."""
    return f"{figures.format_won(amount)}원"


def format_fte(people: Decimal) -> str:
    """People to two decimals: Decimal("0.0622") → "0.06명"."""
    return f"{people.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}명"


@dataclass(frozen=True)
class Savings:
    """`hours` saved a month at `hourly_cost` won an hour."""

    hours: Decimal
    hourly_cost: int

    @property
    def monthly_won(self) -> int:
        won = (Decimal(self.hours) * self.hourly_cost).quantize(Decimal("1"), ROUND_HALF_UP)
        return int(won)

    @property
    def yearly_won(self) -> int:
        return self.monthly_won * MONTHS_PER_YEAR

    @property
    def fte(self) -> Decimal:
        return (Decimal(self.hours) / HOURS_PER_FTE).quantize(Decimal("0.01"), ROUND_HALF_UP)

    # What templates show (the formula is written out in workshops/_savings.html).
    @property
    def monthly(self) -> str:
        return format_won(self.monthly_won)

    @property
    def yearly(self) -> str:
        return format_won(self.yearly_won)

    @property
    def people(self) -> str:
        return format_fte(self.fte)

    @property
    def rate(self) -> str:
        return format_won(self.hourly_cost)

    @property
    def hours_per_fte(self) -> int:
        return int(HOURS_PER_FTE)


def savings(hours: Decimal | None, hourly_cost: int) -> Savings:
    return Savings(hours=hours if hours is not None else Decimal("0"), hourly_cost=hourly_cost)
