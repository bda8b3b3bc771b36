"""Ensemble metrics by number of members."""

from __future__ import annotations

from collections.abc import Iterator

from ftk_tui import format as fmt
from ftk_tui.records import EnsembleRow
from ftk_tui.state import RunState
from ftk_tui.widgets.state_table import StateTable


class EnsembleTable(StateTable):
    """Accuracy, NLL and ECE of the ensemble of the first M tickets, for each M,
    next to the mean accuracy of its members on their own and the gain over it.

    The `members` cell says where a row came from when it was not the run's own
    evaluation: `3 eval` for `ftk eval`, `2 m1` for member run 1 of a run whose
    members trained at once (two of them may report an ensemble of the same size).
    """

    PART = "ensemble"
    COLUMNS = ("members", "accuracy", "NLL", "ECE", "member acc", "gain")

    def state_rows(self, state: RunState) -> Iterator[tuple[str, ...]]:
        """One row per ensemble size (then source, then member run), smallest first."""
        for key in sorted(state.ensemble):
            row = state.ensemble[key]
            mean = row.mean_member_accuracy
            gain = None if row.accuracy is None or mean is None else row.accuracy - mean
            yield (
                _members(row),
                fmt.number(row.accuracy, 4),
                fmt.number(row.nll, 4),
                fmt.number(row.ece, 4),
                fmt.number(mean, 4),
                fmt.DASH if gain is None else f"{gain:+.4f}",
            )


def _members(row: EnsembleRow) -> str:
    parts = [str(row.members)]
    if row.source != "run":
        parts.append(row.source)
    if row.member is not None:
        parts.append(f"m{row.member}")
    return " ".join(parts)
