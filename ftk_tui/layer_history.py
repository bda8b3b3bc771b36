"""Per-layer density and turnover over time, folded cheaply and built lazily.

Folding a `topology_update` only notes `(step, global epoch, layers)`, O(1) per
event; the per-layer series are built when a plot asks for them, and again only
after new updates arrived. So 100,000 events still fold in O(n) with no work per
layer.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ftk_tui.records import FIELD_ERRORS, as_finite, as_whole

UPDATES = 20_000
"""Topology updates kept; older ones are dropped first."""


@dataclass(slots=True)
class LayerSeries:
    """One layer's values after each update that listed it.

    Attributes:
        name: The layer's name.
        epochs: Global epoch of each update, fractional within an epoch when
            the steps per epoch are known (an update in the middle of global
            epoch 3 sits at 3.5).
        steps: The step of each update.
        density: Density of the layer's prunable weights after each update.
        turnover: Fraction of the layer's active weights that were inactive before.
        turnover_sum, turnover_count: Of the known turnovers of every update
            read, also those trimmed off.
    """

    name: str
    epochs: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    density: list[float | None] = field(default_factory=list)
    turnover: list[float | None] = field(default_factory=list)
    turnover_sum: float = 0.0
    turnover_count: int = 0

    def trim(self, maxlen: int) -> None:
        """Drops the oldest points once there are twice `maxlen` (amortised O(1) per point)."""
        if len(self.epochs) >= 2 * maxlen:
            for values in (self.epochs, self.steps, self.density, self.turnover):
                del values[:-maxlen]

    @property
    def mean_turnover(self) -> float:
        """The mean turnover over the run so far, 0.0 when none is known."""
        return self.turnover_sum / self.turnover_count if self.turnover_count else 0.0

    def append(self, epoch: float, step: float, density: float | None, turnover: float | None) -> None:
        """Adds the values of one update."""
        self.epochs.append(epoch)
        self.steps.append(step)
        self.density.append(density)
        self.turnover.append(turnover)
        if turnover is not None:
            self.turnover_sum += turnover
            self.turnover_count += 1


class LayerHistory:
    """The layers of every topology update, by arrival.

    Args:
        maxlen: Updates kept. Defaults to `UPDATES`.

    Example:

    ```python
    history = LayerHistory()
    history.note(step=150, global_epoch=1, layers=event["layers"])
    history.series(steps_per_epoch=100)["conv1"].epochs  # [1.5]
    ```
    """

    def __init__(self, maxlen: int = UPDATES) -> None:
        self.maxlen = maxlen
        self._updates: deque[tuple[Any, int, Any]] = deque(maxlen=maxlen)
        self._noted = 0
        self._built_noted = 0
        self._built_steps: int | None = None
        self._series: dict[str, LayerSeries] = {}

    def __len__(self) -> int:
        return len(self._updates)

    def note(self, step: Any, global_epoch: int, layers: Any) -> None:
        """Notes one update; O(1), nothing is read from `layers` yet.

        Args:
            step: The event's `step`.
            global_epoch: Epochs finished over the whole run when it happened.
            layers: The event's raw `layers` list (kept by reference).
        """
        self._updates.append((step, global_epoch, layers))
        self._noted += 1

    def series(self, steps_per_epoch: int = 0) -> dict[str, LayerSeries]:
        """The series of every layer, by name, in the order layers first appeared.

        Only updates noted since the last call are read (all of them again when
        `steps_per_epoch` changed); a call with nothing new returns the same
        dict. Entries that are not objects are skipped, values that are not
        finite numbers are `None`. Each series keeps at most `maxlen` points.

        Args:
            steps_per_epoch: Steps in one epoch, to place an update within its
                epoch; `0` puts every update at the start of its epoch.

        Returns:
            The series by layer name.
        """
        new = self._noted - self._built_noted
        if steps_per_epoch != self._built_steps or new > len(self._updates):
            self._series, new = {}, len(self._updates)
        if new:
            recent = list(itertools.islice(reversed(self._updates), new))
            for step, global_epoch, layers in reversed(recent):
                _add(self._series, step, global_epoch, layers, steps_per_epoch)
            for entry in self._series.values():
                entry.trim(self.maxlen)
        self._built_noted, self._built_steps = self._noted, steps_per_epoch
        return self._series


def _add(built: dict[str, LayerSeries], step: Any, global_epoch: int, layers: Any, steps_per_epoch: int) -> None:
    if not isinstance(layers, Sequence) or isinstance(layers, (str, bytes)):
        return
    whole_step = as_whole(step)
    x_step = float(whole_step) if whole_step is not None else float("nan")
    epoch = float(global_epoch)
    if steps_per_epoch > 0 and whole_step is not None:
        epoch += (whole_step % steps_per_epoch) / steps_per_epoch
    for raw in layers:
        if not isinstance(raw, dict):
            continue
        try:
            name = str(raw.get("name"))
        except FIELD_ERRORS:
            continue
        entry = built.get(name)
        if entry is None:
            entry = built[name] = LayerSeries(name)
        entry.append(epoch, x_step, as_finite(raw.get("density")), as_finite(raw.get("turnover")))
