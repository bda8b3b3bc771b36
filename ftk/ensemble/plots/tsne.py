"""Members' paths through their 2-D embedded (e.g. t-SNE) checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from ftk.ensemble.plots._canvas import Target, check_array, colors, figure, names, save


def tsne_paths(
    points: ArrayLike,
    path: Target,
    labels: Sequence[str] | None = None,
    ensemble_point: ArrayLike | None = None,
    title: str | None = None,
) -> Path | IO[bytes]:
    """Plots each member's path through its 2-D embedded (e.g. t-SNE) checkpoints.

    Args:
        points: Finite array of shape `(members, checkpoints, 2)`, or a list
            of `(checkpoints_i, 2)` arrays when paths differ in length.
        path: Where to write the PNG: a file path (parent folders are
            created) or a binary file object.
        labels: `members` names. Defaults to `"member 0"`, `"member 1"`, ...
        ensemble_point: Embedded point of the final ensemble, shape `(2,)`.
            Defaults to `None` (not drawn).
        title: Figure title. Defaults to `"Member trajectories (t-SNE)"`.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> points = np.random.rand(3, 5, 2)
    >>> tsne_paths(points, "tsne.png", ensemble_point=[0.5, 0.5])  # doctest: +SKIP
    """
    if isinstance(points, np.ndarray) or not len(points):
        p = list(check_array(points, "points", "(members, checkpoints, 2)",
                             lambda s: len(s) == 3 and s[2] == 2))
    else:  # paths of different lengths
        p = [check_array(t, "points", "a list of (checkpoints, 2) arrays", lambda s: len(s) == 2 and s[1] == 2)
             for t in points]
    e = ensemble_point
    e = None if e is None else check_array(e, "ensemble_point", "(2,)", lambda s: s == (2,))
    member_names = names(labels, len(p))
    fig = figure(7.0, 5.5)
    ax = fig.subplots()
    for track, name, color in zip(p, member_names, colors(len(p))):
        ax.plot(track[:, 0], track[:, 1], ".-", color=color, alpha=0.8, label=name)
        ax.scatter(*track[0], s=60, marker="o", fc="white", ec=color, zorder=3)
        ax.scatter(*track[-1], s=60, marker="s", color=color, ec="black", zorder=3)
    handles = ax.get_legend_handles_labels()[0] + [
        Line2D([], [], ls="", marker="o", mfc="white", mec="gray", label="Start"),
        Line2D([], [], ls="", marker="s", mfc="gray", mec="black", label="End"),
    ]
    if e is not None:
        handles.append(ax.scatter(*e, s=200, marker="*", color="gold", ec="black", zorder=4,
                                  label="Ensemble"))
    ax.set(xlabel="t-SNE 1", ylabel="t-SNE 2", title=title or "Member trajectories (t-SNE)")
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, path)
