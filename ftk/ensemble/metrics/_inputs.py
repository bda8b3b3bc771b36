"""Checks shared by the metrics: probabilities, members' probabilities and labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _array(x: ArrayLike, name: str, want: str, ok: bool) -> np.ndarray:
    p = np.asarray(x, dtype=np.float64)
    if not ok or 0 in p.shape:
        raise ValueError(f"`{name}` must have shape {want} (sizes >= 1); received shape {p.shape}.")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"`{name}` must hold finite probabilities.")
    return p


def check_probs(x: ArrayLike, name: str = "probs", classes: int | None = None) -> np.ndarray:
    """`x` as float64 of shape `(n, classes)`; `ValueError` naming `name` otherwise."""
    shape = np.shape(x)
    ok = len(shape) == 2 and classes in (None, shape[1])
    return _array(x, name, "(n, classes)" if classes is None else f"(n, {classes})", ok)


def check_members(x: ArrayLike) -> np.ndarray:
    """`x` as float64 of shape `(members, n, classes)`; `ValueError` otherwise."""
    return _array(x, "member_probs", "(members, n, classes)", np.ndim(x) == 3)


def check_labels(x: ArrayLike, probs: np.ndarray) -> np.ndarray:
    """`x` as int64 labels `(n,)` in `[0, classes)` of `probs`; `ValueError` otherwise."""
    y, (n, k) = np.asarray(x), probs.shape
    if y.shape != (n,):
        raise ValueError(
            f"`labels` must have shape ({n},) to match `probs`; received shape {y.shape}."
        )
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= k:
        raise ValueError(
            f"`labels` must be integers in [0, {k}); received {y.dtype} in [{y.min()}, {y.max()}]."
        )
    return y.astype(np.int64)
