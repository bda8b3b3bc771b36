"""One topology update: prune the smallest weights, grow as many elsewhere."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Literal

import keras
import numpy as np

from ftk.sparse import rules
from ftk.sparse.optimizer_slots import slot_variables
from ftk.sparse.sparse_weight import SparseWeight

Redistribution = Literal["none", "magnitude", "momentum"]
REDISTRIBUTIONS: tuple[str, ...] = ("none", "magnitude", "momentum")


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
    """

    step: int
    death_rate: float
    layers: tuple[LayerUpdate, ...]
    kind: str = "regular"
    skipped: str | None = None

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
        return sum(l.active for l in self.layers) / sum(l.size for l in self.layers)

    @property
    def turnover(self) -> float:
        active = sum(layer.active for layer in self.layers)
        return sum(layer.turnover * layer.active for layer in self.layers) / max(active, 1)

    def as_dict(self) -> dict:
        """Returns the update as plain JSON-ready values (the event payload)."""
        return {
            "step": self.step,
            "kind": self.kind,
            **({"skipped": self.skipped} if self.skipped else {}),
            "rate": self.death_rate,
            "density": self.density,
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
    growth: rules.Growth,
    redistribution: Redistribution = "none",
    scores: Mapping[str, np.ndarray] | None = None,
    optimizer: keras.optimizers.Optimizer | None = None,
    seed: int = 0,
    kind: str = "regular",
) -> TopologyUpdate:
    """Prunes and regrows every sparse weight once, in place.

    For each weight: prune `ceil(death_rate * active)` active entries of
    smallest magnitude, then grow the same number (or the redistributed
    number) among the inactive entries, just-pruned ones included. Grown
    entries start at zero, and the optimizer slots of pruned and grown
    entries are reset to zero. Must run in a cross-replica context (eagerly,
    inside `strategy.scope()` when distributed). Non-finite weights or scores
    skip the update: nothing changes, and the result's `skipped` says why.

    Args:
        weights: the sparse weights to update; position i seeds weight i.
        step: the optimizer step, part of the random seed.
        death_rate: fraction of active weights to replace, in [0, 1].
        growth: `"random"`, `"gradient"` or `"momentum"`.
        redistribution: `"none"` keeps per-layer counts; `"magnitude"` and
            `"momentum"` share the regrowth between layers by the mean
            magnitude of their active weights / dense momentum. Defaults to
            `"none"`.
        scores: weight name -> dense gradient or momentum, same shape as the
            weight; needed by `"gradient"`/`"momentum"` growth and
            `"momentum"` redistribution.
        optimizer: optimizer whose slots are reset; `None` skips the reset.
        seed: base seed of the random choices. Defaults to `0`.
        kind: label kept in the result (`"regular"` or `"jump"`).

    Returns:
        A `TopologyUpdate` with per-layer statistics.
    """
    kernels = [w.variable.numpy().ravel() for w in weights]
    masks = [w.mask.numpy().ravel() for w in weights]
    flat_scores = [None if scores is None else np.asarray(scores[w.name]).ravel() for w in weights]
    reason = _non_finite(weights, kernels, "weights") or (
        None if scores is None else _non_finite(weights, flat_scores, "growth scores")
    )
    if reason:
        return TopologyUpdate.unchanged(weights, step, death_rate, kind, reason)
    prune_counts = [math.ceil(death_rate * np.count_nonzero(m)) for m in masks]
    pruned_masks = [rules.prune_magnitude(k, m, n) for k, m, n in zip(kernels, masks, prune_counts)]
    grow_counts = _grow_counts(redistribution, prune_counts, kernels, masks, pruned_masks, flat_scores)

    layers = []
    for index, weight in enumerate(weights):
        old, after_prune = masks[index], pruned_masks[index]
        new = rules.grow(
            after_prune, int(grow_counts[index]), growth,
            scores=flat_scores[index], rng=rules.layer_rng(seed, step, index),
        )
        grown = (new == 1) & (after_prune == 0)
        reset = grown | ((old == 1) & (after_prune == 0))
        _apply(weight, kernels[index], new, grown, reset, optimizer)
        active = int(np.count_nonzero(new))
        layers.append(LayerUpdate(
            name=weight.name, shape=weight.shape, active=active, size=weight.size,
            pruned=prune_counts[index], grown=int(grown.sum()),
            turnover=float(np.count_nonzero((new == 1) & (old == 0)) / max(active, 1)),
        ))
    return TopologyUpdate(step=step, death_rate=death_rate, layers=tuple(layers), kind=kind)


def _non_finite(weights: Sequence[SparseWeight], values: Sequence[np.ndarray], what: str) -> str | None:
    bad = [w.name for w, v in zip(weights, values) if not np.all(np.isfinite(v))]
    if not bad:
        return None
    more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
    return f"non-finite {what} in {bad[0]}{more}"


def _grow_counts(redistribution, prune_counts, kernels, masks, pruned_masks, scores) -> np.ndarray:
    if redistribution == "none":
        return np.asarray(prune_counts)
    if redistribution == "magnitude":
        values = kernels
    elif redistribution == "momentum":
        values = scores
    else:
        raise ValueError(
            f"`redistribution` must be one of {REDISTRIBUTIONS}. Received: {redistribution!r}"
        )
    importance = np.array([np.abs(v[m == 1]).mean() if m.any() else 0.0 for v, m in zip(values, masks)])
    capacity = np.array([m.size - np.count_nonzero(m) for m in pruned_masks])
    return rules.redistribute(sum(prune_counts), importance, capacity)


def _apply(weight: SparseWeight, kernel, new_mask, grown, reset, optimizer) -> None:
    shape = weight.shape
    weight.mask.assign(new_mask.reshape(shape))
    weight.variable.assign((np.where(grown, 0.0, kernel) * new_mask).reshape(shape))
    if optimizer is None:
        return
    keep = (~reset).reshape(shape)
    for slot in slot_variables(optimizer, weight.variable):
        slot.assign(slot.numpy() * keep)
