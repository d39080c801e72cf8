"""{% load savings %}: hours saved as money and people. (Won itself is the built-in `won`
filter, workshop_site.templatetags.korean: `{{ amount|won }}원`.)"""

from decimal import Decimal

from django import template

from workshops import savings as money

register = template.Library()


@register.simple_tag
def savings(hours: Decimal | None, hourly_cost: int) -> money.Savings:
    """{% savings hours workshop.hourly_cost as saved %}: saved.monthly, .yearly, .people."""
    return money.savings(hours, hourly_cost)
