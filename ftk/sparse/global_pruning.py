"""One-shot global magnitude pruning (the PF baseline)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from ftk.sparse.optimizer_slots import slot_variables
from ftk.sparse.selection import top_k
from ftk.sparse.sparse_weight import SparseWeight


def prune_globally(
    weights: Sequence[SparseWeight],
    density: float,
    optimizer: keras.optimizers.Optimizer | None = None,
) -> None:
    """Keeps the `round(density * total)` largest `|w|` over all `weights`.

    One threshold for the whole network (ties broken by position), so layers
    end with different densities. Pruned kernel entries and their optimizer
    slots are set to zero. Must run in a cross-replica context.

    Args:
        weights: the sparse weights, e.g. `ftk.sparse_weights(model)`.
        density: fraction of weights to keep, in (0, 1].
        optimizer: optimizer whose slots of pruned entries are reset.
    """
    if not 0.0 < density <= 1.0:
        raise ValueError(f"`density` must be in (0, 1]. Received: density={density!r}")
    kernels = [w.variable.numpy() * w.mask.numpy() for w in weights]
    scores = np.concatenate([np.abs(k).ravel() for k in kernels])
    keep = np.zeros(scores.size, np.float32)
    keep[top_k(scores, round(density * scores.size))] = 1.0
    offsets = np.cumsum([0] + [k.size for k in kernels])
    for weight, kernel, start, end in zip(weights, kernels, offsets[:-1], offsets[1:]):
        mask = keep[start:end].reshape(kernel.shape)
        weight.mask.assign(mask)
        weight.variable.assign(np.where(mask != 0, kernel, 0))
        for slot in slot_variables(optimizer, weight.variable) if optimizer else ():
            slot.assign(np.where(mask != 0, slot.numpy(), 0))
