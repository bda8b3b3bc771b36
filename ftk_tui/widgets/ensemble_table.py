"""Ensemble metrics by number of members."""

from __future__ import annotations

from collections.abc import Iterator

from ftk_tui import format as fmt
from ftk_tui.state import RunState
from ftk_tui.widgets.state_table import StateTable


class EnsembleTable(StateTable):
    """Accuracy, NLL and ECE of the ensemble of the first M tickets, for each M,
    next to the mean accuracy of its members on their own."""

    PART = "ensemble"
    COLUMNS = ("members", "accuracy", "NLL", "ECE", "member acc", "gain", "source")

    def state_rows(self, state: RunState) -> Iterator[tuple[str, ...]]:
        """One row per ensemble size, smallest first."""
        for members in sorted(state.ensemble):
            row = state.ensemble[members]
            mean = row.mean_member_accuracy
            gain = None if row.accuracy is None or mean is None else row.accuracy - mean
            yield (
                str(row.members),
                fmt.number(row.accuracy, 4),
                fmt.number(row.nll, 4),
                fmt.number(row.ece, 4),
                fmt.number(mean, 4),
                fmt.DASH if gain is None else f"{gain:+.4f}",
                row.source,
            )
