"""Charts drawn on the server as SVG (`core/_chart.html`), written once for every page and PDF:
no JavaScript, readable printed (WeasyPrint draws SVG) and at 390 px (the drawing scales down).

A chart is horizontal bars in groups: a label over each group, one bar per series, the figure
written at the end of each bar and in its tooltip, a legend, an axis with its label, and an
optional target per group (a quota, the 60 % of the CVR rule) drawn as a dark tick.

Suppression (`core.suppression`): a value of None is *hidden* and is drawn as the word, with no
bar, never as 0 and never by a width. For analysts (`suppressed=True`) a count of people of 0 is
hidden too: their figures are sums of the groups of 5 or more, so a 0 may stand for a few people
left out, and an empty group and a hidden one must look alike. Figures that are not counts of
people (a quota, a budget, a target) are never hidden (`Series.suppressible=False`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

BLUE, GREEN, PURPLE, RED, GREY, ORANGE, TEAL, DARK = (
    "#0d6efd",
    "#198754",
    "#6f42c1",
    "#dc3545",
    "#adb5bd",
    "#fd7e14",
    "#20c997",
    "#212529",
)
PALETTE = (BLUE, ORANGE, GREEN, PURPLE, TEAL, RED, GREY)
WIDTH = 400  # drawing units; the page shows it at this width at most, narrower on a phone
FONT = 12
CHAR = 6.7  # average width of a character at FONT (for the layout of labels and legend)
BAR, GAP, LINE = 10, 3, 16
Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    suppressible: bool = True  # a sum of suppressed cells: hidden for analysts when 0 (see the module)


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    colour: str
    title: str  # the group, the series and the figure: the bar's tooltip
    figure: str  # written at the end of the bar ("hidden" for a hidden value)
    figure_x: float
    hidden: bool

    @property
    def text_y(self) -> float:
        return self.y + BAR - 1


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Target:
    x: float
    y: float
    height: float
    title: str


@dataclass(frozen=True)
class LegendItem:
    x: float
    y: float
    colour: str
    label: str
    line: bool = False  # a target's dark tick rather than a bar's swatch

    @property
    def swatch_y(self) -> float:
        return self.y + 1

    @property
    def text_x(self) -> float:
        return self.x + 14

    @property
    def text_y(self) -> float:
        return self.y + 10


@dataclass(frozen=True)
class Chart:
    """Everything `core/_chart.html` draws, laid out in drawing units."""

    key: str  # unique on the page: the ids of its title and description
    title: str
    axis_label: str
    height: float
    legend: list[LegendItem]
    labels: list[tuple[float, str]]  # y of each group's label, its text
    bars: list[Bar]
    ticks: list[Tick]
    axis_y: float
    grid_top: float
    targets: list[Target] = field(default_factory=list)
    description: str = ""  # every figure in words: the text alternative of the drawing
    empty: bool = False
    width: int = WIDTH

    @property
    def plot_width(self) -> float:
        return self.ticks[-1].x if self.ticks else 0.0

    @property
    def tick_y(self) -> float:
        return self.axis_y + 12

    @property
    def axis_label_y(self) -> float:
        return self.axis_y + 27


def figure(value: Number, unit: str = "") -> str:
    """A figure as the reader's language writes it (1 806, 1,806), with its unit (" %")."""
    if isinstance(value, float | Decimal) and value != int(value):
        text = number_format(round(float(value), 1), decimal_pos=1, force_grouping=True)
    else:
        text = number_format(int(value), force_grouping=True)
    return f"{text}{unit}"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round steps from 0 covering `top`: 0, 5, 10, 15, 20 or 0, 2 000, 4 000..."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    steps = math.ceil(top / step - 1e-9)
    return [i * step for i in range(steps + 1)]


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * CHAR * size / FONT


def _legend(series: Sequence[Series], target_label: str) -> tuple[list[LegendItem], float]:
    """The legend's items in rows as wide as the chart; the height they take."""
    entries = [(s.colour, s.label, False) for s in series]
    if target_label:
        entries.append((DARK, target_label, True))
    items, x, y = [], 0.0, 0.0
    for colour, label, line in entries:
        width = 14 + text_width(label) + 18
        if x and x + width > WIDTH:
            x, y = 0.0, y + LINE
        items.append(LegendItem(x, y, colour, label, line))
        x += width
    return items, y + LINE + 4


