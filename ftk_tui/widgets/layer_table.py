"""The per-layer sparsity table."""

from __future__ import annotations

from collections.abc import Iterable

from ftk_tui import format as fmt
from ftk_tui.records import LayerRow
from ftk_tui.state import RunState
from ftk_tui.widgets.state_table import StateTable

BAR_WIDTH = 6


class LayerTable(StateTable):
    """One row per sparse layer: shape, density (as a bar), and the last update's
    pruned and grown weights and turnover."""

    PART = "layers"
    COLUMNS = ("layer", "shape", "density", "pruned", "grown", "turnover")

    def state_rows(self, state: RunState) -> Iterable[tuple[str, ...]]:
        """One row per layer."""
        return (_row(layer) for layer in state.layers.values())


def _row(layer: LayerRow) -> tuple[str, ...]:
    shape = "×".join(str(d) for d in layer.shape) or fmt.DASH
    density = f"{fmt.bar(layer.density, BAR_WIDTH)} {fmt.number(layer.density, 2)}"
    return (
        layer.name,
        shape,
        density,
        fmt.count(layer.pruned),
        fmt.count(layer.grown),
        fmt.percent(layer.turnover),
    )
