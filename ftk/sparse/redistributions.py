"""Redistributions: how many weights each layer regrows, by name.

- `"none"` (`Redistribution`): every layer regrows what it pruned;
- `"magnitude"` (`MagnitudeRedistribution`, SNFS): the pruned total is shared
  in proportion to the mean `|w|` of each layer's active weights;
- `"momentum"` (`MomentumRedistribution`, SNFS): ... to the mean `|momentum|`
  of the dense gradient over each layer's active weights.

A layer never grows more than its inactive entries. Pure NumPy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ftk.sparse.layer_state import LayerState
from ftk.sparse.rule_registry import RuleRegistry


class Redistribution:
    """Keeps per-layer counts (`"none"`), and is the base class of redistributions.

    A subclass overrides `importance`; `grow_counts` then shares the pruned
    total between layers in proportion to it (see `redistribute`).

    Example:

    ```python
    class SizeRedistribution(Redistribution):
        def importance(self, layer):
            return float(layer.mask.size)

    register_redistribution("size", SizeRedistribution())
    ```
    """

    #: Whether `importance` reads `LayerState.gradient`.
    needs_dense_gradient: bool = False
    #: Whether that gradient is kept as a momentum over every step (SNFS).
    uses_momentum: bool = False

    def grow_counts(
        self, layers: Sequence[LayerState], prune_counts: Sequence[int], capacity: np.ndarray
    ) -> np.ndarray:
        """Returns how many entries each layer grows.

        Args:
            layers: the layers, with their masks before the update.
            prune_counts: entries pruned per layer.
            capacity: inactive entries per layer after pruning.

        Returns:
            Integer array that sums to `sum(prune_counts)`.
        """
        importance = [self.importance(layer) for layer in layers]
        if any(value is None for value in importance):
            return np.asarray(prune_counts)
        return redistribute(sum(prune_counts), np.array(importance), capacity)

    def importance(self, layer: LayerState) -> float | None:
        """Returns the layer's share of the regrowth (non-negative), or `None` to keep counts."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MagnitudeRedistribution(Redistribution):
    """Shares the regrowth by the mean `|w|` of each layer's active weights (`"magnitude"`)."""

    def importance(self, layer: LayerState) -> float:
        return np.abs(layer.weights[layer.mask == 1]).mean() if layer.mask.any() else 0.0


class MomentumRedistribution(Redistribution):
    """Shares the regrowth by the mean `|momentum|` over active weights (`"momentum"`, SNFS)."""

    needs_dense_gradient = True
    uses_momentum = True

    def importance(self, layer: LayerState) -> float:
        return np.abs(layer.gradient[layer.mask == 1]).mean() if layer.mask.any() else 0.0


def redistribute(total: int, importance: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Splits `total` regrowth slots between layers in proportion to importance.

    Layer i gets about `total * importance[i] / sum(importance)` slots, never
    more than `capacity[i]` (its inactive entries); what a full layer cannot
    take goes to the others. Rounding uses the largest remainders (ties to
    the lower index), so the counts sum to `total` exactly.

    Args:
        total: slots to hand out; at most `capacity.sum()`.
        importance: non-negative score per layer.
        capacity: maximum slots per layer.

    Returns:
        Integer array of slots per layer.

    Example:

    ```python
    redistribute(10, np.array([3.0, 1.0]), np.array([4, 100]))  # array([4, 6])
    ```
    """
    counts = np.zeros(len(capacity), np.int64)
    open_layers = capacity > 0
    remaining = total
    while remaining > 0 and open_layers.any():
        weights = np.where(open_layers, importance, 0.0)
        if weights.sum() <= 0:
            weights = open_layers.astype(np.float64)
        share = remaining * weights / weights.sum()
        extra = np.floor(share).astype(np.int64)
        leftover = remaining - extra.sum()
        order = np.lexsort((np.arange(len(share)), -(share - extra)))
        extra[order[:leftover]] += 1
        extra = np.minimum(extra, capacity - counts)
        counts += extra
        remaining = total - counts.sum()
        open_layers = capacity - counts > 0
    return counts


REDISTRIBUTIONS: RuleRegistry[Redistribution] = RuleRegistry("redistribution", Redistribution)
REDISTRIBUTIONS.register("none", Redistribution())
REDISTRIBUTIONS.register("magnitude", MagnitudeRedistribution())
REDISTRIBUTIONS.register("momentum", MomentumRedistribution())


def register_redistribution(
    name: str,
    redistribution: Redistribution | type[Redistribution] | None = None,
    *,
    override: bool = False,
) -> Redistribution | type[Redistribution] | Callable[[type], type]:
    """Registers a redistribution under `name`, for `DynamicSparsity` and recipes.

    Args:
        name: the name, e.g. `"magnitude"`.
        redistribution: a `Redistribution` instance (a subclass that
            overrides `importance`), or such a subclass that takes no
            arguments. Defaults to `None`: returns a class decorator.
        override: replace one already registered as `name`. Defaults to `False`.

    Returns:
        `redistribution`, or a decorator that registers the class it decorates.

    Raises:
        ValueError: if `name` is already registered and not `override`.
        TypeError: if `redistribution` is not a `Redistribution`.

    Example:

    ```python
    @register_redistribution("size")
    class SizeRedistribution(Redistribution):
        def importance(self, layer):
            return float(layer.mask.size)

    ftk.DynamicSparsity(redistribution="size")
    ```
    """
    return REDISTRIBUTIONS.register(name, redistribution, override=override)


def get_redistribution(redistribution: str | Redistribution) -> Redistribution:
    """Returns the redistribution registered as `redistribution` (or itself if one).

    Raises:
        ValueError: for an unknown name, naming the registered ones.
    """
    return REDISTRIBUTIONS.get(redistribution)


def redistribution_names() -> tuple[str, ...]:
    """Returns the names of the registered redistributions, e.g. `('none', 'magnitude', 'momentum')`."""
    return REDISTRIBUTIONS.names()
