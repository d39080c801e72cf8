"""{% load savings %}: won as every page writes it, and hours saved as money and people."""

from decimal import Decimal

from django import template

from workshops import savings as money

register = template.Library()


@register.filter
def won(amount) -> str:
    """520000 → "520,000원"."""
    return money.format_won(amount or 0)


@register.simple_tag
def savings(hours: Decimal | None, hourly_cost: int) -> money.Savings:
    """{% savings hours workshop.hourly_cost as saved %}: saved.monthly, .yearly, .people."""
    return money.savings(hours, hourly_cost)
