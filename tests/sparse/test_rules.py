"""Prune/grow rules on small hand-worked masks."""

import numpy as np
import pytest

from ftk.sparse import rules
from ftk.sparse.schedules import death_rate_at


def test_top_k_breaks_ties_by_lower_index():
    np.testing.assert_array_equal(rules.top_k(np.array([3.0, 1.0, 3.0, 2.0, 3.0]), 2), [0, 2])
    np.testing.assert_array_equal(rules.top_k(np.array([1.0, 5.0]), 0), [])
    np.testing.assert_array_equal(rules.top_k(np.array([1.0, 5.0]), 2), [0, 1])


def test_prune_magnitude_removes_smallest_active():
    w = np.array([0.9, -0.1, 0.0, 0.5, -0.3, 0.0, 0.2, 0.7])
    m = np.array([1, 1, 0, 1, 1, 0, 1, 1], np.float32)
    # active |w|: 0.9, 0.1, 0.5, 0.3, 0.2, 0.7 -> the 3 smallest are at 1, 6, 4
    expected = np.array([1, 0, 0, 1, 0, 0, 0, 1], np.float32)
    np.testing.assert_array_equal(rules.prune_magnitude(w, m, 3), expected)


def test_gradient_growth_takes_largest_inactive_scores():
    m = np.array([1, 0, 0, 1, 0, 0, 0, 1], np.float32)
    g = np.array([9.0, 0.1, -0.8, 9.0, 0.3, -0.5, 0.8, 9.0])
    # inactive |g|: 0.1 (1), 0.8 (2), 0.3 (4), 0.5 (5), 0.8 (6) -> top 2 = 2 and 6 (tie kept both)
    expected = np.array([1, 0, 1, 1, 0, 0, 1, 1], np.float32)
    np.testing.assert_array_equal(rules.grow(m, 2, "gradient", scores=g), expected)
    # a tie at the cut goes to the lower index
    np.testing.assert_array_equal(rules.grow(m, 1, "momentum", scores=g), [1, 0, 1, 1, 0, 0, 0, 1])


def test_random_growth_is_exact_and_seeded():
    m = np.zeros(100, np.float32)
    m[:10] = 1
    a = rules.grow(m, 20, "random", rng=rules.layer_rng(0, 5, 1))
    b = rules.grow(m, 20, "random", rng=rules.layer_rng(0, 5, 1))
    c = rules.grow(m, 20, "random", rng=rules.layer_rng(0, 5, 2))
    assert a.sum() == 30 and np.all(a[:10] == 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_random_mask_has_exact_count():
    mask = rules.random_mask(1000, 137, rules.layer_rng(3, 0, 0))
    assert mask.sum() == 137 and set(np.unique(mask)) == {0.0, 1.0}


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
    counts = rules.redistribute(total, np.array(importance), np.array(capacity))
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == total


def test_death_rate_schedules():
    assert death_rate_at(500, 0.5, "constant", 0, 1000) == 0.5
    assert death_rate_at(0, 0.5, "cosine", 0, 1000) == pytest.approx(0.5)
    assert death_rate_at(500, 0.5, "cosine", 0, 1000) == pytest.approx(0.005 + 0.495 / 2)
    assert death_rate_at(1000, 0.5, "cosine", 0, 1000) == pytest.approx(0.005)
    assert death_rate_at(750, 0.5, "linear", 500, 1000) == pytest.approx(0.2525)
    with pytest.raises(ValueError, match="death_rate_schedule"):
        death_rate_at(0, 0.5, "step", 0, 10)
