"""Heatmap of a member-pair matrix: prediction disagreement or KL divergence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

import matplotlib
import numpy as np
from numpy.typing import ArrayLike

from ftk.ensemble.plots._canvas import Target, check_array, figure, names, save


def disagreement_heatmap(
    matrix: ArrayLike,
    path: Target,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    value_label: str = "Disagreement",
    max_ticks: int = 20,
) -> Path | IO[bytes]:
    """Plots an `M x M` member-pair matrix as a heatmap, cells annotated up to `M = 20`.

    The diagonal (a member against itself) is masked: drawn grey, not annotated, and
    left out of the colour scale, whose limits are the off-diagonal minimum (or 0)
    and maximum. A `value_label` naming KL states the direction, `KL(row || column)`,
    in the title and colour bar. At most `max_ticks` tick labels are written per axis,
    slanted and smaller when many.

    Args:
        matrix: Finite array of shape `(M, M)`, e.g. `disagreement_matrix` or `kl_matrix`
            (row `i`, column `j` is `K[i, j] = KL(p_i || p_j)`).
        path: Where to write the plot: a file path (parent folders are
            created; the suffix picks PNG, SVG or PDF), a binary file object (PNG)
            or a mapping `{format: path or file}`.
        labels: `M` member names. Defaults to `"member 0"`, `"member 1"`, ...
        title: Figure title. Defaults to `f"{value_label} between members"`.
        value_label: Name of the values, e.g. `"KL divergence"`, for the colour bar.
            Defaults to `"Disagreement"`.
        max_ticks: Most tick labels per axis (>= 1). Defaults to 20.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> disagreement_heatmap(kl_matrix(member_probs), "kl.png", value_label="KL")  # doctest: +SKIP
    """
    m = check_array(matrix, "matrix", "(M, M)", lambda s: len(s) == 2 and s[0] == s[1])
    if not isinstance(max_ticks, (int, np.integer)) or max_ticks < 1:
        raise ValueError(f"`max_ticks` must be an integer >= 1; received {max_ticks!r}.")
    n, member_names = m.shape[0], names(labels, m.shape[0])
    off = ~np.eye(n, dtype=bool)
    vmin = min(0.0, m[off].min()) if n > 1 else 0.0
    vmax = max(m[off].max() if n > 1 else 0.0, vmin + 1e-12)
    is_kl = "kl" in value_label.lower()
    direction = " — KL(row || column)" if is_kl else ""
    side = min(max(4.5, 0.55 * n + 2.5), 16.0)
    fig = figure(side + 1.0, side)
    ax = fig.subplots()
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="lightgray")
    image = ax.imshow(np.ma.masked_array(m, mask=~off), cmap=cmap, vmin=vmin, vmax=vmax)
    fig.colorbar(image, ax=ax, label=value_label + (" KL(row || column)" if is_kl else ""))
    for (i, j), v in np.ndenumerate(m if n <= 20 else np.empty((0, 0))):
        if i != j:
            light = (v - vmin) / (vmax - vmin) > 0.6
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8 if n <= 10 else 6,
                    color="black" if light else "white")
    step = -(-n // max_ticks)
    shown = list(range(0, n, step))
    size = 9 if len(shown) <= 10 else 7
    ax.set_xticks(shown, [member_names[i] for i in shown], rotation=45 if len(shown) > 4 else 0,
                  ha="right" if len(shown) > 4 else "center", fontsize=size)
    ax.set_yticks(shown, [member_names[i] for i in shown], fontsize=size)
    ax.set(xlabel="Member (column)", ylabel="Member (row)",
           title=(title or f"{value_label} between members") + direction)
    return save(fig, path)
