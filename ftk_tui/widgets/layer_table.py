"""The per-layer sparsity table."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events

from ftk_tui import format as fmt
from ftk_tui.records import LayerRow
from ftk_tui.state import RunState
from ftk_tui.widgets.state_table import StateTable

BAR_WIDTH = 4
MIN_NAME = 8
"""Layer names are shortened (in the middle) to fit the table's width, never below this."""
NAME_BEFORE_SHAPE = 16
"""Names are shortened to this before the shape column is cut instead."""


class LayerTable(StateTable):
    """One row per sparse layer: density (as a bar), the last update's pruned and
    grown weights and turnover, and the layer's shape.

    The numbers come right after the name, so they stay in view in a narrow pane:
    long layer names are shortened in the middle (`stage3_…shortcut`) to make
    the row fit, and the shape, last, is left out when it does not fit whole.
    A maximised pane (`z`) shows the names whole, and the shapes.
    """

    PART = "layers"
    COLUMNS = ("layer", "density", "pruned", "grown", "turnover", "shape")

    def state_rows(self, state: RunState) -> Iterable[tuple[str, ...]]:
        """One row per layer, names shortened to fit the width (see the class)."""
        rows = [_row(layer) for layer in state.layers.values()]
        width = 0
        if getattr(self, "is_mounted", False):  # not when called on the class, as tests do
            width = self._fitted_width = self.scrollable_content_region.width
            self.shown_columns = self.COLUMNS
        if not rows or width <= 0:
            return rows
        widths = [max(len(label), *(len(row[i]) for row in rows)) for i, label in enumerate(self.COLUMNS)]
        longest = widths[0]
        with_shape = width - sum(widths[1:]) - 2 * len(widths)  # 2: the padding of each cell
        if with_shape >= min(longest, NAME_BEFORE_SHAPE):
            name_width = min(longest, with_shape)
        else:  # the shape goes, rather than the names below `NAME_BEFORE_SHAPE`
            name_width = min(longest, max(MIN_NAME, with_shape + widths[-1] + 2))
            self.shown_columns = self.COLUMNS[:-1]
            rows = [row[:-1] for row in rows]
        names = fit_names([row[0] for row in rows], name_width)
        return [(name, *row[1:]) for name, row in zip(names, rows)]

    _fitted_width = 0

    def on_resize(self, event: events.Resize) -> None:
        """Fits the names to the new width."""
        if self.state is not None and self.is_mounted and self.scrollable_content_region.width != self._fitted_width:
            self._shown_version = None
            self.watch_state(self.state)


def middle_cut(text: str, width: int, head: int | None = None) -> str:
    """`text` shortened to `width` cells by an `…` after `head` cells (by default
    in the middle: the ends are what usually tell layers apart)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2 if head is None else head
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def fit_names(names: list[str], width: int) -> list[str]:
    """`names` shortened to `width` cells each by `middle_cut`, at the place that
    keeps the most of them apart (nearest the middle among equals).

    Args:
        names: The layer names.
        width: The most cells a name may take.

    Returns:
        The shortened names, in order.
    """
    if all(len(name) <= width for name in names) or width < 2:
        return [middle_cut(name, width) for name in names]
    heads = sorted(range(width), key=lambda head: abs(head - (width - 1) / 2))
    best = max(heads, key=lambda head: len({middle_cut(name, width, head) for name in names}))
    return [middle_cut(name, width, best) for name in names]


def _row(layer: LayerRow) -> tuple[str, ...]:
    shape = "×".join(str(d) for d in layer.shape) or fmt.DASH
    density = f"{fmt.bar(layer.density, BAR_WIDTH)} {fmt.number(layer.density, 2)}"
    return (
        layer.name,
        density,
        fmt.count(layer.pruned),
        fmt.count(layer.grown),
        fmt.percent(layer.turnover),
        shape,
    )
