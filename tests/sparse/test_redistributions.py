"""Redistributions (`ftk.sparse.redistributions`): shares of the regrowth between layers."""

import numpy as np
import pytest

from ftk.sparse.layer_state import LayerState
from ftk.sparse.redistributions import get_redistribution, redistribute, redistribution_names


@pytest.mark.parametrize(
    "total, importance, capacity, expected",
    [
        (10, [1.0, 1.0], [100, 100], [5, 5]),
        (10, [3.0, 1.0], [100, 100], [8, 2]),  # 7.5/2.5: tie on remainder -> lower index
        (10, [3.0, 1.0], [4, 100], [4, 6]),  # full layer passes the rest on
        (7, [0.0, 0.0, 0.0], [3, 3, 3], [3, 2, 2]),  # no importance: even split
    ],
)
def test_redistribute(total, importance, capacity, expected):
    counts = redistribute(total, np.array(importance), np.array(capacity))
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == total


def layers():
    mask = np.array([1, 1, 0, 0], np.float32)
    return [
        LayerState("a", np.array([3.0, -3.0, 0.0, 0.0]), mask, gradient=np.array([0.1, 0.1, 5.0, 5.0])),
        LayerState("b", np.array([1.0, -1.0, 0.0, 0.0]), mask, gradient=np.array([0.3, 0.3, 0.0, 0.0])),
    ]


def test_none_keeps_counts():
    counts = get_redistribution("none").grow_counts(layers(), [1, 1], np.array([3, 3]))
    np.testing.assert_array_equal(counts, [1, 1])


def test_magnitude_and_momentum_share_by_the_mean_over_active_entries():
    # mean |w| over active: a 3.0, b 1.0 -> 4 slots as 3 / 1
    magnitude = get_redistribution("magnitude").grow_counts(layers(), [2, 2], np.array([4, 4]))
    np.testing.assert_array_equal(magnitude, [3, 1])
    # mean |momentum| over active: a 0.1, b 0.3 -> 1 / 3
    momentum = get_redistribution("momentum").grow_counts(layers(), [2, 2], np.array([4, 4]))
    np.testing.assert_array_equal(momentum, [1, 3])


def test_registry_names():
    assert redistribution_names()[:3] == ("none", "magnitude", "momentum")
    assert get_redistribution("momentum").uses_momentum and not get_redistribution("magnitude").uses_momentum
    with pytest.raises(ValueError, match="`redistribution` must be one of"):
        get_redistribution("yes")
