"""Point metrics of one set of probabilities, and the ensemble's mean probabilities."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ftk.ensemble.metrics._inputs import check_labels, check_members, check_probs


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
    p = check_probs(probs)
    return float(np.mean(np.argmax(p, axis=1) == check_labels(labels, p)))


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
    p = check_probs(probs)
    picked = p[np.arange(p.shape[0]), check_labels(labels, p)]
    return float(-np.mean(np.log(np.maximum(picked, eps))))


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
    p = check_probs(probs)
    onehot = np.eye(p.shape[1])[check_labels(labels, p)]
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
    return np.mean(check_members(member_probs), axis=0)
