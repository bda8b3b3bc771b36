"""Training curves: loss and accuracy, with their validation counterparts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from ftk_tui.records import EpochPoint
from ftk_tui.state import RunState
from ftk_tui.widgets.metric_plot import MetricPlot, Series
from ftk_tui.widgets.run_part import RunPart

PLOT_LIMIT = 1e100
"""Values beyond this size (or not finite) are left out of the plots: the axes
could not hold them next to the others."""


class TrainingCurves(RunPart, Horizontal):
    """Two plots against the global epoch: loss and val loss, accuracy and val accuracy."""

    def compose(self) -> ComposeResult:
        yield MetricPlot("loss", "epoch", id="loss-plot")
        yield MetricPlot("accuracy", "epoch", id="accuracy-plot")

    def watch_state(self, state: RunState | None) -> None:
        """Redraws both plots when the history changed."""
        if state is None or not self.is_mounted or not self._part_changed(state, "history"):
            return
        history = list(state.history)
        self.query_one("#loss-plot", MetricPlot).show(
            [_series(history, "loss", "loss"), _series(history, "val", "val_loss")]
        )
        self.query_one("#accuracy-plot", MetricPlot).show(
            [_series(history, "accuracy", "accuracy"), _series(history, "val", "val_accuracy")]
        )


def _series(history: list[EpochPoint], label: str, metric: str) -> Series:
    points = [(p.global_epoch, getattr(p, metric)) for p in history]
    kept = [(x, y) for x, y in points if y is not None and abs(y) <= PLOT_LIMIT]  # NaN fails too
    return (label, [float(x) for x, _ in kept], [y for _, y in kept])
