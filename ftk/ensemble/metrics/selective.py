"""Post-hoc calibration and selective prediction: temperature scaling, risk-coverage, AURC."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ftk.ensemble.metrics._inputs import check_labels, check_probs

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - np.max(z, axis=1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))


def apply_temperature(logits_or_log_probs: ArrayLike, temperature: float) -> np.ndarray:
    """Probabilities `softmax(z / T)` of logits (or log-probabilities) `z`.

    Formula: `p[i, k] = exp(z[i, k] / T) / sum_j exp(z[i, j] / T)`. For an
    ensemble, `z = log(mean_m member_probs[m])` (clip zeros first).

    Args:
        logits_or_log_probs: Finite array of shape `(n, classes)`.
        temperature: `T > 0`.

    Returns:
        Array of shape `(n, classes)`.

    Example:
    >>> apply_temperature(np.log([[0.8, 0.2]]), 1.0).round(2)
    array([[0.8, 0.2]])
    """
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"`temperature` must be a finite number > 0; received {temperature!r}.")
    z = check_probs(logits_or_log_probs, "logits_or_log_probs")
    return np.exp(_log_softmax(z / temperature))


def temperature_nll(logits_or_log_probs: ArrayLike, labels: ArrayLike, temperature: float) -> float:
    """Mean NLL of `labels` under `apply_temperature(z, temperature)`, in nats."""
    z = check_probs(logits_or_log_probs, "logits_or_log_probs")
    y = check_labels(labels, z)
    return float(-np.mean(_log_softmax(z / temperature)[np.arange(len(y)), y]))


def fit_temperature(
    logits_or_log_probs: ArrayLike,
    labels: ArrayLike,
    bounds: tuple[float, float] = (0.05, 20.0),
    tol: float = 1e-6,
) -> float:
    """The temperature `T` that minimises the NLL of `softmax(z / T)` on `(z, labels)`.

    Formula: `argmin_{T in bounds} mean_i -log softmax(z_i / T)[labels_i]`, found by
    golden-section search on `log T`. The NLL is convex in `1 / T`, hence unimodal in
    `log T`, so the search finds the minimum within `bounds` (or the nearer bound).

    Args:
        logits_or_log_probs: Logits or log-probabilities, shape `(n, classes)`; for an
            ensemble, the log of its mean probabilities.
        labels: Integer labels, shape `(n,)`.
        bounds: `(T_min, T_max)`, `0 < T_min < T_max`. Defaults to `(0.05, 20)`.
        tol: Stop when the bracket on `log T` is narrower than this.

    Returns:
        The fitted temperature (`> 1` softens over-confident predictions).

    Example:
    >>> z = np.log([[0.99, 0.01], [0.99, 0.01], [0.01, 0.99], [0.99, 0.01]])
    >>> 1.0 < fit_temperature(z, np.array([0, 1, 1, 0]))
    True
    """
    lo, hi = bounds
    if not (0 < lo < hi and np.isfinite(hi)):
        raise ValueError(f"`bounds` must be (T_min, T_max) with 0 < T_min < T_max; received {bounds!r}.")
    z = check_probs(logits_or_log_probs, "logits_or_log_probs")
    y = check_labels(labels, z)
    loss = lambda log_t: temperature_nll(z, y, float(np.exp(log_t)))  # noqa: E731
    a, b = np.log(lo), np.log(hi)
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = loss(c), loss(d)
    while b - a > tol:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = loss(d)
    middle = (a + b) / 2
    candidates = [(loss(np.log(lo)), lo), (loss(np.log(hi)), hi), (loss(middle), float(np.exp(middle)))]
    return float(min(candidates)[1])


def risk_coverage(probs: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Risk-coverage curve of selective prediction by the top-label confidence.

    Formula: sort samples by `c_i = max_k probs[i, k]`, most confident first (a stable
    sort, so ties keep their order); keeping the first `k` gives coverage `k / n` and
    risk `(errors among them) / k`, for `k = 1..n`.

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.

    Returns:
        `(coverage, risk)`, each of shape `(n,)`, coverage increasing to 1.

    Example:
    >>> cov, risk = risk_coverage(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1]))
    >>> cov.tolist(), risk.tolist()
    ([0.5, 1.0], [0.0, 0.5])
    """
    p = check_probs(probs)
    wrong = (np.argmax(p, axis=1) != check_labels(labels, p)).astype(np.float64)
    order = np.argsort(-np.max(p, axis=1), kind="stable")
    k = np.arange(1, p.shape[0] + 1)
    return k / p.shape[0], np.cumsum(wrong[order]) / k


def aurc(probs: ArrayLike, labels: ArrayLike) -> float:
    """Area under the risk-coverage curve (lower is better).

    Formula: `mean_k risk_k` over the `n` points of `risk_coverage` (Geifman et al.,
    2019), i.e. the curve's area with a step of `1 / n` in coverage.

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.

    Returns:
        AURC in `[0, 1]`.

    Example:
    >>> aurc(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1]))
    0.25
    """
    return float(np.mean(risk_coverage(probs, labels)[1]))
