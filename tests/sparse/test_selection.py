"""Exact, deterministic selections (`ftk.sparse.selection`), on small hand-worked arrays."""

import numpy as np

from ftk.sparse.selection import layer_rng, random_mask, top_k


def test_top_k_breaks_ties_by_lower_index():
    np.testing.assert_array_equal(top_k(np.array([3.0, 1.0, 3.0, 2.0, 3.0]), 2), [0, 2])
    np.testing.assert_array_equal(top_k(np.array([1.0, 5.0]), 0), [])
    np.testing.assert_array_equal(top_k(np.array([1.0, 5.0]), 2), [0, 1])


def test_random_mask_has_exact_count():
    mask = random_mask(1000, 137, layer_rng(3, 0, 0))
    assert mask.sum() == 137 and set(np.unique(mask)) == {0.0, 1.0}
