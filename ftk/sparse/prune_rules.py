"""Prune rules: which active weights a topology update removes, by name.

A prune rule scores the entries of a layer; an update deactivates the `k`
active entries with the smallest scores (ties to the lower flat index).
Built in: `"magnitude"` (smallest `|w|`, as SET, RigL and SNFS). Pure NumPy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ftk.sparse.layer_state import LayerState
from ftk.sparse.rule_registry import RuleRegistry
from ftk.sparse.selection import top_k


class PruneRule:
    """Base class of prune rules: drops the active entries of smallest `score`.

    Subclasses override `score` only.

    Example:

    ```python
    class SmallestGradientPrune(PruneRule):
        needs_dense_gradient = True

        def score(self, layer):
            return np.abs(layer.gradient)
    ```
    """

    #: Whether `score` reads `LayerState.gradient`.
    needs_dense_gradient: bool = False
    #: Whether that gradient is the momentum of the dense gradient (SNFS).
    uses_momentum: bool = False

    def prune(self, layer: LayerState, k: int) -> np.ndarray:
        """Deactivates the `k` active entries of `layer` with the smallest scores.

        Args:
            layer: the layer, with its mask before the update.
            k: how many active entries to prune.

        Returns:
            The new flat mask.
        """
        active = layer.active
        pruned = active[top_k(-self.score(layer)[active], k)]
        new_mask = layer.mask.copy()
        new_mask[pruned] = 0.0
        return new_mask

    def score(self, layer: LayerState) -> np.ndarray:
        """Returns one flat score per entry: the smallest active ones are pruned."""
        raise NotImplementedError(f"{type(self).__name__} must define `score(layer)`.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MagnitudePrune(PruneRule):
    """Prunes the active weights of smallest magnitude `|w|` (`"magnitude"`).

    Example:

    ```python
    layer = LayerState("w", np.array([0.9, -0.1, 0.0, 0.5]), np.array([1, 1, 0, 1], np.float32))
    MagnitudePrune().prune(layer, 1)  # array([1., 0., 0., 1.]): |-0.1| is the smallest
    ```
    """

    def score(self, layer: LayerState) -> np.ndarray:
        return np.abs(layer.weights)


PRUNE_RULES: RuleRegistry[PruneRule] = RuleRegistry("prune", PruneRule)
PRUNE_RULES.register("magnitude", MagnitudePrune())


def register_prune_rule(
    name: str, rule: PruneRule | type[PruneRule] | None = None, *, override: bool = False
) -> PruneRule | type[PruneRule] | Callable[[type[PruneRule]], type[PruneRule]]:
    """Registers a prune rule under `name`, for `DynamicSparsity(prune=name)` and recipes.

    Args:
        name: the name, e.g. `"magnitude"`.
        rule: a `PruneRule` instance, or a subclass that takes no arguments.
            Defaults to `None`: returns a class decorator.
        override: replace a rule already registered as `name`. Defaults to `False`.

    Returns:
        `rule`, or a decorator that registers the class it decorates.

    Raises:
        ValueError: if `name` is already registered and not `override`.
        TypeError: if `rule` is not a `PruneRule`.

    Example:

    ```python
    @register_prune_rule("smallest_gradient")
    class SmallestGradientPrune(PruneRule):
        needs_dense_gradient = True

        def score(self, layer):
            return np.abs(layer.gradient)
    ```
    """
    return PRUNE_RULES.register(name, rule, override=override)


def get_prune_rule(prune: str | PruneRule) -> PruneRule:
    """Returns the prune rule registered as `prune` (or `prune` itself if a `PruneRule`).

    Raises:
        ValueError: for an unknown name, naming the registered ones.
    """
    return PRUNE_RULES.get(prune)


def prune_rule_names() -> tuple[str, ...]:
    """Returns the names of the registered prune rules, e.g. `('magnitude',)`."""
    return PRUNE_RULES.names()
