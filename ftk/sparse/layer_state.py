"""`LayerState`: what a prune, growth or redistribution rule sees of one sparse weight."""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class LayerState:
    """One sparse weight at a topology update, as flat NumPy arrays.

    Rules read it and never change it: they return new arrays.

    Attributes:
        name: the variable path, e.g. `"conv1/kernel"`: unique in a model.
        weights: the flat kernel.
        mask: the flat 0/1 mask: as it was before the update for prune rules
            and redistributions, after pruning for growth rules.
        gradient: the flat dense gradient dL/d(kernel * mask) of the update
            step, or its momentum when a rule `uses_momentum`; `None` when no
            rule of the update `needs_dense_gradient`.

    Example:

    ```python
    layer = LayerState("fc/kernel", weights=np.array([0.9, -0.1, 0.0, 0.5]),
                       mask=np.array([1, 1, 0, 1], np.float32))
    ftk.sparse.prune_rules.MagnitudePrune().prune(layer, 1)  # [1, 0, 0, 1]
    ```
    """

    name: str
    weights: np.ndarray
    mask: np.ndarray
    gradient: np.ndarray | None = None

    @property
    def active(self) -> np.ndarray:
        """Flat indices of the active entries."""
        return np.flatnonzero(self.mask)

    @property
    def inactive(self) -> np.ndarray:
        """Flat indices of the inactive entries."""
        return np.flatnonzero(self.mask == 0)
