"""One topology update: prune by a prune rule, regrow as many by a growth rule."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import keras
import numpy as np

from ftk.sparse.growth_rules import RandomGrowth, get_growth_rule
from ftk.sparse.layer_state import LayerState
from ftk.sparse.optimizer_slots import slot_variables
from ftk.sparse.prune_rules import PruneRule, get_prune_rule
from ftk.sparse.redistributions import Redistribution, get_redistribution
from ftk.sparse.selection import layer_rng
from ftk.sparse.sparse_weight import SparseWeight


@dataclasses.dataclass(frozen=True)
class LayerUpdate:
    """What one topology update did to one sparse weight."""

    name: str
    shape: tuple[int, ...]
    active: int
    size: int
    pruned: int
    grown: int
    turnover: float

    @property
    def density(self) -> float:
        return self.active / self.size


@dataclasses.dataclass(frozen=True)
class TopologyUpdate:
    """Statistics of one topology update, per layer and overall.

    `turnover` is the fraction of active weights after the update that were
    inactive before it. `skipped` says why an update left the topology as
    it was (non-finite weights or scores), and is `None` otherwise.
    `kept_dense` counts the weights of masked layers kept at density 1
    (e.g. by ERK), which updates leave alone: `layers` omits them, but
    `density` counts them, so it is the density of all prunable weights,
    the same quantity as `ftk.density(model)`.
    """

    step: int
    death_rate: float
    layers: tuple[LayerUpdate, ...]
    kind: str = "regular"
    skipped: str | None = None
    kept_dense: int = 0

    @classmethod
    def unchanged(
        cls, weights: Sequence[SparseWeight], step: int, death_rate: float, kind: str, reason: str
    ) -> TopologyUpdate:
        """The statistics of an update that was skipped for `reason`."""
        layers = []
        for weight in weights:
            active = weight.active_count()
            layers.append(LayerUpdate(weight.name, weight.shape, active, weight.size, 0, 0, 0.0))
        return cls(step, death_rate, tuple(layers), kind, skipped=reason)

    @property
    def pruned(self) -> int:
        return sum(layer.pruned for layer in self.layers)

    @property
    def grown(self) -> int:
        return sum(layer.grown for layer in self.layers)

    @property
    def density(self) -> float:
        """Active / total over all prunable weights, those of layers kept dense included."""
        active = sum(layer.active for layer in self.layers) + self.kept_dense
        return active / (sum(layer.size for layer in self.layers) + self.kept_dense)

    @property
    def turnover(self) -> float:
        active = sum(layer.active for layer in self.layers)
        return sum(layer.turnover * layer.active for layer in self.layers) / max(active, 1)

    def describe(self) -> str:
        """One line for logs, e.g. `step 300: rate 0.4800, regrew 1520 weights, turnover 0.112`."""
        outcome = f"skipped: {self.skipped}" if self.skipped else (
            f"regrew {self.grown} weights, turnover {self.turnover:.3f}")
        return f"step {self.step}: rate {self.death_rate:.4f}, {outcome}"

    def as_dict(self) -> dict:
        """Returns the update as plain JSON-ready values (the event payload)."""
        return {
            "step": self.step,
            "kind": self.kind,
            **({"skipped": self.skipped} if self.skipped else {}),
            "rate": self.death_rate,
            "density": self.density,
            "kept_dense": self.kept_dense,
            "pruned": self.pruned,
            "grown": self.grown,
            "turnover": self.turnover,
            "layers": [
                {**dataclasses.asdict(layer), "shape": list(layer.shape), "density": layer.density}
                for layer in self.layers
            ],
        }


def update_topology(
    weights: Sequence[SparseWeight],
    *,
    step: int,
    death_rate: float,
    growth: str | RandomGrowth,
    prune: str | PruneRule = "magnitude",
    redistribution: str | Redistribution = "none",
    scores: Mapping[str, np.ndarray] | None = None,
    optimizer: keras.optimizers.Optimizer | None = None,
    seed: int = 0,
    kind: str = "regular",
) -> TopologyUpdate:
    """Prunes and regrows every sparse weight once, in place.

    For each weight: the prune rule drops `ceil(death_rate * active)` active
    entries, then the growth rule activates the same number (or the number
    the redistribution gives the layer) among the inactive entries,
    just-pruned ones included. Grown entries start at zero, and the
    optimizer slots of pruned and grown entries are reset to zero. Must run
    in a cross-replica context (eagerly, inside `strategy.scope()` when
    distributed). Non-finite weights or scores skip the update: nothing
    changes, and the result's `skipped` says why.

    Args:
        weights: the sparse weights to update; position i seeds weight i.
        step: the optimizer step, part of the random seed.
        death_rate: fraction of active weights to replace, in [0, 1].
        growth: a growth rule or its registered name: `"random"`,
            `"gradient"`, `"momentum"`, ... (`ftk.sparse.growth_rules`).
        prune: a prune rule or its name (`ftk.sparse.prune_rules`).
            Defaults to `"magnitude"`.
        redistribution: a redistribution or its name: `"none"` keeps
            per-layer counts; `"magnitude"` and `"momentum"` share the
            regrowth between layers (`ftk.sparse.redistributions`).
            Defaults to `"none"`.
        scores: weight name -> dense gradient or momentum, same shape as the
            weight; needed by rules that `needs_dense_gradient`.
        optimizer: optimizer whose slots are reset; `None` skips the reset.
        seed: base seed of the random choices. Defaults to `0`.
        kind: label kept in the result (`"regular"` or `"jump"`).

    Returns:
        A `TopologyUpdate` with per-layer statistics.

    Example:

    ```python
    with model.distribute_strategy.scope():
        update = update_topology(ftk.sparse_weights(model), step=100, death_rate=0.3,
                                 growth="random", optimizer=model.optimizer)
    update.turnover
    ```
    """
    prune, growth = get_prune_rule(prune), get_growth_rule(growth)
    redistribution = get_redistribution(redistribution)
    layers = [
        LayerState(w.name, w.variable.numpy().ravel(), w.mask.numpy().ravel(),
                   None if scores is None else np.asarray(scores[w.name]).ravel())
        for w in weights
    ]
    reason = non_finite_reason(weights, [np.all(np.isfinite(layer.weights)) for layer in layers], "weights")
    if scores is not None:
        finite = [np.all(np.isfinite(layer.gradient)) for layer in layers]
        reason = reason or non_finite_reason(weights, finite, "growth scores")
    if reason:
        return TopologyUpdate.unchanged(weights, step, death_rate, kind, reason)
    prune_counts = [math.ceil(death_rate * np.count_nonzero(layer.mask)) for layer in layers]
    pruned_masks = [prune.prune(layer, n) for layer, n in zip(layers, prune_counts)]
    capacity = np.array([m.size - np.count_nonzero(m) for m in pruned_masks])
    grow_counts = redistribution.grow_counts(layers, prune_counts, capacity)

    results = []
    for index, (weight, layer) in enumerate(zip(weights, layers)):
        old, after_prune = layer.mask, pruned_masks[index]
        new = growth.grow(dataclasses.replace(layer, mask=after_prune), int(grow_counts[index]),
                          layer_rng(seed, step, index))
        grown = (new == 1) & (after_prune == 0)
        reset = grown | ((old == 1) & (after_prune == 0))
        _apply(weight, layer.weights, new, grown, reset, optimizer)
        active = int(np.count_nonzero(new))
        results.append(LayerUpdate(
            name=weight.name, shape=weight.shape, active=active, size=weight.size,
            pruned=prune_counts[index], grown=int(grown.sum()),
            turnover=float(np.count_nonzero((new == 1) & (old == 0)) / max(active, 1)),
        ))
    return TopologyUpdate(step=step, death_rate=death_rate, layers=tuple(results), kind=kind)


def non_finite_reason(weights: Sequence[SparseWeight], finite: Sequence[bool], what: str) -> str | None:
    """Returns why an update is skipped (`"non-finite weights in conv/kernel"`), or `None`.

    Args:
        weights: the sparse weights of the update.
        finite: per weight, whether its values are all finite.
        what: what the values are, e.g. `"weights"` or `"growth scores"`.
    """
    bad = [w.name for w, ok in zip(weights, finite) if not ok]
    if not bad:
        return None
    more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
    return f"non-finite {what} in {bad[0]}{more}"


def _apply(weight: SparseWeight, kernel, new_mask, grown, reset, optimizer) -> None:
    shape = weight.shape
    weight.mask.assign(new_mask.reshape(shape))
    weight.variable.assign(np.where(grown | (new_mask == 0), 0, kernel).reshape(shape))  # +0.0, never -0.0
    if optimizer is None:
        return
    keep = (~reset).reshape(shape)
    for slot in slot_variables(optimizer, weight.variable):
        slot.assign(np.where(keep, slot.numpy(), 0))
