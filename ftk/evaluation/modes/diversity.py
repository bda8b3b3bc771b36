"""`disagreement` and `kl` modes: how differently the members predict."""

from __future__ import annotations

import numpy as np

from ftk.ensemble import metrics, plots
from ftk.evaluation.context import EvalContext, spread


def disagreement(ctx: EvalContext) -> dict:
    """Pairwise prediction disagreement: per member (vs the others), mean, std, ensemble."""
    matrix = metrics.disagreement_matrix(ctx.member_probs)
    return _report(ctx, matrix, metrics.pairwise_disagreement(ctx.member_probs), "disagreement")


def kl(ctx: EvalContext) -> dict:
    """Mean pairwise KL divergence KL(p_i || p_j): per member, mean, std, ensemble."""
    matrix = metrics.kl_matrix(ctx.member_probs)
    return _report(ctx, matrix, metrics.pairwise_kl(ctx.member_probs), "kl")


def _report(ctx: EvalContext, matrix: np.ndarray, pairwise: float, name: str) -> dict:
    members = len(matrix)
    off_diagonal = (matrix.sum(axis=1) - np.diag(matrix)) / max(members - 1, 1)
    labels = [f"ticket {i}" for i in range(members)]
    with ctx.plot_file(f"{name}_heatmap") as file:
        plots.disagreement_heatmap(matrix, file, labels=labels, title=f"Pairwise {name}",
                                   value_label="KL divergence (nats)" if name == "kl" else name)
    return {**spread(off_diagonal), "ensemble": float(pairwise), "matrix": matrix.tolist()}
