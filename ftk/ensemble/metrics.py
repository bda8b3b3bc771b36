"""Accuracy, calibration, diversity and OOD metrics for (ensembles of) classifiers.

NumPy + scikit-learn only. `probs` are (n, classes) probabilities, `labels` are
(n,) integer class ids, `member_probs` are (members, n, classes).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, roc_auc_score

Score = Literal["max_prob", "entropy"]


def _array(x: ArrayLike, name: str, want: str, ok: bool) -> np.ndarray:
    p = np.asarray(x, dtype=np.float64)
    if not ok or 0 in p.shape:
        raise ValueError(f"`{name}` must have shape {want} (sizes >= 1); received shape {p.shape}.")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"`{name}` must hold finite probabilities.")
    return p


def _probs(x: ArrayLike, name: str = "probs", classes: int | None = None) -> np.ndarray:
    shape = np.shape(x)
    ok = len(shape) == 2 and classes in (None, shape[1])
    return _array(x, name, "(n, classes)" if classes is None else f"(n, {classes})", ok)


def _members(x: ArrayLike) -> np.ndarray:
    return _array(x, "member_probs", "(members, n, classes)", np.ndim(x) == 3)


def _labels(x: ArrayLike, probs: np.ndarray) -> np.ndarray:
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


def accuracy(probs: ArrayLike, labels: ArrayLike) -> float:
    """Fraction of samples whose arg-max class equals the label.

    Formula: `mean_i [argmax_k probs[i, k] == labels[i]]`.

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.

    Returns:
        Accuracy in `[0, 1]`.

    Example:
    >>> accuracy(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0]))
    0.5
    """
    p = _probs(probs)
    return float(np.mean(np.argmax(p, axis=1) == _labels(labels, p)))


def negative_log_likelihood(probs: ArrayLike, labels: ArrayLike, eps: float = 1e-12) -> float:
    """Mean negative log-likelihood of the labels over the whole set.

    Formula: `mean_i -log(max(probs[i, labels[i]], eps))`.

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.
        eps: Lower clip for the label probability, so a zero gives `-log(eps)`.

    Returns:
        The NLL in nats (>= 0).

    Example:
    >>> round(negative_log_likelihood(np.array([[0.5, 0.5], [0.25, 0.75]]), np.array([0, 1])), 4)
    0.4904
    """
    p = _probs(probs)
    picked = p[np.arange(p.shape[0]), _labels(labels, p)]
    return float(-np.mean(np.log(np.maximum(picked, eps))))


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
    p = _probs(probs)
    correct = (np.argmax(p, axis=1) == _labels(labels, p)).astype(np.float64)
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


def brier_score(probs: ArrayLike, labels: ArrayLike) -> float:
    """Multi-class Brier score: mean over samples of the squared error summed over classes.

    Formula: `mean_i sum_k (probs[i, k] - onehot(labels[i])_k) ** 2`, in `[0, 2]`
    (not divided by the number of classes).

    Args:
        probs: Probabilities, shape `(n, classes)`.
        labels: Integer labels, shape `(n,)`.

    Returns:
        The Brier score.

    Example:
    >>> round(brier_score(np.array([[0.75, 0.25]]), np.array([0])), 4)
    0.125
    """
    p = _probs(probs)
    onehot = np.eye(p.shape[1])[_labels(labels, p)]
    return float(np.mean(np.sum((p - onehot) ** 2, axis=1)))


def ensemble_probabilities(member_probs: ArrayLike) -> np.ndarray:
    """Averages the members' probabilities.

    Formula: `mean_m member_probs[m]`.

    Args:
        member_probs: Probabilities, shape `(members, n, classes)`.

    Returns:
        Array of shape `(n, classes)`.

    Example:
    >>> ensemble_probabilities(np.array([[[1.0, 0.0]], [[0.5, 0.5]]]))
    array([[0.75, 0.25]])
    """
    return np.mean(_members(member_probs), axis=0)


def disagreement_matrix(member_probs: ArrayLike) -> np.ndarray:
    """Fraction of samples on which each pair of members predicts different classes.

    Formula: `D[i, j] = mean_s [argmax member_probs[i, s] != argmax member_probs[j, s]]`.

    Args:
        member_probs: Probabilities, shape `(members, n, classes)`.

    Returns:
        Symmetric array of shape `(members, members)` with zero diagonal.

    Example:
    >>> disagreement_matrix(np.array([[[0.9, 0.1], [0.9, 0.1]], [[0.9, 0.1], [0.1, 0.9]]]))
    array([[0. , 0.5],
           [0.5, 0. ]])
    """
    pred = np.argmax(_members(member_probs), axis=2)
    return np.mean(pred[:, None, :] != pred[None, :, :], axis=2)


def pairwise_disagreement(member_probs: ArrayLike) -> float:
    """Mean prediction disagreement over unordered member pairs.

    Formula: `2 / (M (M - 1)) * sum_{i < j} D[i, j]` with `D = disagreement_matrix`;
    0.0 for a single member. No offset is added.

    Args:
        member_probs: Probabilities, shape `(members, n, classes)`.

    Returns:
        Disagreement in `[0, 1]`.

    Example:
    >>> pairwise_disagreement(np.array([[[0.9, 0.1], [0.9, 0.1]], [[0.9, 0.1], [0.1, 0.9]]]))
    0.5
    """
    d = disagreement_matrix(member_probs)
    m = d.shape[0]
    return 0.0 if m < 2 else float(np.mean(d[np.triu_indices(m, k=1)]))


def kl_matrix(member_probs: ArrayLike, eps: float = 1e-12) -> np.ndarray:
    """Mean per-sample KL divergence between every ordered pair of members.

    Formula: `K[i, j] = mean_s sum_k p_ik (log max(p_ik, eps) - log max(p_jk, eps))`
    with `p_i = member_probs[i, s]`; terms with `p_ik = 0` are 0.

    Args:
        member_probs: Probabilities, shape `(members, n, classes)`.
        eps: Lower clip inside the logarithms.

    Returns:
        Array of shape `(members, members)`, `K[i, j] = KL(p_i || p_j)`, zero diagonal.

    Example:
    >>> kl_matrix(np.array([[[0.5, 0.5]], [[0.5, 0.5]]]))
    array([[0., 0.],
           [0., 0.]])
    """
    p = _members(member_probs)
    logp = np.log(np.maximum(p, eps))
    m = p.shape[0]
    out = np.zeros((m, m))
    for i, j in itertools.permutations(range(m), 2):
        out[i, j] = np.mean(np.sum(p[i] * (logp[i] - logp[j]), axis=1))
    return out


def pairwise_kl(member_probs: ArrayLike, eps: float = 1e-12) -> float:
    """Mean KL divergence over ordered member pairs `i != j`.

    Formula: `1 / (M (M - 1)) * sum_{i != j} K[i, j]` with `K = kl_matrix`; 0.0 for one member.

    Args:
        member_probs: Probabilities, shape `(members, n, classes)`.
        eps: Lower clip inside the logarithms.

    Returns:
        The mean KL in nats (>= 0).

    Example:
    >>> round(pairwise_kl(np.array([[[0.5, 0.5]], [[0.25, 0.75]]])), 4)
    0.1373
    """
    k = kl_matrix(member_probs, eps)
    m = k.shape[0]
    return 0.0 if m < 2 else float(np.sum(k) / (m * (m - 1)))


def predictive_entropy(probs: ArrayLike) -> np.ndarray:
    """Shannon entropy of each sample's predictive distribution.

    Formula: `H_i = -sum_k probs[i, k] log probs[i, k]` (with `0 log 0 = 0`).

    Args:
        probs: Probabilities, shape `(n, classes)`.

    Returns:
        Array of shape `(n,)`, in nats.

    Example:
    >>> predictive_entropy(np.array([[1.0, 0.0], [0.5, 0.5]])).round(4)
    array([0.    , 0.6931])
    """
    p = _probs(probs)
    return 0.0 - np.sum(p * np.log(np.where(p > 0, p, 1.0)), axis=1)


def ood_scores(probs: ArrayLike, score: Score = "max_prob") -> np.ndarray:
    """Per-sample score where higher means more in-distribution.

    Formula: `"max_prob"`: `max_k probs[i, k]`; `"entropy"`: `-H_i` (see `predictive_entropy`).

    Args:
        probs: Probabilities, shape `(n, classes)`.
        score: `"max_prob"` or `"entropy"`.

    Returns:
        Array of shape `(n,)`.

    Example:
    >>> ood_scores(np.array([[0.9, 0.1], [0.5, 0.5]]))
    array([0.9, 0.5])
    """
    if score == "max_prob":
        return np.max(_probs(probs), axis=1)
    if score == "entropy":
        return -predictive_entropy(probs)
    raise ValueError(f"`score` must be 'max_prob' or 'entropy'; received {score!r}.")


def ood_detection(
    in_probs: ArrayLike, out_probs: ArrayLike, score: Score = "max_prob"
) -> dict[str, float]:
    """AUROC and AUPR of separating in- from out-of-distribution samples by `ood_scores`.

    Formula: labels `1` for in-distribution (the positive class) and `0` for
    out-of-distribution; `auroc = roc_auc_score(y, s)` and
    `aupr = average_precision_score(y, s)` from scikit-learn, `s` = `ood_scores`.

    Args:
        in_probs: In-distribution probabilities, shape `(n_in, classes)`.
        out_probs: Out-of-distribution probabilities, shape `(n_out, classes)`.
        score: `"max_prob"` or `"entropy"`.

    Returns:
        `{"auroc": float, "aupr": float}`; AUPR is with in-distribution as positive.

    Example:
    >>> ood_detection(np.array([[0.9, 0.1]]), np.array([[0.5, 0.5]]))
    {'auroc': 1.0, 'aupr': 1.0}
    """
    p_in = _probs(in_probs, "in_probs")
    p_out = _probs(out_probs, "out_probs", classes=p_in.shape[1])
    s = np.concatenate([ood_scores(p_in, score), ood_scores(p_out, score)])
    y = np.concatenate([np.ones(p_in.shape[0]), np.zeros(p_out.shape[0])])
    return {"auroc": float(roc_auc_score(y, s)), "aupr": float(average_precision_score(y, s))}
