"""Robustness to corruptions: the mean corruption error (mCE)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def mean_corruption_error(errors: ArrayLike, baseline: ArrayLike | None = None) -> float:
    """Mean corruption error over a grid of corruptions and severities.

    Formula: without a baseline, the unnormalised `mean_{c, s} E[c, s]`, E the error
    rate (1 - accuracy). With a baseline (Hendrycks & Dietterich, 2019):
    `mean_c (sum_s E[c, s] / sum_s E_base[c, s])`, a ratio (1.0 = as robust as the
    baseline; their paper reports it as a percentage).

    Args:
        errors: Error rates, shape `(corruptions, severities)`.
        baseline: The baseline's error rates, same shape, or `None`.

    Returns:
        The mCE.

    Example:
    >>> mean_corruption_error([[0.1, 0.3], [0.2, 0.2]])
    0.2
    >>> mean_corruption_error([[0.1, 0.3], [0.2, 0.2]], baseline=[[0.2, 0.2], [0.4, 0.4]])
    0.75
    """
    e = np.asarray(errors, dtype=np.float64)
    if e.ndim != 2 or 0 in e.shape or not np.all(np.isfinite(e)):
        raise ValueError(f"`errors` must be finite with shape (corruptions, severities); received {e.shape}.")
    if baseline is None:
        return float(np.mean(e))
    b = np.asarray(baseline, dtype=np.float64)
    if b.shape != e.shape or not np.all(b.sum(axis=1) > 0):
        raise ValueError(f"`baseline` must have shape {e.shape} and errors > 0 on every corruption.")
    return float(np.mean(e.sum(axis=1) / b.sum(axis=1)))
