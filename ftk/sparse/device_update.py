"""The topology update in TensorFlow ops, on the device that holds the variables.

`update_topology` (`ftk.sparse.topology`) copies kernels, masks, dense
scores and optimizer slots to the host and runs the rules in NumPy. The
functions here do the same update for the built-in rules (magnitude prune;
random, gradient or momentum growth; no redistribution) with TensorFlow ops,
so those tensors never leave the device: per update, only one small vector
of active counts and finiteness flags and one of turnover counts come back.

Selections match the host's exactly: `tf.math.top_k` puts the lower index
first on ties, as `ftk.sparse.selection.top_k` does, so magnitude prune with
gradient or momentum growth gives the same masks on both paths. Random
growth draws from `tf.random.stateless_uniform` seeded by (seed, step,
layer index): exact counts, the same on every replica, but other choices
than NumPy's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from ftk.sparse.growth_rules import GradientGrowth, MomentumGrowth, RandomGrowth
from ftk.sparse.optimizer_slots import slot_variables
from ftk.sparse.prune_rules import MagnitudePrune, PruneRule
from ftk.sparse.redistributions import Redistribution
from ftk.sparse.sparse_weight import SparseWeight
from ftk.sparse.topology import LayerUpdate, TopologyUpdate, non_finite_reason

#: The built-in rules the device path implements (exact classes: a subclass may score otherwise).
DEVICE_RULES = {
    "prune": (MagnitudePrune,),
    "growth": (RandomGrowth, GradientGrowth, MomentumGrowth),
    "redistribution": (Redistribution,),
}


def device_unsupported(prune: PruneRule, growth: RandomGrowth, redistribution: Redistribution) -> str | None:
    """Returns what the device path cannot run among these rules, or `None`.

    The device path runs the built-in rules only: prune `"magnitude"`;
    growth `"random"`, `"gradient"` or `"momentum"`; redistribution
    `"none"`. Subclasses and other user rules run on the host.

    Args:
        prune: the prune rule.
        growth: the growth rule.
        redistribution: the redistribution.

    Returns:
        E.g. `"growth=LargestWeightGrowth()"`, or `None` when all are supported.

    Example:

    ```python
    device_unsupported(MagnitudePrune(), GradientGrowth(), MagnitudeRedistribution())
    # 'redistribution=MagnitudeRedistribution()'
    ```
    """
    rules = {"prune": prune, "growth": growth, "redistribution": redistribution}
    bad = [f"{what}={rule!r}" for what, rule in rules.items() if type(rule) not in DEVICE_RULES[what]]
    return ", ".join(bad) or None


def update_topology_on_device(
    weights: Sequence[SparseWeight],
    *,
    step: int,
    death_rate: float,
    growth: RandomGrowth,
    scores: Mapping[str, tf.Tensor] | None = None,
    optimizer: keras.optimizers.Optimizer | None = None,
    seed: int = 0,
    kind: str = "regular",
) -> TopologyUpdate:
    """Prunes by magnitude and regrows every sparse weight once, with TensorFlow ops.

    The same update as `update_topology(..., prune="magnitude",
    redistribution="none")`: each weight drops its `ceil(death_rate *
    active)` active entries of smallest `|w|` and grows as many among the
    inactive ones (just-pruned included); grown entries and every entry
    with mask 0 are set to +0.0, and the optimizer slots of pruned and
    grown entries to 0. Must run in a cross-replica context (inside
    `strategy.scope()` when distributed): each value is computed once and
    written to every replica. Non-finite weights or scores skip the update.

    Args:
        weights: the sparse weights to update; position i seeds weight i.
        step: the optimizer step, part of the random seed.
        death_rate: fraction of active weights to replace, in [0, 1].
        growth: a built-in growth rule (`RandomGrowth`, `GradientGrowth`
            or `MomentumGrowth`; see `device_unsupported`).
        scores: weight name -> dense gradient or momentum (a tensor, best
            on the device); needed by gradient and momentum growth.
        optimizer: optimizer whose slots are reset; `None` skips the reset.
        seed: base seed of the random choices. Defaults to `0`.
        kind: label kept in the result (`"regular"` or `"jump"`).

    Returns:
        A `TopologyUpdate` with per-layer statistics.

    Raises:
        ValueError: if `growth` needs scores and `scores` is `None`.

    Example:

    ```python
    with model.distribute_strategy.scope():
        update = update_topology_on_device(ftk.sparse_weights(model), step=100,
                                           death_rate=0.3, growth=GradientGrowth(),
                                           scores=scores, optimizer=model.optimizer)
    ```
    """
    if growth.needs_dense_gradient and scores is None:
        raise ValueError(f"{growth!r} needs the dense gradient of every sparse weight. Received: scores=None")
    kernels = [tf.convert_to_tensor(w.variable) for w in weights]
    masks = [tf.convert_to_tensor(w.mask) for w in weights]
    grow_scores = [None if scores is None else tf.convert_to_tensor(scores[w.name]) for w in weights]
    counts, finite_weights, finite_scores = _census(masks, kernels, grow_scores)
    reason = non_finite_reason(weights, finite_weights, "weights")
    if scores is not None:
        reason = reason or non_finite_reason(weights, finite_scores, "growth scores")
    if reason:
        return TopologyUpdate.unchanged(weights, step, death_rate, kind, reason)

    prune_counts = [math.ceil(death_rate * int(n)) for n in counts]
    turnovers = []
    for index, weight in enumerate(weights):
        k = prune_counts[index]
        if growth.needs_dense_gradient:
            candidates = tf.abs(tf.reshape(grow_scores[index], [-1]))
        else:
            candidates = tf.random.stateless_uniform([weight.size], _stateless_seed(seed, step, index),
                                                     dtype=tf.float64)
        turnovers.append(_update_weight(weight, kernels[index], masks[index], candidates, k, optimizer))
    new_counts = tf.stack(turnovers).numpy()
    return TopologyUpdate(step=step, death_rate=death_rate, kind=kind, layers=tuple(
        LayerUpdate(name=w.name, shape=w.shape, active=int(counts[i]), size=w.size,
                    pruned=prune_counts[i], grown=prune_counts[i],
                    turnover=float(new_counts[i] / max(int(counts[i]), 1)))
        for i, w in enumerate(weights)
    ))


def _census(masks, kernels, grow_scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active counts and finiteness of weights and scores, read back as one vector."""
    n = len(masks)
    values = [tf.math.count_nonzero(m, dtype=tf.int64) for m in masks]
    values += [tf.cast(tf.reduce_all(tf.math.is_finite(k)), tf.int64) for k in kernels]
    values += [tf.constant(1, tf.int64) if s is None else tf.cast(tf.reduce_all(tf.math.is_finite(s)), tf.int64)
               for s in grow_scores]
    census = tf.stack(values).numpy()
    return census[:n], census[n:2 * n].astype(bool), census[2 * n:].astype(bool)


