"""A line plot of one or more metric series (textual-plotext)."""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

Series = tuple[str, Sequence[float], Sequence[float]]
"""A series to draw: its label, x values and y values."""

MAX_POINTS = 2_000


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
            series: The series to draw; empty ones are skipped. Long series are
                thinned to at most `MAX_POINTS` points.
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
            if not xs:
                continue
            stride = max(1, len(xs) // MAX_POINTS)
            plt.plot(list(xs[::stride]), list(ys[::stride]), label=label, marker="braille")
