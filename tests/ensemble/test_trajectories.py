"""`ftk.ensemble.trajectories`: phase splits and the t-SNE embedding."""

import numpy as np
import pytest

from ftk.ensemble.trajectories import Trajectory, embed, split_by_phases


def make_trajectory(member=0, checkpoints=6, n=12, classes=4, every=1):
    rng = np.random.default_rng(member)
    logits = np.cumsum(rng.normal(size=(checkpoints, n, classes)), axis=0)
    probs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    return Trajectory(member, np.arange(checkpoints) * every, probs.astype(np.float16))


def test_split_by_phases_branches_from_the_end_of_exploration():
    run = make_trajectory(checkpoints=9)  # epochs 0..8; exploration 0-4, refinements (4, 6], (6, 8]
    explore, first, second = split_by_phases(run, [6, 4])
    assert explore.epochs.tolist() == [0, 1, 2, 3, 4]
    assert first.epochs.tolist() == [4, 5, 6]
    assert second.epochs.tolist() == [4, 7, 8]
    assert second.probs.shape == (3, 12, 4) and second.member == 0
    np.testing.assert_array_equal(second.probs[0], explore.probs[-1])
    np.testing.assert_array_equal(second.probs[1:], run.probs[7:])
    _, _, sequential = split_by_phases(run, [4, 6], branch=False)
    assert sequential.epochs.tolist() == [6, 7, 8]
    assert [len(p.epochs) for p in split_by_phases(run, [])] == [9]


def test_embed_paths_match_trajectories_and_are_deterministic():
    paths_in = split_by_phases(make_trajectory(checkpoints=9), [4, 6]) + [make_trajectory(1, checkpoints=5)]
    paths = embed(paths_in, seed=3)
    assert [p.shape for p in paths] == [(5, 2), (3, 2), (3, 2), (5, 2)]
    assert all(np.isfinite(p).all() for p in paths)
    np.testing.assert_array_equal(paths[1][0], paths[2][0])  # the shared branch point
    np.testing.assert_array_equal(paths[1][0], paths[0][-1])
    again = embed(paths_in, seed=3)
    for a, b in zip(paths, again):
        np.testing.assert_array_equal(a, b)


def test_embed_needs_enough_points():
    with pytest.raises(ValueError, match="at least 4"):
        embed([])
    with pytest.raises(ValueError, match="at least 4"):
        embed([make_trajectory(checkpoints=3)])
    with pytest.raises(ValueError, match="one shape"):
        embed([make_trajectory(checkpoints=3), make_trajectory(checkpoints=3, n=5)])
