"""Members' paths through function space: probabilities along training, split and embedded in 2-D.

Pure array math on `Trajectory` objects; `ftk.evaluation.recorded_trajectories` reads
them from a run directory (what `PredictionRecorder` writes to
`predictions/member_<m>.npz`). Imports no TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Trajectory:
    """The recorded probabilities of one member run.

    Attributes:
        member: 0-based member run (0 for the single run of EDST).
        epochs: int array `(checkpoints,)`, epochs done at each checkpoint.
        probs: array `(checkpoints, n, classes)` of probabilities on fixed inputs.
    """

    member: int
    epochs: np.ndarray
    probs: np.ndarray


def split_by_phases(
    trajectory: Trajectory, boundaries: Sequence[int], *, branch: bool = True
) -> list[Trajectory]:
    """Splits one run (e.g. EDST's) into its exploration and refinement paths.

    With boundaries `b_1 < ... < b_M` (the epochs at which the refinement
    phases start), the exploration path holds the checkpoints at epoch counts
    `<= b_1` and refinement path `i` those in `(b_i, b_{i+1}]` (the last one
    up to the end). Each refinement path is prefixed with its starting point
    so it connects to where it came from: with `branch=True` (the default)
    every refinement path starts with the last exploration point, so the M
    paths fan out from one point and branch visibly in a plot. For
    refinements 2..M that first segment is a drawing convention: training
    actually continued from the previous ticket after a large topology jump.
    With `branch=False` each path starts with the last point before its own
    boundary instead (the previous ticket for refinements 2..M).

    Args:
        trajectory: the whole run.
        boundaries: refinement start epochs, e.g. from
            `ftk.evaluation.recorded_trajectories.phase_boundaries(run_dir)[0]`.
        branch: whether all refinement paths start at the end of exploration.
            Defaults to `True`.

    Returns:
        `[exploration, refinement_1, ..., refinement_M]`, all with the run's
        `member`; a path may be empty if no checkpoint falls in its phase.
    """
    edges = sorted(int(b) for b in boundaries)
    epochs = np.asarray(trajectory.epochs)
    explore = np.flatnonzero(epochs <= edges[0]) if edges else np.arange(len(epochs))
    pieces = [explore]
    for i, start in enumerate(edges):
        end = edges[i + 1] if i + 1 < len(edges) else np.inf
        inside = np.flatnonzero((epochs > start) & (epochs <= end))
        anchor = explore if branch else np.flatnonzero(epochs <= start)
        pieces.append(np.concatenate([anchor[-1:], inside]))
    return [Trajectory(trajectory.member, epochs[idx], np.asarray(trajectory.probs)[idx]) for idx in pieces]


def embed(trajectories: Sequence[Trajectory], *, perplexity: float | None = None,
          seed: int = 0) -> list[np.ndarray]:
    """Embeds all checkpoints of `trajectories` in 2-D with one t-SNE fit.

    Each checkpoint is its flattened probabilities `(n * classes,)`. Identical
    checkpoints (e.g. the shared first point of `split_by_phases` paths) are
    embedded once, so they land on the same 2-D point.

    Args:
        trajectories: paths recorded on the same inputs.
        perplexity: t-SNE perplexity. Defaults to
            `min(30, (distinct_points - 1) / 3)`.
        seed: `random_state` of the t-SNE. Defaults to `0`.

    Returns:
        One `(checkpoints_i, 2)` array per trajectory, in order.

    Raises:
        ValueError: if there are fewer than 4 distinct checkpoints, or the
            trajectories were recorded on different inputs or classes.
    """
    from sklearn.manifold import TSNE  # Deferred: slow to import.

    shapes = {tuple(np.shape(t.probs)[1:]) for t in trajectories if len(t.probs)}
    if len(shapes) > 1:
        raise ValueError(f"All trajectories must hold probabilities of one shape (n, classes). "
                         f"Received: {sorted(shapes)}")
    rows = [np.asarray(t.probs, np.float32).reshape(len(t.probs), -1) for t in trajectories]
    points = np.concatenate(rows) if rows else np.zeros((0, 1), np.float32)
    unique, inverse = np.unique(points, axis=0, return_inverse=True) if len(points) else (points, None)
    if len(unique) < 4:
        raise ValueError(f"t-SNE needs at least 4 distinct checkpoints; received {len(unique)} in "
                         f"{len(trajectories)} trajectories. Record more epochs (PredictionRecorder).")
    perplexity = min(30.0, (len(unique) - 1) / 3) if perplexity is None else perplexity
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    flat = tsne.fit_transform(unique)[inverse.reshape(-1)]
    return np.split(flat, np.cumsum([len(r) for r in rows])[:-1])