def chart(
    key: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[Number | None]]],
    series: Sequence[Series],
    *,
    axis_label: str,
    suppressed: bool = False,
    unit: str = "",
    targets: Sequence[Number | None] | None = None,
    target_label: str = "",
) -> Chart:
    """Groups of bars (`rows`: a label and one value per series), scaled to round ticks over the
    largest value or target. `unit` follows each figure (" %"); `targets`: one per row or None."""
    hidden_word = _("hidden")

    def tip(group: str, name: str, text: str) -> str:
        return _("%(group)s, %(series)s: %(figure)s") % {"group": group, "series": name, "figure": text}

    def is_hidden(value: Number | None, s: Series) -> bool:
        return value is None or (suppressed and s.suppressible and not value)

    shown = [
        float(v)
        for _label, values in rows
        for v, s in zip(values, series, strict=True)
        if v is not None and not is_hidden(v, s)
    ]
    shown += [float(t) for t in (targets or []) if t is not None]
    figures = [figure(v, unit) for v in shown] + [hidden_word]
    # The plot leaves room on its right for the longest figure written after its bar.
    plot = WIDTH - max(text_width(f) for f in figures) - 6
    values = nice_ticks(max(shown, default=0))
    scale = plot / values[-1]
    legend, y = _legend(series, target_label if targets else "")
    grid_top = y
    labels, bars, marks, words = [], [], [], []
    for i, (label, row) in enumerate(rows):
        labels.append((y + FONT, label))
        y += LINE
        top = y
        said = []
        for value, s in zip(row, series, strict=True):
            if is_hidden(value, s) or value is None:
                said.append(f"{s.label} {hidden_word}")
                bars.append(Bar(y, 0, s.colour, tip(label, s.label, hidden_word), hidden_word, 2, True))
            else:
                width = float(value) * scale
                text = figure(value, unit)
                said.append(f"{s.label} {text}")
                # A value too small to see still shows as a sliver: it is not zero.
                drawn = max(width, 1.5) if value else 0
                bars.append(Bar(y, drawn, s.colour, tip(label, s.label, text), text, drawn + 3, False))
            y += BAR + GAP
        target = targets[i] if targets else None
        if target is not None:
            said.append(f"{target_label} {figure(target, unit)}")
            title = tip(label, target_label, figure(target, unit))
            marks.append(Target(float(target) * scale - 1, top - 2, y - top + 1, title))
        words.append(_("%(group)s: %(figures)s") % {"group": label, "figures": ", ".join(said)})
        y += GAP * 2
    return Chart(
        key=key,
        title=title,
        axis_label=axis_label,
        height=y + 2 + 2 * LINE + 4,
        legend=legend,
        labels=labels,
        bars=bars,
        ticks=[Tick(v * scale, figure(v)) for v in values],
        axis_y=y + 2,
        grid_top=grid_top,
        targets=marks,
        description="; ".join(words) + "." if words else _("Nothing to show."),
        empty=not rows,
    )


def series(labels: Sequence[str], *, suppressible: bool = True) -> list[Series]:
    """One series per label in the palette's order (more than seven repeat the colours)."""
    return [Series(label, PALETTE[i % len(PALETTE)], suppressible) for i, label in enumerate(labels)]


def grouped(
    table: dict[str, dict[str, int]], groups: Sequence[str], columns: Sequence[str]
) -> list[tuple[str, list[int | None]]]:
    """A table (group -> column -> figure) as a chart's rows: the groups in the given order,
    a value per column (0 where the table has none, as the table shows it)."""
    return [(g, [table.get(g, {}).get(c, 0) for c in columns]) for g in groups]


def as_rows(pairs: Sequence[tuple[str, Any]]) -> list[tuple[str, list[Any]]]:
    """(label, value) pairs as the rows of a chart of one series."""
    return [(label, [value]) for label, value in pairs]
