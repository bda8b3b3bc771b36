"""Heatmap of a member-pair matrix: prediction disagreement or KL divergence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import ArrayLike

from ftk.ensemble.plots._canvas import Target, check_array, figure, names, save, ticks


def disagreement_heatmap(
    matrix: ArrayLike,
    path: Target,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    value_label: str = "Disagreement",
) -> Path | IO[bytes]:
    """Plots an `M x M` member-pair matrix as a heatmap, cells annotated up to `M = 20`.

    Args:
        matrix: Finite array of shape `(M, M)`, e.g. `disagreement_matrix` or `kl_matrix`
            (row `i`, column `j` is `K[i, j] = KL(p_i || p_j)`).
        path: Where to write the PNG: a file path (parent folders are
            created) or a binary file object.
        labels: `M` member names. Defaults to `"member 0"`, `"member 1"`, ...
        title: Figure title. Defaults to `f"{value_label} between members"`.
        value_label: Name of the values, e.g. `"KL divergence"`, for the colour bar.
            Defaults to `"Disagreement"`.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> disagreement_heatmap(kl_matrix(member_probs), "kl.png", value_label="KL")  # doctest: +SKIP
    """
    m = check_array(matrix, "matrix", "(M, M)", lambda s: len(s) == 2 and s[0] == s[1])
    n, member_names = m.shape[0], names(labels, m.shape[0])
    side = min(max(4.5, 0.55 * n + 2.5), 16.0)
    fig = figure(side + 1.0, side)
    ax = fig.subplots()
    vmin, vmax = min(0.0, m.min()), max(m.max(), 1e-12)
    fig.colorbar(ax.imshow(m, cmap="viridis", vmin=vmin, vmax=vmax), ax=ax, label=value_label)
    for (i, j), v in np.ndenumerate(m if n <= 20 else np.empty((0, 0))):
        light = (v - vmin) / (vmax - vmin) > 0.6
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                color="black" if light else "white")
    ticks(ax, "x", member_names)
    ticks(ax, "y", member_names)
    ax.set(xlabel="Member", ylabel="Member", title=title or f"{value_label} between members")
    return save(fig, path)
