"""The per-layer sparsity table."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import DataTable

from ftk_tui import format as fmt
from ftk_tui.records import LayerRow
from ftk_tui.state import RunState

BAR_WIDTH = 6


class LayerTable(DataTable[str], can_focus=False):
    """One row per sparse layer: shape, density (as a bar), and the last update's
    pruned and grown weights and turnover."""

    DEFAULT_CLASSES = "run-part"

    state: reactive[RunState | None] = reactive(None, always_update=True)

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, show_cursor=False, zebra_stripes=True)
        self._shown: tuple[int, int] | None = None

    def on_mount(self) -> None:
        """Adds the columns."""
        self.add_columns("layer", "shape", "density", "pruned", "grown", "turnover")

    def watch_state(self, state: RunState | None) -> None:
        """Rebuilds the rows when a layer changed."""
        if state is None or self._shown == state.version("layers"):
            return
        self._shown = state.version("layers")
        self.clear()
        self.add_rows(_row(layer) for layer in state.layers.values())


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
