"""Prune and grow rules on flat NumPy masks.

Every function works on flattened arrays and returns new arrays; none touches
Keras variables. Selections are exact (`k` entries, no more, no fewer) and
deterministic: ties in a score are broken by the lower flat index.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Growth = Literal["random", "gradient", "momentum"]
GROWTH_RULES: tuple[str, ...] = ("random", "gradient", "momentum")
PRUNE_RULES: tuple[str, ...] = ("magnitude",)


def layer_rng(seed: int, step: int, index: int) -> np.random.Generator:
    """Returns the generator for sparse weight `index` at optimizer `step`.

    Seeding with (seed, step, index) makes every replica, worker and resumed
    run draw the same numbers for the same update.
    """
    return np.random.default_rng((seed, step, index))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Returns the indices of the `k` largest scores, lower index first on ties.

    Args:
        scores: 1-D array.
        k: how many to select, 0 <= k <= len(scores).

    Returns:
        Sorted int64 array of `k` indices.

    Example:

    >>> top_k(np.array([3.0, 1.0, 3.0, 2.0]), 2)
    array([0, 2])
    """
    if k <= 0:
        return np.empty(0, np.int64)
    if k >= scores.size:
        return np.arange(scores.size, dtype=np.int64)
    kth = np.partition(scores, scores.size - k)[scores.size - k]
    above = np.flatnonzero(scores > kth)
    ties = np.flatnonzero(scores == kth)[: k - above.size]
    return np.sort(np.concatenate([above, ties]))


def random_mask(size: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Returns a flat 0/1 mask with exactly `count` ones at uniform positions."""
    mask = np.zeros(size, np.float32)
    mask[rng.choice(size, size=count, replace=False)] = 1.0
    return mask


def prune_magnitude(weights: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Deactivates the `k` active entries with the smallest `|weights|`.

    Args:
        weights: flat weights.
        mask: flat 0/1 mask of the same size.
        k: how many active entries to prune.

    Returns:
        The new flat mask.
    """
    active = np.flatnonzero(mask)
    pruned = active[top_k(-np.abs(weights[active]), k)]
    new_mask = mask.copy()
    new_mask[pruned] = 0.0
    return new_mask


def grow(
    mask: np.ndarray,
    k: int,
    rule: Growth,
    scores: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Activates `k` inactive entries of `mask`.

    Args:
        mask: flat 0/1 mask after pruning.
        k: how many entries to activate; at most the number of inactive ones.
        rule: `"random"` (SET: uniform without replacement, needs `rng`),
            `"gradient"` (RigL) or `"momentum"` (SNFS): the largest
            `|scores|`, where scores are the dense gradient or its momentum.
        scores: flat dense scores, for `"gradient"` and `"momentum"`.
        rng: generator, for `"random"`.

    Returns:
        The new flat mask.
    """
    inactive = np.flatnonzero(mask == 0)
    if rule == "random":
        grown = rng.choice(inactive, size=k, replace=False)
    else:
        grown = inactive[top_k(np.abs(scores[inactive]), k)]
    new_mask = mask.copy()
    new_mask[grown] = 1.0
    return new_mask


def redistribute(total: int, importance: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Splits `total` regrowth slots between layers in proportion to importance.

    Used by the SNFS `magnitude` and `momentum` redistribution: layer i gets
    about `total * importance[i] / sum(importance)` slots, never more than
    `capacity[i]` (its inactive entries); what a full layer cannot take goes
    to the others. Rounding uses the largest remainders, so the counts sum
    to `total` exactly.

    Args:
        total: slots to hand out; at most `capacity.sum()`.
        importance: non-negative score per layer.
        capacity: maximum slots per layer.

    Returns:
        Integer array of slots per layer.
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
