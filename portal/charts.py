"""Where things go on the timeline's charts: pure arithmetic, drawn as SVG by templates/components/charts.html.

No JavaScript and no inline style: the template writes coordinates as attributes and colours as classes (the SCSS
under assets/). Every chart comes with a title and description and a table of the same figures beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: Sizes in the SVG's own units (it scales to the width of its column).
WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 80, 24, 16, 56
CELL_W, CELL_H, LABEL_W, HEAD_H = 64, 28, 240, 40


@dataclass(frozen=True)
class Mark:
    """One figure placed on a chart."""

    x: float
    y: float
    on: date
    pence: int | None


@dataclass(frozen=True)
class Tick:
    """A gridline and its label."""

    y: float
    pence: int


@dataclass(frozen=True)
class BudgetChart:
    """The weekly budget over time: a step line (a budget holds until the next decision) with a mark per decision."""

    width: int
    height: int
    marks: list[Mark]
    ticks: list[Tick]
    path: str
    plot_left: int
    plot_right: int
    plot_bottom: int


def _nice_top(largest: int) -> int:
    """A round upper limit for the axis, in pence (1, 2 or 5 times a power of ten, in pounds)."""
    pounds = max(Decimal(largest) / 100, Decimal(1))
    step = Decimal(1)
    while True:
        for factor in (1, 2, 5):
            if factor * step >= pounds:
                return int(factor * step * 100)
        step *= 10


def budget_chart(figures: list[tuple[date, int | None]]) -> BudgetChart:
    """Place each (day, weekly pence or None for no budget) on the chart, oldest first."""
    plot_right = WIDTH - RIGHT
    plot_bottom = HEIGHT - BOTTOM
    top = _nice_top(max((pence or 0 for _, pence in figures), default=0))
    days = [on.toordinal() for on, _ in figures]
    first, last = (min(days), max(days)) if days else (0, 0)

    def x_of(on: date) -> float:
        if last == first:
            return (LEFT + plot_right) / 2
        return LEFT + (on.toordinal() - first) * (plot_right - LEFT) / (last - first)

    def y_of(pence: int) -> float:
        return plot_bottom - pence * (plot_bottom - TOP) / top

    marks = [Mark(round(x_of(on), 1), round(y_of(pence or 0), 1), on, pence) for on, pence in figures]
    steps = []
    for index, mark in enumerate(marks):
        if index == 0:
            steps.append(f"M {mark.x} {mark.y}")
        else:
            steps.append(f"H {mark.x} V {mark.y}")
    if marks and len(marks) > 1:
        steps.append(f"H {plot_right}")
    ticks = [Tick(round(y_of(top * i // 4), 1), top * i // 4) for i in range(5)]
    return BudgetChart(WIDTH, HEIGHT, marks, ticks, " ".join(steps), LEFT, plot_right, plot_bottom)


@dataclass(frozen=True)
class Cell:
    """One area's level of need at one decision."""

    x: int
    y: int
    level: int


@dataclass(frozen=True)
class NeedsChart:
    """Need by area over time: a row per area, a column per decision, each cell shaded and numbered by level."""

    width: int
    height: int
    rows: list[tuple[str, int]]  # (area, y of its row)
    columns: list[tuple[date, int]]  # (day, x of its column)
    cells: list[Cell]


def needs_chart(days: list[date], levels: list[dict[str, int]], areas: list[str]) -> NeedsChart:
    """Lay out the areas (in order) against the decisions' days; ``levels[i]`` holds each area's level on ``days[i]``."""
    rows = [(area, HEAD_H + i * CELL_H) for i, area in enumerate(areas)]
    columns = [(on, LABEL_W + i * CELL_W) for i, on in enumerate(days)]
    cells = [Cell(x, y, int(levels[i].get(area, 0))) for i, (_, x) in enumerate(columns) for area, y in rows]
    width = LABEL_W + max(1, len(days)) * CELL_W + 8
    height = HEAD_H + max(1, len(areas)) * CELL_H + 8
    return NeedsChart(width, height, rows, columns, cells)
