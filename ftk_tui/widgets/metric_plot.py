"""A line plot of one or more metric series (textual-plotext)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from textual_plotext import PlotextPlot

Series = tuple[str, Sequence[float], Sequence[float]]
"""A series to draw: its label, x values and y values."""

MAX_POINTS = 2_000
PLOT_LIMIT = 1e100
"""Values beyond this size, or not finite, are left out: the axes could not hold them."""

COMPACT_HEIGHT = 12
"""Plots shorter than this leave out their x-axis label, and a title that every legend
entry already says, so that the lines get the rows (a 120x40 terminal shows 9-row panes)."""


class MetricPlot(PlotextPlot):
    """Draws metric series against a shared x axis.

    The x axis is labelled with whole numbers (epochs: 10 20 30, not 9.8
    18.5 27.2). Below `COMPACT_HEIGHT` rows the plot leaves out the x-axis
    label, and the title when every legend entry already says it (`loss` over
    the series `loss` and `val_loss`), so that short panes still show lines.

    Args:
        title: The plot's title.
        xlabel: The label of the x axis.
        id: The id of the widget in the DOM.
    """

    def __init__(self, title: str, xlabel: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._xlabel = xlabel
        self.series: list[Series] = []
        self.compact = False
        self._draw()

    def render(self):
        """Draws again first when the height crosses `COMPACT_HEIGHT`."""
        compact = 0 < self.size.height < COMPACT_HEIGHT
        if compact != self.compact:
            self.compact = compact
            self._draw()
        return super().render()

    def show(self, series: list[Series]) -> None:
        """Replaces the plotted series and redraws.

        Args:
            series: The series to draw; empty ones are skipped, and so are points
                that are not finite numbers. Long series are thinned to at most
                `MAX_POINTS` points.
        """
        self.series = series
        self._draw()
        self.refresh()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        if not self.compact:
            plt.xlabel(self._xlabel)
        low, high, labels = math.inf, -math.inf, []
        for label, xs, ys in self.series:
            points = [(x, y) for x, y in zip(xs, ys) if _plottable(x) and _plottable(y)]
            if not points:
                continue
            stride = max(1, len(points) // MAX_POINTS)
            kept = points[::stride]
            kept_x = [x for x, _ in kept]
            plt.plot(kept_x, [y for _, y in kept], label=label, marker="braille")
            low, high = min(low, *kept_x), max(high, *kept_x)
            labels.append(label)
        if not labels:
            plt.title(f"{self._title}: none recorded yet")
        elif not (self.compact and all(self._title in label for label in labels)):
            plt.title(self._title)
        ticks = whole_ticks(low, high) if low <= high else []
        if ticks:  # epochs read as 10 20 30, not 9.8 18.5 27.2
            plt.xticks(ticks, [str(t) for t in ticks])


def whole_ticks(low: float, high: float, most: int = 5) -> list[int]:
    """Ticks for an axis from `low` to `high`: the multiples of the smallest of 1, 2, 5, 10,
    20, 50, ... that gives at most `most` of them; `[]` when no whole number is in range.

    Example:

    >>> whole_ticks(1, 36)
    [10, 20, 30]
    """
    first, last = math.ceil(low), math.floor(high)
    if last < first:
        return []
    steps = (factor * 10**power for power in itertools.count() for factor in (1, 2, 5))
    step = next(s for s in steps if last // s - (first - 1) // s <= most)  # multiples in range
    return list(range(-(-first // step) * step, last + 1, step))


def _plottable(value: object) -> bool:
    """Whether plotext can draw `value`: a finite number not beyond `PLOT_LIMIT`
    (NaN, infinities and `None` would make it raise; huge ones flatten the rest)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= PLOT_LIMIT
