"""`MetricPlot`: whole-number epochs on the x axis, and lines that keep their rows in short panes."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from ftk_tui.widgets.metric_plot import COMPACT_HEIGHT, MetricPlot, whole_ticks


@pytest.mark.parametrize(("low", "high", "ticks"), [
    (1, 36, [10, 20, 30]),
    (0.9, 26.8, [5, 10, 15, 20, 25]),
    (1, 3, [1, 2, 3]),
    (0, 450, [0, 100, 200, 300, 400]),
    (3, 4.5, [3, 4]),
    (0.1, 0.9, []),  # no whole number: plotext's own ticks
])
def test_whole_ticks_are_round_and_few(low: float, high: float, ticks: list[int]) -> None:
    assert whole_ticks(low, high) == ticks


class _OnePlot(App):
    def __init__(self, title: str, series) -> None:
        super().__init__()
        self.title_, self.series = title, series

    def compose(self) -> ComposeResult:
        yield MetricPlot(self.title_, "epoch", id="plot")

    def on_mount(self) -> None:
        self.query_one(MetricPlot).show(self.series)


async def _text(app: App, height: int) -> str:
    async with app.run_test(size=(60, height)) as pilot:
        await pilot.pause(0.1)
        plot = app.query_one(MetricPlot)
        return "\n".join(line.text for line in plot.render_lines(plot.region.reset_offset))


LOSS = [("loss", [1, 2, 3, 4], [1.0, 0.5, 0.3, 0.2]), ("val_loss", [1, 2, 3, 4], [1.1, 0.7, 0.5, 0.4])]


async def test_a_tall_plot_has_its_title_axis_label_and_whole_epochs() -> None:
    text = await _text(_OnePlot("loss", LOSS), COMPACT_HEIGHT + 8)
    assert "epoch" in text and text.splitlines()[0].strip() == "loss"
    assert text.splitlines()[-2].split() == ["1", "2", "3", "4"]  # not 1.0 1.8 2.5 3.2 4.0


async def test_a_short_plot_gives_the_rows_to_the_lines() -> None:
    text = await _text(_OnePlot("loss", LOSS), COMPACT_HEIGHT - 3)
    assert "epoch" not in text and text.splitlines()[0].strip() != "loss"  # the legend says loss
    kept = await _text(_OnePlot("density by layer", [("dense1", [1, 2], [0.3, 0.2])]), COMPACT_HEIGHT - 3)
    assert "density by layer" in kept  # a title the legend does not say stays


async def test_a_plot_without_points_says_so() -> None:
    text = await _text(_OnePlot("val accuracy", [("run a", [], [])]), COMPACT_HEIGHT + 8)
    assert "val accuracy: none recorded yet" in text
