"""A line plot of one or more metric series (textual-plotext)."""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

Series = tuple[str, Sequence[float], Sequence[float]]
"""A series to draw: its label, x values and y values."""

MAX_POINTS = 2_000
PLOT_LIMIT = 1e100
"""Values beyond this size, or not finite, are left out: the axes could not hold them."""


class MetricPlot(PlotextPlot):
    """Draws metric series against a shared x axis.

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
        self._draw()

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
        plt.title(self._title)
        plt.xlabel(self._xlabel)
        for label, xs, ys in self.series:
            points = [(x, y) for x, y in zip(xs, ys) if _plottable(x) and _plottable(y)]
            if not points:
                continue
            stride = max(1, len(points) // MAX_POINTS)
            kept = points[::stride]
            plt.plot([x for x, _ in kept], [y for _, y in kept], label=label, marker="braille")


def _plottable(value: object) -> bool:
    """Whether plotext can draw `value`: a finite number not beyond `PLOT_LIMIT`
    (NaN, infinities and `None` would make it raise; huge ones flatten the rest)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= PLOT_LIMIT
