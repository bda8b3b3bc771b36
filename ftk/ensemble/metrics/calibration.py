"""Calibration of the top-label confidence: reliability bins and ECE."""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from ftk.ensemble.metrics._inputs import check_labels, check_probs


@dataclasses.dataclass(frozen=True, eq=False)
class ReliabilityBins:
    """Read-only per-bin statistics of a reliability diagram with `B` bins.

    `edges` has shape `(B + 1,)`, bin `b` being `(edges[b], edges[b + 1]]`; `counts`,
    `accuracy` and mean top-label `confidence` have shape `(B,)` (NaN for empty bins).
    """

    edges: np.ndarray
    counts: np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray


def reliability_bins(probs: ArrayLike, labels: ArrayLike, num_bins: int = 15) -> ReliabilityBins:
    """Bins top-label confidences into equal-width bins on (0, 1].

    Formula: confidence `c_i = max_k probs[i, k]` goes to bin `b` with
    `b / B < c_i <= (b + 1) / B` (`c_i = 0` goes to bin 0); per bin,
    `accuracy_b = mean_{i in b} [argmax probs[i] == labels[i]]` and
    `confidence_b = mean_{i in b} c_i`.

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.
        num_bins: Number of bins `B` (>= 1).

    Returns:
        A `ReliabilityBins`.

    Example:
    >>> bins = reliability_bins(np.array([[0.7, 0.3], [0.1, 0.9]]), np.array([0, 0]), num_bins=5)
    >>> bins.counts.tolist()
    [0, 0, 0, 1, 1]
    """
    if not isinstance(num_bins, (int, np.integer)) or num_bins < 1:
        raise ValueError(f"`num_bins` must be an integer >= 1; received {num_bins!r}.")
    p = check_probs(probs)
    correct = (np.argmax(p, axis=1) == check_labels(labels, p)).astype(np.float64)
    conf = np.max(p, axis=1)
    edges = np.arange(num_bins + 1) / num_bins
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, num_bins - 1)
    counts = np.bincount(idx, minlength=num_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.bincount(idx, weights=correct, minlength=num_bins) / counts
        mean_conf = np.bincount(idx, weights=conf, minlength=num_bins) / counts
    for a in (edges, counts, acc, mean_conf):
        a.flags.writeable = False
    return ReliabilityBins(edges=edges, counts=counts, accuracy=acc, confidence=mean_conf)


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike, num_bins: int = 15) -> float:
    """Expected calibration error of the top-label confidence.

    Formula: `ECE = sum_b |B_b| / n * |acc_b - conf_b|` over the bins of
    `reliability_bins` (`(b / B, (b + 1) / B]`, a confidence of 0 in bin 0).

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.
        num_bins: Number of equal-width bins `B`.

    Returns:
        The ECE in `[0, 1]`.

    Example:
    >>> probs = np.array([[0.7, 0.3], [0.1, 0.9]])
    >>> round(expected_calibration_error(probs, np.array([0, 0]), num_bins=5), 4)
    0.6
    """
    bins = reliability_bins(probs, labels, num_bins)
    full = bins.counts > 0
    weights = bins.counts[full] / bins.counts.sum()
    return float(np.sum(weights * np.abs(bins.accuracy[full] - bins.confidence[full])))
