"""Template filters for Korean copy and figures, built into every template (TEMPLATES builtins):
``{{ team.name|josa:"은/는" }}`` → 영업1팀은, ``{{ team.name|team_label }}에`` → 영업 팀에."""

from django import template

from workshop_site import figures, korean

register = template.Library()


# is_safe: a particle adds no markup, so an escaped word stays escaped and a plain one is
# escaped once on output.
@register.filter(is_safe=True)
def josa(word, particle: str) -> str:
    """The word followed by the right form of the particle (workshop_site.korean)."""
    return korean.josa(word, particle)


@register.filter(is_safe=True)
def particle(word, particle: str) -> str:
    """The particle alone, for a word set apart in markup:
    ``<strong>{{ email }}</strong>{{ email|particle:"으로/로" }}``."""
    return korean.particle_for(str(word), particle)


@register.filter(is_safe=True)
def team_label(name) -> str:
    """A team's name ending in 팀, without doubling it: 영업 → 영업 팀, 영업1팀 → 영업1팀."""
    return korean.team_label(name)


# Figures (workshop_site.figures): {{ task.hours_per_month|hours }}시간/월,
# {{ a.automatable_share|percent }}%, {{ report.spent_krw|won }}원.
@register.filter
def hours(value) -> str:
    return figures.format_hours(value)


@register.filter
def percent(value) -> str:
    return figures.format_percent(value)


@register.filter
def won(value) -> str:
    return figures.format_won(value)
