"""Ensemble metrics by number of members."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import DataTable

from ftk_tui import format as fmt
from ftk_tui.state import RunState


class EnsembleTable(DataTable[str], can_focus=False):
    """Accuracy, NLL and ECE of the ensemble of the first M tickets, for each M,
    next to the mean accuracy of its members on their own."""

    DEFAULT_CLASSES = "run-part"

    state: reactive[RunState | None] = reactive(None, always_update=True)

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, show_cursor=False, zebra_stripes=True)
        self._shown: tuple[int, int] | None = None

    def on_mount(self) -> None:
        """Adds the columns."""
        self.add_columns("members", "accuracy", "NLL", "ECE", "member acc", "gain", "source")

    def watch_state(self, state: RunState | None) -> None:
        """Rebuilds the rows when an ensemble was evaluated."""
        if state is None or self._shown == state.version("ensemble"):
            return
        self._shown = state.version("ensemble")
        self.clear()
        for members in sorted(state.ensemble):
            row = state.ensemble[members]
            mean = row.mean_member_accuracy
            gain = None if row.accuracy is None or mean is None else row.accuracy - mean
            self.add_row(
                str(row.members),
                fmt.number(row.accuracy, 4),
                fmt.number(row.nll, 4),
                fmt.number(row.ece, 4),
                fmt.number(mean, 4),
                fmt.DASH if gain is None else f"{gain:+.4f}",
                row.source,
            )