def _update_weight(weight: SparseWeight, kernel, mask, candidates, k: int, optimizer) -> tf.Tensor:
    """Prunes and grows `k` entries of one weight in place; returns its count of newly active entries."""
    shape = weight.shape
    new, keep_kernel, keep_slot, turnover = _select(
        tf.reshape(kernel, [-1]), tf.reshape(mask, [-1]), candidates, tf.constant(k, tf.int32))
    weight.mask.assign(tf.reshape(tf.cast(new, weight.mask.dtype), shape))
    keep_kernel = tf.reshape(keep_kernel, shape)
    weight.variable.assign(tf.where(keep_kernel, kernel, tf.zeros_like(kernel)))  # +0.0, never -0.0
    if optimizer is not None:
        keep_slot = tf.reshape(keep_slot, shape)
        for slot in slot_variables(optimizer, weight.variable):
            value = tf.convert_to_tensor(slot)
            slot.assign(tf.where(keep_slot, value, tf.zeros_like(value)))
    return turnover


@tf.function(reduce_retracing=True)
def _select(kernel, mask, candidates, k):
    """The new flat mask of one weight, where kernel and slots keep their values, and its turnover.

    Prunes the `k` active entries of smallest `|kernel|`, then grows the `k`
    inactive ones with the largest `candidates`, the lower index first on
    ties in both (as `ftk.sparse.selection.top_k`).
    """
    old = mask != 0
    # Largest -|w| first = smallest |w| first; `+ 0.0` turns -0.0 into +0.0
    # so that every zero ties with every other (as in NumPy).
    prune_key = tf.where(old, -tf.abs(kernel) + 0.0, tf.constant(-np.inf, kernel.dtype))
    pruned = _top_k_mask(prune_key, k)
    after_prune = old & ~pruned
    grow_key = tf.where(after_prune, tf.constant(-np.inf, candidates.dtype), candidates + 0.0)
    grown = _top_k_mask(grow_key, k)
    new = after_prune | grown
    turnover = tf.math.count_nonzero(new & ~old, dtype=tf.int64)
    return new, new & ~grown, ~(pruned | grown), turnover


def _top_k_mask(key: tf.Tensor, k: tf.Tensor) -> tf.Tensor:
    """A boolean mask of the `k` largest keys, the lower index first on ties (as `tf.math.top_k`)."""
    indices = tf.math.top_k(key, k, sorted=True).indices
    return tf.scatter_nd(indices[:, None], tf.ones([k], tf.float32), tf.shape(key)) > 0


def _stateless_seed(seed: int, step: int, index: int) -> tf.Tensor:
    """The stateless seed of sparse weight `index` at `step`: the same on every replica and run."""
    state = np.random.SeedSequence((seed, step, index)).generate_state(2, np.uint32)
    return tf.constant(state.astype(np.int64))
