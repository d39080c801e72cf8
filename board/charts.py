"""Geometry for the server-rendered SVG charts of the workshop summary (no JavaScript).

Functions return plain numbers; the templates only place rectangles and labels.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from ai.models import Ease, Rating, Source
from board import common_work, reports
from board.reports import RATING_ORDER, WorkshopSummary
from workshop_site.figures import format_hours
from workshops.savings import savings

WIDTH = 640
LABEL_WIDTH = 120
BAR_HEIGHT = 22
GAP = 8

RATING_COLOURS = {
    Rating.HIGH: "#16a34a",
    Rating.MEDIUM: "#f59e0b",
    Rating.LOW: "#94a3b8",
    Rating.NEEDS_INFO: "#8b5cf6",
    "": "#e5e7eb",  # not analysed yet
}
RATING_NAMES = {**{rating: str(rating.label) for rating in Rating}, "": "분석 전"}


@dataclass
class Segment:
    x: float
    width: float
    colour: str
    label: str
    count: int


@dataclass
class BarRow:
    label: str
    y: float
    value_label: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Chart:
    rows: list[BarRow]
    height: float
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    legend: list[tuple[str, str]] = field(default_factory=list)


def _plot_width() -> float:
    return WIDTH - LABEL_WIDTH - 60


def ratings_by_domain(summary: WorkshopSummary) -> Chart:
    """Stacked bars: how many tasks of each domain are high, medium, low … (or unanalysed)."""
    most = max((line.total for line in summary.domains), default=0) or 1
    scale = _plot_width() / most
    rows = []
    for index, line in enumerate(summary.domains):
        row = BarRow(
            label=line.domain.name, y=index * (BAR_HEIGHT + GAP), value_label=f"{line.total}개"
        )
        x = float(LABEL_WIDTH)
        for rating in [*RATING_ORDER, ""]:
            count = line.unanalysed if rating == "" else line.counts.get(rating, 0)
            if count:
                width = count * scale
                row.segments.append(
                    Segment(x, width, RATING_COLOURS[rating], RATING_NAMES[rating], count)
                )
                x += width
        rows.append(row)
    legend = [(RATING_COLOURS[r], RATING_NAMES[r]) for r in [*RATING_ORDER, ""]]
    return Chart(rows=rows, height=max(len(rows), 1) * (BAR_HEIGHT + GAP), legend=legend)


def hours_bars(items: list[tuple[str, Decimal]], colour: str = "#2563eb") -> Chart:
    """Plain horizontal bars of hours, largest first."""
    most = max((value for _label, value in items), default=Decimal("0")) or Decimal("1")
    scale = Decimal(str(_plot_width())) / most
    rows = []
    for index, (label, value) in enumerate(items):
        width = float(value * scale)
        rows.append(
            BarRow(
                label=label,
                y=index * (BAR_HEIGHT + GAP),
                value_label=f"{format_hours(value)}시간",
                segments=[Segment(float(LABEL_WIDTH), width, colour, label, 0)] if width else [],
            )
        )
    return Chart(rows=rows, height=max(len(rows), 1) * (BAR_HEIGHT + GAP))


@dataclass
class Dot:
    cx: float
    cy: float
    r: float
    label: str
    title: str
    rules: bool = False  # a rule-based estimate, drawn hollow and said so in its title


@dataclass
class Matrix:
    dots: list[Dot]
    width: int = WIDTH
    height: int = 320
    columns: list[tuple[float, str]] = field(default_factory=list)
    top_label: str = ""

    @property
    def has_rules(self) -> bool:
        return any(dot.rules for dot in self.dots)


def impact_ease(summary: WorkshopSummary) -> Matrix:
    """Analysed tasks placed by ease of implementation (x) and hours saved (y). Every prompt-v2
    answer carries an ease, quick ones too; rule-based estimates are drawn hollow."""
    order = [Ease.EASY, Ease.MEDIUM, Ease.HARD]
    names = {ease: str(ease.label) for ease in Ease}
    left, right, top, bottom = 60, WIDTH - 20, 20, 280
    column = (right - left) / len(order)
    most = max((point.row.hours_saved for point in summary.matrix), default=0) or Decimal("1")
    dots, seen = [], {}
    for point in summary.matrix:
        index = order.index(point.ease)
        nth = seen.get(point.ease, 0)
        seen[point.ease] = nth + 1
        # Spread points of one column sideways so they do not hide each other.
        cx = left + column * index + column / 2 + ((nth % 5) - 2) * 14
        cy = bottom - float(point.row.hours_saved / most) * (bottom - top)
        analysis = point.row.analysis
        rules = analysis is not None and analysis.source == Source.RULES
        dots.append(
            Dot(
                cx=cx,
                cy=cy,
                r=7,
                label=point.row.task.title[:14],
                title=f"{point.row.task.title} · {point.row.task.team.name} · "
                f"월 {format_hours(point.row.hours_saved)}시간 절감 "
                f"({savings(point.row.hours_saved, summary.workshop.hourly_cost).monthly}) · "
                f"난이도 {names[point.ease]}" + (f" · {Source.RULES.label}" if rules else ""),
                rules=rules,
            )
        )
    return Matrix(
        dots=dots,
        columns=[(left + column * i + column / 2, names[e]) for i, e in enumerate(order)],
        top_label=f"{format_hours(most)}시간",
    )


def summary_context(
    summary: WorkshopSummary, *, facts: list[reports.Fact] | None = None, live: bool = False
) -> dict:
    """What workshops/_summary.html shows: the summary and its charts, the teams' plans with
    their estimated against actual savings, and the work several teams share. `facts` and
    `live`: a push's (board.common_work)."""
    plans = reports.plans_for(workshop=summary.workshop)
    return {
        "workshop": summary.workshop,
        "summary": summary,
        "ratings_chart": ratings_by_domain(summary),
        "teams_chart": hours_bars([(t.team.name, t.saved) for t in summary.teams]),
        "domains_chart": hours_bars(
            [(d.domain.name, d.saved) for d in summary.domains], colour="#0d9488"
        ),
        "matrix": impact_ease(summary),
        "rules_label": Source.RULES.label,
        "plans": plans,
        "outcomes": reports.plan_outcomes(summary.workshop, lines=plans),
        "common_work": common_work.for_summary(summary, facts=facts, live=live),
    }
