"""Live plots of per-layer density and turnover against the global epoch."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ftk_tui.layer_history import LayerSeries
from ftk_tui.state import RunState
from ftk_tui.widgets.metric_plot import MetricPlot, Series
from ftk_tui.widgets.pane import Pane
from ftk_tui.widgets.run_part import RunPart

TOP_LAYERS = 5
"""Layers drawn at once when no single layer is selected: those of the largest mean turnover."""
LABEL_WIDTH = 14
"""Longest legend label; longer layer names are shortened from the left."""


class LayerPlots(RunPart, Vertical):
    """Density and turnover of each sparse layer after every topology update.

    With many layers (a WRN has about 30) it draws the `TOP_LAYERS` layers whose
    mean turnover is largest; `select(+1)` / `select(-1)` (keys `]` / `[` in its
    pane) step through the layers one at a time, and back to the top layers.

    Attributes:
        by_layer: Every layer's series, by name, as last drawn.
        shown: The names of the layers drawn.
        selected: Index into `by_layer` of the one layer drawn, or `None` for the top layers.
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.by_layer: dict[str, LayerSeries] = {}
        self.shown: list[str] = []
        self.selected: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("no topology updates yet", id="layer-plots-note", markup=False)
        with Horizontal(id="layer-plots-row"):
            yield MetricPlot("density by layer", "epoch", id="layer-density-plot")
            yield MetricPlot("turnover by layer", "epoch", id="layer-turnover-plot")

    def watch_state(self, state: RunState | None) -> None:
        """Rebuilds the series when new topology updates arrived, and redraws."""
        if state is None or not self.is_mounted or not self._part_changed(state, "topology"):
            return
        self.by_layer = state.layer_history.series(state.info.steps_per_epoch)
        if self.selected is not None and self.selected >= len(self.by_layer):
            self.selected = None
        self._draw()

    def select(self, step: int) -> None:
        """Moves the selection `step` layers on; past either end it shows the top layers again.

        Args:
            step: `+1` for the next layer, `-1` for the previous one.
        """
        count = len(self.by_layer)
        if count == 0:
            return
        order = [None, *range(count)]  # None: the top layers
        self.selected = order[(order.index(self.selected) + step) % len(order)]
        self._draw()

    def _draw(self) -> None:
        names = list(self.by_layer)
        if self.selected is not None:
            self.shown = [names[self.selected]]
            note = f"layer {self.selected + 1} of {len(names)}: {self.shown[0]}  ([ ] other layers)"
        else:
            ranked = sorted(names, key=lambda n: self.by_layer[n].mean_turnover, reverse=True)
            self.shown = [n for n in names if n in set(ranked[:TOP_LAYERS])]
            if not names:
                note = "no topology updates yet"
            elif len(names) <= TOP_LAYERS:
                note = f"all {len(names)} layers  ([ ] one layer at a time)"
            else:
                note = f"{TOP_LAYERS} of {len(names)} layers, largest turnover  ([ ] one layer at a time)"
        self.query_one("#layer-plots-note", Static).update(note)
        labels = short_names(names)
        density: list[Series] = []
        turnover: list[Series] = []
        for name in self.shown:
            series = self.by_layer[name]
            density.append(_points(labels[name], series.epochs, series.density))
            turnover.append(_points(labels[name], series.epochs, series.turnover))
        self.query_one("#layer-density-plot", MetricPlot).show(density)
        self.query_one("#layer-turnover-plot", MetricPlot).show(turnover)


class LayerPlotsPane(Pane):
    """The pane of `LayerPlots`: `[` and `]` step through the layers while it has focus."""

    BINDINGS = [
        Binding("left_square_bracket", "layer(-1)", "Prev layer", key_display="["),
        Binding("right_square_bracket", "layer(1)", "Next layer", key_display="]"),
    ]

    def action_layer(self, step: int) -> None:
        """Shows the next (`1`) or previous (`-1`) layer in the plots."""
        self.query_one(LayerPlots).select(step)


def short_names(names: list[str]) -> dict[str, str]:
    """Legend labels for layer names: the shortest distinct path tails, at most `LABEL_WIDTH` long.

    Tails are distinct over all of `names`, so a layer keeps its label whichever
    layers are drawn with it.

    Args:
        names: Layer names such as `wrn/block2/unit3/conv1`.

    Returns:
        The label of each name, e.g. `unit3/conv1` when `conv1` alone is ambiguous.

    Example:

    ```python
    short_names(["a/b1/conv", "a/b2/conv"])  # {"a/b1/conv": "b1/conv", "a/b2/conv": "b2/conv"}
    ```
    """
    parts = {name: name.split("/") for name in names}
    depth = 1
    while True:
        labels = {name: "/".join(p[-depth:]) for name, p in parts.items()}
        if len(set(labels.values())) == len(labels) or depth >= max((len(p) for p in parts.values()), default=1):
            break
        depth += 1
    return {name: _clip(label) for name, label in labels.items()}


def _clip(label: str) -> str:
    """Shortens the leading parts of a long label to their initial and number
    (`block2/unit5/conv` to `b2/u5/conv`), then cuts it from the left."""
    if len(label) > LABEL_WIDTH:
        *heads, last = label.split("/")
        label = "/".join([*(_initial(head) for head in heads), last])
    return label if len(label) <= LABEL_WIDTH else "…" + label[-(LABEL_WIDTH - 1):]


def _initial(part: str) -> str:
    digits = part[len(part.rstrip("0123456789")):]
    return part[:1] + digits


def _points(label: str, xs: list[float], ys: list[float | None]) -> Series:
    kept = [(x, y) for x, y in zip(xs, ys) if y is not None]
    return (label, [x for x, _ in kept], [y for _, y in kept])
