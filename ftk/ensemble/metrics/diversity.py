"""Diversity of an ensemble: pairwise prediction disagreement and KL divergence."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike

from ftk.ensemble.metrics._inputs import check_members


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
    pred = np.argmax(check_members(member_probs), axis=2)
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
    p = check_members(member_probs)
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
