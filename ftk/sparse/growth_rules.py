"""Growth rules: where a topology update regrows the weights it pruned, by name.

`RandomGrowth` (SET) is the base class: it activates `k` inactive entries,
uniformly at random or, when `score` returns scores, those with the largest
scores (ties to the lower flat index). RigL and SNFS change only `score`:

- `"random"` (`RandomGrowth`, SET): uniformly at random, without replacement;
- `"gradient"` (`GradientGrowth`, RigL): largest `|dL/dW|` of the dense gradient;
- `"momentum"` (`MomentumGrowth`, SNFS): largest `|momentum|` of the dense gradient.

Pure NumPy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ftk.sparse.layer_state import LayerState
from ftk.sparse.rule_registry import RuleRegistry
from ftk.sparse.selection import top_k


class RandomGrowth:
    """Grows uniformly at random (SET), and is the base class of growth rules.

    A subclass overrides `score` (and says what it reads with
    `needs_dense_gradient` / `uses_momentum`); `grow` then activates the
    inactive entries with the largest scores.

    Example:

    ```python
    class LargestWeightGrowth(RandomGrowth):
        def score(self, layer):
            return np.abs(layer.weights)

    register_growth_rule("largest_weight", LargestWeightGrowth())
    ftk.DynamicSparsity(growth="largest_weight")
    ```
    """

    #: Whether `score` reads `LayerState.gradient` (the taps record it).
    needs_dense_gradient: bool = False
    #: Whether that gradient is kept as a momentum over every step (SNFS).
    uses_momentum: bool = False

    def grow(self, layer: LayerState, k: int, rng: np.random.Generator) -> np.ndarray:
        """Activates `k` inactive entries of `layer`.

        Args:
            layer: the layer, with its mask after pruning.
            k: how many entries to activate; at most the inactive ones.
            rng: the generator of this layer and step (used without scores).

        Returns:
            The new flat mask.
        """
        inactive = layer.inactive
        scores = self.score(layer)
        if scores is None:
            grown = rng.choice(inactive, size=k, replace=False)
        else:
            grown = inactive[top_k(scores[inactive], k)]
        new_mask = layer.mask.copy()
        new_mask[grown] = 1.0
        return new_mask

    def score(self, layer: LayerState) -> np.ndarray | None:
        """Returns one flat score per entry (largest grow first), or `None` for uniform."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class GradientGrowth(RandomGrowth):
    """Grows where the dense gradient is largest in magnitude (RigL, `"gradient"`)."""

    needs_dense_gradient = True

    def score(self, layer: LayerState) -> np.ndarray:
        if layer.gradient is None:
            raise ValueError(
                f"{type(self).__name__} needs the dense gradient of {layer.name!r}. "
                "Received: gradient=None"
            )
        return np.abs(layer.gradient)


class MomentumGrowth(GradientGrowth):
    """Grows where the momentum of the dense gradient is largest (SNFS, `"momentum"`).

    The score is RigL's; the taps keep a momentum of the dense gradient over
    every step instead of the gradient of the update step.
    """

    uses_momentum = True


GROWTH_RULES: RuleRegistry[RandomGrowth] = RuleRegistry("growth", RandomGrowth)
GROWTH_RULES.register("random", RandomGrowth())
GROWTH_RULES.register("gradient", GradientGrowth())
GROWTH_RULES.register("momentum", MomentumGrowth())


def register_growth_rule(
    name: str, rule: RandomGrowth | type[RandomGrowth] | None = None, *, override: bool = False
) -> RandomGrowth | type[RandomGrowth] | Callable[[type[RandomGrowth]], type[RandomGrowth]]:
    """Registers a growth rule under `name`, for `DynamicSparsity(growth=name)` and recipes.

    Args:
        name: the name, e.g. `"gradient"`.
        rule: a `RandomGrowth` instance (a subclass that overrides `score`),
            or such a subclass that takes no arguments. Defaults to `None`:
            returns a class decorator.
        override: replace a rule already registered as `name`. Defaults to `False`.

    Returns:
        `rule`, or a decorator that registers the class it decorates.

    Raises:
        ValueError: if `name` is already registered and not `override`.
        TypeError: if `rule` is not a `RandomGrowth`.

    Example:

    ```python
    @register_growth_rule("largest_weight")
    class LargestWeightGrowth(RandomGrowth):
        def score(self, layer):
            return np.abs(layer.weights)

    ftk.DynamicSparsity(growth="largest_weight")
    ```
    """
    return GROWTH_RULES.register(name, rule, override=override)


def get_growth_rule(growth: str | RandomGrowth) -> RandomGrowth:
    """Returns the growth rule registered as `growth` (or `growth` itself if a rule).

    Raises:
        ValueError: for an unknown name, naming the registered ones.
    """
    return GROWTH_RULES.get(growth)


def growth_rule_names() -> tuple[str, ...]:
    """Returns the names of the registered growth rules, e.g. `('random', 'gradient', 'momentum')`."""
    return GROWTH_RULES.names()
