"""Exact, deterministic selections on flat NumPy arrays: top-k, random masks, seeds.

Selections are exact (`k` entries, no more, no fewer) and deterministic:
ties in a score are broken by the lower flat index. Pure NumPy.
"""

from __future__ import annotations

import numpy as np


def layer_rng(seed: int, step: int, index: int) -> np.random.Generator:
    """Returns the generator for sparse weight `index` at optimizer `step`.

    Seeding with (seed, step, index) makes every replica, worker and resumed
    run draw the same numbers for the same update.

    Args:
        seed: the run's base seed.
        step: the optimizer step (0 for the initial masks).
        index: position of the sparse weight in the model.

    Returns:
        A `numpy.random.Generator`.
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
    """Returns a flat 0/1 float32 mask with exactly `count` ones at uniform positions.

    Args:
        size: entries of the mask.
        count: ones among them, 0 <= count <= size.
        rng: the generator, e.g. `layer_rng(seed, 0, index)`.

    Returns:
        The flat mask.
    """
    mask = np.zeros(size, np.float32)
    mask[rng.choice(size, size=count, replace=False)] = 1.0
    return mask
