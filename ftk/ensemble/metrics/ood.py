"""Out-of-distribution detection: predictive entropy, scores, AUROC and AUPR."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, roc_auc_score

from ftk.ensemble.metrics._inputs import check_probs

Score = Literal["max_prob", "entropy"]


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
    p = check_probs(probs)
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
        return np.max(check_probs(probs), axis=1)
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
    p_in = check_probs(in_probs, "in_probs")
    p_out = check_probs(out_probs, "out_probs", classes=p_in.shape[1])
    s = np.concatenate([ood_scores(p_in, score), ood_scores(p_out, score)])
    y = np.concatenate([np.ones(p_in.shape[0]), np.zeros(p_out.shape[0])])
    return {"auroc": float(roc_auc_score(y, s)), "aupr": float(average_precision_score(y, s))}
